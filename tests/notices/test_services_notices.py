"""Writing, publishing and withdrawing お知らせ through the services: validation, permission per department,
one broadcast per notice, the scheduled start, and what withdrawing stops."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from django_tasks_db.models import DBTaskResult

from tests import factories
from tests.support.race import race
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.messaging.models import Broadcast, Delivery, DeliveryStatus
from yakuba.kernel.refusal import Refused
from yakuba.notices import tasks
from yakuba.notices.models import Notice, NoticeAttachment, NoticeStatus, NoticeTranslation
from yakuba.notices.services import notices as services
from yakuba.notices.services.notices import NoticeData

pytestmark = pytest.mark.django_db

def audits():
    with scopes_disabled():
        return AuditEntry.objects.all()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def data(town, **overrides) -> NoticeData:
    with scope(municipality=town):
        values = {"title": "断水のお知らせ", "body": "明日9時から断水します。",
                  "category": factories.make_category(town, "kurashi"),
                  "department": factories.make_department(town, "総務課")}
        values.update(overrides)
        return NoticeData(**values)


def save(staff, town, notice=None, **overrides) -> Notice:
    with scope(municipality=town):
        return services.save_notice(staff, notice=notice, data=data(town, **overrides))


def refused(staff, town, **overrides) -> dict[str, str]:
    with scope(municipality=town), pytest.raises(Refused) as caught:
        services.save_notice(staff, data=data(town, **overrides))
    return caught.value.errors


# Saving -----------------------------------------------------------------------------------------------------------

def test_a_draft_is_saved_with_its_areas_translation_and_attachment(town_a, staff_a):
    area = factories.make_area(town_a, "馬山地区")
    upload = SimpleUploadedFile("地図.pdf", PDF, content_type="application/pdf")
    notice = save(staff_a, town_a, areas=[area], audiences=["elderly"], translation_en=("Water cut", "Tomorrow."),
                  attachments=[upload], reply_kind="yes_no")
    with scope(municipality=town_a):
        notice.refresh_from_db()
        assert notice.status == NoticeStatus.DRAFT and notice.broadcast is None
        assert list(notice.areas.all()) == [area] and notice.audiences == ["elderly"]
        assert notice.reply_choices == ["はい", "いいえ"]
        assert NoticeTranslation.objects.get(notice=notice).title == "Water cut"
        attachment = NoticeAttachment.objects.get(notice=notice)
        assert attachment.original_name == "地図.pdf" and attachment.content_type == "application/pdf"
        assert attachment.size == len(PDF)
    assert audits().filter(action="notices.notice.created").count() == 1


@pytest.mark.parametrize(("overrides", "field"), [
    ({"title": "  "}, "title"),
    ({"body": ""}, "body"),
    ({"reply_kind": "choice", "reply_choices": ["ひとつ"]}, "reply_choices"),
    ({"reply_kind": "choice", "reply_choices": [str(n) for n in range(11)]}, "reply_choices"),
    ({"reply_kind": "choice", "reply_choices": ["あ" * 41, "い"]}, "reply_choices"),
    ({"easy_title": "やさしい件名"}, "easy_body"),
    ({"translation_en": ("Only a title", "")}, "en_body"),
    ({"audiences": ["martians"]}, "audiences"),
])
def test_bad_input_is_refused_and_nothing_is_saved(town_a, staff_a, overrides, field):
    errors = refused(staff_a, town_a, **overrides)
    assert field in errors and errors[field]
    with scope(municipality=town_a):
        assert not Notice.objects.exists()


def test_the_end_must_come_after_the_start(town_a, staff_a):
    now = timezone.now()
    errors = refused(staff_a, town_a, publish_at=now, expires_at=now - timedelta(hours=1))
    assert errors == {"expires_at": "掲載終了日時は公開日時より後にしてください。"}


def test_rows_of_another_town_are_refused(town_a, town_b, staff_a):
    other_area = factories.make_area(town_b, "小幡地区")
    other_category = factories.make_category(town_b, "kurashi")
    errors = refused(staff_a, town_a, areas=[other_area], category=other_category)
    assert set(errors) == {"areas", "category"}


def test_a_file_that_is_not_a_document_is_refused(town_a, staff_a):
    upload = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00" + b"\x00" * 100, content_type="application/pdf")
    errors = refused(staff_a, town_a, attachments=[upload])
    assert "virus.pdf" in errors["attachments"]
    with scope(municipality=town_a):
        assert not NoticeAttachment.objects.exists()


def test_staff_write_for_their_own_department_only(town_a, staff_a, staff_a_other):
    errors = refused(staff_a_other, town_a)  # 住民課 writing as 総務課
    assert "department" in errors
    notice = save(staff_a, town_a)
    with scope(municipality=town_a), pytest.raises(Refused):
        services.save_notice(staff_a_other, notice=notice,
                             data=data(town_a, department=staff_a_other.department))


def test_any_staff_may_write_an_emergency_notice_and_it_is_recorded(town_a, staff_a_other):
    with scope(municipality=town_a):
        bousai = factories.make_category(town_a, "bousai")
    notice = save(staff_a_other, town_a, category=bousai, title="避難指示")
    assert notice.department.name == "総務課"
    entry = audits().get(action="notices.notice.created")
    assert entry.data["emergency_by_other_department"] is True and entry.data["staff_department"] == "住民課"


def test_the_admin_may_write_for_any_department(town_a, admin_a):
    with scope(municipality=town_a):
        health = factories.make_department(town_a, "保健課")
    assert save(admin_a, town_a, department=health).department == health


def test_a_published_notice_can_be_corrected_without_a_new_message(town_a, staff_a):
    notice = save(staff_a, town_a)
    with scope(municipality=town_a):
        services.publish_notice(staff_a, notice)
        corrected = services.save_notice(staff_a, notice=notice, data=data(town_a, title="断水のお知らせ（訂正）"))
        assert corrected.title == "断水のお知らせ（訂正）" and corrected.status == NoticeStatus.PUBLISHED
        assert Broadcast.objects.count() == 1


# Publishing -------------------------------------------------------------------------------------------------------

def test_publishing_starts_one_broadcast(town_a, staff_a):
    with scope(municipality=town_a):
        bousai = factories.make_category(town_a, "bousai")
    notice = save(staff_a, town_a, category=bousai, easy_title="みずが でません", easy_body="あした でません。",
                  translation_en=("Water cut", "Tomorrow from 9."))
    with scope(municipality=town_a):
        services.publish_notice(staff_a, notice)
        again = services.publish_notice(staff_a, notice)
        broadcast = Broadcast.objects.get()
    assert again.broadcast_id == broadcast.pk and again.status == NoticeStatus.PUBLISHED
    assert broadcast.urgent and broadcast.source == "notices.notice" and broadcast.source_id == notice.pk
    assert broadcast.content["ja"] == {"subject": "【防災】断水のお知らせ", "body": "明日9時から断水します。"}
    assert broadcast.content["ja-easy"]["subject"] == "【防災】みずが でません"
    assert broadcast.content["en"]["body"] == "Tomorrow from 9."
    assert broadcast.url == f"/notices/{notice.public_id}/"
    assert broadcast.created_by == staff_a.user
    assert audits().filter(action="notices.notice.published").count() == 1
    assert not broadcast.ask_ack  # nobody's answer needed: LINE sends it as multicast


def test_a_notice_that_asks_for_a_reply_gives_each_recipient_their_own_link(town_a, staff_a):
    with scope(municipality=town_a):
        bousai = factories.make_category(town_a, "bousai")
    notice = save(staff_a, town_a, category=bousai, reply_kind="choice", reply_choices=["避難した", "自宅にいる"],
                  reply_deadline=timezone.now() + timedelta(days=1))
    with scope(municipality=town_a):
        services.publish_notice(staff_a, notice)
        assert Broadcast.objects.get().ask_ack  # LINE pushes to each user, with their 「確認しました」 and reply link


def test_a_notice_not_to_deliver_is_published_without_a_broadcast(town_a, staff_a):
    notice = save(staff_a, town_a, deliver=False)
    with scope(municipality=town_a):
        published = services.publish_notice(staff_a, notice)
        assert published.status == NoticeStatus.PUBLISHED and not Broadcast.objects.exists()


def test_a_future_notice_is_delivered_by_a_task_at_its_time(town_a, staff_a, django_capture_on_commit_callbacks):
    when = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    notice = save(staff_a, town_a, publish_at=when)
    with scope(municipality=town_a), django_capture_on_commit_callbacks(execute=True):
        services.publish_notice(staff_a, notice)
    [queued] = DBTaskResult.objects.filter(task_path__endswith="publish_due")
    assert queued.run_after == when and queued.args_kwargs["args"] == [notice.pk]
    with scope(municipality=town_a):
        assert not Broadcast.objects.exists()
        assert services.deliver_due(notice.pk, now=when - timedelta(minutes=1)) is None
        assert not Broadcast.objects.exists()
    assert tasks.publish_due.call(notice.pk) is False  # too early still (the clock is now)
    with scope(municipality=town_a):
        first = services.deliver_due(notice.pk, now=when + timedelta(seconds=1))
        assert first is not None and services.deliver_due(notice.pk, now=when + timedelta(minutes=1)) is None
        assert Notice.objects.get(pk=notice.pk).broadcast_id == first.pk


def test_moving_the_publish_time_of_a_scheduled_notice_to_now_sends_it(town_a, staff_a,
                                                                       django_capture_on_commit_callbacks):
    notice = save(staff_a, town_a, publish_at=timezone.now() + timedelta(days=2))
    with scope(municipality=town_a):
        services.publish_notice(staff_a, notice)
        assert not Broadcast.objects.exists()
        with django_capture_on_commit_callbacks(execute=True):
            later = services.save_notice(staff_a, notice=notice,
                                         data=data(town_a, publish_at=timezone.now() + timedelta(days=3)))
        assert later.broadcast_id is None
        now = services.save_notice(staff_a, notice=notice, data=data(town_a, publish_at=timezone.now()))
        assert now.broadcast_id == Broadcast.objects.get().pk
        services.save_notice(staff_a, notice=notice, data=data(town_a, title="訂正", publish_at=now.publish_at))
        assert Broadcast.objects.count() == 1
    assert DBTaskResult.objects.filter(task_path__endswith="publish_due").count() == 1


def test_the_task_does_nothing_for_a_withdrawn_notice(town_a, staff_a):
    notice = save(staff_a, town_a, publish_at=timezone.now() + timedelta(hours=1))
    with scope(municipality=town_a):
        services.publish_notice(staff_a, notice)
        services.withdraw_notice(staff_a, notice, "日程が変わったため")
        assert services.deliver_due(notice.pk, now=timezone.now() + timedelta(hours=2)) is None
        assert not Broadcast.objects.exists()


def test_staff_of_another_department_cannot_publish(town_a, staff_a, staff_a_other):
    notice = save(staff_a, town_a)
    with scope(municipality=town_a), pytest.raises(Refused):
        services.publish_notice(staff_a_other, notice)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_publishing_at_once_start_one_broadcast(town_a, staff_a, admin_a):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (YAKUBA_TEST_DATABASE_URL)")
    notice = save(staff_a, town_a)
    publishers = [staff_a, admin_a] * 4
    outcomes = race(town_a, [lambda s=s: services.publish_notice(s, notice) for s in publishers])
    assert outcomes == {"ok": 8}
    with scope(municipality=town_a):
        assert Broadcast.objects.filter(source_id=notice.pk).count() == 1
        assert Notice.objects.get(pk=notice.pk).broadcast_id is not None
    assert audits().filter(action="notices.notice.published").count() == 1


# Withdrawing and figures ------------------------------------------------------------------------------------------

def test_withdrawing_skips_the_deliveries_still_queued(town_a, staff_a):
    subscriber = factories.make_subscriber(town_a, email="a@example.jp", categories=("kurashi",))
    notice = save(staff_a, town_a)
    with scope(municipality=town_a):
        broadcast = services.publish_notice(staff_a, notice).broadcast
        endpoint = subscriber.endpoints.get()
        queued = Delivery.objects.create(municipality=town_a, broadcast=broadcast, subscriber=subscriber,
                                         endpoint=endpoint, channel="email")
        other = factories.make_subscriber(town_a, line_user="U1", categories=("kurashi",))
        sent = Delivery.objects.create(municipality=town_a, broadcast=broadcast, subscriber=other,
                                       endpoint=other.endpoints.get(), channel="line", status=DeliveryStatus.SENT)
        with pytest.raises(Refused) as caught:
            services.withdraw_notice(staff_a, notice, "  ")
        assert caught.value.errors == {"reason": "取り下げの理由を入力してください。"}
        withdrawn = services.withdraw_notice(staff_a, notice, "内容に誤りがあったため")
        queued.refresh_from_db()
        sent.refresh_from_db()
        assert withdrawn.status == NoticeStatus.WITHDRAWN
        assert not Notice.objects.visible().filter(pk=notice.pk).exists()
        assert queued.status == DeliveryStatus.SKIPPED and sent.status == DeliveryStatus.SENT
        with pytest.raises(Refused):
            services.publish_notice(staff_a, notice)
    entry = audits().get(action="notices.notice.withdrawn")
    assert entry.data == {"reason": "内容に誤りがあったため", "deliveries_stopped": 1}


def test_expected_recipients_count_active_endpoints_in_the_audience(town_a, staff_a):
    north, south = factories.make_area(town_a, "馬山地区"), factories.make_area(town_a, "小坂地区")
    factories.make_subscriber(town_a, email="a@example.jp", line_user="U-a", categories=("kurashi",))
    factories.make_subscriber(town_a, email="b@example.jp", categories=("kurashi",), areas=[north])
    factories.make_subscriber(town_a, email="c@example.jp", categories=("kurashi",), areas=[south])
    factories.make_subscriber(town_a, email="d@example.jp", categories=("gomi",))
    paused = factories.make_subscriber(town_a, email="e@example.jp", categories=("kurashi",))
    with scope(municipality=town_a):
        paused.endpoints.update(paused_at=timezone.now())
    notice = save(staff_a, town_a, areas=[north])
    with scope(municipality=town_a):
        assert services.expected_recipients(notice) == {"email": 2, "line": 1, "webpush": 0}


def test_the_list_states(town_a):
    now = timezone.now()
    draft = factories.make_notice(town_a, published=False)
    live = factories.make_notice(town_a)
    later = factories.make_notice(town_a, publish_at=now + timedelta(days=1))
    ended = factories.make_notice(town_a, publish_at=now - timedelta(days=3), expires_at=now - timedelta(days=1))
    assert [services.state_of(n, now) for n in (draft, live, later, ended)] == [
        "draft", "live", "scheduled", "expired"]


def test_staff_see_their_department_and_emergencies_admin_sees_all(town_a, staff_a, staff_a_other, admin_a):
    mine = factories.make_notice(town_a, department="総務課")
    theirs = factories.make_notice(town_a, department="住民課")
    alarm = factories.make_notice(town_a, department="総務課", category="bousai")
    with scope(municipality=town_a):
        assert set(services.managed_notices(staff_a_other)) == {theirs, alarm}
        assert set(services.managed_notices(admin_a)) == {mine, theirs, alarm}
        assert admin_a.role == Role.ADMIN

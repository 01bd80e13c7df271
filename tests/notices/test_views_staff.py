"""Staff pages of お知らせの配信 through HTTP: who sees what, the form (400s keep the typing), preview and publish
once, live counts, withdrawing, replies and their CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tests import factories
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.messaging.models import Broadcast, Delivery, DeliveryStatus
from yakuba.notices.models import Notice, NoticeStatus, Reply

pytestmark = pytest.mark.django_db


def url(town, name: str, *args, query: str = "") -> str:
    return factories.town_url(town, reverse(f"staff:{name}", args=args)) + (f"?{query}" if query else "")


def form_data(town, **overrides) -> dict:
    with scope(municipality=town):
        values = {"title": "断水のお知らせ", "body": "明日9時から断水します。",
                  "category": factories.make_category(town, "kurashi").pk,
                  "department": factories.make_department(town, "総務課").pk,
                  "publish_at": "", "expires_at": "", "deliver": "on", "reply_kind": "none",
                  "reply_choices": "", "reply_deadline": "", "en_title": "", "en_body": ""}
    values.update(overrides)
    return values


def audits(action: str):
    with scopes_disabled():
        return list(AuditEntry.objects.filter(action=action))


# Access -----------------------------------------------------------------------------------------------------------

def test_anonymous_staff_go_to_login_and_residents_get_403(client, town_a, resident_a):
    response = client.get(url(town_a, "notices"))
    assert response.status_code == 302 and "/staff/login/" in response["Location"]
    client.force_login(resident_a.user)
    assert client.get(url(town_a, "notices")).status_code == 403


def test_the_list_shows_the_department_notices_with_their_state(town_a, staff_a, staff_a_other):
    factories.make_notice(town_a, title="総務課のお知らせ", department="総務課")
    factories.make_notice(town_a, title="住民課の下書き", department="住民課", published=False)
    factories.make_notice(town_a, title="明日のお知らせ", department="住民課",
                          publish_at=timezone.now() + timedelta(days=1))
    client = factories.staff_client(staff_a_other)
    page = client.get(url(town_a, "notices")).content.decode()
    assert "住民課の下書き" in page and "下書き" in page and "公開予定" in page
    assert "総務課のお知らせ" not in page
    page = client.get(url(town_a, "notices", query="status=draft")).content.decode()
    assert "住民課の下書き" in page and "明日のお知らせ" not in page
    response = client.get(url(town_a, "notices", query="status=bogus"))
    assert response.status_code == 400 and "絞り込みの条件が正しくありません" in response.content.decode()


def test_another_departments_notice_is_404(town_a, staff_a_other):
    notice = factories.make_notice(town_a, department="総務課")
    client = factories.staff_client(staff_a_other)
    assert client.get(url(town_a, "notice-detail", notice.pk)).status_code == 404
    assert client.get(url(town_a, "notice-replies-csv", notice.pk)).status_code == 404


def test_staff_of_another_town_cannot_open_the_pages(town_a, staff_b):
    notice = factories.make_notice(town_a)
    assert factories.staff_client(staff_b).get(url(town_a, "notice-detail", notice.pk)).status_code == 403


# Writing ------------------------------------------------------------------------------------------------------------

def test_writing_a_notice_saves_a_draft_and_shows_the_preview(town_a, staff_a):
    area = factories.make_area(town_a, "馬山地区")
    factories.make_subscriber(town_a, email="a@example.jp", categories=("kurashi",))
    client = factories.staff_client(staff_a)
    page = client.get(url(town_a, "notice-new")).content.decode()
    assert 'type="datetime-local"' in page and "<details" in page and 'name="_once"' in page
    response = client.post(url(town_a, "notice-new"), form_data(town_a, areas=[area.pk], en_title="Water cut",
                                                                en_body="From 9 tomorrow."))
    with scope(municipality=town_a):
        notice = Notice.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(reverse("staff:notice-detail",
                                                                                  args=[notice.pk]))
    assert notice.status == NoticeStatus.DRAFT
    page = client.get(response["Location"]).content.decode()
    assert "住民に見える表示" in page and "送るメッセージ" in page and "From 9 tomorrow." in page
    assert "配信する予定の数" in page and "公開して配信する" in page


def test_bad_input_is_400_with_the_typing_kept_and_nothing_saved(town_a, staff_a):
    client = factories.staff_client(staff_a)
    response = client.post(url(town_a, "notice-new"), form_data(
        town_a, title="", body="本文はここに残る", publish_at="2030-01-02T09:00", expires_at="2030-01-01T09:00",
        reply_kind="choice", reply_choices="ひとつだけ"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "入力内容に問題があります" in page and "件名を入力してください。" in page
    assert "本文はここに残る" in page and "ひとつだけ" in page and 'value="2030-01-02T09:00"' in page
    response = client.post(url(town_a, "notice-new"), form_data(
        town_a, publish_at="2030-01-02T09:00", expires_at="2030-01-01T09:00"))
    assert response.status_code == 400 and "掲載終了日時は公開日時より後にしてください。" in response.content.decode()
    response = client.post(url(town_a, "notice-new"), form_data(town_a, publish_at="きのう"))
    assert response.status_code == 400
    assert "日時は「年/月/日 時:分」の形で入力してください。" in response.content.decode()
    with scope(municipality=town_a):
        assert not Notice.objects.exists()


def test_a_second_post_of_the_same_form_saves_once(town_a, staff_a):
    client = factories.staff_client(staff_a)
    values = form_data(town_a, _once="x" * 32)
    assert client.post(url(town_a, "notice-new"), values).status_code == 302
    assert client.post(url(town_a, "notice-new"), values).status_code == 302
    with scope(municipality=town_a):
        assert Notice.objects.count() == 1


def test_correcting_a_published_notice_says_messages_are_not_resent(town_a, staff_a):
    notice = factories.make_notice(town_a, title="元の件名")
    client = factories.staff_client(staff_a)
    page = client.get(url(town_a, "notice-edit", notice.pk)).content.decode()
    assert "すでに送ったメール・LINE・プッシュ通知は送り直しません" in page and "元の件名" in page
    response = client.post(url(town_a, "notice-edit", notice.pk), form_data(town_a, title="直した件名"),
                           follow=True)
    assert "送り直しません" in response.content.decode()
    with scope(municipality=town_a):
        assert Notice.objects.get(pk=notice.pk).title == "直した件名"


# Publishing and counts ----------------------------------------------------------------------------------------------

def test_publishing_twice_with_the_same_token_starts_one_broadcast(town_a, staff_a):
    notice = factories.make_notice(town_a, published=False, category="bousai")
    client = factories.staff_client(staff_a)
    token = {"_once": "p" * 32}
    first = client.post(url(town_a, "notice-publish", notice.pk), token)
    second = client.post(url(town_a, "notice-publish", notice.pk), token, follow=True)
    assert first.status_code == 302
    assert "この操作はすでに受け付けています。" in second.content.decode()
    with scope(municipality=town_a):
        assert Broadcast.objects.count() == 1
        assert Notice.objects.get(pk=notice.pk).status == NoticeStatus.PUBLISHED


def test_publish_is_post_only_and_refusals_are_400(town_a, staff_a):
    notice = factories.make_notice(town_a, published=False)
    client = factories.staff_client(staff_a)
    assert client.get(url(town_a, "notice-publish", notice.pk)).status_code == 405
    with scope(municipality=town_a):
        Notice.objects.filter(pk=notice.pk).update(status=NoticeStatus.WITHDRAWN)
    response = client.post(url(town_a, "notice-publish", notice.pk), {"_once": "q" * 32})
    assert response.status_code == 400 and "取り下げたお知らせは公開できません。" in response.content.decode()


def test_the_counts_fragment_and_json(town_a, staff_a):
    subscriber = factories.make_subscriber(town_a, email="a@example.jp", categories=("bousai",))
    notice = factories.make_notice(town_a, published=False, category="bousai", reply_kind="comment",
                                   reply_deadline=timezone.now() + timedelta(days=1))  # asks: 「確認しました」 counted
    client = factories.staff_client(staff_a)
    client.post(url(town_a, "notice-publish", notice.pk), {"_once": "c" * 32})
    with scope(municipality=town_a):
        notice.refresh_from_db()
        Delivery.objects.create(municipality=town_a, broadcast=notice.broadcast, subscriber=subscriber,
                                endpoint=subscriber.endpoints.get(), channel="email", status=DeliveryStatus.SENT,
                                confirmed_at=timezone.now())
    page = client.get(url(town_a, "notice-detail", notice.pk)).content.decode()
    assert 'aria-live="polite"' in page and "notices/staff-counts.js" in page
    assert reverse("staff:notice-counts", args=[notice.pk]) in page and "<noscript>" in page
    fragment = client.get(url(town_a, "notice-counts", notice.pk)).content.decode()
    assert "<html" not in fragment and "送信済み" in fragment and "「確認しました」を押した方: 1人" in fragment
    data = json.loads(client.get(url(town_a, "notice-counts", notice.pk, query="format=json")).content)
    assert data["counts"]["channels"]["email"]["sent"] == 1 and data["counts"]["confirmed"] == 1


# Withdrawing ---------------------------------------------------------------------------------------------------------

def test_withdrawing_needs_a_reason(town_a, staff_a):
    notice = factories.make_notice(town_a)
    client = factories.staff_client(staff_a)
    response = client.post(url(town_a, "notice-withdraw", notice.pk), {"reason": ""})
    assert response.status_code == 400 and "取り下げの理由を入力してください。" in response.content.decode()
    response = client.post(url(town_a, "notice-withdraw", notice.pk), {"reason": "誤りがあったため"})
    assert response.status_code == 302
    with scope(municipality=town_a):
        assert Notice.objects.get(pk=notice.pk).status == NoticeStatus.WITHDRAWN
    assert audits("notices.notice.withdrawn")[0].data["reason"] == "誤りがあったため"


# Replies -------------------------------------------------------------------------------------------------------------

def _replies(town):
    notice = factories.make_notice(town, title="スマホ教室（1月）のご案内", category="event", reply_kind="yes_no",
                                   reply_choices=["出席", "欠席"],
                                   reply_deadline=timezone.now() + timedelta(days=5))
    with scope(municipality=town):
        for name, answer, comment in (("山田 花子", "出席", "=1+1"), ("佐藤 一郎", "欠席", ""),
                                      ("グエン", "出席", "よろしく")):
            Reply.objects.create(municipality=town, notice=notice, resident=factories.make_resident(town),
                                 name=name, answer=answer, comment=comment)
    return notice


def test_staff_see_the_tally_and_the_list(town_a, staff_a):
    notice = _replies(town_a)
    page = factories.staff_client(staff_a).get(url(town_a, "notice-replies", notice.pk)).content.decode()
    assert "<th scope=\"row\">出席</th><td>2</td>" in page and "<th scope=\"row\">欠席</th><td>1</td>" in page
    assert "山田 花子" in page and "よろしく" in page
    assert len(audits("notices.replies.viewed")) == 1


def test_the_csv_has_a_bom_every_reply_and_is_audited(town_a, staff_a):
    notice = _replies(town_a)
    response = factories.staff_client(staff_a).get(url(town_a, "notice-replies-csv", notice.pk))
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content[1:])))
    assert rows[0][:3] == ["お名前", "回答", "ひとこと"]
    assert [row[:3] for row in rows[1:]] == [["山田 花子", "出席", "'=1+1"], ["佐藤 一郎", "欠席", ""],
                                             ["グエン", "出席", "よろしく"]]
    [entry] = audits("notices.replies.exported")
    assert entry.data == {"count": 3}


def test_notices_of_another_town_are_neither_listed_nor_opened(town_a, town_b, admin_a):
    other = factories.make_notice(town_b, title="甘楽町だけのお知らせ")
    client = factories.staff_client(admin_a)
    assert "甘楽町だけのお知らせ" not in client.get(url(town_a, "notices")).content.decode()
    assert client.get(url(town_a, "notice-detail", other.pk)).status_code == 404
    assert client.post(url(town_a, "notice-publish", other.pk)).status_code == 404


def test_the_csv_quotes_every_hostile_name_and_comment(town_a, staff_a):
    from tests.kernel.files.test_tables import HOSTILE, assert_inert

    notice = factories.make_notice(town_a, title="説明会", category="event", reply_kind="yes_no",
                                   reply_choices=["出席", "欠席"], reply_deadline=timezone.now() + timedelta(days=5))
    with scope(municipality=town_a):
        for text in HOSTILE:
            Reply.objects.create(municipality=town_a, notice=notice, resident=factories.make_resident(town_a),
                                 name=text, answer="出席", comment=text)
    content = factories.staff_client(staff_a).get(url(town_a, "notice-replies-csv", notice.pk)).content.decode()
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff"), newline="")))
    assert sorted(row[0] for row in rows[1:]) == sorted("'" + text for text in HOSTILE)
    for row in rows[1:]:
        assert_inert(row[2], row[0][1:])
        assert row[1] == "出席"

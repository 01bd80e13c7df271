"""災害モード through the services: a 防災 notice at the threshold turns it on in its publishing transaction (not below
it), the staff switch, the end, the audit trail, withdrawing keeps it on, one active mode under concurrency."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tests import factories
from tests.support.race import race
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused
from yakuba.notices.models import AlertLevel, DisasterMode, DisasterSettings, Notice
from yakuba.notices.services import disaster
from yakuba.notices.services import notices as services
from yakuba.notices.services.notices import NoticeData

pytestmark = pytest.mark.django_db


def audits(action: str):
    with scopes_disabled():
        return AuditEntry.objects.filter(action=action)


def alert(town, staff, *, level: int | None = AlertLevel.LEVEL4, category: str = "bousai",
          title: str = "土砂災害の避難指示", **fields) -> Notice:
    """A draft 防災 notice with a 警戒レベル, saved through the service."""
    with scope(municipality=town):
        return services.save_notice(staff, data=NoticeData(
            title=title, body="青倉地区の全員は、今すぐ避難してください。",
            category=factories.make_category(town, category),
            department=factories.make_department(town, "総務課"), alert_level=level, deliver=False, **fields))


def publish(staff, notice) -> Notice:
    with scope(municipality=notice.municipality):
        return services.publish_notice(staff, notice)


def active(town) -> DisasterMode | None:
    with scope(municipality=town):
        return disaster.active_mode(town)


@pytest.fixture
def kacho_a(town_a):
    """所属長 of town A (総務課)."""
    return factories.make_staff(town_a, department="総務課", role=Role.APPROVER)


def test_a_notice_at_the_threshold_turns_the_mode_on_with_its_audit(town_a, staff_a):
    notice = publish(staff_a, alert(town_a, staff_a))
    mode = active(town_a)
    assert mode is not None
    assert (mode.cause_id, mode.notice_id, mode.level, mode.title) == (notice.pk, notice.pk, 4, "土砂災害の避難指示")
    assert mode.started_by == staff_a.user
    [entry] = audits("notices.disaster.started")
    assert entry.data["by"] == "notice" and entry.data["notice"] == notice.pk and entry.data["level"] == 4
    assert entry.actor == staff_a.user


def test_below_the_threshold_or_outside_bousai_nothing_happens(town_a, staff_a):
    publish(staff_a, alert(town_a, staff_a, level=AlertLevel.LEVEL3))
    publish(staff_a, alert(town_a, staff_a, level=None, title="大雨の注意"))
    assert active(town_a) is None
    with scope(municipality=town_a), pytest.raises(Refused) as caught:
        services.save_notice(staff_a, data=NoticeData(
            title="ごみ", body="本文", category=factories.make_category(town_a, "gomi"),
            department=factories.make_department(town_a, "総務課"), alert_level=AlertLevel.LEVEL5))
    assert caught.value.errors == {"alert_level": "警戒レベルは防災のお知らせにだけ付けられます。"}


def test_the_town_chooses_its_threshold(town_a, staff_a, kacho_a):
    with scope(municipality=town_a):
        disaster.save_settings(kacho_a, disaster.SettingsData(threshold=AlertLevel.LEVEL3))
    publish(staff_a, alert(town_a, staff_a, level=AlertLevel.LEVEL3, title="高齢者等避難"))
    assert active(town_a).level == 3
    assert audits("notices.disaster.settings_changed").count() == 1


def test_a_notice_published_for_later_turns_it_on_at_its_time(town_a, staff_a):
    later = timezone.now() + timezone.timedelta(hours=1)
    notice = publish(staff_a, alert(town_a, staff_a, publish_at=later))
    assert active(town_a) is None
    with scope(municipality=town_a):
        assert services.deliver_due(notice.pk, now=later + timezone.timedelta(seconds=1)) is None  # nothing to send
    assert active(town_a).cause_id == notice.pk


def test_a_higher_alert_takes_the_banner_the_cause_stays(town_a, staff_a):
    first = publish(staff_a, alert(town_a, staff_a))
    second = publish(staff_a, alert(town_a, staff_a, level=AlertLevel.LEVEL5, title="緊急安全確保"))
    lower = publish(staff_a, alert(town_a, staff_a, level=AlertLevel.LEVEL4, title="別の避難指示"))
    mode = active(town_a)
    assert (mode.cause_id, mode.notice_id, mode.level, mode.title) == (first.pk, second.pk, 5, "緊急安全確保")
    assert lower.pk != mode.notice_id
    with scopes_disabled():
        assert DisasterMode.objects.filter(municipality=town_a).count() == 1
    assert audits("notices.disaster.alert_changed").count() == 1


def test_withdrawing_the_cause_keeps_the_mode_on(town_a, staff_a):
    notice = publish(staff_a, alert(town_a, staff_a))
    with scope(municipality=town_a):
        services.withdraw_notice(staff_a, notice, "誤報のため")
    mode = active(town_a)
    assert mode is not None and mode.notice_id is None and mode.title == "土砂災害の避難指示"
    [entry] = audits("notices.disaster.notice_withdrawn")
    assert entry.data["kept_on"] is True
    assert audits("notices.notice.withdrawn").get().data["disaster_mode_kept"] is True


def test_correcting_the_alert_shown_corrects_the_banner(town_a, staff_a):
    notice = publish(staff_a, alert(town_a, staff_a))
    with scope(municipality=town_a):
        services.save_notice(staff_a, notice=notice, data=NoticeData(
            title="土砂災害の避難指示（青倉・西牧）", body="本文", category=notice.category,
            department=notice.department, alert_level=AlertLevel.LEVEL4, deliver=False))
    assert active(town_a).title == "土砂災害の避難指示（青倉・西牧）"


def test_the_staff_switch_and_the_end(town_a, kacho_a, admin_a):
    with scope(municipality=town_a):
        with pytest.raises(Refused) as caught:
            disaster.start_mode(kacho_a, level=None, title=" ")
        assert caught.value.errors == {"title": "住民に示す見出しを入力してください。"}
        mode = disaster.start_mode(kacho_a, level=None, title="Jアラート 弾道ミサイル発射", message="建物の中へ")
        with pytest.raises(Refused):
            disaster.start_mode(admin_a, level=5, title="二度目")
        assert mode.cause_id is None and mode.message == "建物の中へ"
        ended = disaster.end_mode(admin_a, mode.pk)
        assert ended.ended_by == admin_a.user and ended.ended_at is not None
        with pytest.raises(Refused) as again:
            disaster.end_mode(admin_a, mode.pk)
        assert again.value.messages == ["災害モードはすでに終わっています。"]
    assert active(town_a) is None
    started, ended_entry = audits("notices.disaster.started").get(), audits("notices.disaster.ended").get()
    assert started.data["by"] == "staff" and started.actor == kacho_a.user
    assert ended_entry.actor == admin_a.user and ended_entry.object_id == str(mode.pk)


def test_a_plain_clerk_can_neither_switch_nor_end(town_a, staff_a, kacho_a):
    publish(staff_a, alert(town_a, staff_a))  # publishing is open to every clerk: that turns it on
    with scope(municipality=town_a):
        with pytest.raises(Refused):
            disaster.end_mode(staff_a)
        with pytest.raises(Refused):
            disaster.start_mode(staff_a, level=4, title="x")
        with pytest.raises(Refused):
            disaster.save_settings(staff_a, disaster.SettingsData(threshold=3))
        disaster.end_mode(kacho_a)
    assert active(town_a) is None


def test_the_database_keeps_one_active_mode_per_town(town_a, town_b):
    with scopes_disabled():
        DisasterMode.objects.create(municipality=town_a, title="一つ目")
        DisasterMode.objects.create(municipality=town_b, title="甘楽町は別")
        past = timezone.now() - timezone.timedelta(days=1)
        DisasterMode.objects.create(municipality=town_a, title="終わったもの", started_at=past, ended_at=past)
        with pytest.raises(IntegrityError), transaction.atomic():
            DisasterMode.objects.create(municipality=town_a, title="二つ目")
        with pytest.raises(IntegrityError), transaction.atomic():
            DisasterSettings.objects.create(municipality=town_a, threshold=2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_publishing_level_5_at_once_make_one_mode(town_a, staff_a, admin_a):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (YAKUBA_TEST_DATABASE_URL)")
    notices = [alert(town_a, staff, level=AlertLevel.LEVEL5, title=f"緊急安全確保 {n}")
               for n, staff in enumerate([staff_a, admin_a] * 3)]
    clerks = [staff_a, admin_a] * 3
    outcomes = race(town_a, [lambda s=s, n=n: services.publish_notice(s, n) for s, n in zip(clerks, notices,
                                                                                             strict=True)])
    assert outcomes == {"ok": 6}
    with scopes_disabled():
        modes = list(DisasterMode.objects.filter(municipality=town_a))
        assert len(modes) == 1 and modes[0].ended_at is None
        assert Notice.objects.filter(municipality=town_a, status="published").count() == 6
    assert audits("notices.disaster.started").count() == 1

"""Mail about reservations, sent by the worker: a confirmation with an .ics to confirmed addresses only, and one
reminder the day before that a cancelled reservation never gets."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from email.header import decode_header, make_header
from email.message import Message

import pytest
import time_machine
from django.utils import timezone
from django_scopes import scope
from django_tasks_db.models import DBTaskResult

from tests import factories
from tests.reservations.test_services import make_room
from tests.support.smtp import smtp_server  # noqa: F401 - fixture
from tests.support.tasks import run_worker
from yakuba.kernel.scheduling import calendar
from yakuba.reservations import services, tasks
from yakuba.reservations.models import Reservation

pytestmark = pytest.mark.django_db(transaction=True)

# Open every day of the year, so the tests can use dates computed from today.
ALWAYS_OPEN = calendar.Rules(hours=(((time(9), time(21)),),) * 7, closed_on_holidays=False, year_end_closure=False,
                             min_notice=timedelta(hours=1), cancel_deadline=timedelta(days=1))



def subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def body(message: Message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode()


def verified_resident(town, email="verified@example.jp"):
    resident = factories.make_resident(town, email=email)
    resident.user.email_verified_at = timezone.now()
    resident.user.save()
    return resident


def reserve(town, resident, *, days: int = 3) -> Reservation:
    room = make_room(town, rules=ALWAYS_OPEN, fee_per_hour=500)
    starts_at = datetime.combine(timezone.localdate() + timedelta(days=days), time(10), timezone.get_current_timezone())
    with scope(municipality=town):
        return services.reserve_room(room, resident, starts_at, starts_at + timedelta(hours=2), purpose="俳句の会")


def test_the_confirmation_goes_to_a_confirmed_address_with_the_ics(town_a, smtp_server):  # noqa: F811
    reservation = reserve(town_a, verified_resident(town_a))
    assert smtp_server == []  # nothing leaves inside the request
    run_worker()
    assert len(smtp_server) == 1  # the reminder waits for its day
    message = smtp_server[0]
    assert message["To"] == "verified@example.jp"
    assert subject(message) == "【下仁田町】予約が確定しました"
    text = body(message)
    assert f"/t/10382/my/reservations/{reservation.public_id}/" in text
    assert "下仁田町公民館 第1会議室" in text and "俳句の会" in text and "使用料: 1000円" in text
    [attachment] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert attachment.get_filename() == "reservation.ics"
    ics = attachment.get_payload(decode=True)
    assert b"BEGIN:VEVENT" in ics and f"UID:{reservation.public_id}@yakuba".encode() in ics


def test_unconfirmed_addresses_get_no_mail(town_a, smtp_server):  # noqa: F811
    reservation = reserve(town_a, factories.make_resident(town_a, email="typo@example.jp"))
    run_worker()
    assert smtp_server == []
    assert tasks.send_confirmation.call(reservation.pk) is False


def reminder_runs(reservation: Reservation) -> list[DBTaskResult]:
    return [r for r in DBTaskResult.objects.filter(task_path__endswith="send_reminder")
            if r.args_kwargs["args"] == [reservation.pk]]


def test_the_reminder_is_queued_for_the_day_before_and_sent_once(town_a, smtp_server):  # noqa: F811
    reservation = reserve(town_a, verified_resident(town_a))
    [queued] = reminder_runs(reservation)
    assert queued.run_after == reservation.starts_at - timedelta(days=1)
    run_worker()
    smtp_server.clear()
    with time_machine.travel(queued.run_after + timedelta(minutes=1)):
        run_worker()
        assert [subject(m) for m in smtp_server] == ["【下仁田町】明日のご予約のお知らせ"]
        assert f"/t/10382/my/reservations/{reservation.public_id}/" in body(smtp_server[0])
        assert not [p for p in smtp_server[0].walk() if p.get_content_type() == "text/calendar"]
        assert tasks.send_reminder.call(reservation.pk) is False  # a retry, or the task queued twice
        run_worker()
    assert len(smtp_server) == 1
    with scope(municipality=town_a):
        assert Reservation.objects.get(pk=reservation.pk).reminded_at is not None


def test_an_approved_reservation_is_confirmed_twice_but_reminded_once(town_a, staff_a, smtp_server):  # noqa: F811
    resident = verified_resident(town_a)
    hall = make_room(town_a, name="大ホール", rules=ALWAYS_OPEN, approval_required=True)
    starts_at = datetime.combine(timezone.localdate() + timedelta(days=3), time(13), timezone.get_current_timezone())
    with scope(municipality=town_a):
        reservation = services.reserve_room(hall, resident, starts_at, starts_at + timedelta(hours=3),
                                            purpose="発表会")
        run_worker()
        services.approve(reservation, staff=staff_a)
    run_worker()
    assert [subject(m) for m in smtp_server] == ["【下仁田町】予約を受け付けました（承認をお待ちください）",
                                                 "【下仁田町】予約が確定しました"]
    assert "承認したらお知らせします" in body(smtp_server[0])
    queued = reminder_runs(reservation)
    assert len(queued) == 2  # one per confirmation: the reminder itself makes sure it goes once
    with time_machine.travel(queued[0].run_after + timedelta(minutes=1)):
        run_worker()
    assert [subject(m) for m in smtp_server[2:]] == ["【下仁田町】明日のご予約のお知らせ"]


def test_a_cancelled_reservation_gets_no_reminder(town_a, smtp_server):  # noqa: F811
    resident = verified_resident(town_a)
    reservation = reserve(town_a, resident)
    with scope(municipality=town_a):
        services.cancel(reservation, resident=resident)
    run_worker()
    assert [subject(m) for m in smtp_server] == ["【下仁田町】予約が確定しました", "【下仁田町】予約を取り消しました"]
    [queued] = reminder_runs(reservation)
    with time_machine.travel(queued.run_after + timedelta(minutes=1)):
        run_worker()
    assert len(smtp_server) == 2
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL" and queued.return_value is False


def test_a_reservation_for_tomorrow_morning_queues_no_reminder(town_a):
    with time_machine.travel(datetime(2026, 12, 1, 12, 0, tzinfo=timezone.get_current_timezone())):
        reservation = reserve(town_a, verified_resident(town_a), days=1)  # 22 hours ahead: the confirmation says it
    assert reminder_runs(reservation) == []


def test_a_series_sends_one_mail_listing_every_week_with_one_ics(town_a, smtp_server):  # noqa: F811
    from yakuba.reservations.services import series as series_service

    resident = verified_resident(town_a)
    room = make_room(town_a, rules=ALWAYS_OPEN, fee_per_hour=500)
    first = timezone.localdate() + timedelta(days=3)
    with scope(municipality=town_a):
        services.reserve_room(room, factories.make_resident(town_a), *(
            datetime.combine(first + timedelta(weeks=1), hour, timezone.get_current_timezone())
            for hour in (time(19), time(20))), purpose="先約")
        series, _ = series_service.reserve(series_service.Request(
            room=room, resident=resident, first_day=first, last_day=first + timedelta(weeks=3), start=time(19),
            length=timedelta(hours=1), purpose="太極拳の練習"))
    run_worker()
    mails = [m for m in smtp_server if m["To"] == "verified@example.jp"]
    assert [subject(m) for m in mails] == ["【下仁田町】定期予約を受け付けました"]  # one, not one per week
    text = body(mails[0])
    assert "予約できた日（3回）" in text and "予約できなかった日（1回）" in text
    assert f"/t/10382/my/reservations/series/{series.public_id}/" in text
    [attachment] = [p for p in mails[0].walk() if p.get_content_type() == "text/calendar"]
    assert attachment.get_payload(decode=True).count(b"BEGIN:VEVENT") == 3
    with scope(municipality=town_a):
        assert len([r for r in DBTaskResult.objects.filter(task_path__endswith="send_reminder")]) == 3 + 1
        series_service.cancel_remaining(series, resident=resident)
    smtp_server.clear()
    run_worker()
    assert [subject(m) for m in smtp_server] == ["【下仁田町】定期予約を取り消しました"]


def test_the_representative_is_told_the_review_result(town_a, smtp_server):  # noqa: F811
    from tests.reservations.test_groups_series import details, make_category
    from yakuba.reservations.services import groups as groups_service

    make_room(town_a)  # run by 教育課, whose clerk reviews
    resident = verified_resident(town_a)
    category = make_category(town_a, percent=50, days=30)
    with scope(municipality=town_a):
        group = groups_service.apply(resident, details(category))
        groups_service.decide(group, approve=False, staff=factories.make_staff(town_a, department="教育課"),
                              note="町内で活動していることが確認できませんでした")
    run_worker()
    [message] = smtp_server
    assert subject(message) == "【下仁田町】団体登録の審査結果のお知らせ"
    assert "町内で活動していることが確認できませんでした" in body(message)


def test_a_change_tells_the_old_time_cancelled_and_the_new_one_confirmed(town_a, smtp_server):  # noqa: F811
    resident = verified_resident(town_a)
    reservation = reserve(town_a, resident)
    run_worker()
    smtp_server.clear()
    with scope(municipality=town_a):
        new = services.change(reservation, reservation.starts_at + timedelta(days=1),
                              reservation.ends_at + timedelta(days=1), resident=resident)
    run_worker()
    assert sorted(subject(m) for m in smtp_server) == ["【下仁田町】予約が確定しました",
                                                       "【下仁田町】予約を取り消しました"]
    confirmation = next(m for m in smtp_server if "確定" in subject(m))
    assert f"/t/10382/my/reservations/{new.public_id}/" in body(confirmation)
    assert len(reminder_runs(new)) == 1

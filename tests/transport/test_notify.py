"""Telling riders: each message by LINE when the rider linked it, else by mail to a proven address (a real SMTP server
on loopback), once per ride however often the task runs; reminders and 「まもなく到着します」 queued when due and told
once."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from email.header import decode_header, make_header
from email.message import Message

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.kernel.messaging.test_line import LINE_A, USER_1, configure
from tests.support.line_api import line_api  # noqa: F401 - fixture
from tests.support.smtp import smtp_server  # noqa: F401 - fixture
from tests.transport.rides import make_ride
from tests.transport.support import IMMEDIATE_TASKS, make_rider, make_service, next_weekday
from yakuba.transport import tasks
from yakuba.transport.models import Channel, Ride
from yakuba.transport.services import notify

pytestmark = pytest.mark.django_db(transaction=True)


def subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def body(message: Message) -> str:
    return message.get_payload(decode=True).decode()


def mailed_rider(town, email="rider@example.jp"):
    resident = factories.make_resident(town, email=email, family_name="上野", given_name="トメ")
    resident.user.email_verified_at = timezone.now()
    resident.user.save()
    return make_rider(town, resident)


def line_rider(town, line_api):  # noqa: F811
    configure(town)
    line_api.tokens.add(LINE_A["access_token"])
    rider = mailed_rider(town)
    factories.make_subscriber(town, line_user=USER_1, resident=rider.resident)
    return rider


def line_texts(line_api) -> list[str]:  # noqa: F811
    return [m["text"] for sent in line_api.pushes + line_api.multicasts for m in sent["messages"]]


def test_the_confirmation_says_number_window_places_people_fare_and_how_to_cancel_once(town_a, smtp_server):  # noqa: F811
    make_service(town_a)
    ride = make_ride(town_a, mailed_rider(town_a), day=next_weekday(), passengers=2, fare_yen=600)
    assert tasks.send_confirmation.call(ride.pk) == "mail"
    assert tasks.send_confirmation.call(ride.pk) == "mail"  # a retry: nothing more leaves
    [message] = smtp_server
    assert subject(message) == "【下仁田町】デマンド交通のご予約を承りました"
    assert message["To"] == "rider@example.jp"
    text = body(message)
    for part in ("上野 トメ 様", f"予約番号: {ride.number}", "10:00〜10:15の間にお迎えに上がります。",
                 "乗る場所: 東公民館", "降りる場所: 町立病院", "人数: 2人", "運賃: 600円", "取り消すときは",
                 "予約センター: 0274-82-2111", f"/t/10382/transport/rides/{ride.uuid}/"):
        assert part in text, part


def test_an_unproven_address_gets_no_mail(town_a, smtp_server):  # noqa: F811
    make_service(town_a)
    ride = make_ride(town_a, make_rider(town_a, factories.make_resident(town_a, email="new@example.jp")),
                     day=next_weekday())
    assert tasks.send_confirmation.call(ride.pk) == ""
    assert smtp_server == []


def test_cancellation_and_refusal_are_told_by_mail_with_the_phone(town_a, smtp_server):  # noqa: F811
    make_service(town_a)
    rider = mailed_rider(town_a)
    cancelled = make_ride(town_a, rider, day=next_weekday(), status="cancelled")
    refused = make_ride(town_a, rider, day=next_weekday(), at=time(11), status="refused")
    assert tasks.send_cancellation.call(cancelled.pk) == "mail"
    assert tasks.send_refusal.call(refused.pk) == "mail"
    assert tasks.send_refusal.call(cancelled.pk) == ""  # not refused: nothing to say
    assert [subject(m) for m in smtp_server] == ["【下仁田町】デマンド交通のご予約を取り消しました",
                                                 "【下仁田町】デマンド交通のご予約をお受けできませんでした"]
    assert f"予約番号: {cancelled.number}" in body(smtp_server[0])
    assert "車両に空きがない" in body(smtp_server[1]) and "0274-82-2111" in body(smtp_server[1])


def test_a_linked_line_account_is_told_on_line_instead_of_mail(town_a, smtp_server, line_api, settings):  # noqa: F811
    settings.TASKS = IMMEDIATE_TASKS
    make_service(town_a)
    ride = make_ride(town_a, line_rider(town_a, line_api), day=next_weekday())
    assert tasks.send_confirmation.call(ride.pk) == "line"
    assert tasks.send_confirmation.call(ride.pk) == "line"
    assert smtp_server == []
    [text] = line_texts(line_api)
    assert text.startswith("デマンド交通のご予約を承りました")
    assert "10:00〜10:15の間にお迎えに上がります。" in text and "「予約の確認」" in text
    assert "様" not in text and "送信専用" not in text


def test_a_ride_booked_in_the_line_chat_is_confirmed_by_mail_not_again_on_line(town_a, smtp_server, line_api,  # noqa: F811
                                                                                settings):
    settings.TASKS = IMMEDIATE_TASKS
    make_service(town_a)
    ride = make_ride(town_a, line_rider(town_a, line_api), day=next_weekday(), channel=Channel.LINE)
    assert tasks.send_confirmation.call(ride.pk) == "mail"
    assert line_texts(line_api) == [] and len(smtp_server) == 1


def test_arriving_names_the_vehicle_and_is_told_once(town_a, smtp_server, line_api, settings):  # noqa: F811
    settings.TASKS = IMMEDIATE_TASKS
    make_service(town_a)
    ride = make_ride(town_a, line_rider(town_a, line_api), day=next_weekday())
    assert tasks.tell_arriving.call(ride.pk) == "line"
    assert tasks.tell_arriving.call(ride.pk) == ""
    [text] = line_texts(line_api)
    assert "まもなく到着します" in text and "1号車が東公民館にまいります" in text
    with scope(municipality=town_a):
        assert Ride.objects.get(pk=ride.pk).arriving_told_at is not None


def test_due_reminders_are_queued_within_remind_hours_and_sent_once(town_a, smtp_server, settings):  # noqa: F811
    settings.TASKS = IMMEDIATE_TASKS
    make_service(town_a)  # remind_hours = 18
    rider = mailed_rider(town_a)
    day = next_weekday(days_ahead=3)
    ride = make_ride(town_a, rider, day=day)
    late = make_ride(town_a, rider, day=day, at=time(14))
    cancelled = make_ride(town_a, rider, day=day, at=time(15), status="cancelled")
    with scope(municipality=town_a):
        # Booked the evening before: inside the 18 hours, so its confirmation is the reminder.
        Ride.objects.filter(pk=late.pk).update(created_at=late.window_start - timedelta(hours=10))
        evening = timezone.make_aware(datetime.combine(day - timedelta(days=1), time(17)))
        assert notify.due_reminders(evening - timedelta(hours=2)) == 0  # 10:00 is 19 hours away
        with time_machine.travel(evening, tick=False):
            assert notify.due_reminders() == 1
            assert notify.due_reminders() == 0
        assert Ride.objects.get(pk=ride.pk).reminded_at is not None
        assert Ride.objects.get(pk=cancelled.pk).reminded_at is None
    [message] = smtp_server
    assert subject(message) == "【下仁田町】デマンド交通のご予約のお知らせ"
    assert "10:00〜10:15の間にお迎えに上がります。" in body(message)
    assert tasks.send_reminder.call(ride.pk) == ""  # told already


def test_the_command_queues_arrivals_due_now(town_a, smtp_server, settings):  # noqa: F811
    settings.TASKS = IMMEDIATE_TASKS
    make_service(town_a)  # arriving_minutes = 5
    rider = mailed_rider(town_a)
    soon = timezone.now() + timedelta(minutes=3)
    today = timezone.localdate()
    ride = make_ride(town_a, rider, day=today, planned_pickup=soon)
    make_ride(town_a, rider, day=today, planned_pickup=soon + timedelta(minutes=30))  # later: not yet
    call_command("transport_notify")
    call_command("transport_notify")
    assert [subject(m) for m in smtp_server] == ["【下仁田町】まもなく到着します"]
    assert "1号車" in body(smtp_server[0])
    with scope(municipality=town_a):
        assert Ride.objects.get(pk=ride.pk).arriving_told_at is not None

"""The delivery core end to end against a real SMTP server: fan-out, at most once per endpoint, crash recovery
with the same idempotency key, retries with backoff, permanent failures, quiet hours and the urgent queue."""

from __future__ import annotations

import socket
from datetime import datetime, time, timedelta
from email.header import decode_header, make_header

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_scopes import scope
from django_tasks_db.models import DBTaskResult

from tests.factories import make_area, make_notice, make_subscriber, start_notice_broadcast
from tests.support.race import race
from tests.support.smtp import smtp_server  # noqa: F401 - fixture
from tests.support.tasks import run_worker
from yakuba.kernel.messaging import delivery, services
from yakuba.kernel.messaging.channels import email as email_channel
from yakuba.kernel.messaging.models import Broadcast, Delivery, DeliveryStatus, Endpoint, RateWindow
from yakuba.kernel.messaging.ratelimit import Budget

pytestmark = pytest.mark.django_db(transaction=True)



def broadcast_notice(town, notice, *, urgent: bool = False) -> Broadcast:
    return start_notice_broadcast(town, notice, urgent=urgent, content={
        "ja": {"subject": notice.title, "body": notice.body},
        "en": {"subject": "Notice in English", "body": "English body"}})


def bare_broadcast(town, notice, *, urgent: bool = False) -> Broadcast:
    """A broadcast row without its tasks, for driving the pipeline's steps by hand (inside the town's scope)."""
    return Broadcast.objects.create(municipality=town, source="notices.notice", source_id=notice.pk, urgent=urgent,
                                    content={"ja": {"subject": "s", "body": "b"}}, url="/x/")


def rows(broadcast: Broadcast) -> list[Delivery]:
    with scope(municipality=broadcast.municipality):
        return list(Delivery.objects.filter(broadcast=broadcast).order_by("pk"))


def test_a_broadcast_reaches_each_confirmed_address_once_with_its_key_and_links(town_a, smtp_server):  # noqa: F811
    notice = make_notice(town_a, title="断水のお知らせ", body="明日 9時から断水します。")
    for n in range(3):
        make_subscriber(town_a, email=f"r{n}@example.jp")
    make_subscriber(town_a, email="english@example.jp", language="en")
    # Not reached: an unconfirmed address, a paused one, someone who unsubscribed, someone who chose only ごみ.
    pending = make_subscriber(town_a, email="pending@example.jp")
    paused = make_subscriber(town_a, email="paused@example.jp")
    gone = make_subscriber(town_a, email="gone@example.jp")
    make_subscriber(town_a, email="gomi@example.jp", categories=("gomi",))
    with scope(municipality=town_a):
        Endpoint.objects.filter(subscriber=pending).update(confirmed_at=None)
        Endpoint.objects.filter(subscriber=paused).update(paused_at=timezone.now())
        gone.unsubscribed_at = timezone.now()
        gone.save()

    broadcast = broadcast_notice(town_a, notice)
    assert smtp_server == []  # the request only recorded the intent
    run_worker()

    assert sorted(m["To"] for m in smtp_server) == ["english@example.jp", "r0@example.jp", "r1@example.jp",
                                                   "r2@example.jp"]
    sent = rows(broadcast)
    assert {row.status for row in sent} == {DeliveryStatus.SENT}
    by_address = {m["To"]: m for m in smtp_server}
    with scope(municipality=town_a):
        for row in sent:
            message = by_address[row.endpoint.address]
            assert message["Message-ID"] == email_channel.message_id(str(row.key)) == row.provider_ref
            assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            assert row.subscriber.token in message["List-Unsubscribe"]
            body = message.get_payload(decode=True).decode()
            assert f"/t/10382/notices/{notice.public_id}/?m={row.key}" in body
            assert f"/t/10382/messaging/unsubscribe/{row.subscriber.token}/" in body
    assert by_address["english@example.jp"]["Subject"] == "Notice in English"
    assert str(make_header(decode_header(by_address["r0@example.jp"]["Subject"]))) == "断水のお知らせ"
    with scope(municipality=town_a):
        figures = services.counts(Broadcast.objects.get(pk=broadcast.pk))
    assert figures["total"] == 4 and figures["status"]["sent"] == 4 and figures["channels"]["email"]["sent"] == 4


def test_fan_out_twice_creates_nothing_twice(town_a):
    notice = make_notice(town_a)
    for n in range(5):
        make_subscriber(town_a, email=f"r{n}@example.jp")
    with scope(municipality=town_a):
        broadcast = bare_broadcast(town_a, notice)
        first = delivery.fan_out(broadcast)
        second = delivery.fan_out(broadcast)
        assert [batch for batch, _when in first] == [batch for batch, _when in second]
        assert Delivery.objects.filter(broadcast=broadcast).count() == 5


def test_areas_narrow_the_audience(town_a):
    north, south = make_area(town_a, "北地区"), make_area(town_a, "南地区")
    notice = make_notice(town_a, areas=[north])
    make_subscriber(town_a, email="north@example.jp", areas=[north])
    make_subscriber(town_a, email="south@example.jp", areas=[south])
    make_subscriber(town_a, email="whole-town@example.jp")  # chose no area: hears about every area
    with scope(municipality=town_a):
        broadcast = bare_broadcast(town_a, notice)
        delivery.fan_out(broadcast)
        reached = set(Delivery.objects.filter(broadcast=broadcast).values_list("endpoint__address", flat=True))
    assert reached == {"north@example.jp", "whole-town@example.jp"}


def test_a_worker_that_died_mid_batch_leaves_nothing_lost_and_nothing_sent_twice(town_a, smtp_server):  # noqa: F811
    notice = make_notice(town_a)
    for n in range(4):
        make_subscriber(town_a, email=f"r{n}@example.jp")
    broadcast = broadcast_notice(town_a, notice)
    # The fan-out runs; then a worker claims the batch and dies after sending the first message.
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", "--max-tasks", "1")
    with scope(municipality=town_a):
        broadcast = Broadcast.objects.get(pk=broadcast.pk)
        batch = Delivery.objects.filter(broadcast=broadcast).first().batch
        claimed = delivery.claim(broadcast, batch)
        first = Delivery.objects.select_related("endpoint", "subscriber").get(pk=claimed[0])
        with email_channel.EmailTransport().open(town_a) as connection:
            email_channel.EmailTransport().send(connection, delivery.render(broadcast, first,
                                                                            delivery._links(broadcast)))
    assert len(smtp_server) == 1
    DBTaskResult.objects.filter(status="READY", task_path__endswith="send_batch").delete()  # its task died with it

    # Nothing happens before the lease runs out: a slow worker is not a dead one.
    with scope(municipality=town_a):
        assert delivery.recover(broadcast) == ({}, True)
    later = timezone.now() + delivery.lease() + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        with scope(municipality=town_a):
            due, outstanding = delivery.recover(broadcast)
            assert outstanding and {batch for batch, _when in due} == {batch}
            for row in rows(broadcast):
                assert row.status == DeliveryStatus.QUEUED and row.attempts == 1
            done = delivery.deliver_batch(broadcast, batch)
    assert done == {"sent": 4, "failed": 0, "retry": 0}
    # The first message went out twice over SMTP, with the same Message-ID (the idempotency key), which is what
    # lets a receiving system drop the repeat; every other address got exactly one.
    ids = [m["Message-ID"] for m in smtp_server]
    assert len(ids) == 5 and len(set(ids)) == 4
    assert ids.count(email_channel.message_id(str(first.key))) == 2
    assert {row.status for row in rows(broadcast)} == {DeliveryStatus.SENT}


@pytest.mark.postgres
def test_two_workers_on_one_batch_send_each_message_once(town_a, smtp_server):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (YAKUBA_TEST_DATABASE_URL)")
    notice = make_notice(town_a)
    for n in range(30):
        make_subscriber(town_a, email=f"r{n}@example.jp")
    with scope(municipality=town_a):
        broadcast = bare_broadcast(town_a, notice)
        delivery.fan_out(broadcast)
    outcomes = race(town_a, [lambda: delivery.deliver_batch(broadcast, 1)] * 3)
    assert outcomes["ok"] == 3
    assert len(smtp_server) == 30 and len({m["To"] for m in smtp_server}) == 30
    assert {row.status for row in rows(broadcast)} == {DeliveryStatus.SENT}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_temporary_failures_back_off_then_fail_for_good(town_a, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()  # nobody listens there
    notice = make_notice(town_a)
    make_subscriber(town_a, email="r@example.jp")
    with scope(municipality=town_a):
        broadcast = bare_broadcast(town_a, notice)
        delivery.fan_out(broadcast)
        waits = []
        moment = timezone.now()
        for _attempt in range(delivery.MAX_ATTEMPTS):
            with time_machine.travel(moment, tick=False):
                done = delivery.deliver_batch(broadcast, 1)
            row = rows(broadcast)[0]
            if row.status == DeliveryStatus.FAILED:
                break
            assert done["retry"] == 1 and done.retry_at == row.not_before
            waits.append(row.not_before - moment)
            moment = row.not_before
    assert row.status == DeliveryStatus.FAILED and row.attempts == delivery.MAX_ATTEMPTS
    assert waits[:4] == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120),
                         timedelta(seconds=240)]
    assert waits[-1] == timedelta(hours=1)  # capped


class _Refusing:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook
        if address.startswith("bounce"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        return "250 OK"


def test_a_bounced_address_fails_and_its_endpoint_is_paused(town_a, settings):
    controller = Controller(_Refusing(), hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    try:
        notice = make_notice(town_a)
        bounced = make_subscriber(town_a, email="bounce@example.jp")
        make_subscriber(town_a, email="fine@example.jp")
        broadcast = broadcast_notice(town_a, notice)
        run_worker()
    finally:
        controller.stop()
    with scope(municipality=town_a):
        statuses = {row.endpoint.address: row.status for row in Delivery.objects.select_related("endpoint")
                    .filter(broadcast=broadcast)}
        assert statuses == {"bounce@example.jp": DeliveryStatus.FAILED, "fine@example.jp": DeliveryStatus.SENT}
        endpoint = Endpoint.objects.get(subscriber=bounced)
        assert endpoint.paused_at is not None and "550" in endpoint.pause_reason
        # The next broadcast does not try the paused address again.
        again = bare_broadcast(town_a, notice)
        delivery.fan_out(again)
        assert list(Delivery.objects.filter(broadcast=again).values_list("endpoint__address", flat=True)) == [
            "fine@example.jp"]


def test_quiet_hours_defer_ordinary_notices_but_not_urgent_ones(town_a):
    notice = make_notice(town_a)
    make_subscriber(town_a, email="night@example.jp", quiet_start=time(21, 0), quiet_end=time(7, 0))
    make_subscriber(town_a, email="awake@example.jp")
    eleven_pm = timezone.make_aware(datetime(2026, 11, 23, 23, 0))
    with time_machine.travel(eleven_pm, tick=False), scope(municipality=town_a):
        ordinary = bare_broadcast(town_a, notice)
        batches = delivery.fan_out(ordinary)
        seven_am = timezone.make_aware(datetime(2026, 11, 24, 7, 0))
        assert sorted(when for _batch, when in batches) == [eleven_pm, seven_am]  # two batches, one deferred
        deferred = Delivery.objects.get(broadcast=ordinary, endpoint__address="night@example.jp")
        assert deferred.not_before == seven_am
        assert delivery.claim(ordinary, deferred.batch) == []  # not before seven

        urgent = bare_broadcast(town_a, notice, urgent=True)
        delivery.fan_out(urgent)
        assert set(Delivery.objects.filter(broadcast=urgent).values_list("not_before", flat=True)) == {eleven_pm}


@pytest.mark.parametrize(("now", "expected"), [
    (time(6, 59), datetime(2026, 11, 23, 7, 0)),  # after midnight, before the end
    (time(22, 0), datetime(2026, 11, 24, 7, 0)),  # before midnight: ends tomorrow
    (time(7, 0), None),
    (time(12, 0), None),
])
def test_quiet_until(now, expected):
    moment = timezone.make_aware(datetime.combine(datetime(2026, 11, 23).date(), now))
    result = delivery.quiet_until((time(21, 0), time(7, 0)), moment)
    assert result == (timezone.make_aware(expected) if expected else None)


def test_urgent_broadcasts_run_ahead_of_everything_queued_before_them(town_a, smtp_server):  # noqa: F811
    ordinary_notice = make_notice(town_a, title="イベントのお知らせ")
    urgent_notice = make_notice(town_a, category="bousai", title="避難指示")
    for n in range(3):
        make_subscriber(town_a, email=f"r{n}@example.jp")
    ordinary = broadcast_notice(town_a, ordinary_notice)
    urgent = broadcast_notice(town_a, urgent_notice, urgent=True)
    tasks = {row.args_kwargs["args"][0]: row for row in DBTaskResult.objects.filter(task_path__endswith="fan_out")}
    assert (tasks[urgent.pk].queue_name, tasks[urgent.pk].priority) == ("urgent", 100)
    assert (tasks[ordinary.pk].queue_name, tasks[ordinary.pk].priority) == ("messaging", 0)
    run_worker()
    subjects = [str(make_header(decode_header(m["Subject"]))) for m in smtp_server]
    assert subjects == ["避難指示"] * 3 + ["イベントのお知らせ"] * 3


def test_the_shared_rate_budget_never_gives_more_than_the_limit_per_second(db):
    one, two = Budget("test:key", per_second=10, chunk=4), Budget("test:key", per_second=10, chunk=4)
    second = 1_800_000_000
    assert one._claim(second) and two._claim(second)  # 8 of 10 taken
    assert not one._claim(second) and not two._claim(second)  # a chunk of 4 would exceed 10
    assert RateWindow.objects.get(key="test:key", second=second).used == 8
    assert one._claim(second + 1)  # a new second, a new budget
    assert Budget("free", per_second=0).chunk == 0  # no limit: take() returns at once
    Budget("free", per_second=0).take()


def test_a_cancelled_broadcast_sends_nothing_more(town_a, smtp_server):  # noqa: F811
    notice = make_notice(town_a)
    for n in range(3):
        make_subscriber(town_a, email=f"r{n}@example.jp")
    with scope(municipality=town_a):
        broadcast = bare_broadcast(town_a, notice)
        delivery.fan_out(broadcast)
        assert services.cancel_broadcast(broadcast) == 3
        assert delivery.deliver_batch(broadcast, 1) == {"sent": 0, "failed": 0, "retry": 0}
        # A row a fan-out still running writes after the cancellation is skipped when its batch comes up.
        Delivery.objects.filter(broadcast=broadcast).update(status=DeliveryStatus.QUEUED)
        assert delivery.claim(broadcast, 1) == []
        assert {row.status for row in rows(broadcast)} == {DeliveryStatus.SKIPPED}
    assert smtp_server == []


def test_watch_requeues_untried_batches_only_when_the_broadcast_has_stalled(town_a):
    notice = make_notice(town_a)
    for n in range(3):
        make_subscriber(town_a, email=f"r{n}@example.jp")
    with scope(municipality=town_a):
        broadcast = bare_broadcast(town_a, notice)
        delivery.fan_out(broadcast)
        later = timezone.now() + delivery.lease() + timedelta(seconds=1)
        first = Delivery.objects.filter(broadcast=broadcast).order_by("pk").first()
        with time_machine.travel(later, tick=False):
            # Something was sent a moment ago: the queue is busy, not stuck; the untried rows keep their tasks.
            Delivery.objects.filter(pk=first.pk).update(status=DeliveryStatus.SENT, sent_at=timezone.now())
            assert delivery.recover(broadcast) == ({}, True)
        much_later = later + delivery.lease() + timedelta(seconds=1)
        with time_machine.travel(much_later, tick=False):
            # Nothing sent or claimed for a whole lease: the batch tasks were lost; the batch is queued again.
            due, outstanding = delivery.recover(broadcast)
            assert outstanding and [batch for batch, _when in due] == [1]

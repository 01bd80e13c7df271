"""The fast fan-out: one SMTP connection per batch (reopened when dropped), sent rows marked in groups with
at-most-once kept when a worker is killed, LINE multicast for broadcasts that ask no answer (per-user pushes
where they do), and the urgent queue served by its own workers."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope
from django_tasks_db.models import DBTaskResult

from tests.factories import make_notice, make_subscriber, start_notice_broadcast
from tests.support.line_api import line_api  # noqa: F401 - fixture
from tests.support.smtp import _started, smtp_server  # noqa: F401 - fixture
from tests.support.tasks import run_worker
from yakuba.kernel.messaging import delivery
from yakuba.kernel.messaging.channels import email as email_channel
from yakuba.kernel.messaging.channels import line as line_channel
from yakuba.kernel.messaging.models import Broadcast, Delivery, DeliveryStatus

pytestmark = pytest.mark.django_db(transaction=True)

LINE_A = {"channel_secret": "secret-of-shimonita", "access_token": "token-a"}


def users(count: int, start: int = 0) -> list[str]:
    return [f"U{n:032x}" for n in range(start, start + count)]


def configure_line(town) -> None:
    town.settings = {**(town.settings or {}), "line": dict(LINE_A)}
    town.save(update_fields=["settings"])


def rows(broadcast: Broadcast) -> list[Delivery]:
    with scope(municipality=broadcast.municipality):
        return list(Delivery.objects.select_related("endpoint", "subscriber").filter(broadcast=broadcast)
                    .order_by("pk"))


def bare_broadcast(town, notice, *, urgent: bool = False, ask_ack: bool = True) -> Broadcast:
    return Broadcast.objects.create(municipality=town, source="notices.notice", source_id=notice.pk, urgent=urgent,
                                    ask_ack=ask_ack, content={"ja": {"subject": "避難指示", "body": "避難してください"},
                                                              "en": {"subject": "Evacuate", "body": "Go now"}},
                                    url="/x/")


# ---------------------------------------------------------------- email: connections and marks

def test_a_batch_goes_over_one_smtp_connection_and_rows_are_marked_sent_in_groups(town_a, smtp_server,  # noqa: F811
                                                                                   monkeypatch):
    monkeypatch.setattr(delivery, "MARK_SECONDS", 3600)  # group by count only, however slow the machine is
    notice = make_notice(town_a)
    for n in range(60):
        make_subscriber(town_a, email=f"r{n}@example.jp")
    with scope(municipality=town_a):
        broadcast = bare_broadcast(town_a, notice)
        (batch,) = {number for number, _when in delivery.fan_out(broadcast)}
        with CaptureQueriesContext(connection) as queries:
            done = delivery.deliver_batch(broadcast, batch)
    assert done == {"sent": 60, "failed": 0, "retry": 0}
    assert len(smtp_server) == 60 and len({m["To"] for m in smtp_server}) == 60
    assert len(set(smtp_server.connections)) == 1  # one SMTP connection for the whole batch
    marks = [q["sql"] for q in queries.captured_queries
             if q["sql"].startswith('UPDATE "messaging_delivery"') and "'sent'" in q["sql"]]
    assert len(marks) == 2  # 50 + 10 rows, not one UPDATE per message
    by_address = {m["To"]: m["Message-ID"] for m in smtp_server}
    for row in rows(broadcast):
        assert row.status == DeliveryStatus.SENT and row.sent_at is not None
        assert row.provider_ref == email_channel.message_id(str(row.key)) == by_address[row.endpoint.address]


def test_a_dropped_smtp_connection_is_reopened_and_the_batch_goes_on(town_a, smtp_server):  # noqa: F811
    smtp_server.drop_after = 3  # the relay hangs up during the 4th message, before taking it
    notice = make_notice(town_a)
    for n in range(8):
        make_subscriber(town_a, email=f"r{n}@example.jp")
    with scope(municipality=town_a):
        broadcast = bare_broadcast(town_a, notice)
        (batch,) = {number for number, _when in delivery.fan_out(broadcast)}
        done = delivery.deliver_batch(broadcast, batch)
    assert done == {"sent": 8, "failed": 0, "retry": 0}  # no backoff: the message went over a new connection
    assert sorted(m["To"] for m in smtp_server) == sorted(f"r{n}@example.jp" for n in range(8))
    assert len(set(smtp_server.connections)) == 2
    assert {(row.status, row.attempts) for row in rows(broadcast)} == {(DeliveryStatus.SENT, 1)}


class _Holding:
    """An SMTP server that takes `take` messages, then keeps the next sender waiting (so a worker can be killed with
    rows sent but not yet marked)."""

    def __init__(self, take: int) -> None:
        self.take, self.messages, self.release = take, [], False

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        import email

        while len(self.messages) >= self.take and not self.release:
            await asyncio.sleep(0.05)
        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content))
        return "250 OK"


@pytest.mark.postgres
def test_a_worker_killed_between_sending_and_marking_loses_nothing_and_resends_only_with_the_same_key(
        town_a, settings):
    if connection.vendor != "postgresql":
        pytest.skip("a real worker process shares the database: PostgreSQL (YAKUBA_TEST_DATABASE_URL)")
    inbox = _Holding(take=7)
    controller = _started(inbox)
    port = controller.port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    notice = make_notice(town_a)
    for n in range(20):
        make_subscriber(town_a, email=f"r{n}@example.jp")
    broadcast = start_notice_broadcast(town_a, notice, urgent=True)
    db = connection.settings_dict
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        (name,) = cursor.fetchone()
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{name}"
    # The worker runs as in production (yakuba.settings, SMTP), on the test database.
    env = {**{k: v for k, v in os.environ.items() if k != "YAKUBA_TEST_DATABASE_URL"},
           "DJANGO_SETTINGS_MODULE": "yakuba.settings", "DATABASE_URL": url,
           "YAKUBA_EMAIL_BACKEND": settings.EMAIL_BACKEND, "YAKUBA_EMAIL_HOST": "127.0.0.1",
           "YAKUBA_EMAIL_PORT": str(port), "YAKUBA_LOG_LEVEL": "WARNING"}
    worker = subprocess.Popen([sys.executable, "-m", "yakuba", "worker", "--no-reload", "--no-startup-delay",
                               "--interval", "0.1"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while len(inbox.messages) < 7 and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.1)
        assert len(inbox.messages) == 7, "the worker never reached the SMTP server"
        worker.send_signal(signal.SIGKILL)  # mid-batch: 7 accepted, the 8th waiting for the server's answer
        worker.wait()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    inbox.release = True
    try:
        before = rows(broadcast)
        accepted = {m["To"] for m in inbox.messages}
        assert {row.endpoint.address for row in before if row.status == DeliveryStatus.SENT} <= accepted
        later = timezone.now() + delivery.lease() + timedelta(seconds=1)
        with time_machine.travel(later, tick=False), scope(municipality=town_a):
            due, _outstanding = delivery.recover(Broadcast.objects.get(pk=broadcast.pk))
            for batch, _when in due:
                delivery.deliver_batch(broadcast, batch)
        after = rows(broadcast)
        assert {row.status for row in after} == {DeliveryStatus.SENT}
        ids_by_address: dict[str, set[str]] = {}
        for message in inbox.messages:
            ids_by_address.setdefault(message["To"], set()).add(message["Message-ID"])
        # Nothing lost; a repeat is the same message with the same Message-ID, never a second different one.
        assert set(ids_by_address) == {f"r{n}@example.jp" for n in range(20)}
        for row in after:
            assert ids_by_address[row.endpoint.address] == {email_channel.message_id(str(row.key))}
        assert len(inbox.messages) - 20 <= 8  # only rows the dead worker had sent (or was sending) since its last mark
    finally:
        controller.stop()


# ---------------------------------------------------------------- LINE: multicast and push

def test_a_broadcast_that_asks_no_answer_goes_over_line_as_multicast_per_language(town_a, line_api):  # noqa: F811
    configure_line(town_a)
    japanese, english = users(3), users(1, start=100)
    for user in japanese:
        make_subscriber(town_a, line_user=user)
    make_subscriber(town_a, line_user=english[0], language="en")
    notice = make_notice(town_a)
    broadcast = start_notice_broadcast(town_a, notice, urgent=True, ask_ack=False, content={
        "ja": {"subject": "避難指示", "body": "避難してください"}, "en": {"subject": "Evacuate", "body": "Go now"}})
    run_worker()

    assert line_api.pushes == []
    by_language = {tuple(sorted(m["to"])): m for m in line_api.multicasts}
    assert set(by_language) == {tuple(sorted(japanese)), tuple(english)}
    text = by_language[tuple(sorted(japanese))]["messages"][0]["text"]
    assert "【緊急】避難指示" in text and f"/notices/{notice.public_id}/" in text
    assert "?m=" not in text  # nobody's key in a text everyone gets
    assert "Evacuate" in by_language[tuple(english)]["messages"][0]["text"]
    sent = rows(broadcast)
    assert {row.status for row in sent} == {DeliveryStatus.SENT}
    for row in sent:
        assert row.subscriber.token not in text
        request = by_language[tuple(sorted(japanese))] if row.endpoint.address in japanese else by_language[
            tuple(english)]
        assert request["retry_key"] == str(row.request_key)
    assert line_api.reach() == {"requests": 2, "multicasts": 2, "users": 4, "user_repeats": 0}


def test_a_broadcast_that_asks_for_an_answer_still_pushes_to_each_user_with_their_links(town_a, line_api):  # noqa: F811
    configure_line(town_a)
    for user in users(3):
        make_subscriber(town_a, line_user=user)
    broadcast = start_notice_broadcast(town_a, make_notice(town_a), urgent=True)  # 「確認しました」 asked
    run_worker()
    assert line_api.multicasts == []
    for row in rows(broadcast):
        (push,) = line_api.pushes_to(row.endpoint.address)
        assert push["retry_key"] == str(row.key) and f"?m={row.key}" in push["messages"][0]["text"]
        assert row.request_key is None


def test_a_multicast_sent_again_after_its_worker_died_is_refused_by_its_key(town_a, line_api):  # noqa: F811
    configure_line(town_a)
    for user in users(5):
        make_subscriber(town_a, line_user=user)
    notice = make_notice(town_a)
    with scope(municipality=town_a):
        broadcast = bare_broadcast(town_a, notice, urgent=True, ask_ack=False)
        (batch,) = {number for number, _when in delivery.fan_out(broadcast)}
        # A worker claims the batch, fixes the request's key, LINE accepts the multicast, and the worker dies.
        claimed = list(Delivery.objects.filter(pk__in=delivery.claim(broadcast, batch))
                       .select_related("endpoint", "subscriber"))
        (group,), back = delivery._multicast_groups(broadcast, claimed, 500)
        assert back == []
        transport = line_channel.LineTransport()
        links = delivery._links(broadcast)
        with transport.open(town_a) as session:
            first_ref = transport.send_many(session, delivery.render_shared(broadcast, "ja", str(group[0].request_key),
                                                                            links),
                                            [row.endpoint.address for row in group])
        later = timezone.now() + delivery.lease() + timedelta(seconds=1)
        with time_machine.travel(later, tick=False):
            due, _outstanding = delivery.recover(broadcast)
            assert {number for number, _when in due} == {batch}
            done = delivery.deliver_batch(broadcast, batch)
    assert done == {"sent": 5, "failed": 0, "retry": 0}
    assert {(row.status, row.provider_ref) for row in rows(broadcast)} == {(DeliveryStatus.SENT, first_ref)}
    assert line_api.stats() == {"accepted": 1, "duplicates_refused": 1, "distinct_keys": 1}
    assert line_api.reach()["user_repeats"] == 0


def test_a_multicast_group_half_claimed_elsewhere_is_put_back_not_sent(town_a, line_api):  # noqa: F811
    configure_line(town_a)
    for user in users(4):
        make_subscriber(town_a, line_user=user)
    with scope(municipality=town_a):
        broadcast = bare_broadcast(town_a, make_notice(town_a), urgent=True, ask_ack=False)
        (batch,) = {number for number, _when in delivery.fan_out(broadcast)}
        ids = delivery.claim(broadcast, batch)
        claimed = list(Delivery.objects.filter(pk__in=ids).select_related("endpoint", "subscriber"))
        delivery._multicast_groups(broadcast, claimed, 500)
        # The rows came back to the queue (a dead worker) and two workers each took half at the same moment.
        Delivery.objects.filter(pk__in=ids).update(status=DeliveryStatus.QUEUED)
        Delivery.objects.filter(pk__in=ids[:2]).update(status=DeliveryStatus.SENDING)
        done = delivery.deliver_batch(broadcast, batch)
    assert done["sent"] == 0 and done["retry"] == 2 and done.retry_at is not None
    assert line_api.multicasts == []  # half a group with the group's key could make LINE drop the other half


# ---------------------------------------------------------------- the urgent queue

def test_an_urgent_worker_takes_only_urgent_work_and_every_step_of_an_alert_runs_there(town_a, smtp_server):  # noqa: F811
    for n in range(3):
        make_subscriber(town_a, email=f"r{n}@example.jp")
    ordinary = start_notice_broadcast(town_a, make_notice(town_a, title="イベントのお知らせ"))
    alert = start_notice_broadcast(town_a, make_notice(town_a, category="bousai", title="避難指示"), urgent=True)

    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", "--queue-name", "urgent")

    assert [str(make_header(decode_header(m["Subject"]))) for m in smtp_server] == ["避難指示"] * 3
    assert {row.status for row in rows(alert)} == {DeliveryStatus.SENT}
    assert rows(ordinary) == []  # not even fanned out: its tasks wait for a worker of the messaging queue
    tasks = list(DBTaskResult.objects.filter(task_path__startswith="yakuba.kernel.messaging.tasks."))
    # mail batches one step below the alert's other tasks (a LINE multicast would go first: see below)
    found = {(t.task_path.rsplit(".", 1)[1], t.queue_name, t.priority) for t in tasks
             if t.args_kwargs["args"][0] == alert.pk}
    assert {("fan_out", "urgent", 100), ("send_batch", "urgent", 99)} <= found
    assert {priority for name, _queue, priority in found if name != "send_batch"} == {100}
    assert {t.task_path.rsplit(".", 1)[1] for t in tasks if t.args_kwargs["args"][0] == alert.pk} >= {
        "fan_out", "send_batch"}
    waiting = [t for t in tasks if t.args_kwargs["args"][0] == ordinary.pk]
    assert [(t.queue_name, t.status) for t in waiting] == [("messaging", "READY")]

    run_worker()
    assert {row.status for row in rows(ordinary)} == {DeliveryStatus.SENT}


def test_line_multicast_batches_go_before_mail_batches(town_a, line_api, smtp_server):  # noqa: F811
    """An alert to many: the batches that reach hundreds per request (LINE multicast) are taken first by the
    workers, the one-message-per-person mail batches after them."""
    configure_line(town_a)
    for n, user in enumerate(users(3)):
        make_subscriber(town_a, line_user=user)
        make_subscriber(town_a, email=f"m{n}@example.jp")
    alert = start_notice_broadcast(town_a, make_notice(town_a, category="bousai", title="避難指示"), urgent=True,
                                   ask_ack=False)
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", "--queue-name", "urgent")

    batches = DBTaskResult.objects.filter(task_path="yakuba.kernel.messaging.tasks.send_batch")
    with scope(municipality=town_a):
        channel_of = dict(Delivery.objects.filter(broadcast=alert).values_list("batch", "channel").distinct())
    priorities = {channel_of[t.args_kwargs["args"][1]]: t.priority for t in batches}
    assert priorities == {"line": 100, "email": 99}
    finished = sorted(batches, key=lambda t: t.finished_at)
    assert [channel_of[t.args_kwargs["args"][1]] for t in finished] == ["line", "email"]
    assert line_api.reach()["users"] == 3 and len(smtp_server) == 3

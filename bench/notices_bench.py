"""防災 fan-out on PostgreSQL with two `yakuba worker` processes, against local email and LINE sinks.

One urgent notice to N subscribers (default 100,000), each with a confirmed email address and a LINE account:
2N messages. The sinks are separate processes: an SMTP server (bench/smtp_sink.py, aiosmtpd) that counts
messages and distinct Message-IDs, and the local LINE Messaging API server of the tests (tests/support/line_api.py)
that refuses a repeated X-Line-Retry-Key with 409 as LINE does.

(a) Ceiling, measured in the same run: the sinks' raw capacity with two client processes sending as fast as they
    can (smtplib over one connection each, like the workers; line-bot-sdk push with a retry key each), and the
    time those rates need for the 2N messages (one channel after the other: the ceiling time).
(b) The pipeline: publish (start_broadcast, committed) → fan-out task → batch tasks on two workers → sinks.
    Messages per second, time to the first and the last delivery, ratio to the ceiling of (a) (ceiling time /
    our time; the goal is ≥ 0.6). The ceiling time puts the channels one after the other while the workers send
    on both at once, so the ratio can pass 1; per channel, each sink's share of its own capacity is printed too
    (a channel's messages / seconds from publishing to its last delivery). The alert asks 「確認しました」, so
    every LINE message is a push with its own link.
(c) The same with one worker killed (SIGKILL) when a third of the messages are out. The survivor carries on; rows
    the dead worker had claimed are recovered after the lease (YAKUBA_MESSAGING_LEASE_SECONDS, 15 s here) and sent
    again with their original idempotency key. Reports lost (recipients never reached), duplicated (a recipient
    who got two different messages, or a LINE user shown the message twice), and the repeats the key covers: mails
    received again with the same Message-ID (rows sent since the dead worker's last mark) and pushes LINE refused.
(d) A 防災 alert to 10,000 subscribers (email + LINE each) on two workers, started as the notices service starts a
    published notice's delivery (one that asks no reply: LINE multicast): seconds from publishing to the last
    delivery (goal < 60 s).
(e) The same N, a broadcast that asks nobody to answer: LINE goes as multicast requests of up to 500 users.
(f) (e) with one worker killed a third of the way, as in (c).

Run: .venv/bin/python bench/notices_bench.py [subscribers] [alert_subscribers]   (prints; never asserts)
"""

from __future__ import annotations

import json
import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from pgdb import close_connections, run_on_fresh_database  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
YAKUBA = str(Path(PYTHON).parent / "yakuba")
TOKEN = "bench-line-token"
LEASE = 15
PROBE = 4000  # messages per client process in the capacity probe


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
        return json.loads(response.read() or b"{}")


def post(url: str) -> None:
    urllib.request.urlopen(urllib.request.Request(url, data=b"", method="POST"), timeout=10).read()  # noqa: S310


def wait_port(port: int) -> None:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


# ---------------------------------------------------------------- capacity clients (run as subprocesses)

def smtp_client(port: int, count: int) -> None:
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for n in range(count):
            message = EmailMessage()
            message["Subject"], message["From"] = "【防災】避難指示", "bench@yakuba.localhost"
            message["To"] = f"r{n}@x.jp"
            message["Message-ID"] = f"<{uuid.uuid4()}@bench>"
            message.set_content("避難指示が出ました。\n" * 8)
            smtp.send_message(message)


def line_client(base: str, count: int) -> None:
    from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, PushMessageRequest, TextMessage

    with ApiClient(Configuration(host=base, access_token=TOKEN)) as client:
        api = MessagingApi(client)
        for n in range(count):
            api.push_message_with_http_info(PushMessageRequest(to=f"U{n:032x}", messages=[
                TextMessage(text="【防災】避難指示\n" * 8)]), x_line_retry_key=str(uuid.uuid4()))


def capacity(kind: str, target: str, reset: str) -> float:
    """Messages per second the sink takes from two client processes."""
    post(reset)
    started = time.perf_counter()
    clients = [subprocess.Popen([PYTHON, __file__, f"--{kind}-client", target, str(PROBE)], cwd=ROOT)
               for _ in range(2)]
    for client in clients:
        client.wait()
    return 2 * PROBE / (time.perf_counter() - started)


# ---------------------------------------------------------------- data

def make_town(subscribers: int, code: str = "103829", name: str = "下仁田町") -> tuple[Any, Any]:
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from yakuba.kernel.accounts.models import Department
    from yakuba.kernel.messaging.models import Channel, Endpoint, Subscriber
    from yakuba.kernel.tenancy.models import Municipality
    from yakuba.notices.models import Category, Notice, NoticeStatus, Subscription

    with scopes_disabled():
        line = {"channel_secret": "bench-secret", "access_token": TOKEN}
        town = Municipality.objects.create(code=code, name=name, name_kana="しもにたまち",
                                           prefecture="群馬県", settings={"line": line})
        bousai = Category.objects.create(municipality=town, slug="bousai", name="防災", is_emergency=True)
        department = Department.objects.create(municipality=town, name="総務課")
        notice = Notice.objects.create(municipality=town, category=bousai, department=department,
                                       title="避難指示（警戒レベル4）",
                                       body="下仁田地区に避難指示を発令しました。\n" * 5,
                                       status=NoticeStatus.PUBLISHED, published_at=timezone.now())
        now, step = timezone.now(), 5000
        for start in range(0, subscribers, step):
            people = Subscriber.objects.bulk_create(
                [Subscriber(municipality=town) for _ in range(min(step, subscribers - start))])
            Endpoint.objects.bulk_create(
                [Endpoint(municipality=town, subscriber=p, channel=Channel.EMAIL, address=f"r{p.pk}@example.jp",
                          confirmed_at=now) for p in people]
                + [Endpoint(municipality=town, subscriber=p, channel=Channel.LINE, address=f"U{p.pk:032x}",
                            confirmed_at=now) for p in people])
            subscriptions = Subscription.objects.bulk_create(
                [Subscription(municipality=town, subscriber=p) for p in people])
            Subscription.categories.through.objects.bulk_create(
                [Subscription.categories.through(subscription=s, category=bousai) for s in subscriptions])
    return town, notice


# ---------------------------------------------------------------- the pipeline

def start_workers(env: dict[str, str], count: int = 2) -> list[subprocess.Popen[bytes]]:
    return [subprocess.Popen([YAKUBA, "worker", "--no-reload", "--no-startup-delay", "--interval", "0.05"],
                             cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(count)]


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def status_counts(broadcast_id: int) -> dict[str, int]:
    from django.db.models import Count
    from django_scopes import scopes_disabled

    from yakuba.kernel.messaging.models import Delivery

    with scopes_disabled():
        return {row["status"]: row["n"] for row in Delivery.objects.filter(broadcast_id=broadcast_id)
                .values("status").annotate(n=Count("pk")).order_by()}


def run_pipeline(town: Any, notice: Any, env: dict[str, str], sinks: dict[str, str], expected: int,
                 kill_at: float | None, ask_ack: bool | None = True) -> dict[str, Any]:
    """`ask_ack` None: the notice is sent as the product sends a published notice (notices' start_delivery decides:
    a notice that asks no reply goes over LINE as multicast)."""
    from django.db import transaction
    from django.db.models import Count, Max, Min
    from django_scopes import scope, scopes_disabled

    from yakuba.kernel.messaging import services
    from yakuba.kernel.messaging.models import Delivery

    post(sinks["smtp_reset"])
    post(sinks["line_reset"])
    workers = start_workers(env)
    time.sleep(20)  # the workers have started (Django, the LINE SDK) and are polling
    started = time.time()
    with scope(municipality=town), transaction.atomic():
        if ask_ack is None:
            from yakuba.notices.models import Notice
            from yakuba.notices.services import notices

            locked = Notice.objects.select_for_update(of=("self",)).select_related("category", "municipality").get(
                pk=notice.pk)
            broadcast = notices.start_delivery(locked)
        else:
            broadcast = services.start_broadcast(
                municipality=town, source="notices.notice", source_id=notice.pk, urgent=True,
                content={"ja": {"subject": f"【防災】{notice.title}", "body": notice.body}},
                url=f"/notices/{notice.public_id}/", ask_ack=ask_ack)
    killed_at = None
    while True:
        time.sleep(0.5)
        counts = status_counts(broadcast.pk)
        done = counts.get("sent", 0) + counts.get("failed", 0) + counts.get("skipped", 0)
        if kill_at is not None and killed_at is None and done >= kill_at * expected:
            workers[0].send_signal(signal.SIGKILL)
            killed_at = time.time() - started
        if done >= expected:
            break
        if time.time() - started > 3600:
            print("  gave up after an hour:", counts)
            break
    close_connections()
    stop(workers)
    smtp, line = get_json(sinks["smtp_stats"]), get_json(sinks["line_stats"])
    with scopes_disabled():
        times = Delivery.objects.filter(broadcast_id=broadcast.pk).aggregate(first=Min("sent_at"),
                                                                               last=Max("sent_at"))
        recovered = Delivery.objects.filter(broadcast_id=broadcast.pk, attempts__gt=1).count()
        per_channel = {row["channel"]: row["n"] / max(0.001, row["last"].timestamp() - started)
                       for row in Delivery.objects.filter(broadcast_id=broadcast.pk, sent_at__isnull=False)
                       .values("channel").annotate(n=Count("pk"), last=Max("sent_at")).order_by()}
    return {"started": started, "counts": counts, "smtp": smtp, "line": line, "killed_at": killed_at,
            "first": times["first"].timestamp() - started, "last": times["last"].timestamp() - started,
            "recovered": recovered, "per_channel": per_channel}


def describe(result: dict[str, Any], expected: int, subscribers: int, floor: float,
             capacity: dict[str, float]) -> None:
    smtp, line = result["smtp"], result["line"]
    lost = (subscribers - smtp["recipients"]) + (subscribers - line.get("users", 0))
    duplicated = smtp["two_messages"] + line.get("user_repeats", 0)
    rate = expected / result["last"]
    print(f"  delivery rows: {result['counts']}")
    print(f"  first delivery after {result['first']:.2f} s, last after {result['last']:.1f} s: "
          f"{rate:,.0f} messages/s; ceiling time {floor:.1f} s → ratio {floor / result['last']:.2f}")
    print("  per channel (publishing → its last delivery): " + ", ".join(
        f"{channel} {rate:,.0f}/s = {rate / capacity[channel]:.2f} of its sink"
        for channel, rate in sorted(result["per_channel"].items())))
    print(f"  email sink: {smtp['received']:,} received, {smtp['recipients']:,} recipients, "
          f"{smtp['distinct']:,} distinct Message-IDs (expected {subscribers:,})")
    print(f"  LINE sink: {line.get('requests', 0):,} requests ({line.get('multicasts', 0):,} multicast), "
          f"{line.get('users', 0):,} users reached, {line.get('duplicates_refused', 0):,} repeats refused by key "
          f"(expected {subscribers:,} users)")
    print(f"  lost {lost}, duplicated {duplicated}; mails received again with their same Message-ID "
          f"{smtp['received'] - smtp['distinct']}; rows sent again after a dead worker's lease: {result['recovered']}")


def report(_runs: int) -> None:
    from django.db import connection

    subscribers = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    expected = 2 * subscribers
    smtp_port, smtp_stats, line_port = free_port(), free_port(), free_port()
    sinks_env = {**os.environ, "PYTHONPATH": str(ROOT)}
    sink_processes = [
        subprocess.Popen([PYTHON, str(ROOT / "bench" / "smtp_sink.py"), str(smtp_port), str(smtp_stats)],
                         env=sinks_env),
        subprocess.Popen([PYTHON, "-m", "tests.support.line_api", "--port", str(line_port), "--token", TOKEN],
                         cwd=ROOT, env=sinks_env),
    ]
    try:
        for port in (smtp_port, smtp_stats, line_port):
            wait_port(port)
        sinks = {"smtp_stats": f"http://127.0.0.1:{smtp_stats}/", "smtp_reset": f"http://127.0.0.1:{smtp_stats}/",
                 "line_stats": f"http://127.0.0.1:{line_port}/_stats",
                 "line_reset": f"http://127.0.0.1:{line_port}/_reset"}
        line_base = f"http://127.0.0.1:{line_port}"
        print(f"防災 fan-out: {subscribers:,} subscribers × (email + LINE) = {expected:,} messages, "
              f"PostgreSQL, 2 workers")
        email_rate = capacity("smtp", str(smtp_port), sinks["smtp_reset"])
        line_rate = capacity("line", line_base, sinks["line_reset"])
        floor = subscribers / email_rate + subscribers / line_rate
        capacities = {"email": email_rate, "line": line_rate}
        print(f"(a) sinks' raw capacity, 2 client processes: SMTP {email_rate:,.0f} messages/s, "
              f"LINE push {line_rate:,.0f} requests/s → {expected:,} messages need {floor:.1f} s")

        made = time.perf_counter()
        town, notice = make_town(subscribers)
        print(f"    (test data written in {time.perf_counter() - made:.0f} s)")
        close_connections()
        settings = connection.settings_dict
        database = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
        env = {**os.environ, "DATABASE_URL": database,
               "YAKUBA_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
               "YAKUBA_EMAIL_HOST": "127.0.0.1", "YAKUBA_EMAIL_PORT": str(smtp_port),
               "YAKUBA_LINE_API_BASE": line_base, "YAKUBA_MESSAGING_LEASE_SECONDS": str(LEASE),
               "YAKUBA_LOG_LEVEL": "WARNING"}
        print("(b) two workers")
        describe(run_pipeline(town, notice, env, sinks, expected, kill_at=None), expected, subscribers, floor,
                 capacities)
        print(f"(c) two workers, one killed (SIGKILL) a third of the way; lease {LEASE} s")
        result = run_pipeline(town, notice, env, sinks, expected, kill_at=1 / 3)
        print(f"  worker killed after {result['killed_at']:.1f} s")
        describe(result, expected, subscribers, floor, capacities)

        alert_subscribers = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
        alert_town, alert_notice = make_town(alert_subscribers, code="109999", name="ベンチ村")
        close_connections()
        alert_floor = alert_subscribers / email_rate + alert_subscribers / line_rate
        print(f"(d) a 防災 alert to {alert_subscribers:,} subscribers (email + LINE), two workers, sent as the notices "
              "service sends a published notice that asks no reply (LINE multicast)")
        result = run_pipeline(alert_town, alert_notice, env, sinks, 2 * alert_subscribers, kill_at=None, ask_ack=None)
        describe(result, 2 * alert_subscribers, alert_subscribers, alert_floor, capacities)
        print(f"  → every recipient reached {result['last']:.1f} s after publishing (goal < 60 s)")

        print("(e) two workers, a broadcast that asks nobody to answer: LINE multicast (500 users a request)")
        describe(run_pipeline(town, notice, env, sinks, expected, kill_at=None, ask_ack=False), expected,
                 subscribers, floor, capacities)
        print(f"(f) as (e), one worker killed (SIGKILL) a third of the way; lease {LEASE} s")
        result = run_pipeline(town, notice, env, sinks, expected, kill_at=1 / 3, ask_ack=False)
        print(f"  worker killed after {result['killed_at']:.1f} s")
        describe(result, expected, subscribers, floor, capacities)
    finally:
        stop(sink_processes)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--smtp-client":
        smtp_client(int(sys.argv[2]), int(sys.argv[3]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--line-client":
        line_client(sys.argv[2], int(sys.argv[3]))
    else:
        run_on_fresh_database("notices_bench", report, 1)

"""キャッシュレス決済 on PostgreSQL against fakepay running as its own process.

(a) 1,000 pay attempts at once on 100 room bookings with a fee (10 per booking: double clicks, second tabs, client
    retries): THREADS threads, each its own connection, released together. An attempt is what a resident's browser
    does: start (create or resume the provider payment, row locked), pay on the provider's page, come back (status
    read from the provider). A refused or failed start is retried by the client up to 3 times. Prints the charges
    the provider made (100 is right), our successful payments, the attempts per second, and fakepay's raw capacity
    measured in the same run: bare "create payment" calls from the same number of threads, per second.
(b) Reconciling a month: 50,000 payments (and 1 % refunds) in the database and in the provider's settlement CSV;
    time to read our month (the query) and the provider's file and match every line, against only reading two
    CSV files of the same size (our export and theirs).

Run: .venv/bin/python bench/payments_bench.py   (prints; never asserts)
Database: a fresh test_<name> from YAKUBA_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/…).
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from pgdb import close_connections, run_on_fresh_database  # noqa: E402

BOOKINGS = 100
ATTEMPTS = 1000
THREADS = 40
RAW_CALLS = 2000
MONTH_PAYMENTS = 50_000
ACCOUNT = ("sk_bench", "whsec_bench")


def start_fakepay() -> tuple[subprocess.Popen[str], str]:
    src = Path(__file__).resolve().parents[1] / "src"
    process = subprocess.Popen([sys.executable, "-m", "yakuba.payments.fakepay", "--port", "0", "--account",
                                f"{ACCOUNT[0]}={ACCOUNT[1]}"], stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(src)})
    assert process.stdout is not None
    line = process.stdout.readline()
    return process, line.split(" on ", 1)[1].split("/ ", 1)[0]


def make_town(url: str) -> Any:
    from yakuba.kernel.tenancy.models import Municipality

    return Municipality.objects.create(code="103829", name="下仁田町", name_kana="しもにたまち", prefecture="群馬県",
                                       settings={"payments": {"provider": "fake", "api_base": url,
                                                              "api_key": ACCOUNT[0], "webhook_secret": ACCOUNT[1]}})


def make_bookings(town: Any) -> list[Any]:
    from datetime import time as clock

    from django.utils import timezone
    from django_scopes import scope

    from yakuba.kernel.accounts.models import Department, Resident, User
    from yakuba.kernel.scheduling import calendar
    from yakuba.kernel.scheduling.models import Resource
    from yakuba.payments.models import Payment
    from yakuba.reservations import services
    from yakuba.reservations.models import Facility, Room

    rules = calendar.Rules(hours=(((clock(9), clock(21)),),) * 7, closed_on_holidays=False, year_end_closure=False,
                           window_days=400).to_dict()
    with scope(municipality=town):
        department = Department.objects.create(municipality=town, name="教育課")
        facility = Facility.objects.create(municipality=town, slug="kominkan", name="公民館", department=department)
        resource = Resource.objects.create(municipality=town, key="room:bench", name="会議室", rules=rules)
        room = Room.objects.create(municipality=town, facility=facility, name="会議室", resource=resource,
                                   fee_per_hour=500)
        payments = []
        first = timezone.localdate() + timedelta(days=3)
        for n in range(BOOKINGS):
            user = User.objects.create_user(email=f"bench{n}@example.jp", password=None)
            resident = Resident.objects.create(municipality=town, user=user, family_name="下仁田",
                                               given_name=f"{n}")
            day = first + timedelta(days=n // 10)
            starts = timezone.make_aware(datetime.combine(day, clock(9 + n % 10)))
            reservation = services.reserve_room(room, resident, starts, starts + timedelta(hours=1), purpose="会議")
            payments.append(Payment.objects.get(payable_key=str(reservation.pk)))
    return payments


def rush(town: Any, payments: list[Any]) -> tuple[Counter[str], float, int]:
    import requests
    from django_scopes import scope

    from yakuba.kernel.refusal import Refused
    from yakuba.payments import services

    barrier = threading.Barrier(THREADS)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    provider_calls = [0]

    def attempt(index: int, http: requests.Session) -> str:
        payment = payments[index % BOOKINGS]
        for _try in range(3):
            try:
                started = services.start(payment)
                break
            except Refused as refusal:
                if "すでに済んで" in refusal.message:
                    return "already paid"
                last = "refused"
            except Exception:  # noqa: BLE001 - a client retries whatever went wrong
                last = "error"
                close_connections()
        else:
            return last
        http.get(started.next_url, timeout=10)
        http.post(started.next_url, data={"method": "card", "card_number": "4242424242424242"},
                  allow_redirects=False, timeout=10)
        with lock:
            provider_calls[0] += 3
        return services.refresh(started).status

    def worker(n: int) -> None:
        http = requests.Session()
        with scope(municipality=town):
            barrier.wait()
            for index in range(n, ATTEMPTS, THREADS):
                result = attempt(index, http)
                with lock:
                    outcomes[result] += 1
        close_connections()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes, time.perf_counter() - began, provider_calls[0]


def raw_capacity(url: str) -> float:
    import requests

    barrier = threading.Barrier(THREADS)

    def worker(n: int) -> None:
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {ACCOUNT[0]}"
        barrier.wait()
        for _ in range(n, RAW_CALLS, THREADS):
            http.post(f"{url}/v1/payments", json={"amount": 100, "return_url": "http://x/"}, timeout=10)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return RAW_CALLS / (time.perf_counter() - began)


def charges_on_provider(url: str) -> int:
    import requests
    from django.utils import timezone

    days = {timezone.localdate() + timedelta(days=d) for d in (-1, 0, 1)}
    total = 0
    for day in days:
        text = requests.get(f"{url}/v1/settlements/{day}.csv", headers={"Authorization": f"Bearer {ACCOUNT[0]}"},
                            timeout=30).text
        total += sum(1 for row in csv.DictReader(io.StringIO(text)) if row["type"] == "payment")
    return total


def month(town: Any) -> None:
    from django.utils import timezone
    from django_scopes import scope

    from yakuba.payments import reports
    from yakuba.payments.models import Payment
    from yakuba.payments.providers.fake import parse_settlement

    first = date(2026, 11, 1)
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    rows, theirs = [], io.StringIO()
    writer = csv.writer(theirs)
    writer.writerow(("type", "payment_id", "refund_id", "reference", "method", "amount", "fee", "net", "occurred_at"))
    for n in range(MONTH_PAYMENTS):
        paid_at = start + timedelta(seconds=n * 30 * 86400 // MONTH_PAYMENTS)
        amount = 300 + (n % 20) * 100
        rows.append(Payment(municipality=town, payable_kind="bench", payable_key=str(n), description="bench",
                            reference=f"B{n}", revenue_code="13-01-05", amount=amount, status="success",
                            provider="fake", provider_id=f"fp_m{n}", method="card", return_path="/",
                            paid_at=paid_at, receipt_number=10_000 + n))
        writer.writerow(("payment", f"fp_m{n}", "", f"B{n}", "card", amount, amount * 324 // 10000,
                         amount - amount * 324 // 10000, paid_at.isoformat()))
    with scope(municipality=town):
        Payment.objects.bulk_create(rows, batch_size=2000)
        last = date(2026, 11, 30)
        directory = Path(tempfile.mkdtemp(prefix="yakuba-bench-"))
        (directory / "theirs.csv").write_text(theirs.getvalue())
        ours_file = io.StringIO()
        csv.writer(ours_file).writerows((p.provider_id, p.reference, p.amount) for p in rows)
        (directory / "ours.csv").write_text(ours_file.getvalue())

        began = time.perf_counter()
        for name in ("ours.csv", "theirs.csv"):
            with open(directory / name, newline="") as handle:
                sum(1 for _ in csv.reader(handle))
        reading = time.perf_counter() - began

        began = time.perf_counter()
        ours = reports.our_lines(town, first, last_day=last)
        queried = time.perf_counter() - began
        lines = parse_settlement((directory / "theirs.csv").read_text())
        result = reports.reconcile(ours, lines)
        total = time.perf_counter() - began
    print(f"(b) a month of {len(ours):,} payments: matched {result.matched:,}, unmatched {result.unmatched}, "
          f"fees {result.fees:,} yen")
    print(f"    reconcile {total:.2f} s (our month's query {queried:.2f} s, parse + match {total - queried:.2f} s); "
          f"ceiling: reading the two CSV files {reading:.2f} s ({total / reading:.1f}x)")


def report(runs: int) -> None:
    from django.db import connection
    from django_scopes import scope

    from yakuba.payments.models import Payment

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        print(cursor.fetchone()[0].split(",")[0])
    process, url = start_fakepay()
    try:
        town = make_town(url)
        payments = make_bookings(town)
        close_connections()
        raw = raw_capacity(url)
        outcomes, seconds, calls = rush(town, payments)
        with scope(municipality=town):
            ours = Payment.objects.filter(payable_kind="reservations.reservation", status="success").count()
        print(f"(a) {ATTEMPTS} pay attempts on {BOOKINGS} bookings, {THREADS} threads: {dict(outcomes)}")
        print(f"    charges by the provider {charges_on_provider(url)}, successful payments recorded {ours}")
        print(f"    {ATTEMPTS / seconds:.0f} attempts/s ({seconds:.1f} s; {calls + BOOKINGS} provider requests); "
              f"ceiling: fakepay raw {raw:.0f} creates/s, same threads: attempts at "
              f"{100 * ATTEMPTS / seconds / raw:.0f} % of it")
        month(town)
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    run_on_fresh_database("payments_bench", report, 1)

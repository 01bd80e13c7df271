"""施設予約 on PostgreSQL: a rush on ten slots, bookings per second through the services, availability of a room.

(a) 1,000 attempts at once on 10 one-hour slots of one room: THREADS_RUSH threads (each its own connection,
    released together by a barrier) make the attempts through services.reserve_room, each thread cycling
    through the slots. Prints bookings made (10 is right), refusals, other outcomes and the wall time.
    PostgreSQL allows 100 connections, so the rush uses at most 80 threads; a refused connect is retried.
(b) Uncontended reservations per second through services.reserve_room (calendar check, kernel booking under
    the resource lock, Reservation row, audit entry, mail tasks queued), every one a distinct slot: one thread;
    8 threads with a room each; 8 threads sharing one room (they queue on its row lock). Ceilings: bare
    kernel scheduling.book calls, one thread; bare INSERTs of a Booking-sized row, autocommit, one connection.
(d) A lottery draw (抽選): APPLICANTS residents apply with 3 preferences each for popular evening hours of two
    rooms over a month (more entries than slots); lottery.draw() books the winners through the same services in
    one transaction, logs every step, queues the result mails. Median draw time and entries per second, beside
    reserve_room, 1 thread from (b) (the same work per winner, but a commit each); lottery.verify().
(c) Availability of one room over 3 months holding ~500 bookings: services.free_slots for each of 90 days
    (one query + the calendar per day), median and p95 per day and the 90-day total; against one busy() query
    and calendar.availability for the 90 days at once (what a month view can do).

Runs against a fresh database created (and dropped) with Django's test-database utilities, named test_<name>
from YAKUBA_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/yakuba_reservations_bench).

Run: .venv/bin/python bench/reservations_bench.py [runs]   (prints; never asserts)
"""

from __future__ import annotations

import random
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

from yakuba.kernel.refusal import Refused

ATTEMPTS = 1000
SLOTS = 10
sys.path.insert(0, str(Path(__file__).parent))
from pgdb import close_connections, run_on_fresh_database  # noqa: E402

THREADS_RUSH = 80
THREADS = 8
PER_RUN = 160  # reservations per run in (b) (20 per thread with 8 threads)
EXISTING = 500
DAYS = 90
APPLICANTS = 300


def rules(**overrides: Any) -> Any:
    """Open every day 9:00–21:00, 30-minute grid, bookable a year ahead with no notice (so any slot will do)."""
    from yakuba.kernel.scheduling import calendar

    values: dict[str, Any] = {
        "hours": (((clock(9), clock(21)),),) * 7, "closed_on_holidays": False, "year_end_closure": False,
        "window_days": 400, "min_notice": timedelta(0), "min_length": timedelta(minutes=30),
        "max_length": timedelta(hours=4), "slot": timedelta(minutes=30), **overrides}
    return calendar.Rules(**values)


class World:
    """The demo towns loaded, plus bench rooms in 下仁田町 and residents enough for every thread."""

    def __init__(self) -> None:
        from django.core.management import call_command
        from django_scopes import scope

        from yakuba.kernel.accounts.models import Department, Resident, User
        from yakuba.kernel.tenancy.models import Municipality
        from yakuba.reservations.models import Facility

        call_command("demo", "--quiet")
        self.town = Municipality.objects.get(name="下仁田町")
        self.scope = lambda: scope(municipality=self.town)
        with self.scope():
            self.facility = Facility.objects.create(municipality=self.town, slug="bench", name="ベンチ会館",
                                                    department=Department.objects.get(name="教育課"))
            self.residents = []
            for index in range(THREADS_RUSH):
                user = User.objects.create_user(f"bench{index}@example.jp")
                self.residents.append(Resident.objects.create(
                    municipality=self.town, user=user, family_name="ベンチ", given_name=str(index),
                    family_name_kana="ベンチ", given_name_kana="イチ", address="群馬県甘楽郡下仁田町大字下仁田1"))
        self.rooms = 0

    def room(self, **rule_overrides: Any) -> Any:
        from yakuba.kernel.scheduling.models import Resource
        from yakuba.reservations.models import Room

        self.rooms += 1
        with self.scope():
            resource = Resource.objects.create(municipality=self.town, key=f"room:bench:{self.rooms}",
                                               name=f"会議室{self.rooms}", rules=rules(**rule_overrides).to_dict())
            return Room.objects.create(municipality=self.town, facility=self.facility, name=f"会議室{self.rooms}",
                                       resource=resource, fee_per_hour=300)


def slots_from(first: date) -> Iterator[tuple[datetime, datetime]]:
    """Distinct one-hour slots, 9:00–21:00 every day from `first` on."""
    from django.utils import timezone

    day = first
    while True:
        for hour in range(9, 21):
            start = datetime.combine(day, clock(hour), timezone.get_current_timezone())
            yield start, start + timedelta(hours=1)
        day += timedelta(days=1)


def tomorrow() -> date:
    from django.utils import timezone

    return timezone.localdate() + timedelta(days=1)


# (a) the rush ----------------------------------------------------------------------------------------------------

def rush(world: World) -> tuple[Counter[str], int, int, float]:
    """Outcomes, connects retried, active bookings afterwards, wall time (s) from the barrier's release."""
    from django.db import OperationalError

    from yakuba.kernel.scheduling.models import ACTIVE, Booking
    from yakuba.reservations import services

    room = world.room()
    slots = _take(SLOTS)
    barrier = threading.Barrier(THREADS_RUSH + 1)
    outcomes: Counter[str] = Counter()
    retries = Counter[str]()
    lock = threading.Lock()

    def run(thread: int) -> None:
        resident = world.residents[thread]
        mine = range(thread, ATTEMPTS, THREADS_RUSH)  # 12 or 13 attempts each, 1,000 in all
        barrier.wait()
        try:
            with world.scope():
                for attempt in mine:
                    start, end = slots[attempt % SLOTS]
                    outcome = "error"
                    for _retry in range(2000):
                        try:
                            services.reserve_room(room, resident, start, end, purpose="ベンチ")
                            outcome = "booked"
                        except Refused:
                            outcome = "refused (Refused)"
                        except OperationalError as error:
                            if "too many clients" in str(error) or "remaining connection slots" in str(error):
                                with lock:
                                    retries["connect"] += 1
                                close_connections()
                                time.sleep(random.uniform(0.005, 0.03))
                                continue
                            outcome = f"OperationalError: {error}"[:80]
                        except Exception as error:  # noqa: BLE001  (the bench reports every outcome)
                            outcome = f"{type(error).__name__}: {error}"[:80]
                        break
                    with lock:
                        outcomes[outcome] += 1
        finally:
            close_connections()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS_RUSH)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    with world.scope():
        booked = Booking.objects.filter(resource=room.resource, status__in=ACTIVE).count()
    return outcomes, retries["connect"], booked, wall


def _take(count: int) -> list[tuple[datetime, datetime]]:
    source = slots_from(tomorrow() + timedelta(days=1))
    return [next(source) for _ in range(count)]


# (b) throughput --------------------------------------------------------------------------------------------------

class Slots:
    """Hands out distinct slots of one resource, thread-safely, across runs."""

    def __init__(self) -> None:
        self.source = slots_from(tomorrow())
        self.lock = threading.Lock()

    def take(self, count: int) -> list[tuple[datetime, datetime]]:
        with self.lock:
            return [next(self.source) for _ in range(count)]


def reserve_many(world: World, room: Any, resident: Any, slots: list[tuple[datetime, datetime]]) -> None:
    from yakuba.reservations import services

    try:
        with world.scope():
            for start, end in slots:
                services.reserve_room(room, resident, start, end, purpose="ベンチ")
    finally:
        close_connections()


def per_second(world: World, plan: list[tuple[Any, Any, list[tuple[datetime, datetime]]]]) -> float:
    """Reservations per second with one thread per (room, resident, slots) entry."""
    total = sum(len(slots) for _room, _resident, slots in plan)
    threads = [threading.Thread(target=reserve_many, args=(world, room, resident, slots))
               for room, resident, slots in plan]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return total / (time.perf_counter() - started)


def per_second_kernel(world: World, resource: Any, slots: Slots) -> float:
    """Ceiling of the kernel: scheduling.book alone (resource lock, overlap check, INSERT), one thread."""
    from yakuba.kernel.scheduling import services as scheduling

    chosen = slots.take(PER_RUN)
    try:
        with world.scope():
            started = time.perf_counter()
            for start, end in chosen:
                scheduling.book(resource, start, end, label="ベンチ")
            return PER_RUN / (time.perf_counter() - started)
    finally:
        close_connections()


def per_second_bare_inserts() -> float:
    """The floor of any design: one INSERT of a Booking-sized row per commit, one connection. The table is an
    ordinary (WAL-logged) one, so each commit waits for the log flush as a real booking's does; a TEMP table
    would skip the WAL and overstate the ceiling many times over."""
    from django.db import connection

    from yakuba.kernel.scheduling.models import Booking

    table = Booking._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS bench_booking (LIKE {table} INCLUDING DEFAULTS)")
        cursor.execute("CREATE SEQUENCE IF NOT EXISTS bench_booking_id")
        started = time.perf_counter()
        for index in range(PER_RUN):
            cursor.execute("INSERT INTO bench_booking (id, municipality_id, resource_id, starts_at, ends_at, seats, "
                           "status, exclusive, label, owner, created_at) VALUES (nextval('bench_booking_id'), "
                           "1, 1, now() + %s * interval '1 hour', now() + (%s + 1) * interval '1 hour', 1, "
                           "'confirmed', true, 'ベンチ', '', now())", [index, index])
        return PER_RUN / (time.perf_counter() - started)


# (c) availability ------------------------------------------------------------------------------------------------

def filled_room(world: World) -> tuple[Any, date]:
    """A room with realistic rules (Mondays, holidays and 年末年始 closed) holding ~EXISTING bookings."""
    from yakuba.kernel.scheduling import calendar
    from yakuba.kernel.scheduling.models import Booking

    room = world.room(hours=(((),) + (((clock(9), clock(21)),),) * 6), closed_on_holidays=True,
                      year_end_closure=True, min_notice=timedelta(hours=1))
    start = tomorrow()
    rules = calendar.Rules.from_dict(room.resource.rules)
    generator = random.Random(4)
    candidates = [slot for offset in range(DAYS) for slot in calendar.slots(rules, start + timedelta(days=offset),
                                                                            length=timedelta(hours=1))]
    taken: list[tuple[datetime, datetime]] = []
    for slot in generator.sample(candidates, len(candidates)):
        if len(taken) == EXISTING:
            break
        if all(slot[1] <= s or slot[0] >= e for s, e in taken):
            taken.append(slot)
    with world.scope():
        Booking.objects.bulk_create(Booking(municipality=world.town, resource=room.resource, starts_at=s, ends_at=e,
                                            label="既存") for s, e in taken)
    return room, start


def timings_ms(action: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return sorted(samples)


def p95(samples: list[float]) -> float:
    return samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def availability(world: World, runs: int) -> tuple[list[float], list[float], list[float], int, int]:
    from django.utils import timezone

    from yakuba.kernel.scheduling import calendar
    from yakuba.kernel.scheduling import services as scheduling
    from yakuba.kernel.scheduling.models import Booking
    from yakuba.reservations import services

    room, start = filled_room(world)
    days = [start + timedelta(days=offset) for offset in range(DAYS)]
    with world.scope():
        existing = Booking.objects.filter(resource=room.resource).count()
        free = sum(len(services.free_slots(room.resource, day)) for day in days)  # warm up, and a sanity figure
        per_day: list[float] = []
        totals: list[float] = []
        for _ in range(runs):
            started = time.perf_counter()
            for day in days:
                per_day.extend(timings_ms(lambda day=day: services.free_slots(room.resource, day), 1))
            totals.append((time.perf_counter() - started) * 1000)

        def at_once() -> dict[date, int]:
            first = timezone.make_aware(datetime.combine(start, clock(0)))
            busy = scheduling.busy(room.resource, first, first + timedelta(days=DAYS))
            return calendar.availability(services.rules_of(room.resource), start, DAYS, busy,
                                         now=timezone.now())

        whole = timings_ms(at_once, runs * 5)
    close_connections()
    return sorted(per_day), sorted(totals), whole, existing, free


# (d) a lottery draw ----------------------------------------------------------------------------------------------

def lottery_draw(world: World, runs: int) -> tuple[list[float], list[float], int, int, int, bool]:
    """Draw times (s) and verify times (s) of `runs` lotteries of APPLICANTS × 3 entries each; entries, winners and
    the evening slots on offer, of the last run."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from yakuba.kernel.accounts.models import Resident, Role, Staff
    from yakuba.reservations.services import lottery as lotteries

    with world.scope():
        users = get_user_model().objects.bulk_create(
            get_user_model()(email=f"lottery{n}@example.jp") for n in range(APPLICANTS))
        applicants = Resident.objects.bulk_create(
            Resident(municipality=world.town, user=user, family_name="抽選", given_name=str(n))
            for n, user in enumerate(users))
        staff = Staff.objects.filter(role=Role.ADMIN).first()
    draws, verifies = [], []
    entries = won = offered = 0
    verified = False
    for run in range(runs):
        rooms = [world.room(window_days=30), world.room(window_days=30)]
        now = timezone.now()
        first = timezone.localdate() + timedelta(days=40 + 40 * run)
        evenings = [(room, datetime.combine(first + timedelta(days=day), clock(hour), timezone.get_current_timezone()))
                    for room in rooms for day in range(30) for hour in (18, 19, 20)]
        offered = len(evenings)
        chooser = random.Random(run)
        with world.scope():
            lottery = lotteries.create_lottery(staff=staff, title=f"ベンチ抽選{run}", rooms=rooms,
                                               period_start=first, period_end=first + timedelta(days=29),
                                               opens_at=now - timedelta(hours=1), closes_at=now + timedelta(hours=1))
            for resident in applicants:
                for room, start in chooser.sample(evenings, 3):
                    lotteries.apply(lottery, resident, room=room, starts_at=start, ends_at=start + timedelta(hours=1),
                                    purpose="バレーボール", now=now)
            started = time.perf_counter()
            drawn = lotteries.draw(lottery, staff=staff, now=now + timedelta(hours=2))
            draws.append(time.perf_counter() - started)
            started = time.perf_counter()
            verified = lotteries.verify(drawn).ok
            verifies.append(time.perf_counter() - started)
            entries = len(drawn.log["steps"])
            won = sum(1 for step in drawn.log["steps"] if step["result"] == "won")
    close_connections()
    return draws, verifies, entries, won, offered, verified


# report ------------------------------------------------------------------------------------------------------------

def report(runs: int) -> None:
    from django.db import connection

    world = World()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), current_setting('max_connections')")
        version, max_connections = cursor.fetchone()
    close_connections()
    print(f"{version.split(',')[0]}, max_connections={max_connections}; database {connection.settings_dict['NAME']}")

    outcomes, retries, booked, wall = rush(world)
    print(f"\n(a) {ATTEMPTS} reserve_room attempts at once on {SLOTS} slots of one room, {THREADS_RUSH} threads "
          f"({retries} connects retried)")
    for outcome, count in outcomes.most_common():
        print(f"  {outcome:40} {count:5}")
    print(f"  bookings held by the room afterwards:    {booked:5}   (right answer: {SLOTS})")
    print(f"  wall time                                {wall:8.2f} s   ({ATTEMPTS / wall:.0f} attempts/s)")

    single, own, shared = world.room(), [world.room() for _ in range(THREADS)], world.room()
    kernel_room = world.room()
    slots = {room.pk: Slots() for room in (single, *own, shared, kernel_room)}
    residents = world.residents
    sequential = statistics.median(
        per_second(world, [(single, residents[0], slots[single.pk].take(PER_RUN))]) for _ in range(runs))
    threaded = statistics.median(
        per_second(world, [(room, residents[n], slots[room.pk].take(PER_RUN // THREADS))
                           for n, room in enumerate(own)]) for _ in range(runs))
    same_room = statistics.median(
        per_second(world, [(shared, residents[n], slots[shared.pk].take(PER_RUN // THREADS))
                           for n in range(THREADS)]) for _ in range(runs))
    kernel = statistics.median(per_second_kernel(world, kernel_room.resource, slots[kernel_room.pk])
                               for _ in range(runs))
    ceiling = statistics.median(per_second_bare_inserts() for _ in range(runs))
    close_connections()
    print(f"\n(b) reservations per second, distinct slots, {PER_RUN} per run, median of {runs} runs")
    for label, value in (("reserve_room, 1 thread", sequential),
                         (f"reserve_room, {THREADS} threads, a room each", threaded),
                         (f"reserve_room, {THREADS} threads, one room", same_room),
                         ("ceiling: scheduling.book, 1 thread", kernel)):
        print(f"  {label:40} {value:8.1f} /s   {value / ceiling:6.1%} of bare INSERT")
    print(f"  ceiling: bare INSERT + commit            {ceiling:8.1f} /s   (one connection, Booking-sized row,"
          " WAL-logged table)")

    draws, verifies, entries, won, offered, verified = lottery_draw(world, runs)
    draw = statistics.median(draws)
    print(f"\n(d) lottery draw: {APPLICANTS} applicants × 3 preferences = {entries} entries for {offered} evening "
          f"hours of 2 rooms; median of {runs} runs")
    print(f"  lottery.draw()                           {draw:8.2f} s   ({entries / draw:.1f} entries/s, {won} won)")
    print(f"  lottery.verify()                         {statistics.median(verifies):8.2f} s   "
          f"(log reproduced from the seed: {'yes' if verified else 'NO'})")
    print(f"  reference: reserve_room, 1 thread        {sequential:8.1f} /s   (a commit each; the draw places "
          f"entries {entries / draw / sequential:.1f}× as fast, in one transaction)")

    per_day, totals, whole, existing, free = availability(world, runs)
    print(f"\n(c) availability of one room over {DAYS} days holding {existing} bookings ({free} free 30-min starts), "
          f"{runs} runs (ms)")
    print("                                               median      p95")
    print(f"  services.free_slots, one day               {statistics.median(per_day):8.2f} {p95(per_day):8.2f}")
    print(f"  services.free_slots × {DAYS} days             {statistics.median(totals):8.1f} {p95(totals):8.1f}")
    print(f"  one busy() query + calendar.availability   {statistics.median(whole):8.1f} {p95(whole):8.1f}"
          f"   ({DAYS} days at once)")


if __name__ == "__main__":
    run_on_fresh_database("reservations_bench", report, int(sys.argv[1]) if len(sys.argv) > 1 else 3)

"""電子決裁 on PostgreSQL: 10 課 × 50 concurrent 決裁 (the last 課長 approval of each draft, which takes the 課's next
文書番号 and files the Record in one transaction), against a bare single-row counter in the same run, and route
building from the 事務決裁規程.

(a) Ceiling: the same number of transactions, each only `UPDATE counter SET n = n + 1 WHERE id = <課> RETURNING n`
    on one row per 課 (what numbering cannot do with less), from the same number of threads.
(b) 決裁: approve(課長) on 500 drafts waiting at the 課長 (50 per 課), THREADS at a time. Prints, per 課, the count of
    numbers, distinct numbers and whether they are 1..50 without a gap, the throughput and its ratio to (a) (goal
    ≥ 50 %). The signed PDF is a task after commit and is not part of this figure (see (c)).
(c) One 決裁済 PDF rendered and signed (WeasyPrint + pyHanko), seconds: the work the task does after commit.
(d) Route building for 1,000 drafts of varying amounts (rule lookup, the chain of posts, 合議, 不在): ms per route.

Run: .venv/bin/python bench/approvals_bench.py [threads]   (prints; never asserts)
     .venv/bin/python bench/approvals_bench.py profile     (one 決裁 transaction: its SQL, count and time, and
                                                            where its Python time goes; a small town, same setup)
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from pgdb import close_connections, run_on_fresh_database  # noqa: E402

DEPARTMENTS = 10
NAMES = ("総務課", "企画課", "住民課", "税務課", "福祉課", "保健課", "建設課", "会計課", "教育課", "農林課")
PER_DEPARTMENT = 50
SERIAL = 5  # more drafts per 課, decided one at a time after (b): the rate without any contention
ROUTES = 1000


def _setup() -> tuple[Any, list[Any], dict[int, Any]]:
    """A town with 10 課 (each: a clerk, a 係長, a 課長), the rules, and 50 drafts per 課 waiting at its 課長."""
    from django.contrib.auth.hashers import make_password
    from django_scopes import scope

    from yakuba.approvals.models import DecisionRule, DocumentClass, Matter, Post, Rank
    from yakuba.approvals.services import decide, drafts
    from yakuba.kernel.accounts.models import Department, Role, Staff, User
    from yakuba.kernel.tenancy.models import Municipality

    town = Municipality.objects.create(code="103829", name="下仁田町", name_kana="しもにたまち", prefecture="群馬県")
    password = make_password(None)
    waiting: list[Any] = []
    directors: dict[int, Any] = {}
    with scope(municipality=town):
        document_class = DocumentClass.objects.create(municipality=town, code="01", major="財務", name="支出負担行為",
                                                      retention=5)
        DecisionRule.objects.create(municipality=town, matter=Matter.EXPENDITURE, amount_up_to=1_000_000,
                                    decider_rank=Rank.DIRECTOR)
        DecisionRule.objects.create(municipality=town, matter=Matter.EXPENDITURE, decider_rank=Rank.DEPUTY_MAYOR)
        for index in range(DEPARTMENTS):
            department = Department.objects.create(municipality=town, name=NAMES[index], sort_order=index)
            people = []
            for role, word in ((Role.STAFF, "clerk"), (Role.STAFF, "chief"), (Role.APPROVER, "director")):
                user = User.objects.create(email=f"{word}{index}@bench.example.jp", password=password)
                people.append(Staff.objects.create(municipality=town, user=user, department=department, role=role,
                                                   family_name=word, given_name=str(index)))
            clerk, chief, director = people
            Post.objects.create(municipality=town, title=f"{NAMES[index]}係長", rank=Rank.CHIEF,
                                department=department, holder=chief)
            Post.objects.create(municipality=town, title=f"{NAMES[index]}長", rank=Rank.DIRECTOR,
                                department=department, holder=director)
            directors[department.pk] = director
            for n in range(PER_DEPARTMENT + SERIAL):
                draft = drafts.create_draft(clerk, drafts.DraftData(
                    title=f"消耗品の購入 {index}-{n}", body="購入してよろしいか伺います。",
                    document_class=document_class, matter=Matter.EXPENDITURE, amount=100_000 + n))
                decide.send(clerk, draft)
                decide.approve(chief, draft)
                waiting.append(draft)
        Post.objects.create(municipality=town, title="副町長", rank=Rank.DEPUTY_MAYOR)  # for the larger amounts
    return town, waiting, directors


def _interleaved(items: list[Any], key: Any) -> list[Any]:
    """One of each 課 in turn, so every 課's series is contended at the same time."""
    groups: dict[Any, list[Any]] = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    order = []
    while any(groups.values()):
        for values in groups.values():
            if values:
                order.append(values.pop(0))
    return order


def _run(jobs: list[Any], work: Any, threads: int) -> tuple[float, int]:
    """Run `work(job)` for every job on `threads` threads released together; seconds and failures."""
    barrier = threading.Barrier(threads)
    failures = [0]
    lock = threading.Lock()
    queue = list(jobs)

    def worker() -> None:
        barrier.wait()
        while True:
            with lock:
                if not queue:
                    break
                job = queue.pop()
            try:
                work(job)
            except Exception as error:  # noqa: BLE001 - counted and printed, the bench never stops on one
                with lock:
                    failures[0] += 1
                if failures[0] <= 3:
                    print("  failed:", type(error).__name__, str(error).splitlines()[0])
        close_connections()

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        for _ in range(threads):
            pool.submit(worker)
    return time.perf_counter() - started, failures[0]


def _counter_ceiling(threads: int) -> float:
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_counter (id integer PRIMARY KEY, n integer NOT NULL)")
        cursor.executemany("INSERT INTO bench_counter VALUES (%s, 0)", [(i,) for i in range(DEPARTMENTS)])
    jobs = [i % DEPARTMENTS for i in range(DEPARTMENTS * PER_DEPARTMENT)]

    def bump(row: int) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE bench_counter SET n = n + 1 WHERE id = %s RETURNING n", [row])
            cursor.fetchone()

    seconds, failures = _run(jobs, bump, threads)
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(n), max(n), sum(n) FROM bench_counter")
        low, high, total = cursor.fetchone()
    print(f"(a) bare counter: {len(jobs)} transactions in {seconds:.2f} s = {len(jobs) / seconds:.0f}/s "
          f"(rows end at {low}..{high}, total {total}, failures {failures})")
    return len(jobs) / seconds


def report(runs: int) -> None:
    threads = runs
    from django_scopes import scope

    from yakuba.approvals.models import Draft
    from yakuba.approvals.services import decide, routes, sheet
    from yakuba.kernel.files import signing

    started = time.perf_counter()
    town, waiting, directors = _setup()
    print(f"setup: {len(waiting)} drafts waiting at their 課長 in {time.perf_counter() - started:.1f} s; "
          f"{threads} threads")
    ceiling = _counter_ceiling(threads)

    def approve(draft: Any) -> None:
        with scope(municipality=town):
            decide.approve(directors[draft.department_id], Draft.objects.get(pk=draft.pk))

    by_department: dict[int, list[Any]] = defaultdict(list)
    for draft in waiting:
        by_department[draft.department_id].append(draft)
    concurrent = [d for drafts in by_department.values() for d in drafts[:PER_DEPARTMENT]]
    serial = [d for drafts in by_department.values() for d in drafts[PER_DEPARTMENT:]]
    seconds, failures = _run(_interleaved(concurrent, lambda d: d.department_id), approve, threads)
    rate = len(concurrent) / seconds
    print(f"(b) 決裁: {len(concurrent)} in {seconds:.2f} s = {rate:.1f}/s, ratio to the bare counter "
          f"{100 * rate / ceiling:.1f} % (failures {failures})")
    started = time.perf_counter()
    for draft in serial:
        approve(draft)
    alone = len(serial) / (time.perf_counter() - started)
    print(f"    the same 決裁 one at a time (no contention): {alone:.1f}/s — concurrent/serial "
          f"{rate / alone:.2f}: above 1 means the numbering lock does not serialise the 課")
    with scope(municipality=town):
        numbers: dict[int, list[int]] = defaultdict(list)
        for department_id, number in Draft.objects.filter(status="decided").values_list("department_id", "number"):
            match = re.search(r"第(\d+)号", number)
            numbers[department_id].append(int(match.group(1)) if match else -1)
        for department_id, taken in sorted(numbers.items()):
            gapless = sorted(taken) == list(range(1, len(taken) + 1))
            print(f"    課 {department_id}: {len(taken)} numbers, {len(set(taken))} distinct, "
                  f"{'1..' + str(max(taken)) + ' without a gap' if gapless else 'GAP OR DUPLICATE'}")
        decided = Draft.objects.filter(status="decided").select_related(
            "department__municipality", "document_class", "drafter", "record").first()
        if decided is not None:
            started = time.perf_counter()
            pdf = signing.sign(sheet.render(decided))
            print(f"(c) one 決裁済 PDF rendered and signed: {time.perf_counter() - started:.2f} s, {len(pdf)} bytes, "
                  f"validates: {signing.validate(pdf).ok}")
        clerk = waiting[0].drafter
        items = [routes.Matterish(department=waiting[0].department, drafter=clerk, matter="expenditure",
                                  document_class=waiting[0].document_class, amount=(i * 7919) % 2_000_000)
                 for i in range(ROUTES)]
        started = time.perf_counter()
        lengths = [len(routes.build_route(item).steps) for item in items]
        spent = time.perf_counter() - started
        print(f"(d) route building: {ROUTES} routes in {spent:.2f} s = {1000 * spent / ROUTES:.2f} ms per route "
              f"(steps: {min(lengths)}–{max(lengths)})")


def profile(runs: int) -> None:
    """The 決裁 of (b), one transaction at a time without contention: every query it sends (with its time), then
    cProfile's heaviest functions over `runs` 決裁."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scope

    from yakuba.approvals.models import Draft

    town, waiting, directors = _setup()
    one, rest = waiting[0], waiting[1:runs + 1]
    with scope(municipality=town):
        from yakuba.approvals.services import decide

        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            decide.approve(directors[one.department_id], Draft.objects.get(pk=one.pk))
            spent = time.perf_counter() - started
        sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
        print(f"one 決裁: {len(queries)} queries, {1000 * spent:.1f} ms in all, {sql_ms:.1f} ms waiting for SQL")
        for query in queries.captured_queries:
            print(f"  {float(query['time']) * 1000:5.1f} ms  {query['sql'][:150]}")
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for draft in rest:
            decide.approve(directors[draft.department_id], Draft.objects.get(pk=draft.pk))
        profiler.disable()
        print(f"{len(rest)} more 決裁 one at a time: {1000 * (time.perf_counter() - started) / len(rest):.1f} ms each "
              "(under cProfile)")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "profile":
        PER_DEPARTMENT, SERIAL = 5, 0
        run_on_fresh_database("approvals", profile, 40)
    else:
        run_on_fresh_database("approvals", report, int(sys.argv[1]) if len(sys.argv) > 1 else 50)

"""勤怠管理 on PostgreSQL: the month close of 300 staff × 22 working days with leave and overtime, against one SQL
aggregate over the same rows in the same run; and 300 clock-ins within one minute through the tablet view.

(a) Ceiling: one SQL statement summing the month's work periods, recorded overtime and approved leave per person
    (what the close cannot do with less reading).
(b) Month close: `month.close` of the 300 confirmed people (the close rows locked and flipped, the totals per person
    — 勤務日数, 時間外 by band 125/150 with the 60-hour line, 深夜, 休日, テレワーク, 休暇 by type — computed and
    kept). Prints seconds and the ratio (a)/(b) (goal ≥ 50 %). The year's public holidays (jpholiday, ~0.25 s) are
    computed before the clock starts, as a running server has them cached.
(c) Tablet: 300 POSTs to /attendance/kiosk/<token>/ with 300 staff numbers, paced over 60 seconds (one every
    0.2 s) from THREADS threads through the Django test client (the whole middleware stack, CSRF off as the test
    client does, once-tokens on): p50/p95/max latency in ms and the errors. `--fast` sends them without pacing.

Run: .venv/bin/python bench/attendance_bench.py [threads] [--fast]   (prints; never asserts)
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).parent))
from pgdb import close_connections, run_on_fresh_database  # noqa: E402

PEOPLE = 300
MONTH = date(2026, 6, 1)  # 22 working days, no public holiday
TOKYO = ZoneInfo("Asia/Tokyo")
FAST = "--fast" in sys.argv


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock_time(hour, minute), tzinfo=TOKYO)


def _setup() -> tuple[Any, list[Any], Any, list[Any]]:
    """A town, 10 課 of 30 people (a 所属長 each), 22 days of punches each, overtime on 8 days (3 hours, one 22:00+
    evening), a half day of 年休 and a day of 夏季休暇, and a 人事担当 of 総務課."""
    from django.contrib.auth.hashers import make_password
    from django_scopes import scope

    from yakuba.attendance.models import (
        LeaveRequest,
        LeaveType,
        Overtime,
        OvertimeState,
        StaffCard,
        Status,
        Unit,
        WorkPattern,
        WorkPeriod,
    )
    from yakuba.kernel.accounts.models import Department, Role, Staff, User
    from yakuba.kernel.tenancy.models import Municipality

    town = Municipality.objects.create(code="103829", name="下仁田町", name_kana="しもにたまち", prefecture="群馬県")
    password = make_password(None)
    days = [MONTH + timedelta(days=n) for n in range(30) if (MONTH + timedelta(days=n)).weekday() < 5]
    with scope(municipality=town):
        WorkPattern.objects.create(municipality=town, name="標準", starts=clock_time(8, 30), ends=clock_time(17, 15),
                                   is_default=True)
        annual = LeaveType.objects.create(municipality=town, code="annual", name="年次有給休暇", annual=True)
        summer = LeaveType.objects.create(municipality=town, code="summer", name="夏季休暇", sort_order=1)
        departments = [Department.objects.create(municipality=town, name=f"課{n}", sort_order=n) for n in range(10)]
        personnel_department = Department.objects.create(municipality=town, name="総務課", sort_order=99)
        users = User.objects.bulk_create([User(email=f"p{n}@bench.example.jp", password=password)
                                          for n in range(PEOPLE + 11)])
        people = Staff.objects.bulk_create([Staff(municipality=town, user=users[n], department=departments[n % 10],
                                                  family_name="職員", given_name=str(n)) for n in range(PEOPLE)])
        heads = Staff.objects.bulk_create([Staff(municipality=town, user=users[PEOPLE + n], department=departments[n],
                                                 role=Role.APPROVER, family_name="課長", given_name=str(n))
                                           for n in range(10)])
        personnel = Staff.objects.create(municipality=town, user=users[-1], department=personnel_department,
                                         role=Role.APPROVER, family_name="総務", given_name="課長")
        StaffCard.objects.bulk_create([StaffCard(municipality=town, staff=person, number=f"{n + 1:06d}")
                                       for n, person in enumerate(people)])
        periods, overtime, leave = [], [], []
        for person in people:
            for index, day in enumerate(days):
                late = index < 8
                periods.append(WorkPeriod(municipality=town, staff=person, day=day, started_at=_at(day, 8, 25),
                                          ended_at=_at(day, 22, 30) if index == 0 else _at(day, 20, 20) if late
                                          else _at(day, 17, 20), place="telework" if index % 5 == 4 else "office"))
                if late:
                    end = _at(day, 22, 15) if index == 0 else _at(day, 20, 15)
                    overtime.append(Overtime(municipality=town, staff=person, day=day, planned_start=_at(day, 17, 15),
                                             planned_end=end, work="集計", state=OvertimeState.RECORDED,
                                             actual_start=_at(day, 17, 15), actual_end=end,
                                             minutes=int((end - _at(day, 17, 15)).total_seconds() // 60)))
            leave.append(LeaveRequest(municipality=town, staff=person, leave_type=annual, unit=Unit.PM,
                                      first_day=days[10], last_day=days[10], minutes=232, status=Status.APPROVED))
            leave.append(LeaveRequest(municipality=town, staff=person, leave_type=summer, first_day=days[12],
                                      last_day=days[12], minutes=465, status=Status.APPROVED))
        WorkPeriod.objects.bulk_create(periods, batch_size=2000)
        Overtime.objects.bulk_create(overtime, batch_size=2000)
        LeaveRequest.objects.bulk_create(leave, batch_size=2000)
        print(f"rows: {len(periods)} work periods, {len(overtime)} overtime, {len(leave)} leave; "
              f"{len(people)} people × {len(days)} working days")
    return town, people, personnel, heads


AGGREGATE = """
SELECT s.id,
  (SELECT count(DISTINCT p.day) FROM attendance_workperiod p WHERE p.staff_id = s.id AND p.day >= %s AND p.day < %s),
  (SELECT coalesce(sum(extract(epoch FROM p.ended_at - p.started_at)), 0) / 60 FROM attendance_workperiod p
     WHERE p.staff_id = s.id AND p.day >= %s AND p.day < %s),
  (SELECT coalesce(sum(o.minutes), 0) FROM attendance_overtime o
     WHERE o.staff_id = s.id AND o.day >= %s AND o.day < %s AND o.state = 'recorded'),
  (SELECT coalesce(sum(l.minutes), 0) FROM attendance_leaverequest l
     WHERE l.staff_id = s.id AND l.first_day < %s AND l.last_day >= %s AND l.status = 'approved')
FROM accounts_staff s WHERE s.municipality_id = %s
"""


def _aggregate(town: Any) -> tuple[float, int]:
    from django.db import connection

    end = date(2026, 7, 1)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(AGGREGATE, [MONTH, end, MONTH, end, MONTH, end, end, MONTH, town.pk])
        rows = cursor.fetchall()
    return time.perf_counter() - started, len(rows)


def _close(town: Any, people: list[Any], personnel: Any, heads: list[Any]) -> tuple[float, list[Any]]:
    from django.utils import timezone
    from django_scopes import scope

    from yakuba.attendance.models import MonthClose
    from yakuba.attendance.services import month
    from yakuba.kernel.scheduling.calendar import holiday_name

    with scope(municipality=town):
        MonthClose.objects.bulk_create([MonthClose(municipality=town, staff=person, month=MONTH,
                                                   confirmed_by=heads[n % 10], confirmed_at=timezone.now())
                                        for n, person in enumerate(people)])
        holiday_name(MONTH)  # the year's public holidays, computed once per process as in a running server
        started = time.perf_counter()
        rows = month.close(personnel, MONTH)
        return time.perf_counter() - started, rows


def _tablet(town: Any, people: list[Any], threads: int) -> None:
    from django.test import Client
    from django_scopes import scope

    from yakuba.attendance.models import Device, WorkPeriod

    with scope(municipality=town):  # June is closed now; the clock-ins are today's
        device = Device.objects.create(municipality=town, name="玄関")
    url = f"/t/10382/attendance/kiosk/{device.token}/"
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = time.perf_counter()
    local = threading.local()

    def punch(n: int) -> None:
        if not FAST:
            delay = start + n * 60 / PEOPLE - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        client = getattr(local, "client", None) or Client()
        local.client = client
        began = time.perf_counter()
        response = client.post(url, {"code": f"{n + 1:06d}", "_once": f"bench-once-{n:06d}-xxxxxxxxxxxx"})
        spent = (time.perf_counter() - began) * 1000
        with lock:
            latencies.append(spent)
            if response.status_code != 302:
                errors.append(f"{response.status_code}")

    def run(n: int) -> None:
        try:
            punch(n)
        finally:
            close_connections()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(run, range(PEOPLE)))
    wall = time.perf_counter() - start
    with scope(municipality=town):
        opened = WorkPeriod.objects.filter(ended_at__isnull=True).count()
    ordered = sorted(latencies)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(f"(c) tablet: {PEOPLE} clock-ins {'as fast as possible' if FAST else 'paced over 60 s'} from {threads} "
          f"threads in {wall:.1f} s: p50 {statistics.median(ordered):.0f} ms, p95 {p95:.0f} ms, "
          f"max {ordered[-1]:.0f} ms; errors {len(errors)} {sorted(set(errors))}; open periods {opened}")


def report(threads: int) -> None:
    import yakuba.kernel.ui.once  # noqa: F401  (the test client needs the app registry ready, as it is)

    town, people, personnel, heads = _setup()
    ceiling, counted = _aggregate(town)
    print(f"(a) one SQL aggregate over the month's rows: {counted} people in {ceiling * 1000:.0f} ms")
    spent, rows = _close(town, people, personnel, heads)
    sample = rows[0].totals
    print(f"(b) month close of {len(rows)} people: {spent * 1000:.0f} ms; (a)/(b) = {100 * ceiling / spent:.0f} % "
          f"(goal ≥ 50 %); first person's totals: {sample}")
    close_connections()
    _tablet(town, people, threads)


if __name__ == "__main__":
    run_on_fresh_database("attendance", report, int(next((a for a in sys.argv[1:] if a.isdigit()), "8")))

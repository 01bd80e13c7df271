"""Calendar cost: free-slot counts per day for one facility over 90 days (9:00–21:00 daily, 30-minute slots,
holidays and 年末年始 closed) with ~2,000 busy entries, as the month calendar asks for them.

Cases: an exclusive room (capacity 1, 10-minute buffer, 30-minute slots), the same room asked for 2-hour slots,
and a 30-seat class. Each prints median and p95 of the runs, against two plain-Python references measured in the
same run on the same slots and entries:
  touch-once   one comparison per candidate slot plus one per busy entry, and sorting the entries once: the least
               work any exact answer needs (each entry must be read, each slot decided), so the ceiling to compare
               with;
  nested S×B   every slot against every busy entry, one comparison each: what the sweep avoids (fewer runs).

Run: .venv/bin/python bench/scheduling_bench.py [runs]   (prints figures; never asserts)
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

DAYS = 90
BUSY = 2000
START = date(2026, 12, 1)  # crosses 年末年始, 元日, 成人の日 and 建国記念の日


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yakuba.settings")
    import django

    django.setup()


def timings_ms(action: Callable[[], object], runs: int) -> list[float]:
    for _ in range(2):
        action()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]


def busy_entries(tokyo: Any) -> list[tuple[datetime, datetime, int]]:
    """2,000 bookings on 30-minute starts in opening hours, 30 min to 3 h long, 1–4 seats (seeded)."""
    rng = random.Random(4)
    entries = []
    for _ in range(BUSY):
        day = START + timedelta(days=rng.randrange(DAYS))
        start = datetime(day.year, day.month, day.day, 9, tzinfo=tokyo) + timedelta(minutes=30 * rng.randrange(23))
        entries.append((start, start + timedelta(minutes=30 * rng.randint(1, 6)), rng.randint(1, 4)))
    return entries


def references(candidates: list[tuple[datetime, datetime]], busy: list[tuple[datetime, datetime, int]],
               runs: int) -> tuple[list[float], list[float]]:
    def touch_once() -> int:
        ordered = sorted(busy)
        hits = 0
        for start, end in candidates:
            if start < end:
                hits += 1
        for start, end, _seats in ordered:
            if start < end:
                hits += 1
        return hits

    def nested() -> int:
        hits = 0
        for start, end in candidates:
            for busy_start, busy_end, _seats in busy:
                if busy_start < end and start < busy_end:
                    hits += 1
        return hits

    return timings_ms(touch_once, runs), timings_ms(nested, max(3, runs // 10))


def main(runs: int) -> None:
    setup()
    from yakuba.kernel.scheduling.calendar import TOKYO, Rules, availability, opening_hours, slots

    days_open = (("09:00", "21:00"),)
    rules = Rules.from_dict({"hours": {key: [list(pair) for pair in days_open]
                                       for key in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
                             "slot_minutes": 30, "min_length_minutes": 30, "max_length_minutes": 240,
                             "buffer_minutes": 10, "window_days": 90})
    busy = busy_entries(TOKYO)
    days = [START + timedelta(days=offset) for offset in range(DAYS)]
    open_days = sum(1 for day in days if opening_hours(rules, day))
    cases: list[tuple[str, dict[str, Any]]] = [
        ("room, capacity 1, buffer 10 min, 30-min slots", {"capacity": 1}),
        ("room, capacity 1, buffer 10 min, 2-hour slots", {"capacity": 1, "length": timedelta(hours=2)}),
        ("class, 30 seats, 30-min slots", {"capacity": 30}),
    ]
    print(f"{DAYS} days from {START} ({open_days} open), 9:00–21:00, {len(busy)} busy entries, "
          f"median / p95 of {runs} runs (ms)")
    for label, options in cases:
        length = options.get("length")
        candidates = [pair for day in days for pair in slots(rules, day, length=length)]
        counts = availability(rules, START, DAYS, busy, **options)
        measured = timings_ms(lambda options=options: availability(rules, START, DAYS, busy, **options), runs)
        touch, nested = references(candidates, busy, runs)
        median = statistics.median(measured)
        print(f"  {label}: {len(candidates)} candidate slots, {sum(counts.values())} free")
        print(f"    availability   median {median:7.2f}   p95 {p95(measured):7.2f}")
        print(f"    touch-once     median {statistics.median(touch):7.2f}   p95 {p95(touch):7.2f}"
              f"   availability / touch-once {median / statistics.median(touch):5.1f}x")
        print(f"    nested S×B     median {statistics.median(nested):7.2f}   ({len(nested)} runs)"
              f"   nested / availability {statistics.median(nested) / median:5.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)

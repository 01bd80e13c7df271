"""手数料 schedules: each shape's amount for given answers, bad schedules refused, the demo's all well formed."""

from __future__ import annotations

import pytest

from yakuba.applications import fees
from yakuba.applications.demo.catalogue import PROCEDURES

CERTIFICATES = {"choice": "certificates", "per": "count", "yen": {"juminhyo": 300, "koseki": 450}}


@pytest.mark.parametrize(("schedule", "answers", "expected"), [
    ({}, {}, None),
    ({"yen": 0}, {}, 0),
    ({"yen": 3000}, {"count": 5}, 3000),
    ({"yen": 300, "per": "count"}, {"count": 3}, 900),
    ({"yen": 300, "per": "count"}, {"count": None}, None),  # not answered: no amount rather than a wrong one
    (CERTIFICATES, {"certificates": ["juminhyo", "koseki"], "count": 2}, 1500),
    (CERTIFICATES, {"certificates": [], "count": 2}, 0),
    (CERTIFICATES, {"certificates": ["unknown"], "count": 1}, None),
    ({"choice": "kind", "yen": {"a": 100, "b": 200}}, {"kind": "b"}, 200),
])
def test_amount(schedule, answers, expected):
    fees.check_schedule(schedule)
    assert fees.amount(schedule, answers) == expected


@pytest.mark.parametrize("schedule", [
    [], {"yen": -1}, {"yen": "300"}, {"yen": True}, {"yen": 300, "per": 2}, {"price": 300},
    {"choice": "kind", "yen": 300}, {"choice": "kind", "yen": {"a": "100"}},
])
def test_bad_schedules_are_refused(schedule):
    with pytest.raises(fees.ScheduleError):
        fees.check_schedule(schedule)


def test_total_knows_free_from_unknown():
    assert fees.total([0, 0]).free
    assert not fees.total([0, None]).free and fees.total([0, None]).unknown
    assert fees.total([300, None, 3000]).yen == 3300


def test_the_demo_schedules_are_well_formed():
    for procedure in PROCEDURES:
        fees.check_schedule(procedure.fee_schedule)
    juminhyo = next(p for p in PROCEDURES if p.slug == "juminhyo-yuso")
    # 300円 for one 住民票の写し and 110円 郵送料 (a postal request)
    assert fees.amount(juminhyo.fee_schedule, {"certificates": ["juminhyo_all"], "count": 1}) == 410

"""手数料: how much a procedure costs for given answers, from the procedure's `fee_schedule`.

A schedule is a small dict (kept on the procedure, set by the demo loader or an administrator):

- ``{}``: not set. The amount is not known here; the counter says staff will tell the resident.
- ``{"yen": 0}``: free. ``{"yen": 3000}``: a fixed amount per application.
- ``{"yen": 300, "per": "count"}``: per unit, times the answer to the number field ``count``.
- ``{"choice": "certificates", "yen": {"juminhyo": 300, "koseki": 450}, "per": "count"}``: the sum of the prices
  of the choices ticked in ``certificates`` (a choice or multi_choice field), times ``count`` when given.

Any of these may add ``"postage": 110`` (郵送料, once per application): a postal request (住民票の写しの郵送請求),
which residents pay online after submitting (kernel.payments) before the certificate is mailed.

An answer the schedule needs that is missing or not a number gives no amount, rather than a wrong one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


class ScheduleError(ValueError):
    """A fee schedule that does not have one of the shapes above."""


def check_schedule(schedule: Any) -> None:
    """Raise ScheduleError unless `schedule` has one of the documented shapes."""
    if not isinstance(schedule, dict):
        raise ScheduleError("a fee schedule is a JSON object")
    if not schedule:
        return
    unknown = set(schedule) - {"yen", "per", "choice", "postage"}
    if unknown:
        raise ScheduleError(f"unknown keys: {', '.join(sorted(unknown))}")
    yen = schedule.get("yen")
    if "choice" in schedule:
        if not isinstance(schedule["choice"], str) or not isinstance(yen, dict) or not all(
                isinstance(k, str) and _is_amount(v) for k, v in yen.items()):
            raise ScheduleError('"choice" needs "yen" as {choice value: amount}')
    elif not _is_amount(yen):
        raise ScheduleError('"yen" must be a whole number of yen, 0 or more')
    if "per" in schedule and not isinstance(schedule["per"], str):
        raise ScheduleError('"per" names a number field')
    if "postage" in schedule and not _is_amount(schedule["postage"]):
        raise ScheduleError('"postage" must be a whole number of yen, 0 or more')


def _is_amount(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def amount(schedule: Mapping[str, Any], answers: Mapping[str, Any]) -> int | None:
    """The fee in yen for these (cleaned) answers; None when the schedule is not set or cannot tell."""
    if not schedule:
        return None
    if "choice" in schedule:
        prices: Mapping[str, int] = schedule["yen"]
        chosen = answers.get(schedule["choice"])
        values = chosen if isinstance(chosen, list) else [] if chosen in (None, "") else [chosen]
        if any(value not in prices for value in values):
            return None
        yen = sum(prices[value] for value in values)
    else:
        yen = int(schedule["yen"])
    if "per" in schedule:
        count = answers.get(schedule["per"])
        if not isinstance(count, int) or not _is_amount(count):
            return None
        yen *= count
    return yen + int(schedule.get("postage", 0))


def postage(schedule: Mapping[str, Any]) -> int:
    """郵送料 of a postal request (0 when the procedure is not one)."""
    return int(schedule.get("postage", 0)) if schedule else 0


@dataclass(frozen=True)
class Total:
    """The fees of several procedures: the known sum, and whether any amount is left for staff to tell."""

    yen: int
    unknown: bool

    @property
    def free(self) -> bool:
        return self.yen == 0 and not self.unknown


def total(amounts: Iterable[int | None]) -> Total:
    known = list(amounts)
    return Total(sum(a for a in known if a is not None), any(a is None for a in known))

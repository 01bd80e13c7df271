"""手数料: how much a procedure costs for given answers, from the procedure's `fee_schedule`.

A schedule is a small dict (kept on the procedure, set by the demo loader or an administrator):

- ``{}``: not set. The amount is not known here; the counter says staff will tell the resident.
- ``{"yen": 0}``: free. ``{"yen": 3000}``: a fixed amount per application.
- ``{"yen": 300, "per": "count"}``: per unit, times the answer to the number field ``count``.
- ``{"choice": "certificates", "yen": {"juminhyo": 300, "koseki": 450}, "per": "count"}``: the sum of the prices
  of the choices ticked in ``certificates`` (a choice or multi_choice field), times ``count`` when given.

Any of these may add ``"postage": 110`` (郵送料, once per application): a postal request (住民票の写しの郵送請求),
which residents pay online after submitting (kernel.payments) before the certificate is mailed.

With ``"group": "items"`` the choice and number fields are the items of the repeated group ``items`` (くり返し入力),
and the fee is the sum over its rows: ``{"group": "items", "choice": "item", "yen": {"sofa": 1000}, "per":
"quantity"}`` charges each row's price times its quantity (粗大ごみ: several items, each with its own 手数料).

``"online": true`` makes the fee payable online after submitting; without the key, a postal request (with
``"postage"``) is, as before the key existed, and ``"online": false`` keeps a postal request paid by 定額小為替.
``"tickets": true`` (only with ``"online"``) issues a 処理券番号 per unit once paid (粗大ごみ処理券: a number the
resident writes on each item instead of buying a sticker at a shop); the units are the number field's answer, or
the options chosen, or 1, summed over the group's rows.
``"revenue": "13-02-03"`` books the fee under that 歳入科目 in the 収納 report instead of the 申請の手数料's (a code
registered with kernel.payments.register_revenue: 粗大ごみ is a 衛生手数料, not a 戸籍住民基本台帳手数料).

An answer the schedule needs that is missing or not a number gives no amount, rather than a wrong one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

KEYS = frozenset({"yen", "per", "choice", "postage", "group", "online", "tickets", "revenue"})


class ScheduleError(ValueError):
    """A fee schedule that does not have one of the shapes above."""


def check_schedule(schedule: Any) -> None:
    """Raise ScheduleError unless `schedule` has one of the documented shapes."""
    if not isinstance(schedule, dict):
        raise ScheduleError("a fee schedule is a JSON object")
    if not schedule:
        return
    unknown = set(schedule) - KEYS
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
    _check_extras(schedule)


def _check_extras(schedule: dict[str, Any]) -> None:
    """The keys added to any shape: postage, group, online, tickets."""
    if "postage" in schedule and not _is_amount(schedule["postage"]):
        raise ScheduleError('"postage" must be a whole number of yen, 0 or more')
    if "group" in schedule and not isinstance(schedule["group"], str):
        raise ScheduleError('"group" names a repeated group field')
    if "group" in schedule and "choice" not in schedule and "per" not in schedule:
        raise ScheduleError('"group" needs "choice" or "per" inside the group')
    for flag in ("online", "tickets"):
        if flag in schedule and not isinstance(schedule[flag], bool):
            raise ScheduleError(f'"{flag}" is true or false')
    if schedule.get("tickets") and not payable_online(schedule):
        raise ScheduleError('"tickets" needs "online": 処理券 numbers are given once paid online')
    if "revenue" in schedule and not (isinstance(schedule["revenue"], str) and schedule["revenue"]):
        raise ScheduleError('"revenue" is a 歳入科目 code such as "13-02-03"')


def fields(schedule: Mapping[str, Any]) -> list[str]:
    """The form fields the schedule reads: ["items", "items.item", "items.quantity"] (group items dotted)."""
    group = schedule.get("group")
    named = [schedule[key] for key in ("choice", "per") if isinstance(schedule.get(key), str)]
    return [group, *(f"{group}.{name}" for name in named)] if isinstance(group, str) else named


def payable_online(schedule: Mapping[str, Any]) -> bool:
    """Whether residents pay this fee online after submitting: as "online" says, else when it is a postal request
    (schedules written before "online" existed)."""
    if not schedule:
        return False
    return bool(schedule["online"]) if "online" in schedule else "postage" in schedule


def _is_amount(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def amount(schedule: Mapping[str, Any], answers: Mapping[str, Any]) -> int | None:
    """The fee in yen for these (cleaned) answers; None when the schedule is not set or cannot tell."""
    if not schedule:
        return None
    if "group" in schedule:
        rows = _rows(schedule, answers)
        each = [_one(schedule, row) for row in rows or []]
        if rows is None or any(yen is None for yen in each):
            return None
        return sum(yen for yen in each if yen is not None) + int(schedule.get("postage", 0))
    yen = _one(schedule, answers)
    return None if yen is None else yen + int(schedule.get("postage", 0))


def units(schedule: Mapping[str, Any], answers: Mapping[str, Any]) -> int:
    """How many units the fee is for (the 処理券 to issue): the number field's answer, else the options chosen,
    else 1, summed over the group's rows; 0 when the answers do not tell."""
    rows = _rows(schedule, answers) if "group" in schedule else [answers]
    total = 0
    for row in rows or []:
        if "per" in schedule:
            count = row.get(schedule["per"])
            total += count if isinstance(count, int) and _is_amount(count) else 0
        elif "choice" in schedule:
            chosen = row.get(schedule["choice"])
            total += len(chosen) if isinstance(chosen, list) else 0 if chosen in (None, "") else 1
        else:
            total += 1
    return total


def items(schedule: Mapping[str, Any], answers: Mapping[str, Any]) -> list[tuple[str, int, int]]:
    """The 内訳 of a per-choice fee without postage, for the 領収書: (option value, count, yen) per option chosen
    (per row of the group); [] for other shapes or when the answers do not give an amount."""
    if "choice" not in schedule or amount(schedule, answers) is None:
        return []
    rows = _rows(schedule, answers) if "group" in schedule else [answers]
    found = []
    for row in rows or []:
        chosen = row.get(schedule["choice"])
        count = row.get(schedule["per"]) if "per" in schedule else 1
        values = chosen if isinstance(chosen, list) else [] if chosen in (None, "") else [chosen]
        found += [(str(value), int(count), schedule["yen"][value] * int(count)) for value in values if count]
    return found


def _rows(schedule: Mapping[str, Any], answers: Mapping[str, Any]) -> list[Mapping[str, Any]] | None:
    rows = answers.get(schedule["group"])
    if not isinstance(rows, list) or not all(isinstance(row, Mapping) for row in rows):
        return None
    return rows


def _one(schedule: Mapping[str, Any], answers: Mapping[str, Any]) -> int | None:
    """The fee for one set of answers (the whole form, or one row of the group), without postage."""
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
    return yen


def describe(schedule: Mapping[str, Any], labels: Mapping[str, str]) -> list[str]:
    """The schedule in the resident's words, one line each (「自転車: 500円」); [] when not set. `labels` names the
    questions and options it reads: {"items.quantity": "数量", "items.item=bicycle": "自転車"} (fee_editor.labels)."""
    if not schedule:
        return []
    group = f"{schedule['group']}." if isinstance(schedule.get("group"), str) else ""
    per = labels.get(group + schedule["per"], schedule["per"]) if "per" in schedule else ""
    if "choice" in schedule:
        key = group + schedule["choice"]
        order = list(labels)  # the form's order of options (labels are built from it)
        prices = sorted(schedule["yen"].items(), key=lambda pair: (
            order.index(f"{key}={pair[0]}") if f"{key}={pair[0]}" in labels else len(order), pair[0]))
        lines = [_("%(option)s: %(yen)s円") % {"option": labels.get(f"{key}={value}", value), "yen": f"{yen:,}"}
                 for value, yen in prices]
        if per:
            lines.append(_("それぞれ「%(field)s」の数を掛けた金額です。") % {"field": per})
    elif per:
        lines = [_("「%(field)s」1つにつき %(yen)s円") % {"field": per, "yen": f"{schedule['yen']:,}"}]
    elif schedule["yen"] == 0:
        lines = [_("無料")]
    else:
        lines = [_("1件 %(yen)s円") % {"yen": f"{schedule['yen']:,}"}]
    if schedule.get("postage"):
        lines.append(_("郵送料 %(yen)s円") % {"yen": f"{schedule['postage']:,}"})
    return lines


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

"""休暇: balances of 年次有給休暇 (granted + carried over − taken and asked for), requests by day, half day or hour
(with the yearly hour cap), approval by the 所属長, cancellation; and the 年5日取得 obligation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Staff
from yakuba.kernel.refusal import Refused

from ..models import OPEN_STATUSES, LeaveGrant, LeaveRequest, LeaveType, Status, Unit
from . import rules


@dataclass(frozen=True)
class Balance:
    """年休 of one leave year, in minutes (a day = `day_minutes`)."""

    grant: LeaveGrant
    day_minutes: int
    granted: int
    taken: int  # approved
    waiting: int  # asked for, not yet decided
    hours_taken: int  # of which by the hour (approved or waiting)

    @property
    def remaining(self) -> int:
        return self.granted - self.taken - self.waiting

    def days(self, minutes: int) -> Decimal:
        return (Decimal(minutes) / Decimal(self.day_minutes)).quantize(Decimal("0.01"))

    @property
    def remaining_text(self) -> str:
        """e.g. 「12日と3時間45分」, 「24日と半日」."""
        whole, rest = divmod(max(self.remaining, 0), self.day_minutes)
        hours, minutes = divmod(rest, 60)
        text = _("%(days)d日") % {"days": whole}
        if abs(rest * 2 - self.day_minutes) <= 1:  # a half day of an odd number of minutes rounds either way
            text += _("と半日")
        elif rest:
            text += _("と%(h)d時間%(m)02d分") % {"h": hours, "m": minutes}
        return text


def annual_type() -> LeaveType | None:
    return LeaveType.objects.filter(annual=True).first()


def grant_on(staff: Staff, day: date) -> LeaveGrant | None:
    return LeaveGrant.objects.filter(staff=staff, valid_from__lte=day, valid_until__gt=day).first()


def balance(staff: Staff, day: date | None = None) -> Balance | None:
    """The 年休 balance of the leave year `day` falls in (today's by default), None without a grant."""
    grant = grant_on(staff, day or timezone.localdate())
    if grant is None:
        return None
    day_minutes = rules.day_minutes(staff, grant.valid_from)
    rows = LeaveRequest.objects.filter(staff=staff, leave_type__annual=True, first_day__gte=grant.valid_from,
                                       first_day__lt=grant.valid_until)
    sums = rows.aggregate(taken=Sum("minutes", filter=Q(status=Status.APPROVED)),
                          waiting=Sum("minutes", filter=Q(status=Status.REQUESTED)),
                          hours=Sum("minutes", filter=Q(unit=Unit.HOURS, status__in=OPEN_STATUSES)))
    granted = int((grant.days + grant.carried_days) * day_minutes)
    return Balance(grant, day_minutes, granted, sums["taken"] or 0, sums["waiting"] or 0, sums["hours"] or 0)


@transaction.atomic
def grant_annual(actor: Staff | None, staff: Staff, *, valid_from: date, days: Decimal | int) -> LeaveGrant:
    """年休を付与する for the leave year from `valid_from` (one year), carrying over what is left of the year
    before, at most the town's limit (default 20 days)."""
    after = valid_from + timedelta(days=1)  # a grant on 2月29日 runs to 2月28日 of the next year
    valid_until = after.replace(year=after.year + 1) - timedelta(days=1)
    previous = balance(staff, valid_from - timedelta(days=1))
    limit = Decimal(rules.option(staff.municipality, "carry_over_limit_days"))
    carried = Decimal(0)
    if previous is not None and previous.remaining > 0:
        carried = min(previous.days(previous.remaining), limit, previous.grant.days)
    grant, _created = LeaveGrant.objects.update_or_create(
        staff=staff, valid_from=valid_from, defaults={"municipality": staff.municipality,
                                                      "valid_until": valid_until, "days": Decimal(days),
                                                      "carried_days": carried})
    rules.audit("leave.granted", actor, grant, staff=staff.pk, days=str(days), carried=str(carried))
    return grant


@dataclass(frozen=True)
class Ask:
    """What a leave request asks for (from the form)."""

    leave_type: LeaveType
    unit: str
    first_day: date
    last_day: date | None = None
    starts: time | None = None
    ends: time | None = None
    reason: str = ""


def _interval(staff: Staff, unit: str, day: date, starts: time | None, ends: time | None) -> tuple[int, int]:
    """The part of `day` a request covers, in minutes from midnight."""
    pattern = rules.pattern_for(staff, day)
    begin = pattern.starts.hour * 60 + pattern.starts.minute if pattern else 8 * 60 + 30
    finish = pattern.ends.hour * 60 + pattern.ends.minute if pattern else 17 * 60 + 15
    middle = (begin + finish) // 2
    if unit == Unit.AM:
        return begin, middle
    if unit == Unit.PM:
        return middle, finish
    if unit == Unit.HOURS and starts and ends:
        return starts.hour * 60 + starts.minute, ends.hour * 60 + ends.minute
    return 0, 24 * 60


def _minutes(staff: Staff, ask: Ask, last: date) -> int:
    if ask.unit == Unit.DAY:
        return sum(rules.day_minutes(staff, day) for day in rules.working_days(staff, ask.first_day, last))
    if ask.unit == Unit.HOURS:
        begin, end = _interval(staff, ask.unit, ask.first_day, ask.starts, ask.ends)
        return end - begin
    return rules.day_minutes(staff, ask.first_day) // 2


def _shape_errors(ask: Ask, last: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if ask.unit not in Unit.values:
        errors["unit"] = _("単位を選んでください。")
    if last < ask.first_day:
        errors["last_day"] = _("最終日は初日より後の日にしてください。")
    if ask.unit != Unit.DAY and last != ask.first_day:
        errors["last_day"] = _("半日・時間単位の休暇は1日ずつ申請してください。")
    if ask.unit == Unit.HOURS:
        if ask.starts is None or ask.ends is None or ask.ends <= ask.starts:
            errors["ends"] = _("時間単位の休暇は、開始と終了の時刻（終了は開始より後）を入力してください。")
        elif (ask.ends.hour * 60 + ask.ends.minute - ask.starts.hour * 60 - ask.starts.minute) % 60:
            errors["ends"] = _("時間単位の休暇は1時間単位で申請してください。")
    if ask.unit != Unit.DAY and not ask.leave_type.annual:
        errors["unit"] = _("半日・時間単位で取れるのは年次有給休暇だけです。")
    return errors


def _overlaps(staff: Staff, ask: Ask, last: date, *, besides: int | None = None) -> bool:
    rows = LeaveRequest.objects.filter(staff=staff, status__in=OPEN_STATUSES, first_day__lte=last,
                                       last_day__gte=ask.first_day).exclude(pk=besides or 0)
    mine = _interval(staff, ask.unit, ask.first_day, ask.starts, ask.ends)
    for other in rows:
        theirs = _interval(staff, other.unit, other.first_day, other.starts, other.ends)
        if ask.unit == Unit.DAY or other.unit == Unit.DAY or (mine[0] < theirs[1] and theirs[0] < mine[1]):
            return True
    return False


def _check_balance(staff: Staff, ask: Ask, minutes: int) -> None:
    current = balance(staff, ask.first_day)
    if current is None:
        raise Refused(_("この日の年次有給休暇が付与されていません。総務課に問い合わせてください。"))
    if minutes > current.remaining:
        raise Refused(_("年次有給休暇の残りが足りません（残り%(left)s）。") % {"left": current.remaining_text})
    if ask.unit == Unit.HOURS:
        cap = int(rules.option(staff.municipality, "hourly_leave_cap_days")) * current.day_minutes
        if current.hours_taken + minutes > cap:
            raise Refused(_("時間単位の年次有給休暇は、1年に%(days)d日分までです。") % {
                "days": int(rules.option(staff.municipality, "hourly_leave_cap_days"))})


@transaction.atomic
def request_leave(staff: Staff, ask: Ask) -> LeaveRequest:
    """休暇を申請する. Refused beyond the balance (or the hour cap), on a day that is not a working day, over
    another request, or in a closed month."""
    last = ask.last_day or ask.first_day
    errors = _shape_errors(ask, last)
    if errors:
        raise Refused(errors)
    staff = rules.lock(staff)
    for day in {ask.first_day, last}:
        reason = rules.closed_reason(staff, day)
        if reason:
            raise Refused({"first_day" if day == ask.first_day else "last_day":
                           _("%(day)sは休日（%(reason)s）のため、休暇は要りません。") % {
                               "day": f"{day.month}月{day.day}日", "reason": reason}})
    rules.refuse_closed(staff, ask.first_day, last)
    if _overlaps(staff, ask, last):
        raise Refused(_("この日時にはすでに休暇を申請しています。"))
    minutes = _minutes(staff, ask, last)
    if ask.leave_type.annual:
        _check_balance(staff, ask, minutes)
    leave = LeaveRequest.objects.create(
        municipality=staff.municipality, staff=staff, leave_type=ask.leave_type, unit=ask.unit,
        first_day=ask.first_day, last_day=last, starts=ask.starts if ask.unit == Unit.HOURS else None,
        ends=ask.ends if ask.unit == Unit.HOURS else None, minutes=minutes, reason=ask.reason.strip())
    rules.audit("leave.requested", staff, leave, type=ask.leave_type.code, unit=ask.unit, minutes=minutes)
    return leave


@transaction.atomic
def decide_leave(head: Staff, leave: LeaveRequest, *, approve: bool) -> LeaveRequest:
    """The 所属長 approves or rejects a leave request (never their own)."""
    leave = LeaveRequest.objects.select_for_update().select_related("staff", "leave_type").get(pk=leave.pk)
    rules.require_head(head, leave.staff)
    if leave.status != Status.REQUESTED:
        raise Refused(_("この申請はすでに処理されています。"))
    rules.refuse_closed(leave.staff, leave.first_day, leave.last_day)
    leave.status, leave.decided_by, leave.decided_at = (
        Status.APPROVED if approve else Status.REJECTED, head, timezone.now())
    leave.save(update_fields=["status", "decided_by", "decided_at"])
    rules.audit("leave.approved" if approve else "leave.rejected", head, leave)
    return leave


@transaction.atomic
def cancel_leave(actor: Staff, leave: LeaveRequest) -> LeaveRequest:
    """The staff member (or their 所属長) withdraws a request, approved or not, while its month is open."""
    leave = LeaveRequest.objects.select_for_update().select_related("staff").get(pk=leave.pk)
    if actor.pk != leave.staff_id and not rules.is_head_of(actor, leave.staff):
        raise Refused(_("この休暇を取り消す権限がありません。"))
    if leave.status not in OPEN_STATUSES:
        raise Refused(_("この申請はすでに取り消されているか、却下されています。"))
    rules.refuse_closed(leave.staff, leave.first_day, leave.last_day)
    leave.status = Status.CANCELLED
    leave.save(update_fields=["status"])
    rules.audit("leave.cancelled", actor, leave)
    return leave


# --- 年5日取得 ----------------------------------------------------------------------------------------------

OBLIGED_DAYS = 5
OBLIGED_FROM_GRANT = 10  # the obligation applies to those granted 10 days or more in the year


@dataclass(frozen=True)
class Obligation:
    staff: Staff
    grant: LeaveGrant
    taken_days: Decimal

    @property
    def short_by(self) -> Decimal:
        return max(Decimal(OBLIGED_DAYS) - self.taken_days, Decimal(0))


def in_fourth_quarter(grant: LeaveGrant, day: date) -> bool:
    """From the fourth quarter of the leave year (its last three months) to its end."""
    start = grant.valid_until.replace(day=1)
    for _step in range(3):
        start = (start.replace(day=1) - timedelta(days=1)).replace(day=1)
    return start <= day < grant.valid_until


def short_of_five_days(day: date) -> list[Obligation]:
    """Staff whose leave year is in its fourth quarter on `day` and who have taken fewer than 5 days."""
    found = []
    grants = LeaveGrant.objects.filter(valid_from__lte=day, valid_until__gt=day, days__gte=OBLIGED_FROM_GRANT,
                                       staff__is_active=True).select_related("staff__user", "staff__department")
    for grant in grants:
        if not in_fourth_quarter(grant, day):
            continue
        current = balance(grant.staff, day)
        taken = current.days(current.taken) if current else Decimal(0)
        if taken < OBLIGED_DAYS:
            found.append(Obligation(grant.staff, grant, taken))
    return found

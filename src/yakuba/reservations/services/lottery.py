"""抽選: applications for popular rooms are collected in a window, then drawn fairly (seeded, reproducible, logged).

Until the draw, the period's days are held (no first-come booking: see `lottery_holding`); the draw books the
winners and, from then on, the leftovers are open first-come (see `booking_window`). Results go out by mail after
commit from yakuba.reservations.tasks.lottery.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Resident, Staff
from yakuba.kernel.audit.services import record
from yakuba.kernel.refusal import Refused
from yakuba.kernel.scheduling import calendar

from ..models import Channel, EntryStatus, Group, Lottery, LotteryEntry, LotteryStatus, Room, Status
from . import _now, _same_town, managed_rooms, place_room, room_problems

# The name and version of the drawing rules, written into every log: change the version if the rules change, so
# an old draw is still verified by the rules it was drawn with.
ALGORITHM = "shuffle-residents-then-rounds-by-preference/1"
MAX_ENTRIES_LIMIT = 20
TOOK_PART = (EntryStatus.APPLIED, EntryStatus.WON, EntryStatus.LOST)


# Staff: setting a lottery up ---------------------------------------------------------------------------------------

def create_lottery(*, staff: Staff, title: str, rooms: Iterable[Room], period_start: date, period_end: date,
                   opens_at: datetime, closes_at: datetime, max_entries: int = 3, now: datetime | None = None,
                   request: HttpRequest | None = None) -> Lottery:
    """A lottery for rooms the staff member's department runs: applications between opens_at and closes_at for
    the days period_start..period_end, which must come after the window."""
    chosen = list(rooms)
    problems = _setup_problems(staff, title, chosen, period_start, period_end, opens_at, closes_at, max_entries,
                               _now(now))
    if problems:
        raise Refused(problems)
    with transaction.atomic():
        lottery = Lottery.objects.create(
            municipality=staff.municipality, title=title.strip(), period_start=period_start, period_end=period_end,
            opens_at=opens_at, closes_at=closes_at, max_entries=max_entries, created_by=staff)
        lottery.rooms.set(chosen)
        record("reservations.lottery.created", municipality=staff.municipality, actor=staff.user, obj=lottery,
               request=request, data={"rooms": [room.pk for room in chosen], "period": [
                   period_start.isoformat(), period_end.isoformat()], "closes_at": closes_at.isoformat()})
    return lottery


def _setup_problems(staff: Staff, title: str, rooms: list[Room], period_start: date, period_end: date,
                    opens_at: datetime, closes_at: datetime, max_entries: int, now: datetime) -> list[str]:
    problems = _title_problems(title)
    if not rooms:
        problems.append(_("対象の部屋を1つ以上選んでください。"))
    managed = set(managed_rooms(staff).values_list("pk", flat=True))
    if any(room.pk not in managed or room.municipality_id != staff.municipality_id for room in rooms):
        problems.append(_("担当していない部屋は選べません。"))
    if closes_at <= opens_at:
        problems.append(_("申込の締切は、受付の開始より後にしてください。"))
    elif closes_at <= now:
        problems.append(_("申込の締切がすでに過ぎています。"))
    if period_end < period_start:
        problems.append(_("利用期間の末日は、初日と同じ日かそれより後にしてください。"))
    if period_start <= timezone.localdate(closes_at):
        problems.append(_("利用期間は、申込の締切の翌日以降にしてください。"))
    if not 1 <= max_entries <= MAX_ENTRIES_LIMIT:
        problems.append(_("1人あたりの申込数は1から%(limit)sまでで指定してください。") % {"limit": MAX_ENTRIES_LIMIT})
    if rooms and not problems:
        clash = Lottery.objects.filter(status=LotteryStatus.OPEN, rooms__in=rooms, period_start__lte=period_end,
                                       period_end__gte=period_start).first()
        if clash is not None:
            problems.append(_("同じ部屋で期間の重なる抽選（%(title)s）がすでにあります。") % {"title": clash.title})
    return problems


def _title_problems(title: str) -> list[str]:
    if not title.strip():
        return [_("抽選の名称を入力してください。")]
    if len(title.strip()) > 100:
        return [_("抽選の名称は100文字以内で入力してください。")]
    return []


def may_manage_lottery(staff: Staff, lottery: Lottery) -> bool:
    """Staff manage a lottery when they manage every one of its rooms."""
    return not lottery.rooms.exclude(pk__in=managed_rooms(staff).values("pk")).exists()


def managed_lotteries(staff: Staff) -> QuerySet[Lottery]:
    """Lotteries of rooms the staff member manages (a lottery with any room of another department is left out)."""
    others = Room.objects.exclude(pk__in=managed_rooms(staff).values("pk"))
    return Lottery.objects.exclude(rooms__in=others).filter(rooms__isnull=False).distinct()


def cancel_lottery(lottery: Lottery, *, staff: Staff, request: HttpRequest | None = None) -> Lottery:
    """中止: only before the draw; the held days are open to first-come booking again, the entries stay as they were."""
    with transaction.atomic():
        current = _locked(lottery, staff)
        if current.status != LotteryStatus.OPEN:
            raise Refused([_("抽選前の抽選だけ中止できます。")])
        current.status = LotteryStatus.CANCELLED
        current.save(update_fields=["status"])
        record("reservations.lottery.cancelled", municipality=current.municipality, actor=staff.user, obj=current,
               request=request)
    return current


def _locked(lottery: Lottery, staff: Staff) -> Lottery:
    """The lottery row locked for this transaction: two clicks or two staff act one after the other."""
    current = Lottery.objects.select_for_update().get(pk=lottery.pk)
    if current.municipality_id != staff.municipality_id or not may_manage_lottery(staff, current):
        raise Refused([_("担当していない部屋の抽選です。")])
    return current


# Residents: applying ----------------------------------------------------------------------------------------------

def is_accepting(lottery: Lottery, now: datetime | None = None) -> bool:
    moment = _now(now)
    return lottery.status == LotteryStatus.OPEN and lottery.opens_at <= moment < lottery.closes_at


def apply(lottery: Lottery, resident: Resident, *, room: Room, starts_at: datetime, ends_at: datetime, purpose: str,
          people: int | None = None, group: Group | None = None, now: datetime | None = None,
          request: HttpRequest | None = None) -> LotteryEntry:
    """申込: one room and time of the period; its preference is the applicant's next number (第1希望, 第2希望…)."""
    _same_town(lottery.municipality_id, resident)
    moment = _now(now)
    with transaction.atomic():
        # The lottery's row is the queue: an applicant's entries are numbered one at a time.
        current = Lottery.objects.select_for_update().get(pk=lottery.pk)
        problems = _window_problems(current, moment)
        if not problems:
            problems = _entry_problems(current, resident, room, starts_at, ends_at, purpose=purpose, people=people,
                                       group=group, now=moment)
        if problems:
            raise Refused(problems)
        entries = _active_entries(current, resident)
        last = entries.aggregate(last=Max("preference"))["last"] or 0
        entry = LotteryEntry.objects.create(
            municipality=current.municipality, lottery=current, resident=resident, group=group, room=room,
            starts_at=starts_at, ends_at=ends_at, preference=last + 1, purpose=purpose.strip(), people=people)
        record("reservations.lottery.applied", municipality=current.municipality, actor=resident.user, obj=entry,
               request=request, data={"lottery": current.pk, "room": room.pk, "starts_at": starts_at.isoformat(),
                                      "preference": entry.preference})
    return entry


def _window_problems(lottery: Lottery, now: datetime) -> list[str]:
    if lottery.status != LotteryStatus.OPEN:
        return [_("この抽選は申込を受け付けていません。")]
    if now < lottery.opens_at:
        return [_("申込の受付は%(opens)sからです。") % {"opens": calendar.moment_text(lottery.opens_at)}]
    if now >= lottery.closes_at:
        return [_("申込の受付は%(closes)sで締め切りました。") % {"closes": calendar.moment_text(lottery.closes_at)}]
    return []


def _entry_problems(lottery: Lottery, resident: Resident, room: Room, starts_at: datetime, ends_at: datetime, *,
                    purpose: str, people: int | None, group: Group | None, now: datetime) -> list[str]:
    if not lottery.rooms.filter(pk=room.pk).exists():
        return [_("この抽選の対象ではない部屋です。")]
    day = timezone.localdate(starts_at)
    if not lottery.period_start <= day <= lottery.period_end:
        return [_("利用日は%(first)sから%(last)sまでの中から選んでください。") % {
            "first": _day_text(lottery.period_start), "last": _day_text(lottery.period_end)}]
    problems = room_problems(room, resident, starts_at, ends_at, purpose=purpose, people=people, group=group,
                             now=now, lottery=lottery)
    entries = _active_entries(lottery, resident)
    if entries.filter(room=room, starts_at=starts_at).exists():
        problems.append(_("同じ部屋・同じ開始時刻には、すでに申し込んでいます。"))
    elif entries.count() >= lottery.max_entries:
        problems.append(_("この抽選に申し込めるのは1人%(count)s件までです。") % {"count": lottery.max_entries})
    return problems


def _active_entries(lottery: Lottery, resident: Resident) -> QuerySet[LotteryEntry]:
    return LotteryEntry.objects.filter(lottery=lottery, resident=resident).exclude(status=EntryStatus.WITHDRAWN)


def withdraw(entry: LotteryEntry, *, resident: Resident, now: datetime | None = None,
             request: HttpRequest | None = None) -> LotteryEntry:
    """取下げ before the deadline; the applicant's later preferences move up one place."""
    with transaction.atomic():
        lottery = Lottery.objects.select_for_update().get(pk=entry.lottery_id)
        current = LotteryEntry.objects.select_for_update().get(pk=entry.pk)
        if current.resident_id != resident.pk:
            raise Refused([_("ご自分の申込ではありません。")])
        if current.status != EntryStatus.APPLIED or lottery.status != LotteryStatus.OPEN:
            raise Refused([_("この申込は取り下げられません（抽選済みか、取り下げ済みです）。")])
        if _now(now) >= lottery.closes_at:
            raise Refused([_("申込の締切（%(closes)s）を過ぎたため、取り下げられません。")
                                    % {"closes": calendar.moment_text(lottery.closes_at)}])
        current.status = EntryStatus.WITHDRAWN
        current.save(update_fields=["status"])
        # Close the gap, lowest first so no two active entries ever share a number.
        for later in _active_entries(lottery, resident).filter(preference__gt=current.preference).order_by(
                "preference"):
            later.preference -= 1
            later.save(update_fields=["preference"])
        record("reservations.lottery.withdrawn", municipality=lottery.municipality, actor=resident.user, obj=current,
               request=request, data={"lottery": lottery.pk, "preference": current.preference})
    return current


# The draw -----------------------------------------------------------------------------------------------------------

def applicant_order(seed: str, resident_ids: Iterable[int]) -> list[int]:
    """The applicants' order: distinct resident ids sorted, shuffled by random.Random(seed).

    random.Random seeded with a str is deterministic across Python 3 releases (it hashes the seed with SHA-512), so
    anyone with the seed and the list of applicants gets the same order."""
    order = sorted(set(resident_ids))
    random.Random(seed).shuffle(order)
    return order


def _rounds(order: list[int], entries: Iterable[LotteryEntry]) -> list[LotteryEntry]:
    """Entries in the order they are placed: round 1 is every applicant's 1st preference in `order`, then round 2…"""
    by_key = {(entry.resident_id, entry.preference): entry for entry in entries}
    deepest = max((preference for _resident, preference in by_key), default=0)
    return [by_key[(resident, preference)] for preference in range(1, deepest + 1) for resident in order
            if (resident, preference) in by_key]


def _numbered(entries: list[LotteryEntry]) -> list[LotteryEntry]:
    """Preferences as ranks 1..n per applicant (gaps left by withdrawals never skip a round)."""
    seen: dict[int, int] = {}
    for entry in sorted(entries, key=lambda e: (e.resident_id, e.preference, e.pk)):
        seen[entry.resident_id] = seen.get(entry.resident_id, 0) + 1
        entry.preference = seen[entry.resident_id]
    return entries


def draw(lottery: Lottery, *, staff: Staff, seed: str | None = None, now: datetime | None = None,
         request: HttpRequest | None = None) -> Lottery:
    """抽選: once, after the deadline. Applicants are shuffled by the seed; in rounds by preference each entry is
    booked (confirmed) or lost with the reason (the time went to an earlier winner or was already booked)."""
    with transaction.atomic():
        current = _locked(lottery, staff)
        if current.status == LotteryStatus.DRAWN:
            raise Refused([_("この抽選はすでに行いました。")])
        if current.status != LotteryStatus.OPEN:
            raise Refused([_("中止した抽選は行えません。")])
        if _now(now) < current.closes_at:
            raise Refused([_("抽選は申込の締切（%(closes)s）の後に行えます。")
                                    % {"closes": calendar.moment_text(current.closes_at)}])
        seed = (seed or "").strip() or secrets.token_hex(16)
        entries = _numbered(list(current.entries.filter(status=EntryStatus.APPLIED).select_related(
            "room__resource", "room__municipality", "resident__user", "group__category")))
        order = applicant_order(seed, (entry.resident_id for entry in entries))
        steps = [_place(entry, staff=staff, request=request) for entry in _rounds(order, entries)]
        current.status = LotteryStatus.DRAWN
        current.seed = seed
        current.drawn_at = timezone.now()
        current.drawn_by = staff
        current.log = {"algorithm": ALGORITHM, "seed": seed, "order": order, "steps": steps}
        current.save(update_fields=["status", "seed", "drawn_at", "drawn_by", "log"])
        won = sum(1 for step in steps if step["result"] == EntryStatus.WON)
        record("reservations.lottery.drawn", municipality=current.municipality, actor=staff.user, obj=current,
               request=request, data={"seed": seed, "algorithm": ALGORITHM, "applicants": len(order),
                                      "entries": len(steps), "won": won})
        _mail_results(current.pk, order)
    return current


def _place(entry: LotteryEntry, *, staff: Staff, request: HttpRequest | None) -> dict[str, Any]:
    """Book one entry; a taken time loses it. Returns the log step."""
    reason = ""
    try:
        with transaction.atomic():
            reservation = place_room(entry.room, entry.resident, entry.starts_at, entry.ends_at, purpose=entry.purpose,
                                     people=entry.people, group=entry.group, staff=staff, channel=Channel.ONLINE,
                                     status=Status.CONFIRMED, mail="reminder", request=request)
    except Refused as error:
        entry.status, entry.reservation = EntryStatus.LOST, None
        reason = " ".join(error.messages)
    else:
        entry.status, entry.reservation = EntryStatus.WON, reservation
    entry.save(update_fields=["status", "reservation", "preference"])
    return {"entry": entry.pk, "resident": entry.resident_id, "preference": entry.preference,
            "result": str(entry.status), "reason": reason}


def _mail_results(lottery_id: int, resident_ids: list[int]) -> None:
    from ..tasks import lottery as lottery_tasks

    def enqueue() -> None:
        with transaction.atomic():
            for resident_id in resident_ids:
                lottery_tasks.send_results.enqueue(lottery_id, resident_id)

    transaction.on_commit(enqueue)


@dataclass(frozen=True)
class Verification:
    """What verify() found: ok when the log, the seed and the entries agree; otherwise the differences."""

    ok: bool
    problems: list[str] = field(default_factory=list)
    order: list[int] = field(default_factory=list)


def verify(lottery: Lottery) -> Verification:
    """Recompute the applicant order and the round order from the stored seed and the entries that took part, and
    compare them (and each entry's result) with the log."""
    if lottery.status != LotteryStatus.DRAWN:
        return Verification(ok=False, problems=[_("まだ抽選していません。")])
    log = lottery.log if isinstance(lottery.log, dict) else {}
    entries = list(lottery.entries.filter(status__in=TOOK_PART))
    order = applicant_order(lottery.seed, (entry.resident_id for entry in entries))
    problems = []
    if log.get("algorithm") != ALGORITHM:
        problems.append(_("記録の抽選方法（%(name)s）が、この版と違います。") % {"name": log.get("algorithm")})
    if log.get("seed") != lottery.seed:
        problems.append(_("記録のシードが、保存されたシードと一致しません。"))
    if log.get("order") != order:
        problems.append(_("シードから計算した申込者の順番が、記録と一致しません。"))
    logged = log.get("steps")
    steps: list[Any] = logged if isinstance(logged, list) else []
    expected = [entry.pk for entry in _rounds(order, entries)]
    if [step.get("entry") if isinstance(step, dict) else None for step in steps] != expected:
        problems.append(_("希望順の処理の順番が、記録と一致しません。"))
    results: dict[Any, str] = {entry.pk: str(entry.status) for entry in entries}
    if any(not isinstance(step, dict) or results.get(step.get("entry")) != step.get("result") for step in steps):
        problems.append(_("当選・落選の結果が、記録と一致しません。"))
    return Verification(ok=not problems, problems=problems, order=order)


# Reading --------------------------------------------------------------------------------------------------------

def _day_text(day: date) -> str:
    return _("%(year)d年%(month)d月%(day)d日") % {"year": day.year, "month": day.month, "day": day.day}


def visible_lotteries(now: datetime | None = None) -> QuerySet[Lottery]:
    """What residents see: lotteries not cancelled whose window has not closed yet (open now or coming)."""
    return Lottery.objects.filter(status=LotteryStatus.OPEN, closes_at__gt=_now(now)).prefetch_related(
        "rooms__facility").order_by("opens_at", "pk")

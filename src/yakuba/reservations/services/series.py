"""定期予約: "every Tuesday evening for three months" as one request. Each week is checked and booked on its own;
the resident gets one answer saying which weeks are booked and why the others are not."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Resident, Staff
from yakuba.kernel.audit.services import record
from yakuba.kernel.refusal import Refused
from yakuba.kernel.scheduling import services as scheduling

from ..models import Channel, Group, Reservation, Room, Series, Status
from ..tasks import series as tasks
from . import _now, cancel, cancel_refusal, place_room, reduced_fee, room_fee, room_problems

MAX_WEEKS = 26  # half a year: the longest series one request may ask for


@dataclass(frozen=True)
class Request:
    """What the resident asks: the first day (its weekday repeats), the time, and the last day."""

    room: Room
    resident: Resident
    first_day: date
    last_day: date
    start: time
    length: timedelta
    purpose: str
    people: int | None = None
    group: Group | None = None


@dataclass
class Occurrence:
    day: date
    starts_at: datetime
    ends_at: datetime
    reasons: list[str] = field(default_factory=list)
    reservation: Reservation | None = None

    @property
    def bookable(self) -> bool:
        return not self.reasons


def days_of(first_day: date, last_day: date) -> list[date]:
    """The same weekday as `first_day`, every week up to `last_day`."""
    weeks = (last_day - first_day).days // 7 + 1 if last_day >= first_day else 0
    return [first_day + timedelta(weeks=week) for week in range(weeks)]


def _request_problems(request: Request) -> list[str]:
    if request.last_day < request.first_day:
        return [_("終了日は開始日より後の日付にしてください。")]
    if len(days_of(request.first_day, request.last_day)) > MAX_WEEKS:
        return [_("定期予約は%(weeks)s回（約半年）までです。終了日を早めてください。") % {"weeks": MAX_WEEKS}]
    if len(days_of(request.first_day, request.last_day)) < 2:
        return [_("定期予約は2回以上になるよう終了日を選んでください。1回だけなら通常の予約をご利用ください。")]
    return []


def plan(request: Request, *, now: datetime | None = None) -> list[Occurrence]:
    """Every week with the reasons it cannot be booked ([] when it can): the preview before confirming."""
    problems = _request_problems(request)
    if problems:
        raise Refused(problems)
    now = _now(now)
    occurrences = []
    for day in days_of(request.first_day, request.last_day):
        starts_at = timezone.make_aware(datetime.combine(day, request.start))
        ends_at = starts_at + request.length
        reasons = room_problems(request.room, request.resident, starts_at, ends_at, purpose=request.purpose,
                                people=request.people, group=request.group, now=now)
        if not reasons and scheduling.seats_taken(request.room.resource, starts_at, ends_at) \
                >= request.room.resource.capacity:
            reasons.append(_("その時間はすでに予約が入っています。"))
        occurrences.append(Occurrence(day=day, starts_at=starts_at, ends_at=ends_at, reasons=reasons))
    return occurrences


def total_fee(request: Request, occurrences: list[Occurrence]) -> int:
    """使用料 of the weeks that can be booked, after the group's 減免: what the preview tells before booking."""
    return sum(reduced_fee(room_fee(request.room, o.starts_at, o.ends_at), request.group)
               for o in occurrences if o.bookable)


def reserve(request: Request, *, now: datetime | None = None, staff: Staff | None = None,
            channel: str = Channel.ONLINE, http_request: HttpRequest | None = None) -> tuple[Series, list[Occurrence]]:
    """Book every week that can be booked (each in its own savepoint: one taken week does not undo the others) and
    keep the report. Refused when no week at all can be booked, so nothing empty is saved."""
    occurrences = plan(request, now=now)
    if not any(occurrence.bookable for occurrence in occurrences):
        raise Refused([_("予約できる日がありません。日時や期間を変えてお試しください。")]
                               + sorted({reason for o in occurrences for reason in o.reasons}))
    with transaction.atomic():
        series = Series.objects.create(
            municipality=request.room.municipality, resident=request.resident, group=request.group,
            room=request.room, weekday=request.first_day.weekday(), start_time=request.start,
            length_minutes=request.length // timedelta(minutes=1), first_day=request.first_day,
            last_day=request.last_day, purpose=request.purpose.strip(), people=request.people, channel=channel,
            created_by=staff)
        for occurrence in occurrences:
            if not occurrence.bookable:
                continue
            try:
                with transaction.atomic():
                    occurrence.reservation = place_room(
                        request.room, request.resident, occurrence.starts_at, occurrence.ends_at,
                        purpose=request.purpose, people=request.people, group=request.group, staff=staff,
                        channel=channel, series=series, mail="reminder", request=http_request)
            except Refused as error:  # taken since the preview
                occurrence.reasons = error.messages
        if not any(occurrence.reservation for occurrence in occurrences):
            raise Refused([_("予約できる日がありません。日時や期間を変えてお試しください。")])
        series.report = [{"day": o.day.isoformat(), "booked": o.reservation is not None, "reasons": o.reasons}
                         for o in occurrences]
        series.save(update_fields=["report"])
        record("reservations.series.created", municipality=series.municipality,
               actor=staff.user if staff else request.resident.user, obj=series, request=http_request,
               data={"booked": sum(1 for o in occurrences if o.reservation), "weeks": len(occurrences)})
        _mail(series.pk)
    return series, occurrences


def cancel_remaining(series: Series, *, resident: Resident | None = None, staff: Staff | None = None,
                     now: datetime | None = None, request: HttpRequest | None = None
                     ) -> tuple[list[Reservation], list[tuple[Reservation, str]]]:
    """Cancel every week still ahead; a resident cannot cancel weeks past their deadline (they are reported)."""
    now = _now(now)
    cancelled: list[Reservation] = []
    kept: list[tuple[Reservation, str]] = []
    with transaction.atomic():
        ahead = series.reservations.filter(status__in=(Status.CONFIRMED, Status.PENDING), starts_at__gt=now)
        for reservation in ahead.select_related("booking__resource").order_by("starts_at"):
            refusal = None if staff is not None else cancel_refusal(reservation, now=now)
            if refusal:
                kept.append((reservation, refusal))
                continue
            cancelled.append(cancel(reservation, resident=resident, staff=staff, now=now, request=request, mail="none"))
        if not cancelled:
            raise Refused([_("取り消せる回がありません。")] + [reason for _r, reason in kept][:1])
        record("reservations.series.cancelled", municipality=series.municipality,
               actor=staff.user if staff else (resident.user if resident else None), obj=series, request=request,
               data={"cancelled": len(cancelled), "kept": len(kept)})
        ids = [reservation.pk for reservation in cancelled]
        transaction.on_commit(lambda: tasks.send_series_cancellation.enqueue(series.pk, ids))
    return cancelled, kept


def _mail(series_id: int) -> None:
    transaction.on_commit(lambda: tasks.send_series_confirmation.enqueue(series_id))

"""Every write of 施設予約・来庁予約: reserve, cancel, approve, check in, block; plus availability and 稼働率.

The kernel scheduling core holds the time (the database refuses overlaps); these verbs add the town's rules
(opening hours, closed days, booking window, cancel deadline), the fee, the audit entry and the mail.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel import payments as kernel_payments
from yakuba.kernel.accounts.models import Resident, Role, Staff, User
from yakuba.kernel.audit.services import record
from yakuba.kernel.refusal import Refused
from yakuba.kernel.scheduling import calendar
from yakuba.kernel.scheduling import services as scheduling
from yakuba.kernel.scheduling.models import Booking, BookingStatus, Resource

from ..models import (
    AppointmentType,
    Channel,
    Group,
    GroupStatus,
    Kind,
    Lottery,
    LotteryStatus,
    Reservation,
    Room,
    Series,
    Status,
)


def rules_of(resource: Resource) -> calendar.Rules:
    return calendar.Rules.from_dict(resource.rules or {})


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# Reserving ------------------------------------------------------------------------------------------------------

def reserve_room(room: Room, resident: Resident, starts_at: datetime, ends_at: datetime, *, purpose: str,
                 people: int | None = None, group: Group | None = None, now: datetime | None = None,
                 staff: Staff | None = None, channel: str = Channel.ONLINE,
                 request: HttpRequest | None = None) -> Reservation:
    """Reserve a room: checked against its calendar, then booked; pending when the room needs approval.

    Booked for a registered group (団体登録), the group's category may open the days further ahead and reduces
    the fee (減免). Days held for a lottery (抽選) are not open to first-come booking until it is drawn."""
    problems = room_problems(room, resident, starts_at, ends_at, purpose=purpose, people=people, group=group,
                             now=_now(now))
    if problems:
        raise Refused(problems)
    with transaction.atomic():
        reservation = place_room(room, resident, starts_at, ends_at, purpose=purpose, people=people, group=group,
                                 staff=staff, channel=channel, request=request)
        if staff is None and channel == Channel.ONLINE:
            from .. import payments

            payments.ask_for_fee(reservation)
    return reservation


def room_problems(room: Room, resident: Resident, starts_at: datetime, ends_at: datetime, *, purpose: str,
                  people: int | None, group: Group | None, now: datetime, lottery: Lottery | None = None
                  ) -> list[str]:
    """Every rule a room request breaks, [] when none (the time may still be taken: the database decides).
    With `lottery`, an application to it: the lottery's period is its window, and its hold does not apply."""
    _same_town(room.municipality_id, resident)
    problems = _group_problems(group, resident, now) if group is not None else []
    day = timezone.localdate(starts_at)
    held = None if lottery is not None else lottery_holding(room, day)
    if held is not None:
        problems.append(_("この日は抽選で受け付けています（%(title)s・申込は%(closes)sまで）。")
                        % {"title": held.title, "closes": calendar.moment_text(held.closes_at)})
    if lottery is not None:
        window = (lottery.period_end - timezone.localdate(now)).days
    else:
        window = booking_window(room, day, group=group if not problems else None, now=now)
    problems += calendar.check_request(rules_of(room.resource), starts_at, ends_at, now=now, window_days=window)
    problems += _check_purpose(purpose)
    if people is not None and room.people is not None and people > room.people:
        problems.append(_("この部屋の定員は%(people)s人です。") % {"people": room.people})
    return problems


def place_room(room: Room, resident: Resident, starts_at: datetime, ends_at: datetime, *, purpose: str,
               people: int | None = None, group: Group | None = None, staff: Staff | None = None,
               channel: str = Channel.ONLINE, series: Series | None = None, status: str | None = None,
               mail: str = "confirmation", request: HttpRequest | None = None) -> Reservation:
    """Book checked times (room_problems said none): the database refuses an overlap with Refused."""
    if status is None:
        status = Status.PENDING if room.approval_required and staff is None else Status.CONFIRMED
    full = room_fee(room, starts_at, ends_at)
    with transaction.atomic():
        booking = _book(room.resource, starts_at, ends_at, label=purpose,
                        status=BookingStatus.PENDING if status == Status.PENDING else BookingStatus.CONFIRMED)
        reservation = Reservation.objects.create(
            municipality=room.municipality, kind=Kind.ROOM, resident=resident, booking=booking, room=room,
            starts_at=starts_at, ends_at=ends_at, purpose=purpose.strip(), people=people, group=group, series=series,
            full_fee=full, fee=reduced_fee(full, group), status=status, channel=channel, created_by=staff)
        _recorded("reservations.reservation.created", reservation, staff=staff, resident=resident, request=request,
                  mail=mail)
    return reservation


def reduced_fee(full: int, group: Group | None) -> int:
    """使用料 after 減免: the group's category takes its percentage off, rounded down to the yen in its favour."""
    if group is None or group.status != GroupStatus.APPROVED:
        return full
    return full - full * group.category.reduction_percent // 100


def booking_window(room: Room, day: date, *, group: Group | None, now: datetime) -> int:
    """Days ahead a request for `day` may reach: the room's window, longer for a registered group's category, and
    to the end of a drawn lottery's period when `day` is in it (its leftovers are open first-come)."""
    within = reach(room, [group] if group is not None else [], now=now)
    return within.furthest if within.allows(day) else within.normal


@dataclass(frozen=True)
class Reach:
    """How far ahead one resident may book one room: `normal` days by the room's window and the resident's best
    group, and the days of drawn lotteries' periods beyond it (their leftovers are first-come). `furthest` is
    the last of those, for computing a calendar; `allows` says it day by day."""

    today: date
    normal: int
    drawn: tuple[tuple[date, date], ...]

    @property
    def furthest(self) -> int:
        last = max((end for _start, end in self.drawn), default=self.today)
        return max(self.normal, (last - self.today).days)

    def allows(self, day: date) -> bool:
        return day <= self.today + timedelta(days=self.normal) or any(a <= day <= b for a, b in self.drawn)


def reach(room: Room, groups: list[Group], *, now: datetime | None = None) -> Reach:
    now = _now(now)
    today = timezone.localdate(now)
    extra = [group.category.extra_window_days for group in groups if group.status == GroupStatus.APPROVED]
    drawn = room.lotteries.filter(status=LotteryStatus.DRAWN, period_end__gte=today)
    return Reach(today=today, normal=rules_of(room.resource).window_days + max(extra, default=0),
                 drawn=tuple(drawn.values_list("period_start", "period_end")))


def room_availability(room: Room, first: date, days: int, within: Reach) -> list[DayAvailability]:
    """`availability` of a room for one resident: days beyond their reach, or held by an undrawn lottery, are
    not bookable (the calendar says 抽選 for the latter)."""
    entries = availability(room.resource, first, days, window_days=within.furthest)
    held = held_days(room, first, first + timedelta(days=days - 1))
    return [replace(entry, bookable=entry.bookable and within.allows(entry.day) and entry.day not in held)
            for entry in entries]


def held_days(room: Room, first: date, last: date) -> dict[date, Lottery]:
    """Days of [first, last] held by an undrawn lottery, each with its lottery (the calendar shows 抽選)."""
    held: dict[date, Lottery] = {}
    for lottery in room.lotteries.filter(status=LotteryStatus.OPEN, period_start__lte=last, period_end__gte=first):
        day = max(first, lottery.period_start)
        while day <= min(last, lottery.period_end):
            held.setdefault(day, lottery)
            day += timedelta(days=1)
    return held


def lottery_holding(room: Room, day: date) -> Lottery | None:
    """The lottery that holds `day` of `room` (not yet drawn), if any: no first-come booking until its draw."""
    return room.lotteries.filter(status=LotteryStatus.OPEN, period_start__lte=day, period_end__gte=day).first()


def _group_problems(group: Group, resident: Resident, now: datetime) -> list[str]:
    if group.municipality_id != resident.municipality_id or group.representative_id != resident.pk:
        return [_("この団体の代表者として登録されていません。")]
    if group.status != GroupStatus.APPROVED:
        return [_("団体登録の承認がまだ済んでいません。")]
    if group.valid_until is not None and group.valid_until < timezone.localdate(now):
        return [_("団体登録の有効期限（%(date)s）が過ぎています。更新の手続きをしてください。")
                % {"date": f"{group.valid_until:%Y/%m/%d}"}]
    return []


def reserve_appointment(kind: AppointmentType, resident: Resident, starts_at: datetime, *, purpose: str,
                        now: datetime | None = None, staff: Staff | None = None, channel: str = Channel.ONLINE,
                        request: HttpRequest | None = None) -> Reservation:
    """来庁予約: the visit takes `duration`; the counter stays taken for the buffer after it."""
    _same_town(kind.municipality_id, resident)
    ends_at = starts_at + timedelta(minutes=kind.duration_minutes)
    problems = calendar.check_request(rules_of(kind.resource), starts_at, ends_at, now=_now(now))
    problems += _check_purpose(purpose)
    if problems:
        raise Refused(problems)
    with transaction.atomic():
        booking = _book(kind.resource, starts_at, ends_at + timedelta(minutes=kind.buffer_minutes), label=purpose)
        reservation = Reservation.objects.create(
            municipality=kind.municipality, kind=Kind.APPOINTMENT, resident=resident, booking=booking,
            appointment_type=kind, starts_at=starts_at, ends_at=ends_at, purpose=purpose.strip(), channel=channel,
            created_by=staff)
        _recorded("reservations.reservation.created", reservation, staff=staff, resident=resident, request=request)
    return reservation


def _same_town(municipality_id: int, resident: Resident) -> None:
    """A town's rooms are for its residents' records: never mix towns, whatever scope the caller holds."""
    if resident.municipality_id != municipality_id:
        raise Refused([_("この自治体の予約ではありません。")])


def _check_purpose(purpose: str) -> list[str]:
    text = purpose.strip()
    if not text:
        return [_("利用目的・ご用件を入力してください。")]
    if len(text) > 200 or "\x00" in text:
        return [_("利用目的・ご用件は200文字以内で入力してください。")]
    return []


def _book(resource: Resource, starts_at: datetime, ends_at: datetime, *, label: str,
          status: str = BookingStatus.CONFIRMED) -> Booking:
    try:
        return scheduling.book(resource, starts_at, ends_at, label=label[:200], status=status)
    except scheduling.Unavailable as error:
        raise Refused([str(error)]) from error


def _recorded(action: str, reservation: Reservation, *, staff: Staff | None, resident: Resident | None,
              request: HttpRequest | None, mail: str = "confirmation") -> None:
    """Audit the change and send its mail: "confirmation" (mail now, reminder the day before), "reminder" (only the
    reminder: the caller mails a summary itself), "cancellation", or anything else for none."""
    actor: User | None = staff.user if staff is not None else (resident.user if resident is not None else None)
    record(action, municipality=reservation.municipality, actor=actor, obj=reservation, request=request,
           data={"kind": reservation.kind, "starts_at": reservation.starts_at.isoformat(),
                 "channel": reservation.channel})
    from .. import tasks

    pk = reservation.pk
    if mail in ("confirmation", "reminder"):
        reminder_at = reservation.starts_at - timedelta(days=1)

        def enqueue() -> None:
            with transaction.atomic():  # both tasks in one commit
                if mail == "confirmation":
                    tasks.send_confirmation.enqueue(pk)
                # A backend that cannot wait (the immediate one some tests use) sends no reminder.
                if reminder_at > timezone.now() and tasks.send_reminder.get_backend().supports_defer:
                    tasks.send_reminder.using(run_after=reminder_at).enqueue(pk)

        transaction.on_commit(enqueue)
    elif mail == "cancellation":
        transaction.on_commit(lambda: tasks.send_cancellation.enqueue(pk))
    elif mail == "unpaid":
        transaction.on_commit(lambda: tasks.send_released_unpaid.enqueue(pk))


# Changing -------------------------------------------------------------------------------------------------------

def cancel(reservation: Reservation, *, resident: Resident | None = None, staff: Staff | None = None,
           now: datetime | None = None, request: HttpRequest | None = None, mail: str = "cancellation"
           ) -> Reservation:
    """Cancel; a resident only before the deadline, staff at any time (a phone call, a closure)."""
    with transaction.atomic():
        current = Reservation.objects.select_for_update().select_related("booking__resource").get(pk=reservation.pk)
        if not current.is_active:
            raise Refused([_("この予約はすでに取り消されているか、終わっています。")])
        if staff is None:
            reason = calendar.can_cancel(rules_of(current.booking.resource), current.starts_at, now=_now(now))
            if reason:
                raise Refused([reason])
        scheduling.cancel(current.booking)
        current.status = Status.CANCELLED
        current.cancelled_at = timezone.now()
        current.save(update_fields=["status", "cancelled_at"])
        # 還付: a paid fee comes back per the town's rule (all of it when staff cancel: a closure, a phone call).
        kernel_payments.settle_on_cancel(current.municipality, "reservations.reservation", str(current.pk),
                                         reason=_("予約の取消し"), by_staff=staff, full=staff is not None)
        _recorded("reservations.reservation.cancelled", current, staff=staff, resident=resident, request=request,
                  mail=mail)
    return current


def release_unpaid(reservation: Reservation) -> Reservation:
    """The booking's fee was not paid by its deadline: the time is freed for others and the resident is mailed."""
    with transaction.atomic():
        current = Reservation.objects.select_for_update().select_related("booking").get(pk=reservation.pk)
        if not current.is_active:
            return current
        scheduling.cancel(current.booking)
        current.status = Status.CANCELLED
        current.cancelled_at = timezone.now()
        current.save(update_fields=["status", "cancelled_at"])
        _recorded("reservations.reservation.released_unpaid", current, staff=None, resident=None, request=None,
                  mail="unpaid")
    return current


def change(reservation: Reservation, starts_at: datetime, ends_at: datetime | None = None, *, resident: Resident,
           now: datetime | None = None, request: HttpRequest | None = None) -> Reservation:
    """予約の変更 before the cancel deadline: the old time is released and the new one booked in one transaction,
    so a refused new time (taken, closed, too far) leaves the reservation as it was. Returns the new reservation;
    the resident is mailed the cancellation of the old time and the confirmation (.ics) of the new one."""
    now = _now(now)
    if reservation.resident_id != resident.pk:
        raise Refused([_("この予約は変更できません。")])
    refusal = cancel_refusal(reservation, now=now)
    if refusal:
        raise Refused([refusal])
    with transaction.atomic():
        old = cancel(reservation, resident=resident, now=now, request=request)
        if old.room is not None:
            if ends_at is None:
                raise Refused([_("利用時間を選んでください。")])
            new = reserve_room(old.room, resident, starts_at, ends_at, purpose=old.purpose, people=old.people,
                               group=old.group, now=now, channel=old.channel, request=request)
        else:
            assert old.appointment_type is not None
            new = reserve_appointment(old.appointment_type, resident, starts_at, purpose=old.purpose, now=now,
                                      channel=old.channel, request=request)
        if old.series_id is not None:
            new.series_id = old.series_id
            new.save(update_fields=["series"])
        record("reservations.reservation.changed", municipality=new.municipality, actor=resident.user, obj=new,
               request=request, data={"from": str(old.public_id), "starts_at": new.starts_at.isoformat()})
    return new


def approve(reservation: Reservation, *, staff: Staff, request: HttpRequest | None = None) -> Reservation:
    with transaction.atomic():
        current = Reservation.objects.select_for_update().select_related("booking").get(pk=reservation.pk)
        if current.status != Status.PENDING:
            raise Refused([_("承認待ちの予約ではありません。")])
        current.status = Status.CONFIRMED
        current.save(update_fields=["status"])
        Booking.objects.filter(pk=current.booking_id).update(status=BookingStatus.CONFIRMED)
        _recorded("reservations.reservation.approved", current, staff=staff, resident=None, request=request)
    return current


def mark_attendance(reservation: Reservation, attended: bool, *, staff: Staff,
                    request: HttpRequest | None = None) -> Reservation:
    """受付 (check-in) or 無断キャンセル (no-show), on or after the day."""
    with transaction.atomic():
        current = Reservation.objects.select_for_update().get(pk=reservation.pk)
        if current.status not in (Status.CONFIRMED, Status.ATTENDED, Status.NO_SHOW):
            raise Refused([_("この予約には来場を記録できません。")])
        if timezone.localdate(current.starts_at) > timezone.localdate():
            raise Refused([_("来場の記録は予約の当日から行えます。")])
        current.status = Status.ATTENDED if attended else Status.NO_SHOW
        current.checked_in_at = timezone.now() if attended else None
        current.save(update_fields=["status", "checked_in_at"])
        record("reservations.reservation.attended" if attended else "reservations.reservation.no_show",
               municipality=current.municipality, actor=staff.user, obj=current, request=request)
    return current


def block(resource: Resource, starts_at: datetime, ends_at: datetime, *, reason: str, staff: Staff,
          request: HttpRequest | None = None) -> Booking:
    """利用停止: take the time for maintenance or an event; refused where residents already booked."""
    if not reason.strip():
        raise Refused([_("理由を入力してください。")])
    with transaction.atomic():
        try:
            booking = scheduling.book(resource, starts_at, ends_at, status=BookingStatus.BLOCKED,
                                      seats=resource.capacity, label=reason.strip()[:200], owner="block")
        except scheduling.Unavailable as error:
            raise Refused([_("予約が入っている時間は停止できません。先に予約を調整してください。")]) from error
        record("reservations.slot.blocked", municipality=resource.municipality, actor=staff.user, obj=booking,
               request=request, data={"reason": reason.strip()[:200]})
    return booking


def unblock(booking: Booking, *, staff: Staff, request: HttpRequest | None = None) -> None:
    if booking.status != BookingStatus.BLOCKED:
        raise Refused([_("利用停止の枠ではありません。")])
    with transaction.atomic():
        scheduling.cancel(booking)
        record("reservations.slot.unblocked", municipality=booking.municipality, actor=staff.user, obj=booking,
               request=request)


# Reading --------------------------------------------------------------------------------------------------------

def free_slots(resource: Resource, day: date, *, length: timedelta | None = None,
               window_days: int | None = None) -> list[tuple[datetime, datetime]]:
    """Start/end pairs still free on `day`, by the resource's calendar and its active bookings."""
    rules = rules_of(resource)
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    taken = scheduling.busy(resource, start, start + timedelta(days=1))
    now = timezone.now()
    return [slot for slot in calendar.free_slots(rules, day, taken, capacity=resource.capacity, length=length)
            if not calendar.check_request(rules, slot[0], slot[1], now=now, window_days=window_days)]


def appointment_slots(kind: AppointmentType, day: date) -> list[tuple[datetime, datetime]]:
    """Appointment start times still free: the visit's length plus the buffer must fit a counter."""
    length = timedelta(minutes=kind.duration_minutes)
    rules = rules_of(kind.resource)
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    buffer = timedelta(minutes=kind.buffer_minutes)
    # A new visit holds its counter for the buffer after it too: it must end `buffer` before the next one starts.
    taken = [(s - buffer, e, n) for s, e, n in scheduling.busy(kind.resource, start - buffer,
                                                                  start + timedelta(days=1) + buffer)]
    now = timezone.now()
    return [(s, e) for s, e in calendar.free_slots(rules, day, taken, capacity=kind.counters, length=length)
            if not calendar.check_request(rules, s, e, now=now)]


@dataclass(frozen=True)
class Occupancy:
    room: Room
    open_hours: float
    booked_hours: float

    @property
    def rate(self) -> float | None:
        return self.booked_hours / self.open_hours if self.open_hours else None


def occupancy(rooms: list[Room], year: int, month: int) -> list[Occupancy]:
    """稼働率: hours reserved (confirmed or used) over hours open, per room, for one month."""
    first = date(year, month, 1)
    after = date(year + month // 12, month % 12 + 1, 1)
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    end = timezone.make_aware(datetime.combine(after, datetime.min.time()))
    result = []
    for room in rooms:
        rules = rules_of(room.resource)
        open_hours = sum(_open_hours(rules, day) for day in calendar.month_days(year, month))
        used = Reservation.objects.filter(room=room, status__in=(Status.CONFIRMED, Status.ATTENDED, Status.NO_SHOW),
                                          starts_at__lt=end, ends_at__gt=start)
        booked = sum((min(r.ends_at, end) - max(r.starts_at, start)) / timedelta(hours=1) for r in used)
        result.append(Occupancy(room=room, open_hours=open_hours, booked_hours=booked))
    return result


def _open_hours(rules: calendar.Rules, day: date) -> float:
    if calendar.is_closed(rules, day):
        return 0.0
    return sum((datetime.combine(day, close) - datetime.combine(day, opens)) / timedelta(hours=1)
               for opens, close in calendar.opening_hours(rules, day))


def ics(reservation: Reservation, *, url: str = "") -> bytes:
    """The reservation as an iCalendar event (for the resident's phone calendar)."""
    return ics_events([reservation], url=url)


def ics_events(reservations: list[Reservation], *, url: str = "") -> bytes:
    """Reservations as one iCalendar file, an event each (a 定期予約's weeks import in one go).

    A cancelled reservation stays an event with the same UID, STATUS:CANCELLED and a higher SEQUENCE, so a
    calendar that imported it earlier marks it cancelled instead of keeping a live appointment.
    """
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//yakuba//reservations//JA")
    cal.add("version", "2.0")
    for reservation in reservations:
        event = Event()
        event.add("uid", f"{reservation.public_id}@yakuba")
        event.add("dtstamp", timezone.now())
        event.add("dtstart", reservation.starts_at)
        event.add("dtend", reservation.ends_at)
        cancelled = reservation.status == Status.CANCELLED
        summary = f"{reservation.target}（{reservation.municipality.name}）"
        event.add("summary", _("【取消し】%(summary)s") % {"summary": summary} if cancelled else summary)
        event.add("sequence", 1 if cancelled else 0)
        place: Any = reservation.room.facility.address if reservation.room else reservation.municipality.address
        if place:
            event.add("location", place)
        if url:
            event.add("url", url)
        event.add("status", "CANCELLED" if cancelled else "TENTATIVE" if reservation.status == Status.PENDING
                  else "CONFIRMED")
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data


# Who manages what -------------------------------------------------------------------------------------------------

def managed_rooms(staff: Staff) -> QuerySet[Room]:
    """Rooms of the facilities the staff member's department (担当課) runs; every room for 情報担当."""
    rooms = Room.objects.select_related("facility", "resource")
    return rooms if staff.has_role(Role.ADMIN) else rooms.filter(facility__department=staff.department_id)


def managed_appointment_types(staff: Staff) -> QuerySet[AppointmentType]:
    """Appointment types of the staff member's department; every one for 情報担当."""
    kinds = AppointmentType.objects.select_related("resource", "department")
    return kinds if staff.has_role(Role.ADMIN) else kinds.filter(department=staff.department_id)


def managed_resources(staff: Staff) -> QuerySet[Resource]:
    """The kernel resources behind managed_rooms and managed_appointment_types (for blocks and day views)."""
    return Resource.objects.filter(pk__in=managed_rooms(staff).values("resource")) | Resource.objects.filter(
        pk__in=managed_appointment_types(staff).values("resource"))


def managed_reservations(staff: Staff) -> QuerySet[Reservation]:
    """Reservations of managed rooms and appointment types."""
    reservations = Reservation.objects.select_related("resident", "room__facility", "appointment_type", "booking",
                                                      "created_by")
    if staff.has_role(Role.ADMIN):
        return reservations
    return reservations.filter(room__facility__department=staff.department_id) | reservations.filter(
        appointment_type__department=staff.department_id)


def may_manage(staff: Staff, reservation: Reservation) -> bool:
    return managed_reservations(staff).filter(pk=reservation.pk).exists()


# What residents see -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DayAvailability:
    """One day of a resident's availability calendar: the free slots left, or why none can be booked."""

    day: date
    free: int  # free start times (slots)
    closed: str | None  # the calendar's reason (祝日, 休館日…); None on an open day
    bookable: bool  # inside the booking window with a start still far enough ahead
    # The stretches of time those slots cover (9:00〜12:00, …): what the calendar shows a resident.
    spans: tuple[calendar.Slot, ...] = ()

    @property
    def free_time(self) -> timedelta:
        return sum((end - start for start, end in self.spans), timedelta(0))


def availability(resource: Resource, first: date, days: int, *, length: timedelta | None = None,
                 now: datetime | None = None, window_days: int | None = None) -> list[DayAvailability]:
    """Free slots per day from `first` for `days` days (a month calendar, the next open days), one query."""
    rules = rules_of(resource)
    now = _now(now)
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    taken = scheduling.busy(resource, start, start + timedelta(days=days + 1))
    per_day = calendar.free_slots_by_day(rules, first, days, taken, capacity=resource.capacity, length=length,
                                         now=now, window_days=window_days)
    today, earliest = timezone.localdate(now), now + rules.min_notice
    last = calendar.last_bookable_day(rules, now, window_days)
    return [DayAvailability(day=day, free=len(free), closed=calendar.is_closed(rules, day),
                            bookable=today <= day <= last and any(
                                begin >= earliest for begin, _end in calendar.slots(rules, day, length=length)),
                            spans=tuple(calendar.free_spans(free)))
            for day, free in per_day.items()]


def open_days(resource: Resource, count: int, *, length: timedelta | None = None,
              now: datetime | None = None) -> list[DayAvailability]:
    """The next `count` days that are open and still bookable (来庁予約's choice of day), free or full."""
    now = _now(now)
    today = timezone.localdate(now)
    span = (calendar.last_bookable_day(rules_of(resource), now) - today).days + 1
    days = availability(resource, today, span, length=length, now=now)
    return [day for day in days if day.closed is None and day.bookable][:count]


def room_lengths(room: Room, starts_at: datetime, *, window_days: int | None = None) -> list[timedelta]:
    """The lengths a resident may book from `starts_at` with every minute still free, shortest first."""
    rules = rules_of(room.resource)
    day = timezone.localdate(starts_at)
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    taken = scheduling.busy(room.resource, start, start + timedelta(days=1))
    now = timezone.now()
    return [length for length in calendar.lengths(rules)
            if (starts_at, starts_at + length) in calendar.free_slots(
                rules, day, taken, capacity=room.resource.capacity, length=length, now=now, window_days=window_days)]


def room_fee(room: Room, starts_at: datetime, ends_at: datetime) -> int:
    """使用料 as reserve_room records it: the hourly fee for the time, rounded up to the yen."""
    return math.ceil((ends_at - starts_at) / timedelta(hours=1) * room.fee_per_hour)


def cancel_refusal(reservation: Reservation, *, now: datetime | None = None) -> str | None:
    """None if the resident may still cancel, else why not: the rule `cancel` applies to residents."""
    if not reservation.is_active:
        return _("この予約はすでに取り消されているか、終わっています。")
    return calendar.can_cancel(rules_of(reservation.booking.resource), reservation.starts_at, now=_now(now))

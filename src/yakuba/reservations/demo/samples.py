"""A few reservations by the demo residents, made through the services, so the staff day view is not empty.

Times are computed from today: the first open day at least two days ahead where the wanted time is free and
the room's rules allow it, so the samples always pass the same checks a resident's booking would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial

from django.utils import timezone

from yakuba.kernel.accounts.models import Resident, Staff
from yakuba.kernel.ops.demo import Town
from yakuba.kernel.tenancy.models import Municipality

from .. import services
from ..models import AppointmentType, Channel, Reservation, Room

FIRST_DAY = 2  # days ahead


@dataclass(frozen=True)
class Sample:
    """One reservation: a room (`room` = "<facility>:<room>") or an appointment type (`appointment` = slug)."""

    resident: int  # 1..3: resident<n>@<town>.demo
    purpose: str
    at: time
    hours: int = 0  # rooms only
    room: str = ""
    appointment: str = ""
    people: int | None = None
    by_phone: bool = False  # taken by the 住民課 clerk on the phone


SAMPLES = (
    Sample(1, "俳句の会 月例会", time(10), hours=2, room="kominkan:kaigi1", people=12),
    Sample(2, "ママさんバレーの練習", time(19), hours=2, room="taiikukan:a", people=14),
    Sample(3, "地区の文化祭（発表会）", time(13), hours=3, room="kominkan:hall", people=120),
    Sample(2, "固定資産税の分割納付について", time(10), appointment="nouzei-soudan"),
    Sample(1, "交付通知書が届いたので受け取りたい", time(9), appointment="mynumber-card", by_phone=True),
)


def load(municipality: Municipality, town: Town) -> None:
    """Make the town's samples once: nothing happens when the town already has reservations."""
    if Reservation.objects.exists():
        return
    residents = {r.user.email: r for r in Resident.objects.select_related("user") if r.user is not None}
    clerk = Staff.objects.get(user__email=f"juumin@{town.slug}.demo")
    for sample in SAMPLES:
        resident = residents[f"resident{sample.resident}@{town.slug}.demo"]
        staff = clerk if sample.by_phone else None
        channel = Channel.PHONE if sample.by_phone else Channel.ONLINE
        if sample.room:
            facility, key = sample.room.split(":")
            room = Room.objects.filter(resource__key=f"room:{facility}:{key}").select_related("resource").first()
            if room is None:
                continue
            length = timedelta(hours=sample.hours)
            starts_at = _first_free(partial(services.free_slots, room.resource, length=length), sample.at)
            services.reserve_room(room, resident, starts_at, starts_at + length,
                                  purpose=sample.purpose, people=sample.people, staff=staff, channel=channel)
        else:
            kind = AppointmentType.objects.select_related("resource").get(slug=sample.appointment)
            starts_at = _first_free(partial(services.appointment_slots, kind), sample.at)
            services.reserve_appointment(kind, resident, starts_at, purpose=sample.purpose, staff=staff,
                                         channel=channel)


def _first_free(free: Callable[[date], list[tuple[datetime, datetime]]], at: time) -> datetime:
    """The start at `at` on the first day from FIRST_DAY days ahead where `free(day)` offers it."""
    today = timezone.localdate()
    for offset in range(FIRST_DAY, FIRST_DAY + 60):
        day = today + timedelta(days=offset)
        for start, _end in free(day):
            if timezone.localtime(start).time() == at:
                return start
    raise LookupError(f"no free {at} within 60 days")

"""Demo facilities, rooms and appointment types for the demo towns (`yakuba demo`), and a few reservations.

Idempotent: a second load writes nothing. Each room and appointment type owns a kernel Resource keyed
"room:<facility>:<room>" or "appointment:<slug>", whose calendar rules come from demo/catalogue.py.
"""

from __future__ import annotations

from yakuba.kernel.accounts.models import Department
from yakuba.kernel.ops.demo import Town, _upsert
from yakuba.kernel.scheduling.models import Resource
from yakuba.kernel.tenancy.models import Municipality

from ..models import AppointmentType, Facility, Room
from .catalogue import APPOINTMENTS, CENTRES, CHILDCARE, FACILITIES, FACILITY_DEPARTMENT


def load(municipality: Municipality, town: Town) -> None:
    """Idempotent: called by `yakuba demo` for each town inside its scope and transaction."""
    from . import courses, groups, samples, words

    department = Department.objects.get(name=FACILITY_DEPARTMENT[town.slug])
    lat, lon = CENTRES[town.slug]
    for order, item in enumerate(FACILITIES):
        if town.slug not in item.towns:
            continue
        north, east = item.offset
        facility = _upsert(Facility, {"municipality": municipality, "slug": item.slug}, {
            "name": item.name(town.name), "address": f"{town.area}{item.number}", "phone": town.phone,
            "description": item.description, "department": department, "is_published": True, "sort_order": order,
            "category": item.category, "latitude": lat + north, "longitude": lon + east,
            "opening_hours": item.opening_hours,
        })
        for position, room in enumerate(item.rooms):
            resource = _upsert(Resource, {"municipality": municipality, "key": f"room:{item.slug}:{room.key}"}, {
                "name": f"{facility.name} {room.name}", "capacity": 1, "rules": room.rules.to_dict(),
                "is_active": True,
            })
            _upsert(Room, {"municipality": municipality, "resource": resource}, {
                "facility": facility, "name": room.name, "people": room.people,
                "approval_required": room.approval_required, "fee_per_hour": room.fee_per_hour,
                "sort_order": position,
            })
    for order, kind in enumerate(APPOINTMENTS):
        resource = _upsert(Resource, {"municipality": municipality, "key": f"appointment:{kind.slug}"}, {
            "name": kind.name, "capacity": kind.counters, "rules": kind.rules.to_dict(), "is_active": True,
        })
        _upsert(AppointmentType, {"municipality": municipality, "slug": kind.slug}, {
            "name": kind.name, "description": kind.description,
            "department": Department.objects.get(name=kind.departments[town.slug]),
            "duration_minutes": kind.duration, "buffer_minutes": kind.buffer, "resource": resource,
            "is_published": True, "sort_order": order,
        })
    samples.load(municipality, town)
    groups.load(municipality, town)
    courses.load(municipality, town)
    _childcare(municipality, town)
    words.load(municipality, town)


def _childcare(municipality: Municipality, town: Town) -> None:
    """The town's 子育て支援センター: not bookable, but a public facility the open data lists."""
    departments = list(Department.objects.order_by("sort_order", "name"))
    keeper = next((d for word in CHILDCARE.departments for d in departments if word in d.name), None)
    if keeper is None:
        return
    (lat, lon), (north, east) = CENTRES[town.slug], CHILDCARE.offset
    _upsert(Facility, {"municipality": municipality, "slug": CHILDCARE.slug}, {
        "name": f"{town.name}{CHILDCARE.category}", "category": CHILDCARE.category,
        "description": CHILDCARE.description, "department": keeper, "latitude": lat + north,
        "longitude": lon + east, "opening_hours": CHILDCARE.opening_hours, "sort_order": CHILDCARE.sort_order,
    })

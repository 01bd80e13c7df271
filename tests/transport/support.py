"""Shared helpers of the デマンド交通 tests: a small service like 久米南町's のりあい号 (two hamlet zones and a centre,
a handful of 乗降ポイント a few kilometres apart, two cars), riders and rides."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from django_scopes import scope

from tests import factories
from yakuba.kernel.accounts.models import Resident, Role, Staff
from yakuba.kernel.tenancy.models import Municipality
from yakuba.transport.models import Rider, Service, Stop, Vehicle, Zone

# (code, zone, name, lat, lon): 中心部 with the 役場 and the hospital, two hamlets a few km out.
STOPS = [
    ("yakuba", "中心部", "役場前", "36.2123", "138.7878"),
    ("byoin", "中心部", "町立病院", "36.2150", "138.7930"),
    ("super", "中心部", "スーパー前", "36.2100", "138.7990"),
    ("east1", "東地区", "東公民館", "36.2200", "138.8300"),
    ("east2", "東地区", "東集落センター", "36.2260", "138.8450"),
    ("west1", "西地区", "西公民館", "36.2050", "138.7500"),
    ("west2", "西地区", "西の辻", "36.1990", "138.7350"),
]
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                               "QUEUES": ["default", "mail", "messaging", "urgent", "transcribe"]}}


def next_weekday(start: date | None = None, days_ahead: int = 1) -> date:
    """A weekday (the service runs 月〜金) at least `days_ahead` days after `start` (today), not a holiday."""
    import jpholiday

    day = (start or date.today()) + timedelta(days=days_ahead)
    while day.weekday() >= 5 or jpholiday.is_holiday(day):
        day += timedelta(days=1)
    return day


def make_service(town: Municipality, *, vehicles: int = 2, capacity: int = 4, **overrides: Any) -> Service:
    """The town's service with its zones (東・西 each reach 中心部, not each other), stops and `vehicles` cars."""
    department = factories.make_department(town, overrides.pop("department", "企画課"))
    with scope(municipality=town):
        service = Service.objects.filter(municipality=town).first()
        if service is None:
            fields = {"name": "のりあい号", "name_en": "Noriai shared taxi", "department": department,
                      "phone": "0274-82-2111", "opens": time(8, 0), "closes": time(17, 0),
                      "detour_factor": Decimal("1.30"), "speed_kmh": 25, "solver_seconds": 2, **overrides}
            service = Service.objects.create(municipality=town, **fields)
        zones: dict[str, Zone] = {}
        for order, name in enumerate(["中心部", "東地区", "西地区"]):
            zones[name], _created = Zone.objects.get_or_create(municipality=town, name=name,
                                                                defaults={"sort_order": order})
        zones["東地区"].connects.add(zones["中心部"])
        zones["西地区"].connects.add(zones["中心部"])
        for order, (code, zone, name, lat, lon) in enumerate(STOPS):
            Stop.objects.get_or_create(municipality=town, code=code, defaults={
                "zone": zones[zone], "name": name, "latitude": Decimal(lat), "longitude": Decimal(lon),
                "sort_order": order})
        home = Stop.objects.get(code="yakuba")
        for number in range(1, vehicles + 1):
            Vehicle.objects.get_or_create(municipality=town, name=f"{number}号車", defaults={
                "capacity": capacity, "wheelchair_spaces": 1 if number == 1 else 0, "starts": time(8, 0),
                "ends": time(17, 30), "home": home})
    return service


def stop(town: Municipality, code: str) -> Stop:
    with scope(municipality=town):
        return Stop.objects.get(code=code)


def make_rider(town: Municipality, resident: Resident | None = None, **fields: Any) -> Rider:
    resident = resident or factories.make_resident(town, phone="0274-82-0001")
    with scope(municipality=town):
        rider, _created = Rider.objects.get_or_create(municipality=town, resident=resident, defaults=fields)
    return rider


def operator(town: Municipality, role: int = Role.STAFF) -> Staff:
    """Staff of the service's department (企画課), who take phone bookings and see the plan."""
    return factories.make_staff(town, department="企画課", role=role)

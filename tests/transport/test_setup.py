"""The service definition of デマンド交通: saving the service, zones, 乗降ポイント, vehicles and fixed routes through
services/setup.py and the staff pages; refusals with their fields, permissions (所属長 for the rules, any operator
for stops, 403 for other departments, residents and other towns), audit rows, and the read helpers."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tests import factories
from tests.transport.support import make_rider, make_service, next_weekday, operator, stop
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused
from yakuba.transport.models import FixedRoute, Ride, RideStatus, Service, Stop, TravelSource, Vehicle, Zone
from yakuba.transport.services import setup

pytestmark = pytest.mark.django_db
PREFIX = "/t/10382/staff/transport/setup/"


@pytest.fixture
def service(town_a):
    return make_service(town_a)


@pytest.fixture
def head(town_a, service):
    """所属長 of the 担当課 (企画課): changes the rules."""
    return operator(town_a, Role.APPROVER)


@pytest.fixture
def clerk(town_a, service):
    """An operator of the 担当課: keeps the stops."""
    return operator(town_a)


def _entries(action):
    with scopes_disabled():
        return list(AuditEntry.objects.filter(action=f"transport.{action}").order_by("pk"))


def _stop_input(town, **changes):
    with scope(municipality=town):
        zone = Zone.objects.get(name="中心部")
    fields = {"code": "kominkan", "name": "中央公民館", "zone": zone, "latitude": Decimal("36.2110"),
              "longitude": Decimal("138.7900")}
    return setup.StopInput(**{**fields, **changes})


def _vehicle_input(town, **changes):
    fields = {"name": "3号車", "capacity": 4, "starts": time(8, 0), "ends": time(17, 0),
              "home": stop(town, "yakuba")}
    return setup.VehicleInput(**{**fields, **changes})


def _service_input(service, **changes):
    fields = {name: getattr(service, name) for name in setup.SERVICE_FIELDS}
    return setup.ServiceInput(**{**fields, **changes})


def _ride(town, vehicle, day, status=RideStatus.CONFIRMED, pickup="yakuba", dropoff="byoin"):
    rider = make_rider(town)
    zone = timezone.get_default_timezone()
    start = timezone.make_aware(timezone.datetime.combine(day, time(9, 0)), zone)
    with scope(municipality=town):
        count = Ride.objects.count()
        return Ride.objects.create(
            municipality=town, number=f"T-{count + 1}", rider=rider, day=day, pickup=stop(town, pickup),
            dropoff=stop(town, dropoff), requested_at=start, window_start=start, window_end=start, vehicle=vehicle,
            planned_pickup=start, status=status)


# --- the read helpers -------------------------------------------------------------------------------------------

def test_operating_days_and_holidays(town_a, service):
    monday = date(2026, 7, 13)  # an ordinary Monday
    assert setup.operating(service, monday)
    assert not setup.operating(service, monday + timedelta(days=5))  # Saturday
    umi_no_hi = date(2026, 7, 20)  # 海の日, a Monday
    assert not setup.operating(service, umi_no_hi)
    service.closed_on_holidays = False
    assert setup.operating(service, umi_no_hi)


def test_day_bounds_are_aware_in_the_towns_zone(service):
    opens, closes = setup.day_bounds(service, date(2026, 7, 13))
    assert timezone.is_aware(opens) and timezone.is_aware(closes)
    assert timezone.localtime(opens).hour == 8 and timezone.localtime(closes).hour == 17
    assert (closes - opens) == timedelta(hours=9)


def test_reachable_by_zone(town_a, service):
    with scope(municipality=town_a):
        centre, east, west = stop(town_a, "yakuba"), stop(town_a, "east1"), stop(town_a, "west1")
        assert setup.reachable(centre, east) and setup.reachable(east, centre)
        assert setup.reachable(east, stop(town_a, "east2"))
        assert not setup.reachable(east, west)
        east.active = False
        assert not setup.reachable(centre, east)


# --- the service ----------------------------------------------------------------------------------------------

def test_head_changes_the_rules_audited(town_a, service, head):
    with scope(municipality=town_a):
        saved = setup.save_service(head, service, _service_input(service, fare_yen=400, opens=time(7, 30)))
    assert saved.fare_yen == 400
    [entry] = _entries("service.changed")
    assert entry.data["before"]["fare_yen"] == 300 and entry.data["after"]["fare_yen"] == 400
    assert entry.data["after"]["opens"] == "07:30:00"


def test_service_refusals_name_their_fields(town_a, service, head):
    with scope(municipality=town_a), pytest.raises(Refused) as refused:
        setup.save_service(head, service, _service_input(
            service, opens=time(17), closes=time(8), days=[], reduced_fare_yen=500, speed_kmh=200,
            travel_source=TravelSource.OSRM, engine_url="", ride_factor=Decimal("0.5")))
    assert set(refused.value.errors) >= {"closes", "days", "reduced_fare_yen", "speed_kmh", "engine_url",
                                         "ride_factor"}
    assert "運行終了" in refused.value.errors["closes"]
    assert _entries("service.changed") == []


def test_clerk_and_others_cannot_change_the_rules(town_a, service, clerk, staff_a_other):
    with scope(municipality=town_a):
        for staff in (clerk, staff_a_other):
            with pytest.raises(PermissionDenied):
                setup.save_service(staff, service, _service_input(service, fare_yen=0))
        with pytest.raises(PermissionDenied):
            setup.save_zone(clerk, None, setup.ZoneInput(name="北地区"))
        with pytest.raises(PermissionDenied):
            setup.save_vehicle(clerk, None, _vehicle_input(town_a))


def test_admin_creates_the_service(town_a, admin_a):
    department = factories.make_department(town_a, "企画課")
    data = setup.ServiceInput(name="のりあい号", opens=time(8), closes=time(17), department=department)
    with scope(municipality=town_a):
        service = setup.save_service(admin_a, None, data)
        assert service.department == department and Service.objects.count() == 1
        with pytest.raises(Refused):
            setup.save_service(admin_a, None, data)
    assert len(_entries("service.created")) == 1


def test_only_admin_creates_a_service(town_a):
    head = factories.make_staff(town_a, department="企画課", role=Role.APPROVER)
    data = setup.ServiceInput(name="のりあい号", opens=time(8), closes=time(17),
                              department=factories.make_department(town_a, "企画課"))
    with scope(municipality=town_a), pytest.raises(PermissionDenied):
        setup.save_service(head, None, data)


# --- zones ----------------------------------------------------------------------------------------------------

def test_zone_connections_both_ways(town_a, service, head):
    with scope(municipality=town_a):
        east, west = Zone.objects.get(name="東地区"), Zone.objects.get(name="西地区")
        north = setup.save_zone(head, None, setup.ZoneInput(name="北地区", connects=[east]))
        assert list(east.connects.filter(pk=north.pk)) == [north]
        with pytest.raises(Refused) as refused:
            setup.save_zone(head, None, setup.ZoneInput(name="西地区"))
        assert "name" in refused.value.errors
        with pytest.raises(Refused) as refused:
            setup.save_zone(head, north, setup.ZoneInput(name="北地区", connects=[north, west]))
        assert "connects" in refused.value.errors
    assert len(_entries("zone.created")) == 1


# --- 乗降ポイント ---------------------------------------------------------------------------------------------

def test_clerk_adds_a_stop_audited(town_a, service, clerk):
    with scope(municipality=town_a):
        added = setup.save_stop(clerk, None, _stop_input(town_a, code="Kominkan"))
        assert added.code == "kominkan" and added.active
    [entry] = _entries("stop.created")
    assert entry.data["after"]["code"] == "kominkan" and entry.object_id == str(added.pk)


def test_stop_code_unique_per_town(town_a, town_b, service, clerk):
    make_service(town_b)  # town B has a stop "yakuba" too: no matter
    with scope(municipality=town_a), pytest.raises(Refused) as refused:
        setup.save_stop(clerk, None, _stop_input(town_a, code="yakuba"))
    assert "ほかの乗降ポイント" in refused.value.errors["code"]


@pytest.mark.parametrize(("lat", "lon", "field"), [
    ("361.2", "138.7", "latitude"), ("36.2", "-200", "longitude"), ("138.7878", "36.2123", "latitude"),
    ("48.85", "2.35", "latitude"), (None, "138.7", "latitude"),
])
def test_stop_place_must_be_in_japan(town_a, service, clerk, lat, lon, field):
    data = _stop_input(town_a, latitude=Decimal(lat) if lat else None, longitude=Decimal(lon))
    with scope(municipality=town_a), pytest.raises(Refused) as refused:
        setup.save_stop(clerk, None, data)
    assert field in refused.value.errors


def test_stop_in_use_cannot_be_deleted_only_made_inactive(town_a, service, clerk):
    with scope(municipality=town_a):
        vehicle = Vehicle.objects.get(name="1号車")
        ride = _ride(town_a, vehicle, next_weekday(), pickup="super", dropoff="byoin")
        supermarket = stop(town_a, "super")
        with pytest.raises(Refused) as refused:
            setup.delete_stop(clerk, supermarket)
        assert "利用停止" in refused.value.message
        with pytest.raises(Refused) as refused:  # a ride booked to it from today on
            setup.save_stop(clerk, supermarket, _stop_input(town_a, code="super", name="スーパー前", active=False))
        assert "1件" in refused.value.errors["active"]
        ride.status = RideStatus.CANCELLED
        ride.save()
        setup.save_stop(clerk, supermarket, _stop_input(town_a, code="super", name="スーパー前", active=False))
        assert not Stop.objects.get(code="super").active
        added = setup.save_stop(clerk, None, _stop_input(town_a))
        setup.delete_stop(clerk, added)
        assert not Stop.objects.filter(code="kominkan").exists()
    assert len(_entries("stop.deleted")) == 1


def test_home_of_a_vehicle_stays_usable(town_a, service, clerk):
    with scope(municipality=town_a), pytest.raises(Refused) as refused:
        setup.save_stop(clerk, stop(town_a, "yakuba"), _stop_input(town_a, code="yakuba", name="役場前",
                                                                  active=False))
    assert "車庫" in refused.value.errors["active"]


# --- 車両 -----------------------------------------------------------------------------------------------------

def test_vehicle_rules(town_a, service, head):
    with scope(municipality=town_a):
        added = setup.save_vehicle(head, None, _vehicle_input(town_a, wheelchair_spaces=2))
        assert added.capacity == 4
        bad = _vehicle_input(town_a, name="1号車", capacity=0, wheelchair_spaces=3, ends=time(7), days=[])
        with pytest.raises(Refused) as refused:
            setup.save_vehicle(head, None, bad)
        assert set(refused.value.errors) == {"name", "capacity", "ends", "days"}
        with pytest.raises(Refused) as refused:
            setup.save_vehicle(head, None, _vehicle_input(town_a, name="4号車", capacity=2, wheelchair_spaces=3))
        assert "定員以下" in refused.value.errors["wheelchair_spaces"]
    assert len(_entries("vehicle.created")) == 1


def test_vehicle_with_planned_rides_cannot_stop(town_a, service, head):
    with scope(municipality=town_a):
        vehicle = Vehicle.objects.get(name="1号車")
        day = next_weekday()
        _ride(town_a, vehicle, day)
        _ride(town_a, vehicle, day, pickup="byoin", dropoff="super")
        _ride(town_a, vehicle, date.today() - timedelta(days=7), status=RideStatus.DONE)  # the past: no matter
        data = _vehicle_input(town_a, name="1号車", active=False)
        with pytest.raises(Refused) as refused:
            setup.save_vehicle(head, vehicle, data)
        assert "2件" in refused.value.errors["active"]
        assert Vehicle.objects.get(pk=vehicle.pk).active
        other = Vehicle.objects.get(name="2号車")
        setup.save_vehicle(head, other, _vehicle_input(town_a, name="2号車", active=False))
        assert not Vehicle.objects.get(pk=other.pk).active


# --- 定時路線 -------------------------------------------------------------------------------------------------

def test_fixed_route_with_stops(town_a, service, head):
    with scope(municipality=town_a):
        stops = [(stop(town_a, "yakuba"), 0), (stop(town_a, "byoin"), 5), (stop(town_a, "east1"), 15)]
        route = setup.save_fixed_route(head, None, setup.RouteInput(
            name="東線", stops=stops, departures=["12:00", "7:30"], color="#1f6fb2"))
        assert route.departures == ["07:30", "12:00"] and route.color == "1F6FB2"
        assert [row.stop.code for row in route.stops.all()] == ["yakuba", "byoin", "east1"]
        route = setup.save_fixed_route(head, route, setup.RouteInput(name="東線", stops=stops[:2], departures=["8:00"]))
        assert route.stops.count() == 2
        with pytest.raises(Refused) as refused:
            setup.save_fixed_route(head, None, setup.RouteInput(
                name="", stops=[(stop(town_a, "yakuba"), 3)], departures=["25:00"], color="blue"))
        assert set(refused.value.errors) == {"name", "stops", "departures", "color"}
        with pytest.raises(Refused) as refused:
            setup.save_fixed_route(head, None, setup.RouteInput(
                name="西線", stops=[(stop(town_a, "yakuba"), 0), (stop(town_a, "west1"), 20),
                                     (stop(town_a, "west2"), 10)], departures=["8:00"]))
        assert "通る順" in refused.value.errors["stops"]
        assert FixedRoute.objects.count() == 1
    assert len(_entries("route.created")) == 1 and len(_entries("route.changed")) == 1


# --- the pages ------------------------------------------------------------------------------------------------

PAGES = ["", "service/", "zones/new/", "stops/", "stops/new/", "vehicles/new/", "routes/new/", "travel/",
         "travel/template.csv"]
RULE_PAGES = {"service/", "zones/new/", "vehicles/new/", "routes/new/"}


def test_pages_for_the_department(town_a, service, head, clerk, staff_a_other, resident_a, staff_b):
    for page in PAGES:
        assert factories.staff_client(head).get(PREFIX + page).status_code == 200, page
        assert factories.staff_client(clerk).get(PREFIX + page).status_code == (403 if page in RULE_PAGES
                                                                                 else 200), page
        assert factories.staff_client(staff_a_other).get(PREFIX + page).status_code == 403, page
        outsider = factories.staff_client(staff_b)  # 情報担当 of town B
        assert outsider.get(PREFIX + page).status_code == 403, page
    resident = Client()
    resident.force_login(resident_a.user)
    assert resident.get(PREFIX).status_code == 403
    assert Client().get(PREFIX).status_code == 302  # to the staff login


def test_pages_show_the_service(town_a, service, head):
    client = factories.staff_client(head)
    text = client.get(PREFIX).content.decode()
    assert "のりあい号" in text and "東地区" in text and "1号車" in text and "役場前" in text
    with scope(municipality=town_a):
        yakuba = stop(town_a, "yakuba")
        zone = Zone.objects.get(name="東地区")
        vehicle = Vehicle.objects.get(name="1号車")
    for page in (f"stops/{yakuba.pk}/", f"zones/{zone.pk}/", f"vehicles/{vehicle.pk}/"):
        assert client.get(PREFIX + page).status_code == 200, page
    stops_page = client.get(PREFIX + "stops/").content.decode()
    assert "stops-map-config" in stops_page and "<table" in stops_page and "138.7878" in stops_page


def _post(client, page, data, once="a"):
    return client.post(PREFIX + page, {**data, "_once": once * 24})


def test_add_stop_page_keeps_typing_on_a_refusal(town_a, service, clerk):
    client = factories.staff_client(clerk)
    with scope(municipality=town_a):
        zone = Zone.objects.get(name="中心部")
    data = {"code": "kominkan", "name": "中央公民館", "zone": zone.pk, "latitude": "361.2", "longitude": "138.79",
            "sort_order": "0", "active": "on"}
    response = _post(client, "stops/new/", data)
    assert response.status_code == 400
    text = response.content.decode()
    assert "error-summary" in text and "緯度は-90〜90" in text and 'value="中央公民館"' in text
    response = _post(client, "stops/new/", {**data, "latitude": "abc"}, once="b")
    assert response.status_code == 400 and "緯度は「36.2123」のような数" in response.content.decode()
    response = _post(client, "stops/new/", {**data, "latitude": "３６．２１１"}, once="c")
    assert response.status_code == 302
    with scope(municipality=town_a):
        assert Stop.objects.get(code="kominkan").latitude == Decimal("36.211")


def test_service_page_saves_and_refuses(town_a, service, head):
    client = factories.staff_client(head)
    form = client.get(PREFIX + "service/").context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"days": ["0", "2", "4"], "opens": "08:00", "closes": "07:00", "closed_on_holidays": "on",
                 "active": "on"})
    data = {key: (str(value) if not isinstance(value, list) else value) for key, value in data.items()}
    response = _post(client, "service/", data)
    assert response.status_code == 400 and "運行終了は運行開始より後" in response.content.decode()
    response = _post(client, "service/", {**data, "closes": "16:30"}, once="b")
    assert response.status_code == 302
    with scope(municipality=town_a):
        saved = Service.objects.get()
    assert saved.days == [0, 2, 4] and saved.closes == time(16, 30)


def test_vehicle_page_refuses_with_the_count(town_a, service, head):
    with scope(municipality=town_a):
        vehicle = Vehicle.objects.get(name="1号車")
        _ride(town_a, vehicle, next_weekday())
        home = stop(town_a, "yakuba")
    client = factories.staff_client(head)
    data = {"name": "1号車", "capacity": "4", "wheelchair_spaces": "1", "days": ["0", "1", "2", "3", "4"],
            "starts": "08:00", "ends": "17:30", "home": str(home.pk)}  # "active" unticked
    response = _post(client, f"vehicles/{vehicle.pk}/", data)
    assert response.status_code == 400 and "1件割り当てられています" in response.content.decode()


def test_route_page(town_a, service, head):
    client = factories.staff_client(head)
    data = {"name": "東線", "color": "1F6FB2", "days": ["0", "1"], "departures": "7:30、12:00",
            "stops": "yakuba,0\nnowhere,5", "fare_yen": "200", "active": "on"}
    response = _post(client, "routes/new/", data)
    assert response.status_code == 400 and "nowhere" in response.content.decode()
    response = _post(client, "routes/new/", {**data, "stops": "yakuba,0\nbyoin,5\neast1,15"}, once="b")
    assert response.status_code == 302
    with scope(municipality=town_a):
        route = FixedRoute.objects.get()
        assert route.departures == ["07:30", "12:00"] and route.stops.count() == 3
    assert client.get(PREFIX + f"routes/{route.pk}/").status_code == 200


def test_stop_delete_page(town_a, service, clerk):
    client = factories.staff_client(clerk)
    with scope(municipality=town_a):
        home = stop(town_a, "yakuba")
    response = _post(client, f"stops/{home.pk}/delete/", {})
    assert response.status_code == 400 and "削除できません" in response.content.decode()
    with scope(municipality=town_a):
        assert Stop.objects.filter(pk=home.pk).exists()


def test_no_service_yet(town_a, admin_a, staff_a):
    assert factories.staff_client(admin_a).get(PREFIX).status_code == 200
    assert factories.staff_client(staff_a).get(PREFIX).status_code == 403
    assert factories.staff_client(staff_a).get(PREFIX + "service/").status_code == 403
    form = factories.staff_client(admin_a).get(PREFIX + "service/")
    assert form.status_code == 200 and "担当課" in form.content.decode()

"""The drivers' tablet: marks (乗車 / 降車 / 不在) through the service and the tablet's pages, a stop marked
twice, a no-show skipping its drop-off, marks at the wrong stop, who may see a route (another vehicle's driver,
another 課, another town), the plan-version fragment, 「まもなく到着」 enqueued, the cash fare, and the operators'
plan board."""

from __future__ import annotations

import re
import types
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django_scopes import scope

from tests import factories
from tests.transport.driving_support import make_ride, make_route, route_url
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused
from yakuba.transport import tasks
from yakuba.transport.models import DayPlan, RideStatus, Visit, VisitKind
from yakuba.transport.services import driving

pytestmark = pytest.mark.django_db
P, D = VisitKind.PICKUP, VisitKind.DROPOFF


@pytest.fixture
def route(town_a):
    return make_route(town_a)


@pytest.fixture
def told(monkeypatch):
    """The rides 「まもなく到着」 was enqueued for."""
    ride_ids: list[int] = []
    monkeypatch.setattr(tasks, "tell_arriving", types.SimpleNamespace(enqueue=ride_ids.append))
    return ride_ids


def mark(route, ride, kind, outcome, staff=None):
    with scope(municipality=route.town):
        return driving.mark(staff or route.driver, route.visit(ride, kind), outcome)


def test_boarded_then_dropped_moves_the_ride_and_is_audited(route):
    visit = mark(route, route.first, P, "boarded")
    assert visit.done_at is not None and visit.outcome == "boarded" and visit.done_by == route.driver
    with scope(municipality=route.town):
        route.first.refresh_from_db()
        assert route.first.status == RideStatus.BOARDED and route.first.boarded_at is not None
    mark(route, route.first, D, "dropped")
    with scope(municipality=route.town):
        route.first.refresh_from_db()
        assert route.first.status == RideStatus.DONE and route.first.dropped_at is not None
        actions = list(AuditEntry.objects.filter(object_id=str(route.first.pk)).values_list("action", flat=True))
    assert "transport.visit.boarded" in actions and "transport.visit.dropped" in actions


def test_a_stop_marked_twice_is_refused_with_when(route):
    mark(route, route.first, P, "boarded")
    with pytest.raises(Refused) as refused:
        mark(route, route.first, P, "boarded")
    assert re.search(r"このお客様は既に乗車済みです（\d\d:\d\d に記録）。", refused.value.message)
    with pytest.raises(Refused, match="既に乗車済み"):
        mark(route, route.first, P, "absent", staff=route.operator)  # a second tablet
    with scope(municipality=route.town):
        route.first.refresh_from_db()
        assert route.first.status == RideStatus.BOARDED
        assert AuditEntry.objects.filter(action="transport.visit.boarded").count() == 1


def test_absent_skips_the_drop_off(route):
    mark(route, route.first, P, "absent")
    with scope(municipality=route.town):
        route.first.refresh_from_db()
        dropoff = route.visit(route.first, D)
    assert route.first.status == RideStatus.NO_SHOW and route.first.boarded_at is None
    assert dropoff.done_at is not None and dropoff.outcome == "absent"
    with pytest.raises(Refused, match="既に不在として記録"):
        mark(route, route.first, D, "dropped")
    with scope(municipality=route.town):
        shown = driving.board(route.vehicle, route.day)
    assert shown.next is not None and shown.next.visit.ride_id == route.second.pk and shown.next.is_pickup


@pytest.mark.parametrize(("kind", "outcome", "message"), [
    (P, "dropped", "降車は降りる場所"), (D, "boarded", "乗車と不在は乗る場所"), (D, "absent", "乗車と不在は乗る場所"),
    (P, "flew", "記録の種類が正しくありません")])
def test_a_mark_at_the_wrong_kind_of_stop_is_refused(route, kind, outcome, message):
    with pytest.raises(Refused, match=message):
        mark(route, route.first, kind, outcome)
    with scope(municipality=route.town):
        assert not Visit.objects.filter(done_at__isnull=False).exists()


def test_a_drop_off_before_its_pickup_is_refused_and_nothing_is_kept(route):
    with pytest.raises(Refused, match="先に乗車を記録"):
        mark(route, route.first, D, "dropped")
    with scope(municipality=route.town):
        assert route.visit(route.first, D).done_at is None
        route.first.refresh_from_db()
        assert route.first.status == RideStatus.CONFIRMED


def test_a_cancelled_ride_cannot_be_boarded(route):
    with scope(municipality=route.town):
        route.first.status = RideStatus.CANCELLED
        route.first.save(update_fields=["status"])
    with pytest.raises(Refused, match="取り消されています"):
        mark(route, route.first, P, "boarded")


def test_only_the_vehicles_driver_or_an_operator_marks(route, town_a, staff_a_other):
    with pytest.raises(PermissionDenied):
        mark(route, route.first, P, "boarded", staff=route.other_driver)
    with pytest.raises(PermissionDenied):
        mark(route, route.first, P, "boarded", staff=staff_a_other)
    mark(route, route.first, P, "boarded", staff=route.operator)


def test_the_board_shows_the_route_in_order_with_what_the_driver_needs(route):
    with scope(municipality=route.town):
        shown = driving.board(route.vehicle, route.day)
    assert [(s.visit.ride_id, s.kind) for s in shown.stops] == [
        (route.first.pk, P), (route.second.pk, P), (route.first.pk, D), (route.second.pk, D)]
    first = shown.stops[0]
    assert first.is_next and shown.next is first and first.name == "山田さん" and first.stop.name == "東公民館"
    assert first.passengers == 2 and first.needs == ["杖を使う", "荷物が多い"] and first.fare_yen == 450
    assert first.reduction == "高齢者" and not first.wheelchair
    assert shown.stops[1].wheelchair and shown.stops[1].name == "佐藤さん"
    assert shown.stops[2].fare_yen == 0  # the fare is collected at the pickup
    assert shown.version == 1


def test_a_cancelled_ride_leaves_the_board_but_a_marked_one_stays(route):
    mark(route, route.first, P, "absent")
    with scope(municipality=route.town):
        route.second.status = RideStatus.CANCELLED
        route.second.save(update_fields=["status"])
        shown = driving.board(route.vehicle, route.day)
    assert [s.visit.ride_id for s in shown.stops] == [route.first.pk, route.first.pk]
    assert shown.next is None and shown.done_count == 2


def test_the_next_pickup_in_line_is_told_arriving_after_commit(route, told, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        mark(route, route.first, P, "boarded")
    assert told == [route.second.pk]
    with scope(municipality=route.town):
        route.second.arriving_told_at = route.second.planned_pickup
        route.second.save(update_fields=["arriving_told_at"])
    with django_capture_on_commit_callbacks(execute=True):
        mark(route, route.second, P, "boarded")
    assert told == [route.second.pk]  # never twice, and no pickup is left


def test_a_pickup_behind_a_drop_off_is_told_only_when_due(route, told, django_capture_on_commit_callbacks):
    far = make_ride(route.town, route.first.rider, route.vehicle, route.day, "super", "yakuba",
                    route.first.planned_pickup + timedelta(hours=12), seqs=(5, 6))
    mark(route, route.first, P, "boarded")
    mark(route, route.second, P, "boarded")
    with django_capture_on_commit_callbacks(execute=True):
        mark(route, route.first, D, "dropped")  # next in line: the second's drop-off; the far pickup is hours off
    assert far.pk not in told


def test_boarding_records_the_cash_fare_once(route):
    mark(route, route.first, P, "boarded")
    with scope(municipality=route.town):
        route.first.refresh_from_db()
        paid_at = route.first.paid_cash_at
        assert paid_at is not None and driving.board(route.vehicle, route.day).stops[0].fare_yen == 0
    mark(route, route.first, D, "dropped")
    with scope(municipality=route.town):
        route.first.refresh_from_db()
        assert route.first.paid_cash_at == paid_at
        assert AuditEntry.objects.filter(action="transport.ride.fare_paid").count() == 1


# --- the tablet's pages -------------------------------------------------------------------------------------------


def once(html: str) -> str:
    return re.findall(r'name="_once" value="([^"]+)"', html)[-1]


def test_the_driver_chooses_only_their_vehicle_and_operators_all(route):
    page = factories.staff_client(route.driver).get(factories.town_url(route.town, "/staff/transport/drive/"))
    html = page.content.decode()
    assert page.status_code == 200 and "1号車" in html and "2号車" not in html
    html = factories.staff_client(route.operator).get(
        factories.town_url(route.town, "/staff/transport/drive/")).content.decode()
    assert "1号車" in html and "2号車" in html
    go = factories.staff_client(route.driver).get(factories.town_url(
        route.town, f"/staff/transport/drive/?vehicle={route.vehicle.pk}&day={route.day.isoformat()}"))
    assert go.status_code == 302 and go["Location"].endswith(route_url(route))
    wrong = factories.staff_client(route.driver).get(factories.town_url(
        route.town, f"/staff/transport/drive/?vehicle={route.other_vehicle.pk}&day=2026-02-30"))
    assert wrong.status_code == 400 and "車両と日付を選んでください" in wrong.content.decode()


def test_the_tablet_marks_boarded_and_dropped_and_refuses_a_second_tap(route):
    client = factories.staff_client(route.driver)
    page = client.get(route_url(route))
    html = page.content.decode()
    assert page.status_code == 200 and "山田さん" in html and "東公民館" in html and "杖を使う" in html
    assert 'value="boarded"' in html and 'value="absent"' in html and "450円" in html
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    pickup = route.visit(route.first, P)
    token = once(html)
    done = client.post(route_url(route, suffix="mark/"), {"visit": pickup.pk, "outcome": "boarded", "_once": token},
                       follow=True)
    assert "山田さん：乗車を記録しました。" in done.content.decode()
    again = client.post(route_url(route, suffix="mark/"), {"visit": pickup.pk, "outcome": "boarded", "_once": token},
                        follow=True)
    assert "すでに受け付けています" in again.content.decode()
    other_tablet = client.post(route_url(route, suffix="mark/"),
                               {"visit": pickup.pk, "outcome": "boarded", "_once": once(again.content.decode())},
                               follow=True)
    assert re.search(r"このお客様は既に乗車済みです（\d\d:\d\d に記録）。", other_tablet.content.decode())
    with scope(municipality=route.town):
        assert Visit.objects.filter(done_at__isnull=False).count() == 1
    html = other_tablet.content.decode()
    assert "佐藤さん" in html.split("drive-next__name")[1][:80]  # the next card moved on


def test_a_driver_of_another_vehicle_and_other_staff_get_403(route, staff_a_other, staff_b):
    pickup = route.visit(route.first, P)
    for staff in (route.other_driver, staff_a_other):
        client = factories.staff_client(staff)
        assert client.get(route_url(route)).status_code == 403
        assert client.get(route_url(route, suffix="version/?seen=0")).status_code == 403
        assert client.post(route_url(route, suffix="mark/"), {"visit": pickup.pk, "outcome": "boarded"}
                           ).status_code == 403
    assert factories.staff_client(staff_a_other).get(
        factories.town_url(route.town, "/staff/transport/drive/")).status_code == 403
    assert factories.staff_client(staff_b).get(route_url(route)).status_code == 403
    assert factories.staff_client(route.driver).get(route_url(route, route.other_vehicle)).status_code == 403
    with scope(municipality=route.town):
        assert not Visit.objects.filter(done_at__isnull=False).exists()


def test_a_visit_of_another_vehicle_or_a_bad_day_is_not_found(route):
    client = factories.staff_client(route.operator)
    other = make_ride(route.town, route.second.rider, route.other_vehicle, route.day, "east2", "super",
                      route.first.planned_pickup, seqs=(1, 2))
    visit = route.visit(other, P)
    assert client.post(route_url(route, suffix="mark/"), {"visit": visit.pk, "outcome": "boarded"}).status_code == 404
    bad = factories.town_url(route.town, f"/staff/transport/drive/{route.vehicle.pk}/2026-13-01/")
    assert client.get(bad).status_code == 404


def test_the_version_fragment_brings_the_new_route_when_the_plan_changes(route):
    client = factories.staff_client(route.driver)
    same = client.get(route_url(route, suffix="version/?seen=1"))
    html = same.content.decode()
    assert same.status_code == 200 and 'data-version="1"' in html and "予定が変わりました" not in html
    assert "山田さん" not in html and "no-store" in same["Cache-Control"]
    with scope(municipality=route.town):
        DayPlan.objects.filter(day=route.day).update(version=2)
    changed = client.get(route_url(route, suffix="version/?seen=1")).content.decode()
    assert 'data-version="2"' in changed and "seen=2" in changed and "予定が変わりました" in changed
    assert 'hx-swap-oob="innerHTML"' in changed and "山田さん" in changed


# --- the operators' plan board ------------------------------------------------------------------------------------


def test_the_plan_board_shows_both_bookings_on_one_vehicle_and_the_waiting_ones(route):
    queued = make_ride(route.town, route.first.rider, None, route.day, "west2", "super",
                       route.first.planned_pickup, status=RideStatus.QUEUED)
    refused = make_ride(route.town, route.second.rider, None, route.day, "east2", "yakuba",
                        route.first.planned_pickup, status=RideStatus.REFUSED, refusal="full")
    client = factories.staff_client(route.operator)
    start = client.get(factories.town_url(route.town, "/staff/transport/plan/"))
    assert start.status_code == 200 and "佐藤 一郎" in start.content.decode()  # today's plan, at the menu's address
    page = client.get(factories.town_url(route.town, f"/staff/transport/plan/{route.day.isoformat()}/"))
    html = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    one = html.split(f'id="vehicle-{route.vehicle.pk}"')[1].split("<section")[0]
    assert "山田 花子" in one and "佐藤 一郎" in one and one.index("東公民館") < one.index("西公民館")
    assert queued.number in html and refused.number in html and "車両に空きがない" in html
    following = (route.day + timedelta(days=1)).isoformat()
    assert f"/staff/transport/plan/{following}/" in html
    with scope(municipality=route.town):
        assert AuditEntry.objects.filter(action="transport.plan.viewed").exists()


def test_only_operators_see_the_plan_board(route, staff_a_other, staff_b):
    url = factories.town_url(route.town, f"/staff/transport/plan/{route.day.isoformat()}/")
    for staff in (route.driver, staff_a_other, staff_b):
        assert factories.staff_client(staff).get(url).status_code == 403

"""現状分析レポート: the figures of a period from the ride records and the visits (counts, zone pairs, kilometres,
occupancy, waiting and ride times, channels), the zero-rides case, the staff page with its period chooser, the PDF,
and who may see it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django_scopes import scope

from tests import factories
from tests.transport.report_support import DAY, JULY, JUNE, make_day, make_ride
from tests.transport.support import make_service, operator, stop
from yakuba.kernel import records
from yakuba.kernel.refusal import Refused
from yakuba.transport import records as transport_records
from yakuba.transport.models import Service, Stop
from yakuba.transport.services import report, travel
from yakuba.transport.services.access import require_operator

pytestmark = pytest.mark.django_db
PAGE = "/t/10382/staff/transport/report/"
PDF = "/t/10382/staff/transport/report.pdf"
JUNE_QUERY = {"period": "custom", "start": "2026-06-01", "end": "2026-06-30"}


def _build(town, start=JUNE, end=JULY):
    with scope(municipality=town):
        return report.build(Service.objects.get(), report.Period(start, end))


# --- periods --------------------------------------------------------------------------------------------------------

def test_the_chooser_gives_months_and_fiscal_years():
    today = date(2026, 2, 10)
    assert report.period_for("month", today=today) == report.Period(date(2026, 2, 1), date(2026, 3, 1), "month")
    assert report.period_for("last_month", today=today) == report.Period(date(2026, 1, 1), date(2026, 2, 1),
                                                                         "last_month")
    assert report.period_for("fiscal_year", today=today) == report.Period(date(2025, 4, 1), date(2026, 4, 1),
                                                                          "fiscal_year")
    assert report.period_for("last_fiscal_year", today=today).start == date(2024, 4, 1)
    assert report.period_for("nonsense", today=today).choice == "month"
    custom = report.period_for("custom", "2026-06-01", "2026-06-30")
    assert (custom.start, custom.end, custom.last, custom.days) == (JUNE, JULY, date(2026, 6, 30), 30)


@pytest.mark.parametrize(("first", "last", "field", "words"), [
    ("2026-13-01", "2026-06-30", "start", "開始日は"), ("2026-06-01", "", "end", "終了日は"),
    ("2026-06-30", "2026-06-01", "end", "後の日付"), ("2025-01-01", "2026-06-30", "end", "1年"),
])
def test_a_custom_period_that_is_not_one_is_refused(first, last, field, words):
    with pytest.raises(Refused) as caught:
        report.period_for("custom", first, last)
    assert words in caught.value.errors[field]


# --- the figures ----------------------------------------------------------------------------------------------------

def test_the_figures_of_a_day(town_a):
    day = make_day(town_a)
    data = _build(town_a)
    t = data.totals
    assert (data.bookings, t.done, t.refused, t.cancelled, t.no_show, t.booked) == (6, 2, 1, 1, 1, 1)
    assert (data.passengers, data.riders, data.operating_days) == (3, 2, 1)
    assert data.refusal_share == pytest.approx(100 / 6)
    assert data.online_share == pytest.approx(200 / 6)  # web + LINE
    assert [(r.label, r.count) for r in data.refusals] == [("車両に空きがない", 1)]
    assert {r.label: r.count for r in data.channels} == {"ウェブ": 1, "LINE": 1, "電話（オペレーター）": 4, "窓口": 0}
    assert [(r.label, r.count) for r in data.reductions] == [("高齢者", 1), ("障害者手帳", 0)]
    assert data.reduced_share == 50 and data.fares_yen == 450
    # waiting: A boarded 5 minutes into the window, B 20 (5 minutes after it closed)
    assert (data.wait.mean, data.wait.most) == (12.5, 20)
    assert (data.late.count, data.late.mean, data.late_share) == (1, 5, 50)
    assert (data.ride.mean, data.ride.median) == (14, 14)
    assert data.ride_ratio.most == pytest.approx(20 * 60 / 900)
    # zone pairs: 東地区→中心部 twice done (3 people) and once refused; the others one booking each
    pairs = {(p.origin, p.destination): (p.rides, p.passengers, p.bookings) for p in data.pairs}
    assert pairs[("東地区", "中心部")] == (2, 3, 3)
    assert pairs[("西地区", "中心部")] == (0, 0, 2)
    assert data.pairs[0].label == "東地区→中心部"
    # by hour: 9時台 two done; 10, 11, 13 one each (refused, cancelled, no-show); the confirmed one on 6/9 at 14
    hours = {row.label: row for row in data.hours}
    assert hours["9時台"].done == 2 and hours["13時台"].no_show == 1 and hours["14時台"].booked == 1
    assert hours["8時台"].total == 0 and hours["16時台"].total == 0  # the service's hours are all shown
    # day by day: the weekdays of June and the days with rides
    assert data.timeline_unit == "day"
    by_day = {row.label: row for row in data.timeline}
    assert by_day["6/2（火）"].done == 2 and by_day["6/9（火）"].booked == 1 and "6/6（土）" not in by_day
    assert day.booked.status == "confirmed"


def test_kilometres_occupancy_and_trips(town_a):
    make_day(town_a)
    data = _build(town_a)
    with scope(municipality=town_a):
        meters = report.distance_function(Service.objects.get())
        home, east1, east2, byoin, west1 = (stop(town_a, c) for c in ("yakuba", "east1", "east2", "byoin", "west1"))
        # 1号車: 役場→東公民館 empty, →東集落センター with 1, →病院 with 3, →役場 empty; 2号車: 役場→西公民館→役場 empty
        legs = [(meters(home, east1), 0), (meters(east1, east2), 1), (meters(east2, byoin), 3),
                (meters(byoin, home), 0), (meters(home, west1), 0), (meters(west1, home), 0)]
    driving = data.driving
    assert driving.driven_m == sum(m for m, _n in legs)
    assert driving.empty_m == sum(m for m, n in legs if n == 0)
    assert driving.passenger_m == sum(m * n for m, n in legs)
    assert driving.occupancy == pytest.approx(driving.passenger_m / driving.driven_m)
    assert (driving.trips, driving.trip_passengers, driving.riders_per_trip) == (1, 3, 3)
    assert driving.vehicle_days == 2  # the confirmed ride's day is not driven yet
    assert 0 < driving.empty_share < 100


def test_distances_come_from_the_service_s_travel_source(town_a):
    service = make_service(town_a)
    with scope(municipality=town_a):
        a, b = stop(town_a, "yakuba"), stop(town_a, "east1")
        meters = report.distance_function(service)
        assert meters(a, b) == travel.meters(service, a, b) and meters(a, a) == 0
    plain = meters(a, b) / float(service.detour_factor)
    assert 3500 < plain < 4000  # 役場前 to 東公民館: about 3.8 km as the crow flies, × the 迂回率 without a table


def test_no_rides_no_division_by_zero(town_a):
    make_service(town_a)
    data = _build(town_a)
    assert data.bookings == 0 and data.totals.total == 0
    assert data.refusal_share is None and data.online_share is None and data.rides_per_day is None
    assert data.driving.occupancy is None and data.driving.empty_share is None and data.driving.riders_per_trip is None
    assert data.wait.mean is None and data.ride_ratio.most is None and data.late_share is None
    assert data.pairs == [] and data.refusals == []
    assert all(row.share is None for row in data.channels)


def test_a_year_is_counted_month_by_month_and_only_the_town_s_rides(town_a, town_b):
    make_day(town_a)
    make_day(town_b)
    data = _build(town_a, date(2026, 4, 1), date(2027, 4, 1))
    assert data.timeline_unit == "month" and len(data.timeline) == 12
    assert data.timeline[2].label == "2026年6月" and data.timeline[2].done == 2
    assert data.bookings == 6


# --- the page and the PDF -------------------------------------------------------------------------------------------

def test_the_page_shows_the_figures_charts_and_tables(town_a):
    make_day(town_a)
    client = factories.staff_client(operator(town_a))
    response = client.get(PAGE, JUNE_QUERY)
    assert response.status_code == 200
    page = response.content.decode()
    assert "デマンド交通 現状分析レポート" in page and "2026年6月1日〜2026年6月30日" in page
    assert page.count('class="bar-chart"') == 6 and page.count('class="table-wrap"') >= 8
    assert "東地区→中心部" in page and "車両に空きがない" in page and "16.7%" in page
    assert "report.pdf?period=custom&amp;start=2026-06-01&amp;end=2026-06-30" in page


def test_the_page_with_nothing_to_count_shows_dashes(town_a):
    make_service(town_a)
    response = factories.staff_client(operator(town_a)).get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "—" in page and "この期間の予約はありません。" in page


@pytest.mark.parametrize("query", [
    {"period": "custom", "start": "2026-02-30", "end": "2026-03-10"},
    {"period": "custom", "start": "2026-06-30", "end": "2026-06-01"},
])
def test_bad_dates_are_a_400_in_japanese_keeping_the_typing(town_a, query):
    make_service(town_a)
    response = factories.staff_client(operator(town_a)).get(PAGE, query)
    assert response.status_code == 400
    page = response.content.decode()
    assert "error-summary" in page and ("開始日は" in page or "後の日付" in page)
    assert f'value="{query["start"]}"' in page and f'value="{query["end"]}"' in page
    assert factories.staff_client(operator(town_a)).get(PDF, query).status_code == 400


def test_the_pdf(town_a):
    make_day(town_a)
    response = factories.staff_client(operator(town_a)).get(PDF, JUNE_QUERY)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "transport-report-20260601-20260630.pdf" in response["Content-Disposition"]


def test_the_pdf_of_nothing(town_a):
    make_service(town_a)
    response = factories.staff_client(operator(town_a)).get(PDF, {"period": "last_month"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


# --- who may see it -------------------------------------------------------------------------------------------------

def test_anonymous_visitors_go_to_the_staff_login(client, town_a):
    make_service(town_a)
    for url in (PAGE, PDF):
        response = client.get(url)
        assert response.status_code == 302 and "/staff/" in response["Location"]


def test_residents_other_departments_and_other_towns_get_403(town_a, town_b, resident_a, staff_a_other, staff_b):
    make_day(town_a)
    signed_in = Client()
    signed_in.force_login(resident_a.user)
    assert signed_in.get(PAGE).status_code == 403
    assert signed_in.get(PDF).status_code == 403
    for person in (staff_a_other, staff_b):
        client = factories.staff_client(person)
        assert client.get(PAGE, JUNE_QUERY).status_code == 403
        assert client.get(PDF, JUNE_QUERY).status_code == 403


def test_a_town_without_the_service_says_so(town_a, admin_a):
    response = factories.staff_client(admin_a).get(PAGE)
    assert response.status_code == 403
    with scope(municipality=town_a), pytest.raises(PermissionDenied):
        require_operator(admin_a)


def test_information_staff_may_see_it(town_a, admin_a):
    make_service(town_a)
    assert factories.staff_client(admin_a).get(PAGE).status_code == 200


# --- open data ------------------------------------------------------------------------------------------------------

def test_the_ride_records_are_anonymised_and_rare_pairs_left_out(town_a):
    day = make_day(town_a)
    rider = day.done_a.rider
    for n in range(2):  # 東公民館→町立病院 three times in June: published; 東集落センター→町立病院 once: not
        make_ride(town_a, rider, "east1", "byoin", day=DAY + timedelta(days=1 + n), boarded=3, ride_minutes=12)
    with scope(municipality=town_a):
        rows = transport_records.ride_rows(town_a, today=date(2026, 7, 15))
        later = transport_records.ride_rows(town_a, today=date(2026, 6, 15))  # June not ended: nothing of it
    assert later == []
    assert len(rows) == 3
    assert {(r.values["乗車地コード"], r.values["降車地コード"]) for r in rows} == {("east1", "byoin")}
    assert all(set(r.values) == set(transport_records.RIDE_COLUMNS) for r in rows)
    first = rows[0].values
    assert (first["乗車日"], first["乗車時"], first["乗車地区域"], first["降車地区域"], first["人数"]) == (
        "2026-06-02", 9, "東地区", "中心部", 1)
    assert (first["乗車時間_分"], first["待ち時間_分"], first["状況"]) == ("20", "5", "降車済み")
    text = repr([r.values for r in rows]) + repr([r.key for r in rows])
    assert day.done_a.number not in text and "山田" not in text and "09:05" not in text


def test_the_stops_dataset(town_a):
    make_service(town_a)
    with scope(municipality=town_a):
        Stop.objects.filter(code="west2").update(active=False)
        rows = transport_records.stop_rows(town_a)
    assert [r.key for r in rows][:3] == ["yakuba", "byoin", "super"] and "west2" not in [r.key for r in rows]
    assert rows[0].values["名称"] == "役場前" and rows[0].values["区域"] == "中心部"
    assert str(rows[0].values["緯度"]) == "36.212300"
    assert {source.kind for source in records.row_sources()} >= {transport_records.STOPS, transport_records.RIDES}

"""団体登録・減免 and 定期予約 through the services.

The clock stands at 2026-04-20 (Mon) 10:00 in Tokyo, as in test_services: rooms open Tuesday to Sunday 9:00–21:00,
the 60-day window ends on 6/19, 4/29 (Wed) is 昭和の日 and 5/6 (Wed) is a 振替休日.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django_scopes import scope

from tests import factories
from tests.reservations.test_services import NOW, at, make_room
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused
from yakuba.reservations import services
from yakuba.reservations.models import (
    Group,
    GroupCategory,
    GroupStatus,
    Lottery,
    Reservation,
    Series,
    Status,
)
from yakuba.reservations.services import groups as groups_service
from yakuba.reservations.services import series as series_service

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def make_category(town, *, name="社会教育関係団体", percent=50, days=30) -> GroupCategory:
    with scope(municipality=town):
        return GroupCategory.objects.create(municipality=town, name=name, reduction_percent=percent,
                                            extra_window_days=days)


def details(category, name="ひまわり太極拳クラブ", **overrides) -> groups_service.GroupDetails:
    values = {"name": name, "name_kana": "", "category": category, "members": 18,
              "activity": "毎週火曜日の夜に太極拳", "phone": "0274-82-2111", **overrides}
    return groups_service.GroupDetails(**values)


def facility_staff(town):
    """A clerk of the department that runs the test rooms (教育課): the reviewers of groups."""
    return factories.make_staff(town, department="教育課")


def approved_group(town, resident, *, percent=50, days=30, name="ひまわり太極拳クラブ") -> Group:
    category = make_category(town, name=f"区分{percent}-{days}-{name}", percent=percent, days=days)
    with scope(municipality=town):
        group = groups_service.apply(resident, details(category, name=name))
        return groups_service.decide(group, approve=True, staff=facility_staff(town))


# 団体登録 -------------------------------------------------------------------------------------------------------

def test_a_group_is_reviewed_then_books_further_ahead_with_its_reduction(town_a):
    room = make_room(town_a, fee_per_hour=600)
    resident = factories.make_resident(town_a)
    category = make_category(town_a)
    far = at(date(2026, 7, 7), 19)  # 78 days ahead: beyond the 60-day window, inside 60 + 30
    with scope(municipality=town_a):
        group = groups_service.apply(resident, details(category))
        assert group.status == GroupStatus.PENDING
        with pytest.raises(Refused, match="承認がまだ"):
            services.reserve_room(room, resident, far, far + timedelta(hours=2), purpose="練習", group=group)
        with pytest.raises(Refused, match="7月7日|6月19日"):
            services.reserve_room(room, resident, far, far + timedelta(hours=2), purpose="練習")

        group = groups_service.decide(group, approve=True, staff=facility_staff(town_a), note="承認します")
        assert group.valid_until == date(2027, 3, 31)  # the end of the 年度
        reservation = services.reserve_room(room, resident, far, far + timedelta(hours=2), purpose="練習",
                                            group=group)
        assert (reservation.full_fee, reservation.fee, reservation.group) == (1200, 600, group)
        individual = services.reserve_room(room, resident, at(date(2026, 5, 12), 10), at(date(2026, 5, 12), 11),
                                           purpose="打合せ")
        assert (individual.full_fee, individual.fee, individual.group) == (600, 600, None)
        assert AuditEntry.objects.filter(action="reservations.group.approved").count() == 1


def test_only_the_representative_of_a_valid_group_books_for_it(town_a):
    room = make_room(town_a, fee_per_hour=600)
    representative, other = factories.make_resident(town_a), factories.make_resident(town_a)
    group = approved_group(town_a, representative)
    day = at(date(2026, 5, 12), 10)
    with scope(municipality=town_a):
        with pytest.raises(Refused, match="代表者として登録されていません"):
            services.reserve_room(room, other, day, day + timedelta(hours=1), purpose="練習", group=group)
        Group.objects.filter(pk=group.pk).update(valid_until=date(2026, 3, 31))
        group.refresh_from_db()
        with pytest.raises(Refused, match="有効期限"):
            services.reserve_room(room, representative, day, day + timedelta(hours=1), purpose="練習", group=group)
        assert not Reservation.objects.exists()


def test_a_full_reduction_makes_the_room_free(town_a):
    room = make_room(town_a, fee_per_hour=2000)
    resident = factories.make_resident(town_a)
    group = approved_group(town_a, resident, percent=100, days=0, name="老人クラブ")
    with scope(municipality=town_a):
        reservation = services.reserve_room(room, resident, at(date(2026, 5, 12), 10), at(date(2026, 5, 12), 13),
                                            purpose="総会", group=group)
    assert (reservation.full_fee, reservation.fee) == (6000, 0)


def test_review_rules(town_a):
    make_room(town_a)  # run by 教育課: its clerks review groups
    resident = factories.make_resident(town_a)
    category = make_category(town_a)
    reviewer, outsider = facility_staff(town_a), factories.make_staff(town_a, department="税務課")
    with scope(municipality=town_a):
        group = groups_service.apply(resident, details(category))
        with pytest.raises(Refused, match="同じ|すでに登録"):
            groups_service.apply(factories.make_resident(town_a), details(category))
        with pytest.raises(Refused, match="権限"):
            groups_service.decide(group, approve=True, staff=outsider)
        with pytest.raises(Refused, match="理由を入力"):
            groups_service.decide(group, approve=False, staff=reviewer)
        rejected = groups_service.decide(group, approve=False, staff=reviewer, note="町外の団体のため")
        assert rejected.status == GroupStatus.REJECTED and rejected.valid_until is None
        with pytest.raises(Refused, match="審査済み"):
            groups_service.decide(group, approve=True, staff=reviewer)
        # A refused name may apply again.
        again = groups_service.apply(resident, details(category))
        assert again.status == GroupStatus.PENDING


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "  ", "団体名を入力"), ("members", 0, "会員数"), ("activity", "", "活動内容"),
    ("phone", "123", "電話番号"),
])
def test_a_group_application_with_bad_details_is_refused_and_nothing_saved(town_a, field, value, message):
    resident = factories.make_resident(town_a)
    category = make_category(town_a)
    with scope(municipality=town_a):
        with pytest.raises(Refused, match=message):
            groups_service.apply(resident, details(category, **{field: value}))
        assert not Group.objects.exists()


def test_the_database_refuses_a_reduction_over_100_and_a_fee_above_the_full_fee(town_a):
    with scope(municipality=town_a), pytest.raises(IntegrityError), transaction.atomic():
        GroupCategory.objects.create(municipality=town_a, name="誤り", reduction_percent=150)
    room = make_room(town_a, fee_per_hour=600)
    with scope(municipality=town_a):
        reservation = services.reserve_room(room, factories.make_resident(town_a), at(date(2026, 5, 12), 10),
                                            at(date(2026, 5, 12), 11), purpose="会議")
        with pytest.raises(IntegrityError), transaction.atomic():
            Reservation.objects.filter(pk=reservation.pk).update(fee=700)


# 定期予約 -------------------------------------------------------------------------------------------------------

def wednesday_request(room, resident, *, weeks=4, start=time(19), group=None, **overrides):
    first = date(2026, 4, 22)
    values = {"room": room, "resident": resident, "first_day": first, "last_day": first + timedelta(weeks=weeks - 1),
              "start": start, "length": timedelta(hours=2), "purpose": "太極拳の練習", "people": 15, "group": group}
    return series_service.Request(**{**values, **overrides})


def test_a_series_books_the_free_weeks_and_reports_the_others(town_a):
    room = make_room(town_a, fee_per_hour=500)
    resident, neighbour = factories.make_resident(town_a), factories.make_resident(town_a)
    with scope(municipality=town_a):
        services.reserve_room(room, neighbour, at(date(2026, 5, 13), 18), at(date(2026, 5, 13), 20), purpose="会議")
        request = wednesday_request(room, resident)
        preview = series_service.plan(request)
        assert [(o.day, o.bookable) for o in preview] == [
            (date(2026, 4, 22), True), (date(2026, 4, 29), False), (date(2026, 5, 6), False),
            (date(2026, 5, 13), False)]
        assert "昭和の日" in preview[1].reasons[0]
        assert "予約が入っています" in preview[3].reasons[0]
        assert not Series.objects.exists()  # the preview saves nothing

        series, occurrences = series_service.reserve(request)
        assert [o.reservation is not None for o in occurrences] == [True, False, False, False]
        assert series.reservations.count() == 1
        assert [entry["booked"] for entry in series.report] == [True, False, False, False]
        assert series.report[1]["reasons"] and series.weekday == 2
        assert AuditEntry.objects.filter(action="reservations.series.created").count() == 1


def test_a_series_past_the_window_books_what_it_can_and_a_group_reaches_further(town_a):
    room = make_room(town_a, fee_per_hour=400)
    resident = factories.make_resident(town_a)
    with scope(municipality=town_a):
        request = wednesday_request(room, resident, weeks=12, first_day=date(2026, 5, 20),
                                    last_day=date(2026, 8, 5))
        weeks = series_service.plan(request)
        assert [o.day for o in weeks if o.bookable][-1] == date(2026, 6, 17)  # the window ends on 6/19
        assert all("6月19日" in o.reasons[0] for o in weeks if o.day > date(2026, 6, 19))
    group = approved_group(town_a, resident, percent=50, days=60)
    with scope(municipality=town_a):
        series, occurrences = series_service.reserve(
            wednesday_request(room, resident, first_day=date(2026, 5, 20), last_day=date(2026, 8, 5), group=group))
        booked = [o for o in occurrences if o.reservation]
        assert len(booked) == 12
        assert {o.reservation.fee for o in booked} == {400}  # 800 yen for two hours, half off


def test_series_limits(town_a):
    room = make_room(town_a)
    resident = factories.make_resident(town_a)
    with scope(municipality=town_a):
        with pytest.raises(Refused, match="26回"):
            series_service.plan(wednesday_request(room, resident, weeks=27))
        with pytest.raises(Refused, match="2回以上"):
            series_service.plan(wednesday_request(room, resident, weeks=1))
        with pytest.raises(Refused, match="終了日は開始日より後"):
            series_service.plan(wednesday_request(room, resident, last_day=date(2026, 4, 1)))
        # Mondays: closed every week, so nothing at all can be booked and nothing is saved.
        with pytest.raises(Refused, match="予約できる日がありません"):
            series_service.reserve(wednesday_request(room, resident, first_day=date(2026, 4, 27),
                                                     last_day=date(2026, 5, 18)))
        assert not Series.objects.exists() and not Reservation.objects.exists()


def test_cancelling_a_series_cancels_the_weeks_still_ahead_and_keeps_those_past_the_deadline(town_a):
    room = make_room(town_a)
    resident = factories.make_resident(town_a)
    with scope(municipality=town_a):
        series, _ = series_service.reserve(wednesday_request(room, resident, first_day=date(2026, 4, 21),
                                                             last_day=date(2026, 5, 19), start=time(19)))
        assert series.reservations.count() == 4  # Tuesdays 4/21 … 5/19 but 5/5 こどもの日
    # On 4/21 at 10:00 the 19:00 session of that day is past its 1-day cancel deadline.
    with time_machine.travel(NOW + timedelta(days=1), tick=False), scope(municipality=town_a):
        cancelled, kept = series_service.cancel_remaining(series, resident=resident)
        assert len(cancelled) == 3 and len(kept) == 1
        assert "期限" in kept[0][1]
        assert series.reservations.filter(status=Status.CANCELLED).count() == 3
        with pytest.raises(Refused, match="取り消せる回がありません"):
            series_service.cancel_remaining(series, resident=resident)


# 抽選 holds --------------------------------------------------------------------------------------------------------

def test_days_held_for_an_undrawn_lottery_are_not_open_first_come(town_a):
    room = make_room(town_a)
    resident = factories.make_resident(town_a)
    with scope(municipality=town_a):
        lottery = Lottery.objects.create(municipality=town_a, title="5月分の抽選", period_start=date(2026, 5, 1),
                                         period_end=date(2026, 5, 31), opens_at=NOW - timedelta(days=1),
                                         closes_at=NOW + timedelta(days=5))
        lottery.rooms.add(room)
        with pytest.raises(Refused, match="抽選"):
            services.reserve_room(room, resident, at(date(2026, 5, 12), 10), at(date(2026, 5, 12), 11),
                                  purpose="会議")
        assert services.reserve_room(room, resident, at(date(2026, 6, 2), 10), at(date(2026, 6, 2), 11),
                                     purpose="会議")
        assert set(services.held_days(room, date(2026, 4, 29), date(2026, 5, 2))) == {
            date(2026, 5, 1), date(2026, 5, 2)}
        # Drawn: the leftovers are first-come, even beyond the normal 60-day window.
        Lottery.objects.filter(pk=lottery.pk).update(status="drawn", seed="abc")
        lottery.period_end = date(2026, 7, 31)
        Lottery.objects.filter(pk=lottery.pk).update(period_end=date(2026, 7, 31))
        assert services.reserve_room(room, resident, at(date(2026, 7, 28), 10), at(date(2026, 7, 28), 11),
                                     purpose="会議")
        with pytest.raises(Refused, match="6月19日"):  # outside the lottery's days: the window holds
            services.reserve_room(room, resident, at(date(2026, 8, 4), 10), at(date(2026, 8, 4), 11),
                                  purpose="会議")

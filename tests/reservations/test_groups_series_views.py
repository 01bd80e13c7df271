"""団体登録, 減免 and 定期予約 over HTTP, for residents and staff.

The clock stands at 2026-10-30 (Fri) 9:00 in Tokyo, as in test_views_public: rooms open Tuesday to Sunday 9:00–21:00
in hours, 11/3 (Tue) is 文化の日, the 60-day window ends on 12/29.
"""

from __future__ import annotations

import secrets
from datetime import date

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from tests import factories
from tests.reservations.test_views_public import NOW, make_room, url
from yakuba.kernel.accounts.models import Role
from yakuba.reservations.models import Group, GroupCategory, GroupStatus, Lottery, Reservation, Series, Status
from yakuba.reservations.services import groups as groups_service

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def room(town_a):
    return make_room(town_a)  # 600 yen an hour, run by 生涯学習課


@pytest.fixture
def category(town_a):
    with scope(municipality=town_a):
        return GroupCategory.objects.create(municipality=town_a, name="社会教育関係団体", reduction_percent=50,
                                            extra_window_days=30)


@pytest.fixture
def reviewer(town_a, room):
    return factories.make_staff(town_a, department="生涯学習課")


@pytest.fixture
def resident_client(resident_a):
    client = Client()
    client.force_login(resident_a.user)
    return client


def approved(town, resident, category, reviewer) -> Group:
    with scope(municipality=town):
        group = groups_service.apply(resident, groups_service.GroupDetails(
            name="ひまわり太極拳クラブ", name_kana="", category=category, members=18, activity="太極拳",
            phone="0274-82-2111"))
        return groups_service.decide(group, approve=True, staff=reviewer)


def staff_url(name: str, *args: object) -> str:
    return f"/t/10382{reverse(f'staff:{name}', args=args)}"


def once() -> str:
    return secrets.token_urlsafe(24)


# Residents: 団体登録 -------------------------------------------------------------------------------------------

def test_a_resident_registers_a_group_with_mistakes_first(resident_client, town_a, category):
    page = resident_client.get(url("group-new"))
    assert page.status_code == 200
    assert "社会教育関係団体（使用料50%減免、30日早く予約できます）" in page.content.decode()
    bad = resident_client.post(url("group-new"), {"name": "ひまわり太極拳クラブ", "category": category.pk,
                                                  "members": "0", "activity": "", "phone": "0274", "_once": once()})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "会員数は1人以上で入力してください。" in text and "活動内容を入力してください。" in text
    assert 'value="ひまわり太極拳クラブ"' in text  # typing kept
    with scope(municipality=town_a):
        assert not Group.objects.exists()
    phone = resident_client.post(url("group-new"), {"name": "ひまわり太極拳クラブ", "category": category.pk,
                                                    "members": "18", "activity": "太極拳", "phone": "0274",
                                                    "_once": once()})
    assert phone.status_code == 400 and "市外局番から" in phone.content.decode()
    done = resident_client.post(url("group-new"), {"name": "ひまわり太極拳クラブ", "category": category.pk,
                                                   "members": "18", "activity": "太極拳", "phone": "0274-82-2111",
                                                   "_once": once()}, follow=True)
    assert "団体登録を申請しました" in done.content.decode() and "審査中" in done.content.decode()
    with scope(municipality=town_a):
        [group] = Group.objects.all()
    withdraw = resident_client.post(url("group-withdraw", group.public_id), {"_once": once()}, follow=True)
    assert "取り下げました" in withdraw.content.decode()
    with scope(municipality=town_a):
        assert Group.objects.get().status == GroupStatus.WITHDRAWN


def test_another_residents_group_cannot_be_withdrawn(town_a, category, reviewer):
    group = approved(town_a, factories.make_resident(town_a), category, reviewer)
    client = Client()
    client.force_login(factories.make_resident(town_a).user)
    assert client.post(url("group-withdraw", group.public_id), {"_once": once()}).status_code == 404


def test_a_group_member_books_further_ahead_with_the_reduction(resident_client, town_a, resident_a, room, category,
                                                               reviewer):
    far = date(2027, 1, 12)  # beyond 12/29, inside 60 + 30 days
    before = resident_client.get(url("room", room.pk), {"month": "2027-01", "day": far.isoformat()}).content.decode()
    assert "予約は12月29日の分まで受け付けています" in before
    group = approved(town_a, resident_a, category, reviewer)
    page = resident_client.get(url("room", room.pk), {"month": "2027-01", "day": far.isoformat()}).content.decode()
    assert "10:00〜11:00" in page
    form = resident_client.get(url("room-book", room.pk), {"day": far.isoformat(), "start": "10:00"}).content.decode()
    assert "利用する団体" in form and "ひまわり太極拳クラブ（使用料50%減免）" in form
    response = resident_client.post(url("room-book", room.pk), {
        "day": far.isoformat(), "start": "10:00", "length": "120", "purpose": "練習", "group": group.pk,
        "_once": once()}, follow=True)
    assert response.status_code == 200
    with scope(municipality=town_a):
        reservation = Reservation.objects.get()
    assert (reservation.full_fee, reservation.fee, reservation.group_id) == (1200, 600, group.pk)
    # Without the group the same far day is refused, with the reason.
    refused = resident_client.post(url("room-book", room.pk), {
        "day": far.isoformat(), "start": "14:00", "length": "60", "purpose": "練習", "group": "", "_once": once()})
    assert refused.status_code == 400 and "12月29日の分まで" in refused.content.decode()


def test_a_lottery_day_shows_as_such_and_cannot_be_booked(resident_client, town_a, room):
    with scope(municipality=town_a):
        lottery = Lottery.objects.create(municipality=town_a, title="12月分", period_start=date(2026, 12, 1),
                                         period_end=date(2026, 12, 31), opens_at=NOW, closes_at=NOW.replace(day=31))
        lottery.rooms.add(room)
    page = resident_client.get(url("room", room.pk), {"month": "2026-12", "day": "2026-12-02"}).content.decode()
    assert "抽選で受け付けています" in page and ">抽選<" in page and "slot-list" not in page


# Residents: 定期予約 -------------------------------------------------------------------------------------------

def series_data(**overrides) -> dict[str, str]:
    return {"first_day": "2026-11-03", "start": "19:00", "length": "120", "last_day": "2026-11-24",
            "purpose": "太極拳の練習", "people": "15", **overrides}


def test_a_series_is_previewed_then_booked_once(resident_client, town_a, resident_a, room):
    form = resident_client.get(url("series-new", room.pk), {"day": "2026-11-03", "start": "19:00"})
    assert form.status_code == 200
    assert 'value="2026-11-03"' in form.content.decode() and 'value="19:00" selected' in form.content.decode()
    preview = resident_client.post(url("series-new", room.pk), {**series_data(), "preview": "1", "_once": once()})
    text = preview.content.decode()
    assert preview.status_code == 200 and "4回のうち3回を予約できます" in text and "文化の日" in text
    with scope(municipality=town_a):
        assert not Reservation.objects.exists()
    token = once()
    done = resident_client.post(url("series-new", room.pk), {**series_data(), "confirm": "1", "_once": token})
    with scope(municipality=town_a):
        series = Series.objects.get()
        assert series.reservations.count() == 3
    assert done.status_code == 302 and done["Location"].endswith(url("series", series.public_id).split("/t/10382")[1])
    again = resident_client.post(url("series-new", room.pk), {**series_data(), "confirm": "1", "_once": token})
    assert again.status_code == 302  # the double click books nothing more
    with scope(municipality=town_a):
        assert Series.objects.count() == 1 and Reservation.objects.count() == 3
    detail = resident_client.get(url("series", series.public_id)).content.decode()
    assert "4回のうち3回" in detail and "予約できませんでした" in detail
    mine = resident_client.get(url("mine")).content.decode()
    assert url("series", series.public_id) in mine
    assert "次回 11月10日（火）（残り3回）" in mine  # the weeks are summed up, not listed one by one

    cancel = resident_client.post(url("series-cancel", series.public_id), {"_once": once()}, follow=True)
    assert "3回分の予約を取り消しました" in cancel.content.decode()
    with scope(municipality=town_a):
        assert Reservation.objects.filter(status=Status.CANCELLED).count() == 3


def test_a_series_with_bad_input_keeps_the_typing(resident_client, town_a, room):
    response = resident_client.post(url("series-new", room.pk), {
        **series_data(last_day="2026-10-01", purpose=""), "preview": "1", "_once": once()})
    text = response.content.decode()
    assert response.status_code == 400
    assert "最終の日は初回の日より後の日付にしてください。" in text and "利用目的を入力してください。" in text
    assert 'value="2026-11-03"' in text
    closed = resident_client.post(url("series-new", room.pk), {
        **series_data(first_day="2026-11-02", last_day="2026-11-30"), "confirm": "1", "_once": once()})
    assert closed.status_code == 400 and "予約できる日がありません" in closed.content.decode()  # Mondays
    with scope(municipality=town_a):
        assert not Series.objects.exists()


def test_someone_elses_series_is_not_found(resident_client, town_a, room):
    other = Client()
    other.force_login(factories.make_resident(town_a).user)
    other.post(url("series-new", room.pk), {**series_data(), "confirm": "1", "_once": once()})
    with scope(municipality=town_a):
        series = Series.objects.get()
    assert resident_client.get(url("series", series.public_id)).status_code == 404
    assert resident_client.post(url("series-cancel", series.public_id), {"_once": once()}).status_code == 404


# Staff ----------------------------------------------------------------------------------------------------------

def test_a_facility_clerk_reviews_groups(town_a, resident_a, category, reviewer):
    with scope(municipality=town_a):
        group = groups_service.apply(resident_a, groups_service.GroupDetails(
            name="ママさんバレー部", name_kana="", category=category, members=14, activity="バレー",
            phone="0274-82-2111"))
    client = factories.staff_client(reviewer)
    listing = client.get(staff_url("reservations-groups")).content.decode()
    assert "ママさんバレー部" in listing and "審査中（1）" in listing
    page = client.get(staff_url("reservations-group", group.pk))
    assert page.status_code == 200 and "0274-82-2111" in page.content.decode()
    refused = client.post(staff_url("reservations-group", group.pk), {"decision": "reject", "note": "",
                                                                      "_once": once()})
    assert refused.status_code == 400 and "理由を入力してください" in refused.content.decode()
    done = client.post(staff_url("reservations-group", group.pk), {
        "decision": "approve", "category": category.pk, "valid_until": "", "note": "", "_once": once()}, follow=True)
    assert "審査の結果を記録しました" in done.content.decode()
    with scope(municipality=town_a):
        group.refresh_from_db()
    assert group.status == GroupStatus.APPROVED and group.valid_until == date(2027, 3, 31)


def test_only_facility_clerks_and_admins_review_and_only_admins_set_reductions(town_a, category, room):
    outsider = factories.staff_client(factories.make_staff(town_a, department="税務課"))
    assert outsider.get(staff_url("reservations-groups")).status_code == 403
    clerk = factories.staff_client(factories.make_staff(town_a, department="生涯学習課"))
    assert clerk.get(staff_url("reservations-group-categories")).status_code == 403
    admin = factories.staff_client(factories.make_staff(town_a, department="総務課", role=Role.ADMIN))
    bad = admin.post(staff_url("reservations-group-categories"), {
        "name": "老人クラブ", "description": "", "reduction_percent": "150", "extra_window_days": "0",
        "sort_order": "0", "_once": once()})
    assert bad.status_code == 400 and "0から100" in bad.content.decode()
    admin.post(staff_url("reservations-group-categories"), {
        "name": "老人クラブ", "description": "", "reduction_percent": "100", "extra_window_days": "14",
        "sort_order": "1", "_once": once()})
    with scope(municipality=town_a):
        assert GroupCategory.objects.get(name="老人クラブ").reduction_percent == 100
    duplicate = admin.post(staff_url("reservations-group-categories"), {
        "name": "老人クラブ", "description": "", "reduction_percent": "0", "extra_window_days": "0",
        "sort_order": "0", "_once": once()})
    assert duplicate.status_code == 400 and "同じ名前の区分" in duplicate.content.decode()

"""Resident pages of 予約 over HTTP: browsing availability, booking a room and a counter, .ics, cancelling.

The clock stands at 2026-10-30 (Fri) 9:00 in Tokyo. Rooms open Tuesday to Sunday 9:00–21:00 in hours; 11/3
(Tue) is 文化の日; the 60-day window ends on 12/29. Counters open on weekdays 9:00–12:00 and 13:00–17:00.
"""

from __future__ import annotations

import dataclasses
import itertools
import secrets
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from tests import factories
from yakuba.kernel.scheduling import calendar
from yakuba.kernel.scheduling.models import Booking, Resource
from yakuba.reservations import services
from yakuba.reservations.models import AppointmentType, Facility, Kind, Reservation, Room, Status

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 10, 30, 9, 0, tzinfo=TOKYO)
WEDNESDAY = date(2026, 11, 4)
ROOM_RULES = calendar.Rules(
    hours=tuple(() if weekday == 0 else ((time(9), time(21)),) for weekday in range(7)), window_days=60,
    min_notice=timedelta(hours=1), min_length=timedelta(hours=1), max_length=timedelta(hours=3),
    slot=timedelta(hours=1), cancel_deadline=timedelta(days=1))
COUNTER_RULES = calendar.Rules(
    hours=tuple(((time(9), time(12)), (time(13), time(17))) if weekday < 5 else () for weekday in range(7)),
    window_days=30, min_notice=timedelta(hours=1), min_length=timedelta(minutes=60),
    max_length=timedelta(minutes=60), slot=timedelta(minutes=30), cancel_deadline=timedelta(hours=2))
_seq = itertools.count(1)


def make_room(town, *, name: str = "第1会議室", fee_per_hour: int = 600, approval_required: bool = False,
              rules: calendar.Rules = ROOM_RULES, slug: str = "chuo-kominkan", published: bool = True) -> Room:
    department = factories.make_department(town, "生涯学習課")
    with scope(municipality=town):
        facility, _ = Facility.objects.get_or_create(
            municipality=town, slug=slug, defaults={"name": "中央公民館", "department": department,
                                                    "address": "下仁田町大字下仁田100", "is_published": published})
        resource = Resource.objects.create(municipality=town, key=f"room:{next(_seq)}", name=name,
                                           rules=rules.to_dict())
        return Room.objects.create(municipality=town, facility=facility, name=name, people=30, resource=resource,
                                   fee_per_hour=fee_per_hour, approval_required=approval_required)


def make_appointment_type(town, *, slug: str = "nouzei", name: str = "納税相談", minutes: int = 60,
                          counters: int = 1, rules: calendar.Rules = COUNTER_RULES) -> AppointmentType:
    department = factories.make_department(town, "税務課")
    with scope(municipality=town):
        resource = Resource.objects.create(municipality=town, key=f"appointment:{next(_seq)}", name=name,
                                           capacity=counters, rules=rules.to_dict())
        return AppointmentType.objects.create(municipality=town, slug=slug, name=name, department=department,
                                              duration_minutes=minutes, resource=resource)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), TOKYO)


def url(name: str, *args: object, town_code: str = "10382") -> str:
    return f"/t/{town_code}{reverse(f'reservations:{name}', args=args)}"


def reserve(room: Room, resident, day: date, start: int, end: int) -> Reservation:
    with scope(municipality=room.municipality):
        return services.reserve_room(room, resident, at(day, start), at(day, end), purpose="自治会の会議")


def book(client: Client, room: Room, day: date | str, start: str, *, token: str | None = None, **fields):
    data = {"day": str(day), "start": start, "length": "60", "purpose": "自治会の役員会", "people": "8",
            "_once": token or secrets.token_urlsafe(24), **fields}
    return client.post(url("room-book", room.pk), data)


def reservations_of(town) -> list[Reservation]:
    with scope(municipality=town):
        return list(Reservation.objects.all())


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def room(town_a):
    return make_room(town_a)


@pytest.fixture
def nouzei(town_a):
    return make_appointment_type(town_a)


@pytest.fixture
def neighbour(town_a):
    return factories.make_resident(town_a, family_name="佐藤", given_name="一郎")


@pytest.fixture
def resident_client(resident_a):
    client = Client()
    client.force_login(resident_a.user)
    return client


# Browsing (anonymous) -----------------------------------------------------------------------------------------

def test_index_lists_published_facilities_and_appointment_types_by_department(client, town_a, room, nouzei):
    make_room(town_a, name="倉庫", slug="hidden", published=False)
    make_appointment_type(town_a, slug="juumin", name="住民票の相談", minutes=30)
    body = client.get(url("index")).content.decode()
    assert "中央公民館" in body and "第1会議室" in body and url("room", room.pk) in body
    assert "倉庫" not in body
    assert "税務課" in body and "納税相談" in body and "所要時間 60分" in body and "所要時間 30分" in body
    assert url("appointment", "nouzei") in body and url("mine") in body

    facility = client.get(url("facility", "chuo-kominkan")).content.decode()
    assert "第1会議室" in facility and "1時間あたり600円" in facility and "9:00〜21:00" in facility
    assert client.get(url("facility", "hidden")).status_code == 404


def test_room_calendar_is_an_accessible_table_with_states_in_words(client, town_a, room, neighbour):
    for start in (9, 12, 15, 18):  # 11/5 (Thu) fully booked
        reserve(room, neighbour, date(2026, 11, 5), start, start + 3)
    reserve(room, neighbour, WEDNESDAY, 10, 12)
    response = client.get(url("room", room.pk), {"day": "2026-11-04"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<caption>2026年11月の空き状況</caption>" in body
    table = body[body.index('<table class="month-calendar__table">'):]
    assert table[:table.index("</table>")].count('<th scope="col">') == 7
    chosen = body[body.index('aria-current="date"') - 200:body.index('aria-current="date"')]
    assert "day=2026-11-04" in chosen
    assert body.count('aria-current="date"') == 1
    assert "空き10時間" in body  # 11/4: 12 hours open, 2 taken
    assert "空いている時間帯：9:00〜10:00、12:00〜21:00" in body
    assert "空き12時間" in body and "満" in body
    assert body.count("休館") >= 5  # Mondays and 文化の日
    # Months around it: back to this month, on to December; January is beyond the window.
    assert "?month=2026-10" in body and "?month=2026-12" in body
    assert "?month=2027-01" not in client.get(url("room", room.pk), {"month": "2026-12"}).content.decode()
    # The chosen day's free slots as links to book them; the taken hours are not offered.
    book_link = f"{url('room-book', room.pk)}?day=2026-11-04&amp;start="
    assert f"{book_link}09:00" in body and f"{book_link}12:00" in body
    assert f"{book_link}10:00" not in body and f"{book_link}11:00" not in body
    assert "予約するにはログインが必要です" in body


def test_room_page_explains_a_closed_day_and_a_day_beyond_the_window(client, room):
    holiday = client.get(url("room", room.pk), {"day": "2026-11-03"}).content.decode()
    assert "祝日（文化の日）のため休館です" in holiday and "room-book" not in holiday
    too_far = client.get(url("room", room.pk), {"day": "2027-01-05"}).content.decode()
    assert "予約は12月29日の分まで受け付けています" in too_far
    past = client.get(url("room", room.pk), {"day": "2026-10-28"}).content.decode()
    assert "過去の日は予約できません。" in past
    default = client.get(url("room", room.pk)).content.decode()  # today first, while it still has free hours
    assert "10月30日（金）の空いている時間" in default
    assert client.get(url("room", room.pk), {"day": "garbage", "month": "13-2026"}).status_code == 200
    assert client.get(url("room", 999999)).status_code == 404


def _cells(body: str) -> dict[int, str]:
    """Day number -> the calendar cell's state word, from the month table."""
    import re

    table = body[body.index('<table class="month-calendar__table">'):]
    table = table[:table.index("</table>")]
    return {int(day): state for day, state in re.findall(
        r'<span class="visually-hidden">[^<]*</span>(\d+)<span class="visually-hidden">.*?'
        r'<span class="month-calendar__state">([^<]*)</span>', table)}


def test_calendar_cells_say_how_much_time_is_free_and_why_a_day_is_not_bookable(client, town_a, room, neighbour):
    reserve(room, neighbour, WEDNESDAY, 10, 12)
    november = _cells(client.get(url("room", room.pk), {"month": "2026-11"}).content.decode())
    assert november[4] == "空き10時間" and november[5] == "空き12時間" and november[3] == "休館"
    october = _cells(client.get(url("room", room.pk), {"month": "2026-10"}).content.decode())
    assert october[29] == "過ぎた日" and october[30] == "空き11時間"  # today: 10:00 on (1 hour's notice)
    near = make_room(town_a, name="第2会議室", rules=dataclasses.replace(ROOM_RULES, window_days=30))
    november = _cells(client.get(url("room", near.pk), {"month": "2026-11"}).content.decode())
    december = _cells(client.get(url("room", near.pk), {"month": "2026-12"}).content.decode())
    assert november[29] == "空き12時間" and december[1] == "受付前"  # the window ends on 11/29
    assert "受付外" not in str(october) + str(december)


def test_a_day_whose_booking_has_closed_says_the_rule(client, town_a):
    strict = make_room(town_a, rules=dataclasses.replace(ROOM_RULES, min_notice=timedelta(days=1)))
    page = client.get(url("room", strict.pk), {"day": "2026-10-30"}).content.decode()
    assert _cells(page)[30] == "受付は前日まで"
    assert "当日の予約は受け付けていません。予約は、使う日の前日までにしてください（利用開始の1日前まで）。" in page
    with time_machine.travel(datetime(2026, 10, 30, 20, 30, tzinfo=TOKYO), tick=False):
        late = client.get(url("room", make_room(town_a, name="第2会議室").pk), {"day": "2026-10-30"}).content.decode()
    assert _cells(late)[30] == "受付終了"
    assert "この日の受付は終了しました。予約は、利用開始の1時間前までです。" in late


def test_appointment_days_list_the_free_times(client, nouzei):
    page = client.get(url("appointment", nouzei.slug)).content.decode()
    assert "11月2日（月） <span class=\"day-list__state\">9:00〜12:00、13:00〜17:00 空き</span>" in page


def test_booking_asks_an_anonymous_visitor_to_log_in(client, room):
    response = client.get(url("room-book", room.pk), {"day": "2026-11-04", "start": "10:00"})
    assert response.status_code == 302
    assert response["Location"].startswith("/t/10382/accounts/login/?next=")
    assert "room-book" not in response["Location"] and "%2Fbook%2F" in response["Location"]
    assert client.get(url("mine"))["Location"].startswith("/t/10382/accounts/login/?next=")


# Booking a room -------------------------------------------------------------------------------------------------

def test_book_a_room_with_a_chosen_length_and_see_the_confirmation(town_a, room, resident_a, resident_client):
    form = resident_client.get(url("room-book", room.pk), {"day": "2026-11-04", "start": "10:00"})
    assert form.status_code == 200
    page = form.content.decode()
    assert "2026年11月4日（水）" in page and "10:00" in page
    for option in ("1時間（11:00まで）　使用料 600円", "2時間（12:00まで）　使用料 1,200円",
                   "3時間（13:00まで）　使用料 1,800円"):
        assert option in page
    assert 'name="_once"' in page

    response = book(resident_client, room, WEDNESDAY, "10:00", length="120")
    [reservation] = reservations_of(town_a)
    assert response.status_code == 302 and response["Location"] == url("detail", reservation.public_id)
    assert (reservation.starts_at, reservation.ends_at) == (at(WEDNESDAY, 10), at(WEDNESDAY, 12))
    assert (reservation.fee, reservation.people, reservation.status) == (1200, 8, Status.CONFIRMED)
    assert reservation.purpose == "自治会の役員会" and reservation.kind == Kind.ROOM

    detail = resident_client.get(response["Location"]).content.decode()
    assert "予約が確定しました" in detail and "1,200円" in detail
    assert url("ics", reservation.public_id) in detail
    assert "メールアドレスの確認が済んでいないため、確認のメールはお送りしていません" in detail
    # The kernel's mail rule says what to do: マイページ, where the confirmation mail is re-sent.
    assert '<a href="/t/10382/accounts/profile/">マイページで確認メールを送り直す</a>' in detail
    assert url("cancel", reservation.public_id) in detail
    assert "予約が確定しました" not in resident_client.get(response["Location"]).content.decode()  # shown once


def test_confirmation_says_mail_was_sent_only_to_a_confirmed_address(town_a, room, resident_a, resident_client):
    resident_a.user.email_verified_at = timezone.now()
    resident_a.user.save()
    response = book(resident_client, room, WEDNESDAY, "10:00")
    detail = resident_client.get(response["Location"]).content.decode()
    assert f"確認のメールを {resident_a.user.email} にお送りしました" in detail
    assert "マイページで確認メールを送り直す" not in detail


def test_a_room_that_needs_approval_asks_to_wait(town_a, resident_client):
    hall = make_room(town_a, name="大ホール", approval_required=True)
    response = book(resident_client, hall, WEDNESDAY, "10:00")
    [reservation] = reservations_of(town_a)
    assert reservation.status == Status.PENDING
    assert "承認をお待ちください" in resident_client.get(response["Location"]).content.decode()


def test_the_same_form_posted_twice_books_once(town_a, room, resident_client):
    token = secrets.token_urlsafe(24)
    first = book(resident_client, room, WEDNESDAY, "10:00", token=token)
    second = book(resident_client, room, WEDNESDAY, "10:00", token=token)
    assert first.status_code == 302 and second.status_code == 302
    assert second["Location"] == url("mine")
    assert len(reservations_of(town_a)) == 1


def test_an_overlapping_booking_is_refused_in_japanese_and_nothing_saved(town_a, room, neighbour, resident_client):
    reserve(room, neighbour, WEDNESDAY, 10, 12)
    response = book(resident_client, room, WEDNESDAY, "11:00", purpose="囲碁クラブ")
    assert response.status_code == 400
    body = response.content.decode()
    assert "error-summary" in body and "その時間はすでに予約が入っています。別の時間を選んでください。" in body
    assert 'value="囲碁クラブ"' in body  # typing kept
    assert body.startswith("<!doctype html>") and "<title>エラー: " in body
    assert len(reservations_of(town_a)) == 1
    with scope(municipality=town_a):
        assert Booking.objects.count() == 1
    # The page for a slot taken meanwhile says so before the resident types anything.
    page = resident_client.get(url("room-book", room.pk), {"day": "2026-11-04", "start": "11:00"}).content.decode()
    assert "この時間はいま空いていません" in page


@pytest.mark.parametrize(("day", "start", "message"), [
    ("2026-10-29", "10:00", "過去の日時は予約できません"),
    ("2026-11-03", "10:00", "祝日（文化の日）のため休館です"),
    ("2026-11-02", "10:00", "この曜日は休館です"),
    ("2027-01-05", "10:00", "予約は12月29日の分まで受け付けています"),
    ("2026-11-04", "10:30", "開始・終了の時刻は9:00から1時間刻みで指定してください"),
])
def test_past_closed_and_out_of_hours_requests_are_refused(town_a, room, resident_client, day, start, message):
    response = book(resident_client, room, day, start)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert reservations_of(town_a) == []


def test_every_problem_is_listed_and_an_empty_purpose_is_linked_to_its_field(town_a, room, resident_client):
    response = book(resident_client, room, WEDNESDAY, "10:00", purpose="  ", people="0")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'href="#id_purpose"' in body and "利用目的を入力してください。" in body
    assert "利用人数は1人以上で入力してください。" in body
    over = book(resident_client, room, WEDNESDAY, "10:00", people="31").content.decode()
    assert "この部屋の定員は30人です。" in over
    assert reservations_of(town_a) == []


def test_a_booking_link_without_a_time_goes_back_to_the_room(room, resident_client):
    response = resident_client.get(url("room-book", room.pk), {"day": "2026-11-04", "start": "noon"})
    assert response.status_code == 302 and response["Location"] == url("room", room.pk)
    assert book(resident_client, room, "not-a-day", "10:00").status_code == 302


# Counter appointments -------------------------------------------------------------------------------------------

def test_appointment_page_offers_the_next_open_days_and_free_times(client, town_a, nouzei, neighbour):
    body = client.get(url("appointment", "nouzei")).content.decode()
    days = body[body.index('class="day-list"'):body.index("</ul>", body.index('class="day-list"'))]
    assert days.count("<li>") == 14
    assert "10月30日（金）" in days and "11月2日（月）" in days
    assert "11月3日" not in days and "10月31日" not in days  # 文化の日 and a Saturday
    assert 'type="date"' in body

    with scope(municipality=town_a):
        services.reserve_appointment(nouzei, neighbour, at(WEDNESDAY, 9), purpose="分納の相談")
    chosen = client.get(url("appointment", "nouzei"), {"day": "2026-11-04"}).content.decode()
    link = f"{url('appointment-book', 'nouzei')}?day=2026-11-04&amp;start="
    assert f"{link}10:00" in chosen and f"{link}16:00" in chosen
    assert f"{link}09:00" not in chosen and f"{link}09:30" not in chosen and f"{link}11:30" not in chosen
    saturday = client.get(url("appointment", "nouzei"), {"day": "2026-10-31"}).content.decode()
    assert "この曜日は休館です" in saturday


def test_book_an_appointment_with_its_purpose(town_a, nouzei, resident_a, resident_client):
    page = resident_client.get(url("appointment-book", "nouzei"), {"day": "2026-11-04", "start": "10:00"})
    assert page.status_code == 200 and "10:00〜11:00" in page.content.decode()
    data = {"day": "2026-11-04", "start": "10:00", "purpose": "", "_once": secrets.token_urlsafe(24)}
    empty = resident_client.post(url("appointment-book", "nouzei"), data)
    assert empty.status_code == 400 and "ご用件を入力してください。" in empty.content.decode()
    assert reservations_of(town_a) == []

    response = resident_client.post(url("appointment-book", "nouzei"), {**data, "purpose": "固定資産税の分納"})
    [reservation] = reservations_of(town_a)
    assert response.status_code == 302 and response["Location"] == url("detail", reservation.public_id)
    assert reservation.kind == Kind.APPOINTMENT and reservation.appointment_type == nouzei
    assert (reservation.starts_at, reservation.ends_at) == (at(WEDNESDAY, 10), at(WEDNESDAY, 11))
    detail = resident_client.get(response["Location"]).content.decode()
    assert "予約が確定しました" in detail and "税務課" in detail and "固定資産税の分納" in detail

    taken = resident_client.post(url("appointment-book", "nouzei"), {**data, "purpose": "別件",
                                                                      "_once": secrets.token_urlsafe(24)})
    assert taken.status_code == 400 and "すでに予約が入っています" in taken.content.decode()


# My reservations, .ics, cancelling ------------------------------------------------------------------------------

def test_mine_lists_upcoming_and_past(town_a, room, resident_a, resident_client):
    upcoming = reserve(room, resident_a, WEDNESDAY, 10, 11)
    cancelled = reserve(room, resident_a, date(2026, 11, 6), 10, 11)
    with scope(municipality=town_a):
        services.cancel(cancelled, resident=resident_a)
    body = resident_client.get(url("mine")).content.decode()
    assert body.index("これからの予約") < body.index(url("detail", upcoming.public_id))
    assert body.index("これまでの予約") < body.index(url("detail", cancelled.public_id))
    assert "取消し" in body


def test_ics_is_a_calendar_attachment(town_a, room, resident_a, resident_client):
    reservation = reserve(room, resident_a, WEDNESDAY, 10, 12)
    response = resident_client.get(url("ics", reservation.public_id))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"].startswith("attachment;")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in body
    assert "DTSTART;TZID=Asia/Tokyo:20261104T100000" in body or "DTSTART:20261104T010000Z" in body
    assert f"{reservation.public_id}@yakuba" in body
    assert "STATUS:CONFIRMED" in body and "SEQUENCE:0" in body


def test_a_cancelled_reservation_offers_no_calendar_and_its_ics_says_cancelled(town_a, room, resident_a,
                                                                              resident_client):
    reservation = reserve(room, resident_a, WEDNESDAY, 10, 12)
    resident_client.post(url("cancel", reservation.public_id), {"_once": secrets.token_urlsafe(24)})
    detail = resident_client.get(url("detail", reservation.public_id)).content.decode()
    assert "予約を取り消しました。" in detail
    assert url("ics", reservation.public_id) not in detail and ".ics" not in detail
    body = resident_client.get(url("ics", reservation.public_id)).content.decode()
    # Same UID, a newer SEQUENCE and STATUS:CANCELLED: a calendar that imported the booking drops it.
    assert f"UID:{reservation.public_id}@yakuba" in body
    assert "STATUS:CANCELLED" in body and "SEQUENCE:1" in body and "STATUS:CONFIRMED" not in body
    assert "SUMMARY:【取消し】" in body


def test_cancel_before_the_deadline(town_a, room, resident_a, resident_client):
    reservation = reserve(room, resident_a, WEDNESDAY, 10, 12)
    page = resident_client.get(url("cancel", reservation.public_id)).content.decode()
    assert "予約を取り消す" in page and 'name="_once"' in page
    response = resident_client.post(url("cancel", reservation.public_id), {"_once": secrets.token_urlsafe(24)})
    assert response.status_code == 302 and response["Location"] == url("detail", reservation.public_id)
    [saved] = reservations_of(town_a)
    assert saved.status == Status.CANCELLED
    detail = resident_client.get(url("detail", reservation.public_id)).content.decode()
    assert "予約を取り消しました。" in detail and url("cancel", reservation.public_id) not in detail
    assert "空き12時間" in resident_client.get(url("room", room.pk), {"day": "2026-11-04"}).content.decode()


def test_cancel_after_the_deadline_is_refused(town_a, room, resident_a, resident_client, clock):
    reservation = reserve(room, resident_a, WEDNESDAY, 10, 12)
    clock.move_to(at(date(2026, 11, 3), 12))
    resident_client.force_login(resident_a.user)  # the old session has gone idle
    detail = resident_client.get(url("detail", reservation.public_id)).content.decode()
    assert "取消しの期限（11月3日（火）10:00）を過ぎています" in detail
    assert url("cancel", reservation.public_id) not in detail
    page = resident_client.get(url("cancel", reservation.public_id)).content.decode()
    assert "取消しの期限" in page and 'name="_once"' not in page
    response = resident_client.post(url("cancel", reservation.public_id), {"_once": secrets.token_urlsafe(24)})
    assert response.status_code == 400
    assert "取消しの期限（11月3日（火）10:00）を過ぎています" in response.content.decode()
    [saved] = reservations_of(town_a)
    assert saved.status == Status.CONFIRMED


def test_other_residents_and_other_towns_reservations_are_not_found(town_a, town_b, room, neighbour, resident_a,
                                                                     resident_b, resident_client):
    theirs = reserve(room, neighbour, WEDNESDAY, 10, 11)
    for name in ("detail", "ics", "cancel"):
        assert resident_client.get(url(name, theirs.public_id)).status_code == 404
    assert resident_client.post(url("cancel", theirs.public_id)).status_code == 404
    mine = reserve(room, resident_a, WEDNESDAY, 12, 13)
    # resident_a has no profile in town B: asked to start using its services there, shown nothing of theirs;
    # once they use town B too, their town A booking is still not found there.
    elsewhere = resident_client.get(url("detail", mine.public_id, town_code="10384"))
    assert elsewhere.status_code == 302 and elsewhere["Location"].startswith("/t/10384/accounts/join/")
    assert resident_client.post("/t/10384/accounts/join/").status_code == 302
    assert resident_client.get(url("detail", mine.public_id, town_code="10384")).status_code == 404
    room_b = make_room(town_b, name="甘楽の会議室", slug="kanra")
    reservation_b = reserve(room_b, resident_b, WEDNESDAY, 10, 11)
    client_b = Client()
    client_b.force_login(resident_b.user)
    assert client_b.get(url("detail", reservation_b.public_id, town_code="10384")).status_code == 200
    assert client_b.post("/t/10382/accounts/join/").status_code == 302
    assert client_b.get(url("detail", reservation_b.public_id)).status_code == 404
    assert resident_client.get(url("room", room_b.pk)).status_code == 404
    assert resident_client.get(url("room-book", room_b.pk), {"day": "2026-11-04", "start": "10:00"}
                               ).status_code == 404
    with scope(municipality=town_a):
        assert Reservation.objects.filter(pk=theirs.pk, status=Status.CONFIRMED).exists()


# Changing -------------------------------------------------------------------------------------------------------

def test_a_resident_moves_a_room_booking_to_another_day(resident_client, town_a, room, resident_a, neighbour):
    reservation = reserve(room, resident_a, WEDNESDAY, 10, 12)
    reserve(room, neighbour, date(2026, 11, 5), 14, 15)
    detail = resident_client.get(url("detail", reservation.public_id)).content.decode()
    assert url("change", reservation.public_id) in detail
    page = resident_client.get(url("change", reservation.public_id), {"day": "2026-11-05"})
    text = page.content.decode()
    assert page.status_code == 200 and 'value="13:00"' in text and 'value="14:00"' not in text  # taken
    token = secrets.token_urlsafe(24)
    response = resident_client.post(url("change", reservation.public_id),
                                     {"day": "2026-11-05", "start": "16:00", "length": "120", "_once": token})
    with scope(municipality=town_a):
        old = Reservation.objects.get(pk=reservation.pk)
        new = Reservation.objects.exclude(pk=reservation.pk).get(resident=resident_a)
    assert response.status_code == 302 and response["Location"].endswith(f"/my/reservations/{new.public_id}/")
    assert old.status == Status.CANCELLED and old.booking.status == "cancelled"
    assert (new.starts_at, new.ends_at, new.purpose, new.fee) == (at(date(2026, 11, 5), 16), at(date(2026, 11, 5), 18),
                                                                  "自治会の会議", 1200)
    again = resident_client.post(url("change", reservation.public_id),
                                 {"day": "2026-11-05", "start": "16:00", "length": "120", "_once": token})
    assert again.status_code == 302  # a double click changes nothing more
    with scope(municipality=town_a):
        assert Reservation.objects.filter(resident=resident_a).count() == 2


def test_a_change_to_a_taken_time_keeps_the_reservation(resident_client, town_a, room, resident_a, neighbour):
    reservation = reserve(room, resident_a, WEDNESDAY, 10, 12)
    reserve(room, neighbour, date(2026, 11, 5), 14, 15)
    response = resident_client.post(url("change", reservation.public_id), {
        "day": "2026-11-05", "start": "13:00", "length": "120", "_once": secrets.token_urlsafe(24)})
    assert response.status_code == 400
    assert "すでに予約が入っています" in response.content.decode()
    with scope(municipality=town_a):
        assert Reservation.objects.get(pk=reservation.pk).status == Status.CONFIRMED
        assert Reservation.objects.filter(resident=resident_a).count() == 1


def test_no_change_after_the_deadline_nor_of_someone_elses_booking(resident_client, town_a, room, resident_a,
                                                                   neighbour, clock):
    reservation = reserve(room, resident_a, WEDNESDAY, 10, 12)
    theirs = reserve(room, neighbour, WEDNESDAY, 14, 15)
    assert resident_client.get(url("change", theirs.public_id)).status_code == 404
    clock.move_to(at(WEDNESDAY, 8))  # within the 1-day deadline
    resident_client.force_login(resident_a.user)  # the old session has gone idle
    page = resident_client.get(url("change", reservation.public_id)).content.decode()
    assert "取消しの期限" in page and "この日時に変更する" not in page
    response = resident_client.post(url("change", reservation.public_id), {
        "day": "2026-11-06", "start": "10:00", "length": "60", "_once": secrets.token_urlsafe(24)})
    assert response.status_code == 400 and "取消しの期限" in response.content.decode()
    with scope(municipality=town_a):
        assert Reservation.objects.get(pk=reservation.pk).status == Status.CONFIRMED


def test_an_appointment_moves_to_another_time(resident_client, town_a, nouzei, resident_a):
    with scope(municipality=town_a):
        reservation = services.reserve_appointment(nouzei, resident_a, at(WEDNESDAY, 10), purpose="分納の相談")
    page = resident_client.get(url("change", reservation.public_id), {"day": "2026-11-06"}).content.decode()
    assert "利用時間" not in page and 'value="14:00"' in page
    resident_client.post(url("change", reservation.public_id),
                         {"day": "2026-11-06", "start": "14:00", "_once": secrets.token_urlsafe(24)})
    with scope(municipality=town_a):
        new = Reservation.objects.get(resident=resident_a, status=Status.CONFIRMED)
    assert (new.starts_at, new.purpose, new.appointment_type_id) == (at(date(2026, 11, 6), 14), "分納の相談", nouzei.pk)

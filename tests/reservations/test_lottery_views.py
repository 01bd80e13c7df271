"""抽選 pages over HTTP: residents see open lotteries, apply (bad input kept with 400), withdraw, and see results;
staff of the room's department create, draw once with a confirmation, verify and export; others get 404.

The clock stands at 2026-04-20 (Mon) 10:00 in Tokyo, inside the window 4/20 9:00 – 4/30 17:00 for 6/1–6/30.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from tests import factories
from tests.reservations.test_lottery import CLOSES, NOW, OPENS, RULES, TOKYO
from yakuba.reservations.models import EntryStatus, Lottery, LotteryEntry, LotteryStatus, Reservation
from yakuba.reservations.services import lottery as lotteries
from yakuba.reservations.views.lottery import my_entries

pytestmark = pytest.mark.django_db

@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def clerk(town_a):
    return factories.make_staff(town_a, department="教育課")


@pytest.fixture
def room(town_a):
    return factories.make_room(town_a, facility="総合体育館", department="教育課", name="アリーナ", rules=RULES)


@pytest.fixture
def lottery(town_a, room, clerk) -> Lottery:
    with scope(municipality=town_a):
        return lotteries.create_lottery(staff=clerk, title="6月のアリーナ", rooms=[room],
                                        period_start=date(2026, 6, 1), period_end=date(2026, 6, 30),
                                        opens_at=OPENS, closes_at=CLOSES, max_entries=2)


@pytest.fixture
def resident_client(resident_a) -> Client:
    client = Client()
    client.force_login(resident_a.user)
    return client


def url(name: str, *args: object, town_code: str = "10382") -> str:
    return f"/t/{town_code}{reverse(f'reservations:{name}', args=args)}"


def staff_url(name: str, *args: object, town_code: str = "10382") -> str:
    return f"/t/{town_code}{reverse(f'staff:{name}', args=args)}"


def application(room, **changes) -> dict[str, str]:
    return {"room": str(room.pk), "day": "2026-06-06", "start": "10:00", "length": "120",
            "purpose": "ママさんバレーの練習", "people": "12", **changes}


def entries(town) -> list[LotteryEntry]:
    with scope(municipality=town):
        return list(LotteryEntry.objects.order_by("pk"))


# Residents ---------------------------------------------------------------------------------------------------------

def test_the_list_shows_open_lotteries_with_window_and_period_to_anyone(lottery, client, town_a, room, clerk):
    with scope(municipality=town_a):
        cancelled = lotteries.create_lottery(staff=clerk, title="中止した抽選", rooms=[room],
                                             period_start=date(2026, 7, 1), period_end=date(2026, 7, 31),
                                             opens_at=OPENS, closes_at=CLOSES)
        lotteries.cancel_lottery(cancelled, staff=clerk)
    page = client.get(url("lotteries"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "6月のアリーナ" in text and "受付中" in text and "中止した抽選" not in text
    assert "2026年6月1日（月）〜6月30日（火）" in text
    assert "4月20日（月） 9:00〜4月30日（木） 17:00" in text


def test_a_resident_applies_and_sees_the_entry_as_first_preference(lottery, resident_client, resident_a, room):
    page = resident_client.get(url("lottery", lottery.public_id))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'min="2026-06-01"' in text and 'max="2026-06-30"' in text
    assert '<option value="10:00">10:00</option>' in text and "3時間" in text
    done = resident_client.post(url("lottery", lottery.public_id), application(room))
    assert done.status_code == 302 and done["Location"].endswith("#my-entries")
    [entry] = entries(lottery.municipality)
    assert (entry.resident_id, entry.preference, entry.status) == (resident_a.pk, 1, EntryStatus.APPLIED)
    assert entry.starts_at == datetime(2026, 6, 6, 10, tzinfo=TOKYO)
    assert entry.ends_at == datetime(2026, 6, 6, 12, tzinfo=TOKYO)
    text = resident_client.get(url("lottery", lottery.public_id)).content.decode()
    assert "第1希望" in text and "抽選待ち" in text and "2026年6月6日（土） 10:00〜12:00" in text
    assert "あと1件申し込めます。" in text


@pytest.mark.parametrize(("changes", "expected"), [
    ({"day": "2026-07-04"}, "利用日は2026年6月1日から2026年6月30日までの中から選んでください。"),
    ({"start": "20:00"}, "この日の利用時間は9:00〜21:00です"),
    ({"day": "6月6日"}, "利用日は 2026-06-06 のように入力してください。"),
    ({"start": "10:30"}, "開始時刻を選び直してください。"),
    ({"purpose": ""}, "利用目的を入力してください。"),
])
def test_bad_input_is_refused_with_400_and_the_typing_kept(lottery, resident_client, room, changes, expected):
    data = application(room, **changes)
    page = resident_client.post(url("lottery", lottery.public_id), data)
    text = page.content.decode()
    assert page.status_code == 400
    assert expected in text and "入力内容に問題があります" in text
    assert 'value="12"' in text  # people kept
    if data["purpose"]:
        assert data["purpose"] in text
    assert entries(lottery.municipality) == []


def test_the_limit_and_duplicates_are_told_on_the_form(lottery, resident_client, room):
    assert resident_client.post(url("lottery", lottery.public_id), application(room)).status_code == 302
    again = resident_client.post(url("lottery", lottery.public_id), application(room, length="60"))
    assert again.status_code == 400
    assert "同じ部屋・同じ開始時刻には、すでに申し込んでいます。" in again.content.decode()
    assert resident_client.post(url("lottery", lottery.public_id), application(room, day="2026-06-13")
                                ).status_code == 302
    text = resident_client.get(url("lottery", lottery.public_id)).content.decode()
    assert "申込の上限に達しました" in text and "抽選に申し込む" not in text


def test_a_double_click_applies_once(lottery, resident_client, room):
    data = application(room, _once="t" * 32)
    assert resident_client.post(url("lottery", lottery.public_id), data).status_code == 302
    assert resident_client.post(url("lottery", lottery.public_id), data).status_code == 302
    assert len(entries(lottery.municipality)) == 1


def test_the_resident_withdraws_their_own_entry_before_the_deadline(lottery, resident_client, room, town_a):
    resident_client.post(url("lottery", lottery.public_id), application(room))
    [entry] = entries(town_a)
    page = resident_client.get(url("lottery-withdraw", entry.public_id))
    assert page.status_code == 200 and "取り下げる" in page.content.decode()
    done = resident_client.post(url("lottery-withdraw", entry.public_id))
    assert done.status_code == 302
    assert entries(town_a)[0].status == EntryStatus.WITHDRAWN
    refused = resident_client.post(url("lottery-withdraw", entry.public_id))
    assert refused.status_code == 400 and "取り下げられません" in refused.content.decode()


def test_the_form_is_closed_outside_the_window(lottery, resident_client, resident_a, room, clock):
    clock.move_to(CLOSES + timedelta(minutes=1))
    resident_client.force_login(resident_a.user)  # the old session has gone idle
    text = resident_client.get(url("lottery", lottery.public_id)).content.decode()
    assert "申込の受付は終わりました。" in text and "抽選に申し込む" not in text
    refused = resident_client.post(url("lottery", lottery.public_id), application(room))
    assert refused.status_code == 400 and "締め切りました" in refused.content.decode()


def test_other_towns_and_other_residents_get_404(lottery, town_a, town_b, resident_a, resident_b, room,
                                                 resident_client):
    resident_client.post(url("lottery", lottery.public_id), application(room))
    [entry] = entries(town_a)
    neighbour = Client()
    neighbour.force_login(factories.make_resident(town_a, family_name="隣").user)
    assert neighbour.get(url("lottery-withdraw", entry.public_id)).status_code == 404
    assert neighbour.post(url("lottery-withdraw", entry.public_id)).status_code == 404
    client_b = Client()
    client_b.force_login(resident_b.user)
    assert client_b.get(url("lottery", lottery.public_id, town_code="10384")).status_code == 404
    assert client_b.post(url("lottery", lottery.public_id, town_code="10384"),
                         application(room)).status_code == 404
    assert "6月のアリーナ" not in client_b.get(url("lotteries", town_code="10384")).content.decode()
    assert len(entries(town_a)) == 1


def test_my_entries_show_results_on_the_reservations_page(lottery, resident_client, resident_a, room, clerk,
                                                          town_a):
    resident_client.post(url("lottery", lottery.public_id), application(room))
    with scope(municipality=town_a):
        lotteries.draw(lottery, staff=clerk, now=CLOSES + timedelta(hours=1))
        context = my_entries(resident_a)
        html = render_to_string("reservations/public/_my_lottery_entries.html", context)
    assert [entry.status for entry in context["lottery_entries"]] == [EntryStatus.WON]
    assert "6月のアリーナ" in html and "当選" in html and "第1希望" in html
    text = resident_client.get(url("lottery", lottery.public_id)).content.decode()
    assert "当選" in text and "予約の内容を見る" in text and "先着順で予約できます" in text


# Staff -------------------------------------------------------------------------------------------------------------

def test_staff_create_a_lottery_and_bad_input_keeps_the_typing(town_a, room, clerk):
    client = factories.staff_client(clerk)
    assert client.get(staff_url("reservations-lottery-new")).status_code == 200
    data = {"title": "7月のアリーナ", "rooms": [str(room.pk)], "period_start": "2026-07-01",
            "period_end": "2026-07-31", "opens_at": "2026-05-01T09:00", "closes_at": "2026-04-30T17:00",
            "max_entries": "3"}
    refused = client.post(staff_url("reservations-lottery-new"), data)
    text = refused.content.decode()
    assert refused.status_code == 400 and "申込の締切は、受付の開始より後にしてください。" in text
    assert 'value="7月のアリーナ"' in text and 'value="2026-05-01T09:00"' in text
    done = client.post(staff_url("reservations-lottery-new"), {**data, "closes_at": "2026-05-31T17:00"})
    assert done.status_code == 302
    with scope(municipality=town_a):
        created = Lottery.objects.get(title="7月のアリーナ")
        assert list(created.rooms.all()) == [room]
        assert created.closes_at == datetime(2026, 5, 31, 17, tzinfo=TOKYO)
    assert done["Location"].endswith(reverse("staff:reservations-lottery", args=[created.pk]))


def test_staff_draw_once_after_the_deadline_with_a_confirmation(lottery, town_a, room, clerk, clock,
                                                                 resident_client):
    resident_client.post(url("lottery", lottery.public_id), application(room))
    client = factories.staff_client(clerk)
    page = client.get(staff_url("reservations-lottery", lottery.pk)).content.decode()
    assert "抽選は申込の締切（4月30日（木）17:00）の後に行えます。" in page and "1人・1件" in page
    early = client.post(staff_url("reservations-lottery-draw", lottery.pk), {"confirm": "1"})
    assert early.status_code == 400 and "締切" in early.content.decode()
    clock.move_to(CLOSES + timedelta(hours=1))
    client = factories.staff_client(clerk)  # the old session has gone idle
    unconfirmed = client.post(staff_url("reservations-lottery-draw", lottery.pk))
    assert unconfirmed.status_code == 400 and "チェックを入れてください" in unconfirmed.content.decode()
    assert client.post(staff_url("reservations-lottery-draw", lottery.pk), {"confirm": "1"}).status_code == 302
    twice = client.post(staff_url("reservations-lottery-draw", lottery.pk), {"confirm": "1"})
    assert twice.status_code == 400 and "この抽選はすでに行いました。" in twice.content.decode()
    with scope(municipality=town_a):
        lottery.refresh_from_db()
        assert lottery.status == LotteryStatus.DRAWN and Reservation.objects.count() == 1
    page = client.get(staff_url("reservations-lottery", lottery.pk)).content.decode()
    assert "記録と一致しています" in page and lottery.seed in page and "当選1件・落選0件" in page
    export = client.get(staff_url("reservations-lottery-csv", lottery.pk))
    body = export.content.decode("utf-8")
    assert export.status_code == 200 and body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][0] == "申込番号" and rows[1][1:6] == ["総合体育館", "アリーナ", "2026-06-06", "10:00", "12:00"]
    assert rows[1][-1] == "当選"


def test_staff_cancel_a_lottery(lottery, town_a, clerk):
    client = factories.staff_client(clerk)
    assert client.post(staff_url("reservations-lottery-cancel", lottery.pk)).status_code == 302
    with scope(municipality=town_a):
        lottery.refresh_from_db()
        assert lottery.status == LotteryStatus.CANCELLED
    again = client.post(staff_url("reservations-lottery-cancel", lottery.pk))
    assert again.status_code == 400


def test_other_departments_and_towns_do_not_see_the_lottery(lottery, town_a, town_b, staff_b):
    outsider = factories.staff_client(factories.make_staff(town_a, department="住民課"))
    assert "6月のアリーナ" not in outsider.get(staff_url("reservations-lotteries")).content.decode()
    for name in ("reservations-lottery", "reservations-lottery-csv"):
        assert outsider.get(staff_url(name, lottery.pk)).status_code == 404
    for name in ("reservations-lottery-draw", "reservations-lottery-cancel"):
        assert outsider.post(staff_url(name, lottery.pk), {"confirm": "1"}).status_code == 404
    other_town = factories.staff_client(staff_b)
    assert other_town.get(staff_url("reservations-lottery", lottery.pk, town_code="10384")).status_code == 404
    with scope(municipality=town_a):
        lottery.refresh_from_db()
        assert lottery.status == LotteryStatus.OPEN
    manager = factories.staff_client(factories.make_staff(town_a, department="教育課"))
    assert "6月のアリーナ" in manager.get(staff_url("reservations-lotteries")).content.decode()


def test_the_results_csv_never_carries_a_live_formula(lottery, town_a, room, clerk, resident_a, resident_client):
    """An applicant named `=HYPERLINK(...)` or a purpose starting with `-`/`@`/tab is a quoted text in the export."""
    from tests.kernel.files.test_tables import HOSTILE, assert_inert

    resident_client.post(url("lottery", lottery.public_id), application(room))
    with scope(municipality=town_a):
        entry = LotteryEntry.objects.get()
        type(resident_a).objects.filter(pk=resident_a.pk).update(family_name='=HYPERLINK("http://evil.example/","押す")')
    client = factories.staff_client(clerk)
    for text in HOSTILE:
        with scope(municipality=town_a):
            LotteryEntry.objects.filter(pk=entry.pk).update(purpose=text, people=12)
        body = client.get(staff_url("reservations-lottery-csv", lottery.pk)).content.decode("utf-8")
        row = list(csv.reader(io.StringIO(body.lstrip("\ufeff"), newline="")))[1]
        assert_inert(row[6], '=HYPERLINK("http://evil.example/","押す") 花子')
        assert_inert(row[9], text)
        assert row[0] == str(entry.pk) and row[8] == "1" and row[10] == "12"  # numbers stay as written

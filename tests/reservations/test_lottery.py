"""抽選 services: the application window, limits and duplicates, the hold on first-come booking, a fair draw
(seeded, reproducible, verifiable), winners never overlapping, leftovers open first-come, results mailed once.

The clock stands at 2026-04-20 (Mon) 10:00 in Tokyo. Applications are taken 4/20 9:00 – 4/30 17:00 for the days
6/1–6/30; the room's own booking window is 30 days (to 5/20), so June is beyond it until the draw.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.support.race import race
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused
from yakuba.kernel.scheduling import calendar
from yakuba.reservations import services
from yakuba.reservations.models import EntryStatus, LotteryEntry, LotteryStatus, Reservation, Status
from yakuba.reservations.services import lottery as lotteries

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 4, 20, 10, 0, tzinfo=TOKYO)
OPENS = datetime(2026, 4, 20, 9, 0, tzinfo=TOKYO)
CLOSES = datetime(2026, 4, 30, 17, 0, tzinfo=TOKYO)
AFTER_CLOSE = datetime(2026, 5, 1, 9, 0, tzinfo=TOKYO)
JUNE_6 = date(2026, 6, 6)
RULES = calendar.Rules(hours=(((time(9), time(21)),),) * 7, closed_on_holidays=False, year_end_closure=False,
                       window_days=30, min_notice=timedelta(hours=1), slot=timedelta(hours=1),
                       min_length=timedelta(hours=1), max_length=timedelta(hours=3)).to_dict()
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                               "QUEUES": ["default", "mail"]}}


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), TOKYO)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def clerk(town_a):
    return factories.make_staff(town_a, department="教育課")


@pytest.fixture
def room(town_a):
    return factories.make_room(town_a, department="教育課", name="体育館", rules=RULES, fee_per_hour=400)


@pytest.fixture
def lottery(town_a, room, clerk):
    with scope(municipality=town_a):
        return lotteries.create_lottery(staff=clerk, title="6月の体育館", rooms=[room], period_start=date(2026, 6, 1),
                                        period_end=date(2026, 6, 30), opens_at=OPENS, closes_at=CLOSES,
                                        max_entries=3)


def resident(town, name: str, *, verified: bool = False):
    person = factories.make_resident(town, family_name=name)
    if verified:
        person.user.email_verified_at = timezone.now()
        person.user.save()
    return person


def apply(lottery, person, room, day: date, start: int, hours: int = 2, **kwargs):
    with scope(municipality=lottery.municipality):
        return lotteries.apply(lottery, person, room=room, starts_at=at(day, start),
                               ends_at=at(day, start + hours), purpose=kwargs.pop("purpose", "バレーボールの練習"),
                               **kwargs)


def refusal(lottery, person, room, day: date, start: int, hours: int = 2, **kwargs) -> str:
    with pytest.raises(Refused) as refused:
        apply(lottery, person, room, day, start, hours, **kwargs)
    return " ".join(refused.value.messages)


def draw(lottery, staff, **kwargs):
    with scope(municipality=lottery.municipality):
        return lotteries.draw(lottery, staff=staff, now=kwargs.pop("now", AFTER_CLOSE), **kwargs)


def results(lottery) -> dict[int, str]:
    with scope(municipality=lottery.municipality):
        return dict(LotteryEntry.objects.filter(lottery=lottery).values_list("pk", "status"))


# Setting up ---------------------------------------------------------------------------------------------------------

def test_a_lottery_is_created_for_managed_rooms_and_audited(lottery, room, clerk):
    with scope(municipality=lottery.municipality):
        assert list(lottery.rooms.all()) == [room] and lottery.status == LotteryStatus.OPEN
        entry = AuditEntry.objects.get(action="reservations.lottery.created")
        assert entry.actor == clerk.user and entry.object_id == str(lottery.pk)


@pytest.mark.parametrize(("changes", "expected"), [
    ({"closes_at": OPENS}, "申込の締切は、受付の開始より後にしてください。"),
    ({"period_start": date(2026, 4, 30)}, "利用期間は、申込の締切の翌日以降にしてください。"),
    ({"period_end": date(2026, 5, 31), "period_start": date(2026, 6, 2)}, "利用期間の末日は"),
    ({"title": "  "}, "抽選の名称を入力してください。"),
    ({"rooms": []}, "対象の部屋を1つ以上選んでください。"),
    ({"max_entries": 0}, "1人あたりの申込数は1から20まで"),
])
def test_a_lottery_with_wrong_dates_is_refused_in_japanese(town_a, room, clerk, changes, expected):
    values = {"title": "6月の体育館", "rooms": [room], "period_start": date(2026, 6, 1),
              "period_end": date(2026, 6, 30), "opens_at": OPENS, "closes_at": CLOSES, **changes}
    with scope(municipality=town_a), pytest.raises(Refused) as refused:
        lotteries.create_lottery(staff=clerk, **values)
    assert expected in " ".join(refused.value.messages)


def test_a_room_of_another_department_cannot_be_put_in_a_lottery(town_a, room):
    outsider = factories.make_staff(town_a, department="住民課")
    with scope(municipality=town_a), pytest.raises(Refused) as refused:
        lotteries.create_lottery(staff=outsider, title="6月", rooms=[room], period_start=date(2026, 6, 1),
                                 period_end=date(2026, 6, 30), opens_at=OPENS, closes_at=CLOSES)
    assert refused.value.messages == ["担当していない部屋は選べません。"]


# Applying -----------------------------------------------------------------------------------------------------------

def test_applications_are_taken_only_inside_the_window(lottery, room, town_a, clock):
    hanako = resident(town_a, "山田")
    clock.move_to(OPENS - timedelta(minutes=1))
    assert "申込の受付は4月20日（月）9:00からです。" in refusal(lottery, hanako, room, JUNE_6, 10)
    clock.move_to(CLOSES)
    assert "締め切りました" in refusal(lottery, hanako, room, JUNE_6, 10)
    clock.move_to(CLOSES - timedelta(minutes=1))
    entry = apply(lottery, hanako, room, JUNE_6, 10)
    assert (entry.status, entry.preference, entry.starts_at) == (EntryStatus.APPLIED, 1, at(JUNE_6, 10))


def test_the_day_must_be_in_the_period_and_the_room_in_the_lottery(lottery, room, town_a):
    hanako = resident(town_a, "山田")
    assert "利用日は2026年6月1日から2026年6月30日まで" in refusal(lottery, hanako, room, date(2026, 7, 1), 10)
    other = factories.make_room(town_a, department="教育課", name="会議室", rules=RULES)
    assert "この抽選の対象ではない部屋です。" in refusal(lottery, hanako, other, JUNE_6, 10)
    # The room's calendar still applies: opening hours, length, purpose.
    assert "この日の利用時間は9:00〜21:00です" in refusal(lottery, hanako, room, JUNE_6, 20)
    assert "利用時間は3時間以内にしてください" in refusal(lottery, hanako, room, JUNE_6, 10, hours=4)
    assert "利用目的・ご用件を入力してください。" in refusal(lottery, hanako, room, JUNE_6, 10, purpose=" ")
    with scope(municipality=town_a):
        assert LotteryEntry.objects.count() == 0


def test_entries_are_numbered_limited_and_duplicates_refused(lottery, room, town_a):
    hanako = resident(town_a, "山田")
    first = apply(lottery, hanako, room, JUNE_6, 10)
    assert "同じ部屋・同じ開始時刻には、すでに申し込んでいます。" in refusal(lottery, hanako, room, JUNE_6, 10, hours=1)
    second = apply(lottery, hanako, room, date(2026, 6, 13), 10)
    third = apply(lottery, hanako, room, date(2026, 6, 20), 10)
    assert [first.preference, second.preference, third.preference] == [1, 2, 3]
    assert "この抽選に申し込めるのは1人3件までです。" in refusal(lottery, hanako, room, date(2026, 6, 27), 10)
    # Withdrawing the 1st moves the others up; the next application is the 3rd again.
    with scope(municipality=town_a):
        lotteries.withdraw(first, resident=hanako)
        assert list(LotteryEntry.objects.filter(resident=hanako, status=EntryStatus.APPLIED).values_list(
            "pk", "preference")) == [(second.pk, 1), (third.pk, 2)]
    assert apply(lottery, hanako, room, date(2026, 6, 27), 10).preference == 3
    # Another resident is counted on their own.
    assert apply(lottery, resident(town_a, "佐藤"), room, JUNE_6, 10).preference == 1


def test_only_the_applicant_withdraws_and_only_before_the_deadline(lottery, room, town_a, clock):
    hanako, taro = resident(town_a, "山田"), resident(town_a, "佐藤")
    entry = apply(lottery, hanako, room, JUNE_6, 10)
    with scope(municipality=town_a):
        with pytest.raises(Refused, match="ご自分の申込ではありません"):
            lotteries.withdraw(entry, resident=taro)
        clock.move_to(CLOSES)
        with pytest.raises(Refused, match="締切"):
            lotteries.withdraw(entry, resident=hanako)
        entry.refresh_from_db()
        assert entry.status == EntryStatus.APPLIED


def test_a_held_day_is_refused_first_come_and_a_cancelled_lottery_frees_it(lottery, room, town_a, clerk):
    hanako = resident(town_a, "山田")
    with scope(municipality=town_a):
        with pytest.raises(Refused) as refused:
            services.reserve_room(room, hanako, at(JUNE_6, 10), at(JUNE_6, 12), purpose="練習",
                                  now=datetime(2026, 5, 20, 9, tzinfo=TOKYO))
        assert "抽選" in refused.value.messages[0]
        lotteries.cancel_lottery(lottery, staff=clerk)
        reservation = services.reserve_room(room, hanako, at(JUNE_6, 10), at(JUNE_6, 12), purpose="練習",
                                            now=datetime(2026, 5, 20, 9, tzinfo=TOKYO))
        assert reservation.status == Status.CONFIRMED
        with pytest.raises(Refused, match="抽選前の抽選だけ中止できます"):
            lotteries.cancel_lottery(lottery, staff=clerk)


def test_a_group_entry_needs_the_representative_and_wins_with_the_reduced_fee(lottery, room, town_a, clerk):
    from tests.reservations.test_groups_series import approved_group

    hanako = resident(town_a, "山田")
    group = approved_group(town_a, hanako, percent=50)
    assert "この団体の代表者として登録されていません。" in refusal(
        lottery, resident(town_a, "佐藤"), room, JUNE_6, 10, group=group)
    entry = apply(lottery, hanako, room, JUNE_6, 10, group=group)
    draw(lottery, clerk)
    with scope(municipality=town_a):
        entry.refresh_from_db()
        assert entry.status == EntryStatus.WON and entry.reservation.group == group
        assert (entry.reservation.full_fee, entry.reservation.fee) == (800, 400)  # 2 h × 400円, 50% 減免


# Drawing ------------------------------------------------------------------------------------------------------------

def crowd(lottery, room, town, count: int = 6) -> list:
    """`count` residents wanting the same Saturday morning (overlapping times), each with a 2nd preference."""
    people = [resident(town, f"住民{n}") for n in range(count)]
    for n, person in enumerate(people):
        apply(lottery, person, room, JUNE_6, 9 + n % 3)  # 9–11, 10–12, 11–13: all overlap their neighbours
        apply(lottery, person, room, date(2026, 6, 13), 9 + 2 * (n % 2))  # 9–11 or 11–13
    return people


def test_a_fixed_seed_draws_the_same_winners_and_verifies(lottery, room, town_a, clerk):
    crowd(lottery, room, town_a)

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        first = draw(lottery, clerk, seed="public-draw-2026")
        first_results = results(lottery)
        first_log = first.log
        raise Rollback
    with scope(municipality=town_a):
        lottery.refresh_from_db()
        assert lottery.status == LotteryStatus.OPEN and Reservation.objects.count() == 0
    again = draw(lottery, clerk, seed="public-draw-2026")
    assert results(lottery) == first_results and again.log == first_log
    assert sorted(first_results.values()) == [EntryStatus.LOST] * 9 + [EntryStatus.WON] * 3
    with scope(municipality=town_a):
        check = lotteries.verify(again)
    assert check.ok, check.problems
    assert again.seed == "public-draw-2026" and again.log["algorithm"] == lotteries.ALGORITHM
    assert again.log["order"] == check.order


def test_the_rounds_follow_the_seeded_order(lottery, room, town_a, clerk):
    """Round 1 gives everyone's 1st preference a chance before anyone's 2nd: the first in the order wins their 1st."""
    hanako, taro = resident(town_a, "山田"), resident(town_a, "佐藤")
    hanako_first = apply(lottery, hanako, room, JUNE_6, 10)
    hanako_second = apply(lottery, hanako, room, JUNE_6, 14)
    taro_first = apply(lottery, taro, room, JUNE_6, 14)
    drawn = draw(lottery, clerk, seed="seed-1")
    order = lotteries.applicant_order("seed-1", [hanako.pk, taro.pk])
    assert drawn.log["order"] == order
    status = results(lottery)
    assert status[hanako_first.pk] == EntryStatus.WON and status[taro_first.pk] == EntryStatus.WON
    assert status[hanako_second.pk] == EntryStatus.LOST  # taro's 1st preference came in round 1
    steps = drawn.log["steps"]
    assert [step["entry"] for step in steps][-1] == hanako_second.pk
    assert "すでに予約が入っています" in steps[-1]["reason"]


def test_a_tampered_log_or_result_does_not_verify(lottery, room, town_a, clerk):
    crowd(lottery, room, town_a, count=4)
    drawn = draw(lottery, clerk)
    assert len(drawn.seed) == 32  # secrets.token_hex(16)
    with scope(municipality=town_a):
        assert lotteries.verify(drawn).ok
        drawn.log = {**drawn.log, "order": list(reversed(drawn.log["order"]))}
        check = lotteries.verify(drawn)
        assert not check.ok and "申込者の順番が、記録と一致しません。" in check.problems[0]
        drawn.refresh_from_db()
        LotteryEntry.objects.filter(lottery=drawn, status=EntryStatus.WON).update(status=EntryStatus.LOST)
        check = lotteries.verify(drawn)
        assert check.problems == ["当選・落選の結果が、記録と一致しません。"]


def test_winners_never_overlap_and_an_existing_booking_is_respected(lottery, room, town_a, clerk):
    with scope(municipality=town_a):  # booked (by staff) before the lottery: the draw must not take it
        existing = services.place_room(room, resident(town_a, "先約"), at(date(2026, 6, 13), 9),
                                       at(date(2026, 6, 13), 11), purpose="町の行事", staff=clerk, mail="none")
    crowd(lottery, room, town_a, count=6)
    draw(lottery, clerk)
    with scope(municipality=town_a):
        won = list(LotteryEntry.objects.filter(lottery=lottery, status=EntryStatus.WON).select_related("reservation"))
        reservations = [entry.reservation for entry in won] + [existing]
        for one in reservations:
            for other in reservations:
                if one.pk != other.pk:
                    assert one.ends_at <= other.starts_at or other.ends_at <= one.starts_at
        assert all(entry.reservation.status == Status.CONFIRMED for entry in won)
        assert not LotteryEntry.objects.filter(lottery=lottery, status=EntryStatus.WON,
                                               starts_at=at(date(2026, 6, 13), 9)).exists()
        assert AuditEntry.objects.filter(action="reservations.lottery.drawn", object_id=str(lottery.pk)).count() == 1


def test_leftovers_are_bookable_first_come_after_the_draw_beyond_the_window(lottery, room, town_a, clerk, clock):
    apply(lottery, resident(town_a, "山田"), room, JUNE_6, 10)
    clock.move_to(AFTER_CLOSE)
    late = resident(town_a, "佐藤")
    with scope(municipality=town_a):
        with pytest.raises(Refused, match="抽選"):
            services.reserve_room(room, late, at(JUNE_6, 14), at(JUNE_6, 16), purpose="練習")
    draw(lottery, clerk)
    with scope(municipality=town_a):
        leftover = services.reserve_room(room, late, at(JUNE_6, 14), at(JUNE_6, 16), purpose="練習")
        assert leftover.status == Status.CONFIRMED
        with pytest.raises(Refused, match="すでに予約が入っています"):
            services.reserve_room(room, late, at(JUNE_6, 10), at(JUNE_6, 11), purpose="練習")
        # July is outside the drawn period: the normal 30-day window still applies there.
        with pytest.raises(Refused, match="分まで受け付けています"):
            services.reserve_room(room, late, at(date(2026, 7, 4), 10), at(date(2026, 7, 4), 11), purpose="練習")


def test_draw_before_the_deadline_twice_or_by_another_department_is_refused(lottery, room, town_a, clerk):
    apply(lottery, resident(town_a, "山田"), room, JUNE_6, 10)
    with pytest.raises(Refused, match="締切"):
        draw(lottery, clerk, now=CLOSES - timedelta(minutes=1))
    with pytest.raises(Refused, match="担当していない部屋の抽選です"):
        draw(lottery, factories.make_staff(town_a, department="住民課"))
    draw(lottery, clerk)
    with pytest.raises(Refused, match="この抽選はすでに行いました"):
        draw(lottery, clerk)
    with scope(municipality=town_a):
        assert Reservation.objects.count() == 1


def test_an_administrator_may_draw_any_lottery(lottery, room, town_a):
    apply(lottery, resident(town_a, "山田"), room, JUNE_6, 10)
    drawn = draw(lottery, factories.make_staff(town_a, department="総務課", role=Role.ADMIN))
    assert drawn.status == LotteryStatus.DRAWN


def test_each_applicant_gets_one_mail_with_their_results(lottery, room, town_a, clerk, settings, mailoutbox,
                                                         django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE_TASKS
    hanako, taro = resident(town_a, "山田", verified=True), resident(town_a, "佐藤", verified=True)
    quiet = resident(town_a, "鈴木")  # no confirmed address: no mail
    apply(lottery, hanako, room, JUNE_6, 10)
    apply(lottery, hanako, room, date(2026, 6, 13), 10)
    apply(lottery, taro, room, JUNE_6, 10)
    apply(lottery, quiet, room, date(2026, 6, 20), 10)
    with django_capture_on_commit_callbacks(execute=True):
        drawn = draw(lottery, clerk)
    assert sorted(message.to[0] for message in mailoutbox) == sorted([hanako.user.email, taro.user.email])
    by_address = {message.to[0]: message for message in mailoutbox}
    hanako_mail = by_address[hanako.user.email]
    assert "6月の体育館" in hanako_mail.body and "2026年6月13日（土） 10:00〜12:00" in hanako_mail.body
    with scope(municipality=town_a):
        taro_won = LotteryEntry.objects.get(resident=taro).status == EntryStatus.WON
    assert ("当選" in by_address[taro.user.email].subject) == taro_won
    assert ("■ 落選" in hanako_mail.body) == taro_won  # one of them lost 6/6 10:00
    assert drawn.status == LotteryStatus.DRAWN
    # A retried task (or one queued twice) sends nothing more.
    from yakuba.reservations.tasks import lottery as lottery_tasks

    assert lottery_tasks.send_results.call(lottery.pk, hanako.pk) is False
    assert lottery_tasks.send_results.call(lottery.pk, 10 ** 9) is False  # an applicant gone before the mail went
    assert len(mailoutbox) == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_drawing_at_once_draw_once(town_a):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    clerk = factories.make_staff(town_a, department="教育課")
    other = factories.make_staff(town_a, department="教育課")
    room = factories.make_room(town_a, department="教育課", name="体育館", rules=RULES)
    with scope(municipality=town_a):
        lottery = lotteries.create_lottery(staff=clerk, title="6月", rooms=[room], period_start=date(2026, 6, 1),
                                           period_end=date(2026, 6, 30), opens_at=OPENS, closes_at=CLOSES)
    for n in range(4):
        apply(lottery, resident(town_a, f"住民{n}"), room, JUNE_6, 10)
    outcomes = race(town_a, [lambda staff=staff: lotteries.draw(lottery, staff=staff, now=AFTER_CLOSE)
                             for staff in (clerk, other, clerk, other)])
    assert outcomes == {"ok": 1, "Refused": 3}
    with scope(municipality=town_a):
        assert Reservation.objects.count() == 1
        assert LotteryEntry.objects.filter(status=EntryStatus.WON).count() == 1
        assert AuditEntry.objects.filter(action="reservations.lottery.drawn").count() == 1

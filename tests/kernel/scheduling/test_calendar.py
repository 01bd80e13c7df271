"""Calendar rules: closed days, request checks, cancel deadline, slots and free capacity, the JSON form."""

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yakuba.kernel.scheduling.calendar import (
    TOKYO,
    Rules,
    RulesError,
    availability,
    can_cancel,
    check_request,
    free_slots,
    is_closed,
    last_bookable_day,
    lengths,
    month_days,
    month_weeks,
    opening_hours,
    slots,
)

NINE_TO_NINE = ((time(9), time(21)),)
# 公民館: closed on Mondays, 9:00–21:00 otherwise.
HALL = Rules(hours=((),) + (NINE_TO_NINE,) * 6, window_days=60, min_notice=timedelta(hours=1),
             min_length=timedelta(hours=1), max_length=timedelta(hours=4), slot=timedelta(minutes=30),
             cancel_deadline=timedelta(days=1))
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=TOKYO)  # Monday 勤労感謝の日, 10:00


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), TOKYO)


def rules(**overrides) -> Rules:
    return Rules.from_dict({**HALL.to_dict(), **overrides})


WED = date(2026, 11, 25)


# --- closed days ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("day", "reason"), [
    (date(2026, 11, 3), "祝日（文化の日）のため休館です"),
    (date(2026, 5, 6), "祝日（憲法記念日 振替休日）のため休館です"),  # 5/3 is a Sunday: 振替休日 on Wednesday
    (date(2026, 9, 22), "祝日（国民の休日）のため休館です"),
    (date(2026, 12, 29), "年末年始（12月29日〜1月3日）は休館です"),
    (date(2027, 1, 3), "年末年始（12月29日〜1月3日）は休館です"),
    (date(2027, 1, 1), "年末年始（12月29日〜1月3日）は休館です"),  # 元日 is inside the closure too
    (date(2026, 11, 30), "この曜日は休館です"),  # a Monday
    (WED, None),
    (date(2026, 12, 28), "この曜日は休館です"),  # Monday before the closure
    (date(2027, 1, 4), "この曜日は休館です"),
    (date(2027, 1, 5), None),
])
def test_is_closed(day, reason):
    assert is_closed(HALL, day) == reason


def test_holidays_and_year_end_can_be_left_open():
    always = Rules(hours=(NINE_TO_NINE,) * 7, closed_on_holidays=False, year_end_closure=False)
    assert is_closed(always, date(2026, 11, 3)) is None
    assert is_closed(always, date(2026, 12, 31)) is None


def test_town_closures_and_open_dates():
    town = rules(closed_dates=["2026-11-25"], open_dates={"2026-11-03": [["10:00", "15:00"]],
                                                          "2026-11-30": [["13:00", "17:00"]]})
    assert is_closed(town, WED) == "休館日です"
    assert opening_hours(town, WED) == ()
    assert is_closed(town, date(2026, 11, 3)) is None  # 文化の日 opened for the 文化祭
    assert opening_hours(town, date(2026, 11, 3)) == ((time(10), time(15)),)
    assert is_closed(town, date(2026, 11, 30)) is None  # a Monday opened in the afternoon
    assert [s.time() for s, _e in slots(town, date(2026, 11, 30))][:2] == [time(13), time(13, 30)]
    assert check_request(town, at(date(2026, 11, 30), 10), at(date(2026, 11, 30), 11), now=NOW) == [
        "この日の利用時間は13:00〜17:00です"]


def test_is_closed_takes_a_date_not_a_datetime():
    with pytest.raises(TypeError):
        is_closed(HALL, at(WED, 9))


# --- one request -----------------------------------------------------------------------------------------------

def test_an_ordinary_request_is_accepted():
    assert check_request(HALL, at(WED, 9), at(WED, 11), now=NOW) == []
    assert check_request(HALL, at(WED, 19), at(WED, 21), now=NOW) == []


def test_past_too_soon_and_window():
    assert check_request(HALL, at(date(2026, 11, 22), 9), at(date(2026, 11, 22), 10), now=NOW) == [
        "過去の日時は予約できません"]
    today = date(2026, 11, 24)
    late_now = at(today, 9, 30)
    assert check_request(HALL, at(today, 10), at(today, 11), now=late_now) == ["予約は開始の1時間前までにしてください"]
    assert check_request(HALL, at(today, 10, 30), at(today, 11, 30), now=late_now) == []
    assert check_request(rules(min_notice_minutes=1440), at(today, 18), at(today, 19), now=late_now) == [
        "予約は開始の1日前までにしてください"]
    assert last_bookable_day(HALL, NOW) == date(2027, 1, 22)
    last = date(2027, 1, 22)
    assert check_request(HALL, at(last, 9), at(last, 10), now=NOW) == []
    beyond = last + timedelta(days=1)
    assert check_request(HALL, at(beyond, 9), at(beyond, 10), now=NOW) == ["予約は1月22日の分まで受け付けています"]
    # A registered group (団体登録) may book further ahead.
    assert check_request(HALL, at(beyond, 9), at(beyond, 10), now=NOW, window_days=90) == []


def test_window_is_counted_in_tokyo_days():
    utc_now = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # already 11/24 01:00 in Tokyo
    assert last_bookable_day(HALL, utc_now) == date(2027, 1, 23)


def test_closed_day_reason_is_given():
    sunday_holiday = date(2026, 11, 3)
    assert check_request(HALL, at(sunday_holiday, 9), at(sunday_holiday, 10), now=NOW - timedelta(days=30)) == [
        "祝日（文化の日）のため休館です"]


def test_outside_hours_names_the_days_hours():
    assert check_request(HALL, at(WED, 8), at(WED, 10), now=NOW) == ["この日の利用時間は9:00〜21:00です"]
    assert check_request(HALL, at(WED, 20), at(WED, 21, 30), now=NOW) == ["この日の利用時間は9:00〜21:00です"]
    split = rules(hours={"wed": [["09:00", "12:00"], ["13:00", "21:00"]]})
    assert check_request(split, at(WED, 11), at(WED, 14), now=NOW) == [
        "この日の利用時間は9:00〜12:00、13:00〜21:00です"]
    assert check_request(split, at(WED, 13), at(WED, 14), now=NOW) == []


def test_slot_alignment_and_lengths():
    assert check_request(HALL, at(WED, 9, 15), at(WED, 10, 15), now=NOW) == [
        "開始・終了の時刻は9:00から30分刻みで指定してください"]
    assert check_request(HALL, at(WED, 9), at(WED, 10, 10), now=NOW) == [
        "開始・終了の時刻は9:00から30分刻みで指定してください"]
    assert check_request(HALL, at(WED, 9), at(WED, 9, 30), now=NOW) == ["利用時間は1時間以上にしてください"]
    assert check_request(HALL, at(WED, 9), at(WED, 13, 30), now=NOW) == ["利用時間は4時間以内にしてください"]
    # Counted from the interval's own opening: 8:45 opening, 30-minute slots.
    counter = rules(hours={"wed": [["08:45", "17:15"]]}, min_length_minutes=30)
    assert check_request(counter, at(WED, 8, 45), at(WED, 9, 15), now=NOW) == []
    assert check_request(counter, at(WED, 9), at(WED, 9, 30), now=NOW) == [
        "開始・終了の時刻は8:45から30分刻みで指定してください"]
    assert lengths(HALL) == [timedelta(minutes=m) for m in (60, 90, 120, 150, 180, 210, 240)]


def test_end_before_start_and_midnight():
    assert check_request(HALL, at(WED, 10), at(WED, 9), now=NOW) == ["終了時刻は開始時刻より後にしてください"]
    assert check_request(HALL, at(WED, 10), at(WED, 10), now=NOW) == ["終了時刻は開始時刻より後にしてください"]
    late = rules(hours={k: [["09:00", "23:30"]] for k in ("tue", "wed", "thu")})
    assert check_request(late, at(WED, 23), at(WED + timedelta(days=1), 1), now=NOW) == ["日をまたぐ予約はできません"]


def test_several_reasons_at_once():
    reasons = check_request(HALL, at(date(2026, 11, 30), 8, 10), at(date(2026, 11, 30), 8, 25), now=NOW)
    assert reasons == ["この曜日は休館です", "利用時間の長さは30分単位で指定してください",
                       "利用時間は1時間以上にしてください"]


def test_datetimes_must_be_aware():
    with pytest.raises(ValueError, match="timezone-aware"):
        check_request(HALL, datetime(2026, 11, 25, 9), at(WED, 10), now=NOW)


def test_utc_input_is_read_in_tokyo():
    start = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)  # 9:00 in Tokyo
    assert check_request(HALL, start, start + timedelta(hours=1), now=NOW) == []


# --- cancelling ------------------------------------------------------------------------------------------------

def test_cancel_deadline():
    start = at(WED, 10)
    assert can_cancel(HALL, start, now=at(date(2026, 11, 24), 10)) is None  # exactly 24 hours before
    assert can_cancel(HALL, start, now=at(date(2026, 11, 24), 10, 1)) == (
        "取消しの期限（11月24日（火）10:00）を過ぎています")
    assert can_cancel(HALL, start, now=at(WED, 10, 1)) == "開始時刻を過ぎた予約は取り消せません"
    assert can_cancel(rules(cancel_deadline_minutes=0), start, now=at(WED, 9, 59)) is None


# --- slots and free capacity ------------------------------------------------------------------------------------

def test_slots_cut_each_interval():
    split = rules(hours={"wed": [["09:00", "12:00"], ["13:00", "15:00"]]})
    pairs = slots(split, WED, length=timedelta(hours=2))
    assert [(s.time(), e.time()) for s, e in pairs] == [
        (time(9), time(11)), (time(9, 30), time(11, 30)), (time(10), time(12)), (time(13), time(15))]
    assert len(slots(HALL, WED)) == 23  # 1-hour default length (min_length), a start every 30 minutes
    assert slots(HALL, date(2026, 11, 30)) == []
    with pytest.raises(ValueError, match="bookable lengths"):
        slots(HALL, WED, length=timedelta(minutes=45))


def test_free_slots_capacity_one_with_buffer():
    counter = rules(min_length_minutes=30, buffer_minutes=15, hours={"wed": [["09:00", "12:00"]]})
    busy = [(at(WED, 10), at(WED, 10, 30), 1)]
    free = [s.strftime("%H:%M") for s, _e in free_slots(counter, WED, busy)]
    # 9:30 ends at 10:00, inside the 15 minutes kept free before 10:00; 10:30 starts within the 15 after.
    assert free == ["09:00", "11:00", "11:30"]
    assert [s.strftime("%H:%M") for s, _e in free_slots(rules(min_length_minutes=30,
                                                              hours={"wed": [["09:00", "12:00"]]}), WED, busy)] == [
        "09:00", "09:30", "10:30", "11:00", "11:30"]


def test_free_slots_with_seats():
    session = rules(min_length_minutes=60, max_length_minutes=60, slot_minutes=60, buffer_minutes=30,
                    hours={"wed": [["09:00", "12:00"]]})
    busy = [(at(WED, 9), at(WED, 10), 2), (at(WED, 10), at(WED, 11), 1), (at(WED, 10), at(WED, 11), 2)]
    assert [s.hour for s, _e in free_slots(session, WED, busy, capacity=3)] == [9, 11]  # buffer ignored
    assert [s.hour for s, _e in free_slots(session, WED, busy, capacity=3, seats=2)] == [11]
    assert free_slots(session, WED, busy, capacity=3, seats=4) == []


def test_free_slots_count_concurrent_seats_not_all_overlapping_ones():
    long = rules(hours={"wed": [["09:00", "12:00"]]})
    busy = [(at(WED, 9), at(WED, 10), 2), (at(WED, 10), at(WED, 11), 2)]
    starts = [s.strftime("%H:%M") for s, _e in free_slots(long, WED, busy, capacity=3, length=timedelta(hours=2))]
    assert starts == ["09:00", "09:30", "10:00"]  # never more than 2 + 1 at one moment


def test_free_slots_ignore_other_days_zero_length_and_accept_utc():
    other = (at(WED + timedelta(days=1), 9), at(WED + timedelta(days=1), 21), 1)
    empty = (at(WED, 9), at(WED, 9), 1)
    utc = (datetime(2026, 11, 25, 3, 0, tzinfo=UTC), datetime(2026, 11, 25, 12, 0, tzinfo=UTC), 1)
    free = free_slots(HALL, WED, [other, empty, utc])
    assert [s.strftime("%H:%M") for s, _e in free] == ["09:00", "09:30", "10:00", "10:30", "11:00"]


def test_free_slots_given_now_leave_out_what_check_request_refuses():
    today = date(2026, 11, 24)
    free = free_slots(HALL, today, [], now=at(today, 17, 10))
    assert [s.strftime("%H:%M") for s, _e in free] == ["18:30", "19:00", "19:30", "20:00"]
    assert free_slots(HALL, date(2027, 2, 2), [], now=NOW) == []
    assert len(free_slots(HALL, date(2027, 2, 2), [], now=NOW, window_days=90)) == 23


def test_availability_and_month_helpers():
    days = month_days(2026, 11)
    assert len(days) == 30 and days[0] == date(2026, 11, 1) and days[-1] == date(2026, 11, 30)
    weeks = month_weeks(2026, 12)
    assert weeks[0] == [None, None, date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3), date(2026, 12, 4),
                        date(2026, 12, 5)]
    assert all(len(week) == 7 for week in weeks) and weeks[-1][-1] is None
    busy = [(at(WED, 9), at(WED + timedelta(days=1), 12), 1)]  # a block over two days
    counts = availability(HALL, date(2026, 11, 23), 7, busy)
    assert counts == {date(2026, 11, 23): 0, date(2026, 11, 24): 23, WED: 0, date(2026, 11, 26): 17,
                      date(2026, 11, 27): 23, date(2026, 11, 28): 23, date(2026, 11, 29): 23}


# --- the JSON form ---------------------------------------------------------------------------------------------

def test_round_trip():
    town = rules(closed_dates=["2026-08-14", "2026-08-13"], open_dates={"2026-11-03": [["10:00", "15:00"]]},
                 buffer_minutes=10, hours={"mon": [], "tue": [["08:30", "12:00"], ["13:00", "17:15"]]})
    data = town.to_dict()
    assert data["closed_dates"] == ["2026-08-13", "2026-08-14"]
    assert data["hours"]["tue"] == [["08:30", "12:00"], ["13:00", "17:15"]]
    assert Rules.from_dict(json.loads(json.dumps(data))) == town
    assert Rules.from_dict(data).to_dict() == data
    assert hash(Rules.from_dict(data)) == hash(town)


def test_empty_dict_is_closed_every_day():
    assert Rules.from_dict({}) == Rules()
    assert all(is_closed(Rules(), date(2026, 11, 24) + timedelta(days=n)) for n in range(7))


@pytest.mark.parametrize(("data", "message"), [
    ([], "rules: expected an object"),
    ({"hour": {}}, "unknown keys hour"),
    ({"hours": []}, "hours: expected an object"),
    ({"hours": {"monday": []}}, "unknown weekdays monday"),
    ({"hours": {"mon": [["9:00", "25:00"]]}}, "hours.mon[0]: '25:00' is not a time"),
    ({"hours": {"mon": [["09:00"]]}}, "hours.mon[0]: expected"),
    ({"hours": {"mon": "09:00-17:00"}}, "hours.mon: expected a list"),
    ({"hours": {"mon": [["17:00", "09:00"]]}}, "closes at 9:00, not after it opens at 17:00"),
    ({"hours": {"mon": [["09:00", "12:00"], ["12:00", "17:00"]]}}, "in order with a break"),
    ({"hours": {"mon": [["13:00", "17:00"], ["09:00", "12:00"]]}}, "in order"),
    ({"closed_dates": ["2026/11/03"]}, "closed_dates[0]: '2026/11/03' is not a date"),
    ({"closed_dates": "2026-11-03"}, "closed_dates: expected a list"),
    ({"closed_dates": ["2026-02-30"]}, "'2026-02-30' is not a date"),
    ({"closed_dates": ["2026-W45-2"]}, "is not a date"),
    ({"open_dates": {"2026-11-03": []}}, "give the hours"),
    ({"open_dates": ["2026-11-03"]}, "open_dates: expected an object"),
    ({"open_dates": {"2026-11-03": [["09:00", "12:00"]]}, "closed_dates": ["2026-11-03"]}, "also in closed_dates"),
    ({"closed_on_holidays": "yes"}, "closed_on_holidays: expected true or false"),
    ({"window_days": -1}, "window_days: expected a whole number"),
    ({"window_days": True}, "window_days: expected a whole number"),
    ({"slot_minutes": 0}, "slot: must be more than 0"),
    ({"slot_minutes": 30, "min_length_minutes": 45}, "min_length: must be a whole number of slots (30 min)"),
    ({"min_length_minutes": 120, "max_length_minutes": 60}, "max_length: must be a whole number of slots"),
    ({"buffer_minutes": 1.5}, "buffer_minutes: expected a whole number"),
])
def test_bad_data(data, message):
    with pytest.raises(RulesError) as caught:
        Rules.from_dict(data)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_constructor_checks_too():
    with pytest.raises(RulesError, match="7 weekdays"):
        Rules(hours=(NINE_TO_NINE,) * 6)
    with pytest.raises(RulesError, match="whole minutes"):
        Rules(hours=(((time(9, 0, 30), time(17)),),) * 7)
    with pytest.raises(RulesError, match="min_notice"):
        Rules(min_notice=timedelta(seconds=90))


# --- properties ------------------------------------------------------------------------------------------------

MINUTES = st.sampled_from([15, 30, 60])


@st.composite
def rule_sets(draw):
    slot = draw(MINUTES)
    day_hours = []
    for _weekday in range(7):
        count = draw(st.integers(0, 2))
        edges = sorted(draw(st.lists(st.integers(0, 23 * 60 + 59), min_size=2 * count, max_size=2 * count,
                                     unique=True)))
        intervals = [(edges[i], edges[i + 1]) for i in range(0, len(edges), 2)]
        if any(b[0] - a[1] < 1 for a, b in zip(intervals, intervals[1:], strict=False)):
            intervals = intervals[:1]
        day_hours.append(tuple((time(a // 60, a % 60), time(b // 60, b % 60)) for a, b in intervals))
    min_slots = draw(st.integers(1, 4))
    return Rules(hours=tuple(day_hours), slot=timedelta(minutes=slot), min_length=timedelta(minutes=slot * min_slots),
                 max_length=timedelta(minutes=slot * (min_slots + draw(st.integers(0, 4)))),
                 min_notice=timedelta(minutes=draw(st.integers(0, 24 * 60))), window_days=draw(st.integers(1, 90)),
                 buffer=timedelta(minutes=draw(st.sampled_from([0, 5, 15, 30]))),
                 closed_on_holidays=draw(st.booleans()))


@st.composite
def busy_lists(draw, day):
    base = datetime.combine(day, time(0), TOKYO)
    entries = []
    for _n in range(draw(st.integers(0, 12))):
        start = base + timedelta(minutes=draw(st.integers(-120, 24 * 60 + 60)))
        end = start + timedelta(minutes=draw(st.integers(0, 300)))
        zone = draw(st.sampled_from([TOKYO, UTC]))
        entries.append((start.astimezone(zone), end.astimezone(zone), draw(st.integers(1, 3))))
    return entries


def peak(entries, start, end, pad):
    """Most seats busy at one moment of [start, end): checked at every entry start inside, and at `start`."""
    widened = [(s - pad, e + pad, n) for s, e, n in entries if e > s]
    moments = [start] + [s for s, _e, _n in widened if start < s < end]
    return max((sum(n for s, e, n in widened if s <= m < e) for m in moments), default=0)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_free_slots_respect_capacity_and_pass_check_request(data):
    rules_ = data.draw(rule_sets())
    day = data.draw(st.dates(date(2026, 1, 1), date(2027, 12, 31)))
    busy = data.draw(busy_lists(day))
    capacity = data.draw(st.sampled_from([1, 1, 2, 3]))
    seats = data.draw(st.integers(1, capacity))
    length = data.draw(st.sampled_from(lengths(rules_)))
    pad = rules_.buffer if capacity == 1 else timedelta(0)
    free = free_slots(rules_, day, busy, capacity=capacity, length=length, seats=seats)
    expected = [(s, e) for s, e in slots(rules_, day, length=length) if peak(busy, s, e, pad) + seats <= capacity]
    assert free == expected
    now = datetime.combine(day, time(0), TOKYO) - rules_.min_notice  # the first slot is just bookable
    for start, end in free:
        assert check_request(rules_, start, end, now=now) == []


def test_free_slots_merge_into_the_stretches_a_resident_reads():
    from yakuba.kernel.scheduling.calendar import free_slots_by_day, free_spans, spans_text

    day = date(2026, 11, 4)
    busy = [(at(day, 10), at(day, 12), 1)]
    slots = free_slots_by_day(HALL, day, 1, busy)[day]
    assert len(slots) == availability(HALL, day, 1, busy)[day]
    spans = free_spans(slots)
    assert spans == [(at(day, 9), at(day, 10)), (at(day, 12), at(day, 21))]
    assert spans_text(spans) == "9:00〜10:00、12:00〜21:00"
    # Overlapping candidates (2-hour bookings starting every hour) are one stretch, not a sum.
    assert free_spans([(at(day, 9), at(day, 11)), (at(day, 10), at(day, 12))]) == [(at(day, 9), at(day, 12))]
    assert free_spans([]) == []

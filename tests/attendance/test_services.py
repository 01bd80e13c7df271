"""The verbs of 勤怠管理, each refusal of the issue's "Bad input" list among them."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django_scopes import scope

from tests.attendance.support import MONDAY, at, make_office
from yakuba.attendance.models import (
    ClosedDay,
    CloseState,
    Device,
    LeaveRequest,
    MonthClose,
    OvertimeState,
    Place,
    StaffCard,
    Status,
    Unit,
    WorkPeriod,
)
from yakuba.attendance.services import clock, leave, month, overtime, rules, telework
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused

pytestmark = pytest.mark.django_db
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                               "QUEUES": ["default", "mail"]}}


@pytest.fixture
def office(town_a):
    office = make_office(town_a)
    with scope(municipality=town_a):
        yield office


def _day(office, day, start=(8, 30), end=(17, 15), place=Place.OFFICE):
    clock.clock_in(office.clerk, place, now=at(day, *start))
    return clock.clock_out(office.clerk, now=at(day, *end))


def test_clock_in_and_out_records_one_period_and_audits(office):
    period = _day(office, MONDAY, place=Place.TELEWORK)
    assert period.day == MONDAY and period.minutes == 525 and period.place == Place.TELEWORK
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"attendance.period.clocked_in", "attendance.period.clocked_out"} <= actions


def test_clocking_in_twice_is_refused(office):
    clock.clock_in(office.clerk, now=at(MONDAY, 8, 30))
    with pytest.raises(Refused, match="すでに出勤しています"):
        clock.clock_in(office.clerk, now=at(MONDAY, 9))
    assert WorkPeriod.objects.count() == 1


def test_clocking_out_without_clocking_in_is_refused(office):
    with pytest.raises(Refused, match="出勤の打刻がありません"):
        clock.clock_out(office.clerk, now=at(MONDAY, 17))


def test_an_overlapping_period_is_refused(office):
    _day(office, MONDAY, start=(8, 30), end=(17, 15))
    with pytest.raises(Refused, match="重なっています"):
        clock.clock_in(office.clerk, now=at(MONDAY, 12))


def test_tablet_punch_toggles_in_and_out(office):
    device = Device.objects.create(municipality=office.town, name="玄関")
    card = StaffCard.objects.get(staff=office.clerk)
    first = clock.tablet_punch(device.token, card.qr_token, now=at(MONDAY, 8, 25))
    second = clock.tablet_punch(device.token, card.number, now=at(MONDAY, 17, 20))
    assert first.clocked_in and not second.clocked_in
    assert WorkPeriod.objects.get().source == "tablet"


@pytest.mark.parametrize("case", ["unknown_device", "retired_device", "suspended", "inactive", "unknown_code"])
def test_tablet_refusals(office, case):
    device = Device.objects.create(municipality=office.town, name="玄関", is_active=case != "retired_device")
    card = StaffCard.objects.get(staff=office.clerk)
    if case == "suspended":
        card.suspended = True
        card.save()
    if case == "inactive":
        office.clerk.is_active = False
        office.clerk.save()
    token = "nope" if case == "unknown_device" else device.token
    code = "999999" if case == "unknown_code" else card.qr_token
    messages = {"unknown_device": "登録されていません", "retired_device": "登録されていません",
                "suspended": "利用が停止", "inactive": "利用が停止", "unknown_code": "登録されていません"}
    with pytest.raises(Refused, match=messages[case]):
        clock.tablet_punch(token, code, now=at(MONDAY, 8, 30))
    assert not WorkPeriod.objects.exists()


def test_correction_is_approved_by_the_head_with_before_and_after(office):
    clock.clock_in(office.clerk, now=at(MONDAY, 8, 30))  # forgot to clock out
    period = WorkPeriod.objects.get()
    period.ended_at = at(MONDAY, 23, 59)  # as if closed late by someone
    period.save()
    correction = clock.request_correction(office.clerk, day=MONDAY, started_at=at(MONDAY, 8, 30),
                                          ended_at=at(MONDAY, 17, 15), reason="退勤の打刻忘れ", period=period)
    with pytest.raises(Refused, match="自分の申請"):
        clock.decide_correction(office.clerk, correction, approve=True)
    with pytest.raises(Refused, match="所属長ではない"):
        clock.decide_correction(office.other, correction, approve=True)
    clock.decide_correction(office.head, correction, approve=True)
    period.refresh_from_db()
    assert period.ended_at == at(MONDAY, 17, 15) and period.source == "correction"
    entry = AuditEntry.objects.get(action="attendance.period.corrected")
    assert entry.data["before"]["ended_at"] == at(MONDAY, 23, 59).isoformat()
    assert entry.data["after"]["ended_at"] == at(MONDAY, 17, 15).isoformat()


def test_leave_by_half_day_and_hour_uses_the_balance(office):
    before = leave.balance(office.clerk, MONDAY)
    assert before.granted == 20 * 465
    leave.request_leave(office.clerk, leave.Ask(office.annual, Unit.AM, MONDAY))
    assert leave.balance(office.clerk, MONDAY).remaining_text == "19日と半日"
    leave.request_leave(office.clerk, leave.Ask(office.annual, Unit.HOURS, MONDAY, starts=time(15),
                                                ends=time(17)))
    after = leave.balance(office.clerk, MONDAY)
    assert after.waiting == 465 // 2 + 120 and after.hours_taken == 120
    assert after.remaining_text == "19日と1時間53分"  # 7時間45分 − 3時間52分 − 2時間


def test_leave_beyond_the_balance_is_refused(office):
    leave.grant_annual(None, office.clerk, valid_from=date(2026, 1, 1), days=1)
    with pytest.raises(Refused, match="残りが足りません"):
        leave.request_leave(office.clerk, leave.Ask(office.annual, Unit.DAY, MONDAY, MONDAY + timedelta(days=1)))


def test_leave_on_a_closed_day_is_refused(office):
    ClosedDay.objects.create(municipality=office.town, day=MONDAY, name="町民の日")
    with pytest.raises(Refused, match="町民の日"):
        leave.request_leave(office.clerk, leave.Ask(office.annual, Unit.DAY, MONDAY))
    with pytest.raises(Refused, match="土曜日・日曜日"):
        leave.request_leave(office.clerk, leave.Ask(office.annual, Unit.DAY, date(2026, 6, 6)))
    with pytest.raises(Refused, match="海の日"):
        leave.request_leave(office.clerk, leave.Ask(office.annual, Unit.DAY, date(2026, 7, 20)))


def test_overlapping_leave_is_refused_but_am_and_pm_fit(office):
    leave.request_leave(office.clerk, leave.Ask(office.annual, Unit.AM, MONDAY))
    leave.request_leave(office.clerk, leave.Ask(office.annual, Unit.PM, MONDAY))
    with pytest.raises(Refused, match="すでに休暇を申請"):
        leave.request_leave(office.clerk, leave.Ask(office.summer, Unit.DAY, MONDAY))


def test_the_hour_cap_is_five_days_worth(office):
    day = MONDAY
    for _week in range(5):  # 5 × 7 hours = 35 hours, under 5 × 7h45m = 38h45m
        leave.request_leave(office.clerk, leave.Ask(office.annual, Unit.HOURS, day, starts=time(9), ends=time(16)))
        day += timedelta(days=7)
    with pytest.raises(Refused, match="5日分まで"):
        leave.request_leave(office.clerk, leave.Ask(office.annual, Unit.HOURS, day, starts=time(9), ends=time(13)))


def test_approving_ones_own_leave_is_refused(office):
    request = leave.request_leave(office.head, leave.Ask(office.annual, Unit.DAY, MONDAY))
    with pytest.raises(Refused, match="自分の申請"):
        leave.decide_leave(office.head, request, approve=True)
    mine = leave.request_leave(office.clerk, leave.Ask(office.annual, Unit.DAY, MONDAY))
    assert leave.decide_leave(office.head, mine, approve=True).status == Status.APPROVED


def test_carry_over_is_capped_by_the_town(office):
    office.town.settings = {"attendance": {"carry_over_limit_days": 3}}
    office.town.save()
    office.clerk.municipality.refresh_from_db()
    grant = leave.grant_annual(None, office.clerk, valid_from=date(2027, 1, 1), days=20)
    assert grant.carried_days == 3


def test_overtime_without_an_order_is_refused_where_required(office):
    _day(office, MONDAY, end=(19, 0))
    with pytest.raises(Refused, match="命令がありません"):
        overtime.record(office.clerk, None, day=MONDAY, start=at(MONDAY, 17, 15), end=at(MONDAY, 18, 15))
    asked = overtime.request(office.clerk, day=MONDAY, start=at(MONDAY, 17, 15), end=at(MONDAY, 18, 15),
                             work="窓口の集計")
    with pytest.raises(Refused, match="命令がありません"):
        overtime.record(office.clerk, asked, day=MONDAY, start=at(MONDAY, 17, 15), end=at(MONDAY, 18, 15))
    overtime.decide(office.head, asked, approve=True)
    done = overtime.record(office.clerk, asked, day=MONDAY, start=at(MONDAY, 17, 15), end=at(MONDAY, 18, 15))
    assert done.state == OvertimeState.RECORDED and done.minutes == 60


def test_overtime_outside_the_punches_is_refused(office):
    _day(office, MONDAY, end=(17, 15))
    ordered = overtime.order(office.head, office.clerk, day=MONDAY, start=at(MONDAY, 17, 15),
                             end=at(MONDAY, 18, 15), work="集計")
    with pytest.raises(Refused, match="打刻と合いません"):
        overtime.record(office.clerk, ordered, day=MONDAY, start=at(MONDAY, 17, 15), end=at(MONDAY, 18, 15))


def test_without_the_town_option_overtime_may_be_recorded_without_order(office):
    office.town.settings = {"attendance": {"overtime_order_required": False}}
    office.town.save()
    _day(office, MONDAY, end=(19, 0))
    done = overtime.record(office.clerk, None, day=MONDAY, start=at(MONDAY, 17, 15), end=at(MONDAY, 18, 45))
    assert done.minutes == 90


def _overtime_hours(office, hours_per_day, days, *, reason=""):
    day, done = MONDAY, 0
    while done < days:
        if day.weekday() < 5:
            end_hour = 17 + hours_per_day
            _day(office, day, end=(end_hour, 30))
            ordered = overtime.order(office.head, office.clerk, day=day, start=at(day, 17, 15),
                                     end=at(day, end_hour, 15), work="決算", excess_reason=reason)
            overtime.record(office.clerk, ordered, day=day, start=at(day, 17, 15), end=at(day, end_hour, 15),
                            excess_reason=reason)
            done += 1
        day += timedelta(days=1)
    return day


def test_near_the_monthly_limit_mail_goes_and_beyond_it_needs_a_reason(office, mailoutbox, settings,
                                                                       django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        next_day = _overtime_hours(office, 4, 8)  # 32 hours: not yet 80 % of 45
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        next_day = _overtime_hours_on(office, next_day, 4, count=1)  # 36 hours
    assert {mail.to[0] for mail in mailoutbox} == {office.clerk.user.email, office.head.user.email}
    assert all("上限に近づいています" in mail.subject and "36時間" in mail.body for mail in mailoutbox)
    next_day = _overtime_hours_on(office, next_day, 4, count=2)  # 44 hours
    with pytest.raises(Refused, match="超える理由"):
        _overtime_hours_on(office, next_day, 4, count=1)
    assert WorkPeriod.objects.filter(day=next_day).exists()  # the punch stays; only the report was refused
    WorkPeriod.objects.filter(day=next_day).delete()
    _overtime_hours_on(office, next_day, 4, count=1, reason="災害対応")
    levels = {level.key: level for level in overtime.levels(office.clerk, MONDAY)}
    assert levels["month"].used == 48 * 60 and levels["month"].beyond


def _overtime_hours_on(office, day, hours, *, count, reason=""):
    for _n in range(count):
        while day.weekday() >= 5:
            day += timedelta(days=1)
        _day(office, day, end=(17 + hours, 30))
        ordered = overtime.order(office.head, office.clerk, day=day, start=at(day, 17, 15),
                                 end=at(day, 17 + hours, 15), work="決算", excess_reason=reason)
        overtime.record(office.clerk, ordered, day=day, start=at(day, 17, 15), end=at(day, 17 + hours, 15),
                        excess_reason=reason)
        day += timedelta(days=1)
    return day


def test_telework_twice_a_day_is_refused(office):
    telework.request(office.clerk, day=MONDAY, work="資料作成")
    with pytest.raises(Refused, match="すでにテレワーク"):
        telework.request(office.clerk, day=MONDAY, work="資料作成")


def _close(office, when=MONDAY):
    month.confirm(office.head, office.clerk, when)
    return month.close(office.personnel, when, [office.clerk])


def test_month_close_totals_and_a_closed_month_refuses_changes(office):
    _day(office, MONDAY, end=(23, 0))
    ordered = overtime.order(office.head, office.clerk, day=MONDAY, start=at(MONDAY, 17, 15), end=at(MONDAY, 23),
                             work="選挙事務")
    overtime.record(office.clerk, ordered, day=MONDAY, start=at(MONDAY, 17, 15), end=at(MONDAY, 23))
    _day(office, MONDAY + timedelta(days=1), place=Place.TELEWORK)
    half = leave.request_leave(office.clerk, leave.Ask(office.annual, Unit.PM, MONDAY + timedelta(days=2)))
    leave.decide_leave(office.head, half, approve=True)
    (row,) = _close(office)
    assert row.totals == {"work_days": 2, "worked_minutes": 870 + 525, "overtime_125": 345, "overtime_150": 0,
                          "holiday_minutes": 0, "night_minutes": 60, "telework_days": 1,
                          "leave": {"annual": 232}}
    with pytest.raises(Refused, match="月次締めが済んでいる"):
        clock.clock_in(office.clerk, now=at(MONDAY + timedelta(days=3), 8, 30))
    with pytest.raises(Refused, match="月次締めが済んでいる"):
        leave.cancel_leave(office.clerk, half)
    with pytest.raises(Refused, match="月次締めが済んでいる"):
        leave.request_leave(office.clerk, leave.Ask(office.annual, Unit.DAY, MONDAY + timedelta(days=4)))


def test_only_personnel_close_and_only_confirmed_people(office):
    with pytest.raises(Refused, match="総務課"):
        month.close(office.head, MONDAY)
    with pytest.raises(Refused, match="締められる職員がいません"):
        month.close(office.personnel, MONDAY)
    clock.clock_in(office.clerk, now=at(MONDAY, 8, 30))
    month.confirm(office.head, office.clerk, MONDAY)
    with pytest.raises(Refused, match="退勤の打刻がない"):
        month.close(office.personnel, MONDAY)


def test_a_month_is_confirmed_and_closed_from_its_last_day_on(office):
    _day(office, MONDAY)
    for today in (MONDAY, date(2026, 6, 29)):
        with pytest.raises(Refused, match="2026年6月はまだ終わっていません"):
            month.confirm(office.head, office.clerk, MONDAY, today=today)
        with pytest.raises(Refused, match="まだ終わっていません"):
            month.close(office.personnel, MONDAY, today=today)
    month.confirm(office.head, office.clerk, MONDAY, today=date(2026, 6, 30))
    assert [row.state for row in month.close(office.personnel, MONDAY, today=date(2026, 6, 30))] == ["closed"]
    assert rules.month_to_close(date(2026, 7, 6)) == date(2026, 6, 1)  # what the pages offer first
    assert rules.month_to_close(date(2026, 6, 30)) == date(2026, 6, 1)
    assert rules.month_to_close(date(2026, 1, 5)) == date(2025, 12, 1)


def test_reopening_is_audited_and_lets_the_month_change(office):
    _day(office, MONDAY)
    (row,) = _close(office)
    with pytest.raises(Refused, match="理由"):
        month.reopen(office.personnel, row, "")
    month.reopen(office.personnel, row, "時間外の報告漏れ")
    assert MonthClose.objects.get().state == CloseState.REOPENED
    assert AuditEntry.objects.get(action="attendance.month.reopened").data["reason"] == "時間外の報告漏れ"
    _day(office, MONDAY + timedelta(days=1))


def test_csv_rows_follow_the_documented_layout(office):
    _day(office, MONDAY)
    _close(office)
    header, line = list(month.csv_rows(MONDAY))
    assert header[:4] == ["職員番号", "氏名", "所属", "対象年月"] and header[-2:] == ["休暇:年次有給休暇（分）",
                                                                         "休暇:夏季休暇（分）"]
    assert line[0] == str(1000 + office.clerk.pk) and line[3] == "2026-06" and line[4] == 1 and line[5] == 525


def test_five_day_obligation_from_the_fourth_quarter(office):
    assert leave.short_of_five_days(date(2026, 9, 30)) == []
    short = {duty.staff for duty in leave.short_of_five_days(date(2026, 10, 1))}
    assert office.clerk in short
    for n in range(5):
        request = leave.request_leave(office.clerk, leave.Ask(office.annual, Unit.DAY, MONDAY + timedelta(days=n)))
        leave.decide_leave(office.head, request, approve=True)
    assert office.clerk not in {duty.staff for duty in leave.short_of_five_days(date(2026, 10, 1))}
    assert LeaveRequest.objects.count() == 5


def test_five_day_reminders_go_once_a_month_to_the_person_and_the_head(office, mailoutbox):
    from yakuba.attendance.tasks import remind_five_days

    # the clerk and their head, the head, the other 課's clerk: each short of five days
    assert remind_five_days.call(office.town.pk, "2026-10-01") == 4
    assert remind_five_days.call(office.town.pk, "2026-10-15") == 4  # a run again: the same mails, not sent twice
    to_clerk = [mail for mail in mailoutbox if mail.to == [office.clerk.user.email]]
    assert len(to_clerk) == 1 and "年5日" in to_clerk[0].subject
    remind_five_days.call(office.town.pk, "2026-11-01")
    assert len([mail for mail in mailoutbox if mail.to == [office.clerk.user.email]]) == 2


def test_totals_split_at_60_hours_count_days_off_and_the_night(office):
    from yakuba.attendance.models import Overtime, Shift, WorkPattern

    def recorded(person, day, start, end):
        Overtime.objects.create(municipality=office.town, staff=person, day=day, planned_start=start,
                                planned_end=end, work="決算", state=OvertimeState.RECORDED, actual_start=start,
                                actual_end=end, minutes=int((end - start).total_seconds() // 60))

    day, done = MONDAY, 0
    while done < 16:  # 16 working days × 4 hours = 64 hours
        if day.weekday() < 5:
            recorded(office.clerk, day, at(day, 17, 15), at(day, 21, 15))
            done += 1
        day += timedelta(days=1)
    recorded(office.clerk, date(2026, 6, 6), at(date(2026, 6, 6), 9), at(date(2026, 6, 6), 12))  # a Saturday
    recorded(office.clerk, date(2026, 6, 29), at(date(2026, 6, 29), 21), at(date(2026, 6, 30), 1))  # into the night
    # a shift worker whose Saturday is a working day and whose Monday is off
    pattern = WorkPattern.objects.get(is_default=True)
    Shift.objects.create(municipality=office.town, staff=office.other, day=date(2026, 6, 6), pattern=pattern)
    Shift.objects.create(municipality=office.town, staff=office.other, day=MONDAY, pattern=None)
    recorded(office.other, date(2026, 6, 6), at(date(2026, 6, 6), 18), at(date(2026, 6, 6), 19))
    recorded(office.other, MONDAY, at(MONDAY, 10), at(MONDAY, 12))
    totals = month.totals_for([office.clerk.pk, office.other.pk], MONDAY)
    clerk, other = totals[office.clerk.pk], totals[office.other.pk]
    assert (clerk.overtime_125, clerk.overtime_150, clerk.holiday_minutes) == (3600, 64 * 60 + 240 - 3600, 180)
    assert clerk.night_minutes == 180  # 22:00–1:00
    assert (other.overtime_125, other.holiday_minutes, other.night_minutes) == (60, 120, 0)

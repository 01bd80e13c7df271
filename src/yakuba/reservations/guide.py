"""使用料と予約のきまり: each published facility's fees, booking window, cancellation deadline and 減免, written out
from the very settings the booking applies, so that what residents and the assistant read is what the booking does.
Ordinances and FAQs refer to this page instead of restating the figures."""

from __future__ import annotations

from datetime import time, timedelta

from yakuba.kernel.scheduling import calendar

from .models import Facility, GroupCategory, Room

TITLE = "{name}の使用料と予約のきまり"


def title(facility: Facility) -> str:
    return TITLE.format(name=facility.name)


def span(length: timedelta) -> str:
    """A length as residents say it: 3日, 2時間, 30分."""
    minutes = int(length.total_seconds() // 60)
    if minutes and minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)}日"
    if minutes and minutes % 60 == 0:
        return f"{minutes // 60}時間"
    return f"{minutes}分"


WEEKDAYS = "月火水木金土日"


def clock(moment: time) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


def hours(rules: calendar.Rules) -> str:
    """The weekly hours and closures the booking applies: 火〜日 9:00〜21:00。休み: 月曜日、祝日、年末年始."""
    days = [(index, day) for index, day in enumerate(rules.hours) if day]
    if not days:
        return "受け付けていません"
    times = {day: "・".join(f"{clock(start)}〜{clock(end)}" for start, end in day) for _i, day in days}
    if len(set(times.values())) == 1:
        names = "毎日" if len(days) == 7 else "・".join(WEEKDAYS[i] for i, _day in days) + "曜日"
        text = f"{names} {next(iter(times.values()))}"
    else:
        text = "、".join(f"{WEEKDAYS[i]}曜日 {times[day]}" for i, day in days)
    closed = [f"{WEEKDAYS[i]}曜日" for i, day in enumerate(rules.hours) if not day]
    if rules.closed_on_holidays:
        closed.append("祝日")
    if rules.year_end_closure:
        closed.append("年末年始（12月29日〜1月3日）")
    return text + (f"。休み: {'、'.join(closed)}" if closed else "")


def fee(room: Room) -> str:
    return f"1時間あたり{room.fee_per_hour:,}円" if room.fee_per_hour else "無料"


def _room_lines(room: Room) -> list[str]:
    rules = calendar.Rules.from_dict(room.resource.rules or {})
    people = f"（定員{room.people}人）" if room.people else ""
    approval = "。担当課の承認後に確定します" if room.approval_required else ""
    return [
        f"■{room.name}{people}",
        f"・使用料: {fee(room)}{approval}",
        f"・利用できる時間: {hours(rules)}",
        f"・予約: {rules.window_days}日先の分まで、使い始める{span(rules.min_notice)}前まで申し込めます。"
        f"{span(rules.slot)}単位で、1回{span(rules.min_length)}から{span(rules.max_length)}まで。",
        f"・取消し: 使い始める{span(rules.cancel_deadline)}前まで、施設予約サービスで取り消せます。"
        "それを過ぎたときは、担当課に電話で連絡してください。",
    ]


def text(facility: Facility, rooms: list[Room], categories: list[GroupCategory]) -> str:
    lines = [title(facility), "",
             f"この案内は、施設予約サービスに登録されている{facility.name}の設定をそのまま書き出したものです。"
             "例規などで「施設予約サービスに掲げる」とされている使用料、予約の受付期間、取消しの期限はこのとおりです。",
             ""]
    if facility.address:
        lines.append(f"所在地: {facility.address}")
    if facility.opening_hours:
        lines.append(f"利用できる時間: {facility.opening_hours}")
    if facility.description:
        lines.append(facility.description)
    lines += ["", "部屋ごとの使用料・予約・取消し"]
    for room in rooms:
        lines += _room_lines(room)
    lines += ["", "使用料は、1時間あたりの額に使用時間を掛けた額です（1円未満は切り上げます）。"]
    special = [c for c in categories if c.reduction_percent or c.extra_window_days]
    if special:
        lines += ["", "登録した団体の減免と先行予約"]
        for category in special:
            parts = []
            if category.reduction_percent:
                parts.append(f"使用料{category.reduction_percent}%減免")
            if category.extra_window_days:
                parts.append(f"通常より{category.extra_window_days}日早く予約できます")
            lines.append(f"・{category.name}: {'、'.join(parts)}")
    return "\n".join(lines)

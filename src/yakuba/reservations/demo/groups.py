"""Demo 団体登録 and 抽選: the town's group categories with their 減免 rules, one approved club with a weekly
定期予約, one club waiting for review, and a 体育館 lottery for the month after the booking window.

Made through the services, so they pass the same checks as a resident's request. Idempotent.
"""

from __future__ import annotations

import calendar as months
from datetime import datetime, time, timedelta

from django.utils import timezone

from yakuba.kernel.accounts.models import Resident, Staff
from yakuba.kernel.ops.demo import Town, _upsert
from yakuba.kernel.refusal import Refused
from yakuba.kernel.tenancy.models import Municipality

from .. import services
from ..models import Group, GroupCategory, GroupStatus, Room
from ..services import groups as groups_service
from ..services import lottery as lotteries
from ..services import series as series_service
from .catalogue import FACILITY_DEPARTMENT

# name, description, 減免率, days earlier
CATEGORIES = (
    ("一般の団体", "町内で活動するサークル・同好会など", 0, 0),
    ("社会教育関係団体", "公民館で継続して学習・文化・スポーツ活動を行う団体（町の認定が必要）", 50, 30),
    ("町内の福祉・高齢者団体", "老人クラブ、障害者団体、子ども会など", 100, 30),
)


def load(municipality: Municipality, town: Town) -> None:
    for order, (name, description, percent, days) in enumerate(CATEGORIES):
        _upsert(GroupCategory, {"municipality": municipality, "name": name}, {
            "description": description, "reduction_percent": percent, "extra_window_days": days,
            "sort_order": order})
    if Group.objects.exists():
        return
    residents = {r.user.email: r for r in Resident.objects.select_related("user") if r.user is not None}
    # A clerk of the department running the facilities reviews groups; the demo has none there, so 情報担当 does.
    clerk = (Staff.objects.filter(department__name=FACILITY_DEPARTMENT[town.slug]).order_by("pk").first()
             or Staff.objects.get(user__email=f"admin@{town.slug}.demo"))
    club = groups_service.apply(residents[f"resident1@{town.slug}.demo"], groups_service.GroupDetails(
        name="ひまわり太極拳クラブ", name_kana="ひまわりたいきょくけんくらぶ",
        category=GroupCategory.objects.get(name="社会教育関係団体"), members=18,
        activity="毎週火曜日の夜、公民館で太極拳の練習をしています。", phone=town.phone))
    club = groups_service.decide(club, approve=True, staff=clerk, note="公民館の定期利用団体として承認しました。")
    groups_service.apply(residents[f"resident2@{town.slug}.demo"], groups_service.GroupDetails(
        name="ママさんバレー部", name_kana="ままさんばれーぶ", category=GroupCategory.objects.get(name="一般の団体"),
        members=14, activity="体育館で週1回バレーボールの練習をしています。", phone=town.phone))
    room = Room.objects.filter(resource__key="room:kominkan:kaigi1").first()
    if room is not None and club.status == GroupStatus.APPROVED:
        _weekly(room, club)
    gym = list(Room.objects.filter(resource__key__startswith="room:taiikukan:"))
    if gym:
        _lottery(municipality, gym, clerk)


def _weekly(room: Room, club: Group) -> None:
    """The club's Tuesday evening practice for about three months, as one 定期予約."""
    soonest = timezone.localdate() + timedelta(days=2)  # as every demo booking: not tomorrow (on a Monday, too)
    first = soonest + timedelta(days=(1 - soonest.weekday()) % 7)
    request = series_service.Request(room=room, resident=club.representative, first_day=first,
                                     last_day=first + timedelta(weeks=11), start=time(19), length=timedelta(hours=2),
                                     purpose="太極拳の練習", people=15, group=club)
    try:
        series_service.reserve(request)
    except Refused:
        pass  # no Tuesday free: the demo goes on without it


def _lottery(municipality: Municipality, rooms: list[Room], clerk: Staff) -> None:
    """Applications open now for the 体育館 in the first whole month after the normal booking window."""
    beyond = timezone.localdate() + timedelta(days=services.rules_of(rooms[0].resource).window_days + 1)
    first = beyond.replace(day=1) + timedelta(days=months.monthrange(beyond.year, beyond.month)[1])
    last = first.replace(day=months.monthrange(first.year, first.month)[1])
    lotteries.create_lottery(
        staff=clerk, title=f"体育館 {first.month}月分の抽選", rooms=rooms, period_start=first, period_end=last,
        opens_at=timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=1), time(9))),
        closes_at=timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=14), time(17))),
        max_entries=3)

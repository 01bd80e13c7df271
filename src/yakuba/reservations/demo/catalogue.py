"""What the demo towns let residents book: facilities with their rooms, and counter appointment types."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta
from decimal import Decimal

from yakuba.kernel.scheduling import calendar

MON = 0
WEEKDAYS = (0, 1, 2, 3, 4)


def week(opens: time, closes: time, *, days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)) -> tuple[calendar.Hours, ...]:
    """The same hours on `days` (0 = Monday); the other weekdays closed."""
    return tuple(((opens, closes),) if day in days else () for day in range(7))


def minutes(count: int) -> timedelta:
    return timedelta(minutes=count)


# 公民館の会議室: 9:00–21:00, 月曜休館, 祝日・年末年始休館, 60日先まで, 前日まで予約, 30分刻み, 最長4時間.
MEETING_ROOM = calendar.Rules(
    hours=week(time(9), time(21), days=(1, 2, 3, 4, 5, 6)), window_days=60, min_notice=timedelta(days=1),
    min_length=minutes(60), max_length=timedelta(hours=4), slot=minutes(30), cancel_deadline=timedelta(days=1))
# 大ホール: 職員の承認が必要で、準備のため3日前まで・取消しも3日前まで、1時間単位.
HALL = calendar.Rules(
    hours=week(time(9), time(21), days=(1, 2, 3, 4, 5, 6)), window_days=60, min_notice=timedelta(days=3),
    min_length=minutes(60), max_length=timedelta(hours=4), slot=minutes(60), cancel_deadline=timedelta(days=3))
# 体育館: 祝日も開館 (月曜休館), 1時間前まで予約, 1時間単位, 取消しは前日まで.
GYM = calendar.Rules(
    hours=week(time(9), time(21), days=(1, 2, 3, 4, 5, 6)), closed_on_holidays=False, window_days=60,
    min_notice=timedelta(hours=1), min_length=minutes(60), max_length=timedelta(hours=4), slot=minutes(60),
    cancel_deadline=timedelta(days=1))
# グラウンド (照明なし): 毎日 8:00–17:00, 2時間から.
GROUND = calendar.Rules(
    hours=week(time(8), time(17)), closed_on_holidays=False, window_days=60, min_notice=timedelta(days=1),
    min_length=minutes(120), max_length=timedelta(hours=4), slot=minutes(60), cancel_deadline=timedelta(days=1))


@dataclass(frozen=True)
class DemoRoom:
    key: str
    name: str
    people: int | None
    rules: calendar.Rules
    fee_per_hour: int = 0
    approval_required: bool = False


@dataclass(frozen=True)
class DemoFacility:
    slug: str
    kind: str  # 公民館, 町民体育館, 町民グラウンド: the name is the town's name and this
    description: str
    rooms: tuple[DemoRoom, ...]
    towns: tuple[str, ...] = ("shimonita", "kanra", "nakanojo", "oyama")
    number: int = 1  # house number after the town's area, for the address
    category: str = ""  # 種別, as the open data lists it
    offset: tuple[Decimal, Decimal] = (Decimal(0), Decimal(0))  # (north, east) of the town office, in degrees
    opening_hours: str = "9:00〜21:00（休館日を除く）"

    def name(self, town_name: str) -> str:
        return f"{town_name}{self.kind}"


FACILITIES = (
    DemoFacility(
        "kominkan", "公民館",
        "サークル活動や地区の集まり、講演会に使える会議室・和室・ホールがあります。月曜日と祝日、年末年始は休館です。",
        (DemoRoom("kaigi1", "第1会議室", 30, MEETING_ROOM),
         DemoRoom("washitsu", "和室", 20, MEETING_ROOM, fee_per_hour=300),
         DemoRoom("hall", "大ホール", 300, HALL, fee_per_hour=2000, approval_required=True)),
        number=210, category="公民館", offset=(Decimal("0.0021"), Decimal("0.0017"))),
    DemoFacility(
        "taiikukan", "町民体育館",
        "バレーボール・バドミントン・卓球などに使えます。アリーナを2面（A面・B面）に分けて予約できます。"
        "月曜日と年末年始は休館です（祝日は開館）。",
        (DemoRoom("a", "A面", 60, GYM, fee_per_hour=400),
         DemoRoom("b", "B面", 60, GYM, fee_per_hour=400)),
        number=350, category="体育館", offset=(Decimal("-0.0032"), Decimal("0.0041"))),
    DemoFacility(
        "ground", "町民グラウンド",
        "野球・サッカー・グラウンドゴルフに使えます。照明はありません。雨天時の利用は職員にご相談ください。",
        (DemoRoom("zenmen", "全面", 200, GROUND, fee_per_hour=300),),
        towns=("shimonita", "nakanojo", "oyama"), number=420, category="運動場",
        opening_hours="8:00〜17:00（年末年始を除く）",
        offset=(Decimal("-0.0047"), Decimal("-0.0038"))),
)

# The town offices (役場), approximately; the demo facilities are placed around them (they are invented).
CENTRES = {"shimonita": (Decimal("36.2124"), Decimal("138.7886")), "kanra": (Decimal("36.2376"), Decimal("138.9213")),
           "nakanojo": (Decimal("36.5896"), Decimal("138.8413")), "oyama": (Decimal("35.3600"), Decimal("138.9873"))}


@dataclass(frozen=True)
class DemoCentre:
    """A facility without rooms to book, shown for information (子育て施設一覧 of the open data)."""

    slug: str
    category: str
    description: str
    offset: tuple[Decimal, Decimal]
    opening_hours: str
    departments: tuple[str, ...]  # the first department whose name holds one of these words runs it
    sort_order: int = 90


CHILDCARE = DemoCentre(
    "kosodate", "子育て支援センター", "未就学児と保護者が自由に遊べる親子ひろばと、子育ての相談窓口があります。",
    (Decimal("0.0012"), Decimal("-0.0026")), "月〜金 9:00〜16:00（祝日・年末年始を除く）",
    ("福祉", "保健", "健康", "総務"))

# The department that runs the facilities, per town slug.
FACILITY_DEPARTMENT = {"shimonita": "教育課", "kanra": "教育課", "nakanojo": "教育課", "oyama": "教育委員会"}

# 窓口: 平日 8:30–17:15, 祝日・年末年始は閉庁. Appointments at least the day before, 30 days ahead.
def counter_rules(length: int, slot: int) -> calendar.Rules:
    return calendar.Rules(
        hours=week(time(8, 30), time(17, 15), days=WEEKDAYS), window_days=30, min_notice=timedelta(days=1),
        min_length=minutes(length), max_length=minutes(length), slot=minutes(slot),
        cancel_deadline=timedelta(hours=2))


@dataclass(frozen=True)
class DemoAppointment:
    slug: str
    name: str
    description: str
    duration: int  # minutes
    buffer: int  # minutes the counter stays free after a visit
    counters: int
    slot: int
    departments: dict[str, str] = field(default_factory=dict)  # per town slug

    @property
    def rules(self) -> calendar.Rules:
        return counter_rules(self.duration, self.slot)


APPOINTMENTS = (
    DemoAppointment(
        "nouzei-soudan", "納税相談",
        "町税の納付が難しいときの分割納付などのご相談です。担当者2名が個別にお話を伺います。"
        "収入や支出の分かるもの（給与明細、通帳など）をお持ちください。",
        60, 15, 2, 30,
        {"shimonita": "住民税務課", "kanra": "税務課", "nakanojo": "税務会計課", "oyama": "税務課"}),
    DemoAppointment(
        "mynumber-card", "マイナンバーカードの受取",
        "交付通知書（はがき）が届いた方の、マイナンバーカードの受取です。交付通知書と本人確認書類をお持ちください。",
        15, 0, 2, 15,
        {"shimonita": "住民税務課", "kanra": "住民課", "nakanojo": "住民福祉課", "oyama": "住民福祉課"}),
    DemoAppointment(
        "kaigo-soudan", "介護の相談",
        "介護保険のサービスや要介護認定の申請、家族の介護についてのご相談です。ご家族だけのご相談もお受けします。",
        60, 0, 1, 30,
        {"shimonita": "福祉課", "kanra": "健康課", "nakanojo": "住民福祉課", "oyama": "住民福祉課"}),
    DemoAppointment(
        "jutaku-kaishu", "住宅改修の相談",
        "住宅の耐震診断・耐震改修やリフォームの補助金についてのご相談です。図面や写真があればお持ちください。",
        30, 0, 1, 30,
        {"shimonita": "建設水道課", "kanra": "建設課", "nakanojo": "建設課", "oyama": "都市整備課"}),
)

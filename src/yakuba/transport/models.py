"""デマンド交通: the service a town runs (zones, 乗降ポイント, vehicles, fares, booking rules), riders, rides and the
day's plan the solver made, and the fixed routes published as GTFS-JP."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Department, Resident, Staff
from yakuba.kernel.tenancy.models import TenantModel

__all__ = ["Channel", "DayPlan", "FixedRoute", "FixedRouteStop", "Reduction", "RefusalReason", "Ride", "RideStatus",
           "Rider", "Service", "Stop", "TravelSource", "TravelTime", "Vehicle", "Visit", "VisitKind", "Zone",
           "weekdays_default"]


def weekdays_default() -> list[int]:
    return [0, 1, 2, 3, 4]  # 月〜金


class _Named(TenantModel):
    name = models.CharField(_("名前"), max_length=60)
    name_en = models.CharField(_("英語名"), max_length=100, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def shown_name(self) -> str:
        return self.name_en if self.name_en and (get_language() or "").startswith("en") else self.name


class TravelSource(models.TextChoices):
    """Where travel times between stops come from."""

    STRAIGHT = "straight", _("直線距離×迂回率（地図データなし）")
    MATRIX = "matrix", _("町が用意した所要時間表（CSV）")
    OSRM = "osrm", _("経路検索エンジン（OSRM）")
    VALHALLA = "valhalla", _("経路検索エンジン（Valhalla）")


class Service(_Named):
    """デマンド交通の運行: one per town. Its days and hours, booking rules, fares and how trips are planned."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("担当課"))
    description = models.TextField(_("説明"), max_length=2000, blank=True)
    phone = models.CharField(_("予約センターの電話番号"), max_length=20, blank=True)
    days = models.JSONField(_("運行日（曜日）"), default=weekdays_default)
    closed_on_holidays = models.BooleanField(_("祝日は運休"), default=True)
    opens = models.TimeField(_("運行開始"))
    closes = models.TimeField(_("運行終了（最終降車）"))
    book_days_ahead = models.PositiveSmallIntegerField(_("何日先まで予約できるか"), default=7,
                                                       validators=[MinValueValidator(0), MaxValueValidator(60)])
    book_minutes_before = models.PositiveSmallIntegerField(_("乗車の何分前まで予約できるか"), default=60)
    window_minutes = models.PositiveSmallIntegerField(_("お迎えの時間帯（分）"), default=15,
                                                      validators=[MinValueValidator(5), MaxValueValidator(60)])
    ride_factor = models.DecimalField(_("乗車時間の上限（直行の何倍）"), max_digits=3, decimal_places=2,
                                      default=Decimal("1.50"), validators=[MinValueValidator(Decimal("1.0"))])
    ride_extra_minutes = models.PositiveSmallIntegerField(_("乗車時間の上限に加える分"), default=10)
    dwell_seconds = models.PositiveSmallIntegerField(_("乗り降りにかかる秒数"), default=60)
    fare_yen = models.PositiveIntegerField(_("運賃（1人1回）"), default=300)
    reduced_fare_yen = models.PositiveIntegerField(_("減免後の運賃"), default=150)
    reduced_age = models.PositiveSmallIntegerField(_("高齢者減免の年齢（0は減免なし）"), default=70)
    travel_source = models.CharField(_("所要時間の求め方"), max_length=10, choices=TravelSource.choices,
                                     default=TravelSource.STRAIGHT)
    engine_url = models.URLField(_("経路検索エンジンのURL"), blank=True)
    detour_factor = models.DecimalField(_("迂回率"), max_digits=3, decimal_places=2, default=Decimal("1.30"),
                                        validators=[MinValueValidator(Decimal("1.0"))])
    speed_kmh = models.PositiveSmallIntegerField(_("平均速度（km/h）"), default=25,
                                                 validators=[MinValueValidator(5), MaxValueValidator(80)])
    solver_seconds = models.PositiveSmallIntegerField(_("配車計算の時間上限（秒）"), default=8,
                                                      validators=[MinValueValidator(1), MaxValueValidator(60)])
    remind_hours = models.PositiveSmallIntegerField(_("前日のお知らせ（乗車の何時間前）"), default=18)
    arriving_minutes = models.PositiveSmallIntegerField(_("「まもなく到着」を送る分"), default=5)
    active = models.BooleanField(_("予約受付中"), default=True)

    class Meta:
        verbose_name = _("デマンド交通")
        constraints = [
            models.UniqueConstraint(fields=["municipality"], name="transport_service_one_per_town"),
            models.CheckConstraint(condition=models.Q(closes__gt=models.F("opens")),
                                   name="transport_service_closes_after_opens"),
        ]


class Zone(_Named):
    """運行区域: a ride stays inside one zone or goes to a zone it connects to (e.g. every hamlet ↔ 中心部)."""

    connects = models.ManyToManyField("self", blank=True, symmetrical=True, verbose_name=_("行き来できる区域"))
    sort_order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("運行区域")
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="transport_zone_unique_name")]


class Stop(_Named):
    """乗降ポイント: where riders are picked up and set down."""

    code = models.SlugField(_("コード"), max_length=20, help_text=_("半角英数字。所要時間表とGTFSで使います。"))
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="stops", verbose_name=_("区域"))
    kana = models.CharField(_("よみがな"), max_length=100, blank=True)
    latitude = models.DecimalField(_("緯度"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("経度"), max_digits=9, decimal_places=6)
    note = models.CharField(_("目印"), max_length=200, blank=True)
    active = models.BooleanField(_("利用できる"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        ordering = ["zone__sort_order", "sort_order", "pk"]
        verbose_name = _("乗降ポイント")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="transport_stop_unique_code"),
            models.CheckConstraint(condition=models.Q(latitude__gte=-90, latitude__lte=90,
                                                      longitude__gte=-180, longitude__lte=180),
                                   name="transport_stop_place_on_earth"),
        ]


class Vehicle(_Named):
    """車両: seats, wheelchair spaces, the hours it runs and where it starts and ends its day."""

    capacity = models.PositiveSmallIntegerField(_("定員（乗客）"), validators=[MinValueValidator(1)])
    wheelchair_spaces = models.PositiveSmallIntegerField(_("車いすスペース"), default=0)
    days = models.JSONField(_("運行日（曜日）"), default=weekdays_default)
    starts = models.TimeField(_("運行開始"))
    ends = models.TimeField(_("運行終了"))
    home = models.ForeignKey(Stop, on_delete=models.PROTECT, related_name="+", verbose_name=_("車庫（発着地）"))
    driver = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("運転手"))
    active = models.BooleanField(_("運行する"), default=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("車両")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="transport_vehicle_unique_name"),
            models.CheckConstraint(condition=models.Q(ends__gt=models.F("starts")),
                                   name="transport_vehicle_ends_after_starts"),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="transport_vehicle_has_seats"),
        ]


class TravelTime(TenantModel):
    """One cell of the town's travel-time table (所要時間表) between two stops."""

    origin = models.ForeignKey(Stop, on_delete=models.CASCADE, related_name="+")
    destination = models.ForeignKey(Stop, on_delete=models.CASCADE, related_name="+")
    seconds = models.PositiveIntegerField()
    meters = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["origin", "destination"], name="transport_traveltime_pair")]


class Reduction(models.TextChoices):
    """運賃の減免: by age from the resident's birthdate, or by a 手帳 staff saw at registration."""

    NONE = "", _("なし")
    ELDERLY = "elderly", _("高齢者")
    DISABILITY = "disability", _("障害者手帳")


class Rider(TenantModel):
    """利用登録: a resident who rides, with what the driver should know and the 減免 staff confirmed."""

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+", verbose_name=_("住民"))
    disability_certified = models.BooleanField(_("障害者手帳を確認済み"), default=False)
    wheelchair = models.BooleanField(_("車いすを使う"), default=False)
    needs = models.CharField(_("運転手に伝えること"), max_length=200, blank=True,
                             help_text=_("例：杖を使う、乗り降りに手助けが要る"))
    home_stop = models.ForeignKey(Stop, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name=_("自宅に近い乗降ポイント"))
    registered_by = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("利用者")
        constraints = [models.UniqueConstraint(fields=["municipality", "resident"], name="transport_rider_once")]

    def __str__(self) -> str:
        return str(self.resident)


class DayPlan(TenantModel):
    """The day's dispatch plan: its row is locked while a booking is placed, so two bookings never plan over each
    other; `version` grows with every change the drivers' tablets must pick up."""

    day = models.DateField()
    version = models.PositiveIntegerField(default=0)
    solver = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=20, blank=True)
    vehicle_seconds = models.PositiveIntegerField(default=0)
    solved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["municipality", "day"], name="transport_dayplan_one_per_day")]


class RideStatus(models.TextChoices):
    QUEUED = "queued", _("受付（担当者が確認中）")
    CONFIRMED = "confirmed", _("予約確定")
    BOARDED = "boarded", _("乗車中")
    DONE = "done", _("降車済み")
    NO_SHOW = "no_show", _("不在")
    CANCELLED = "cancelled", _("取消し")
    REFUSED = "refused", _("お断り")


PLANNED_STATUSES = (RideStatus.CONFIRMED, RideStatus.BOARDED)
ACTIVE_STATUSES = (RideStatus.QUEUED, RideStatus.CONFIRMED, RideStatus.BOARDED)


class Channel(models.TextChoices):
    WEB = "web", _("ウェブ")
    LINE = "line", _("LINE")
    PHONE = "phone", _("電話（オペレーター）")
    COUNTER = "counter", _("窓口")


class RefusalReason(models.TextChoices):
    """Why a ride was not taken, for the 現状分析 report (form mistakes are not refusals)."""

    FULL = "full", _("車両に空きがない")
    TIMEOUT = "timeout", _("配車計算が時間内に終わらない")
    CAPACITY = "capacity", _("人数が車両の定員を超える")


class Ride(TenantModel):
    """予約: one trip of a rider (and companions) from one stop to another on a day, with the pickup window they were
    told, the vehicle and times the plan gave, and what happened."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("予約番号"), max_length=20)
    rider = models.ForeignKey(Rider, on_delete=models.PROTECT, related_name="rides", verbose_name=_("利用者"))
    day = models.DateField(_("乗車日"))
    pickup = models.ForeignKey(Stop, on_delete=models.PROTECT, related_name="+", verbose_name=_("乗る場所"))
    dropoff = models.ForeignKey(Stop, on_delete=models.PROTECT, related_name="+", verbose_name=_("降りる場所"))
    passengers = models.PositiveSmallIntegerField(_("人数"), default=1)
    wheelchairs = models.PositiveSmallIntegerField(_("車いす"), default=0)
    arrive_by = models.BooleanField(_("到着時刻で指定"), default=False)
    requested_at = models.DateTimeField(_("希望時刻"))
    window_start = models.DateTimeField(_("お迎え（から）"))
    window_end = models.DateTimeField(_("お迎え（まで）"))
    latest_arrival = models.DateTimeField(_("到着（まで）"), null=True, blank=True)
    direct_seconds = models.PositiveIntegerField(default=0)
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, null=True, blank=True, related_name="rides",
                                verbose_name=_("車両"))
    planned_pickup = models.DateTimeField(_("お迎え予定"), null=True, blank=True)
    planned_dropoff = models.DateTimeField(_("到着予定"), null=True, blank=True)
    status = models.CharField(_("状況"), max_length=12, choices=RideStatus.choices, default=RideStatus.CONFIRMED)
    channel = models.CharField(_("受付方法"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    fare_yen = models.PositiveIntegerField(_("運賃"), default=0)
    reduction = models.CharField(_("減免"), max_length=12, choices=Reduction.choices, blank=True)
    paid_cash_at = models.DateTimeField(_("現金で受け取った日時"), null=True, blank=True)
    note = models.CharField(_("運転手に伝えること"), max_length=200, blank=True)
    refusal = models.CharField(_("お断りの理由"), max_length=12, choices=RefusalReason.choices, blank=True)
    booked_by = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    boarded_at = models.DateTimeField(null=True, blank=True)
    dropped_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    arriving_told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["day", "window_start", "pk"]
        verbose_name = _("乗車予約")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "number"], name="transport_ride_unique_number"),
            models.CheckConstraint(condition=~models.Q(pickup=models.F("dropoff")), name="transport_ride_moves"),
            models.CheckConstraint(condition=models.Q(passengers__gte=1), name="transport_ride_has_passengers"),
            models.CheckConstraint(condition=models.Q(wheelchairs__lte=models.F("passengers")),
                                   name="transport_ride_wheelchairs_are_passengers"),
            models.CheckConstraint(condition=models.Q(window_end__gte=models.F("window_start")),
                                   name="transport_ride_window_order"),
            # A planned ride has its vehicle and times; a refused one says why.
            models.CheckConstraint(condition=~models.Q(status__in=["confirmed", "boarded", "done"])
                                   | models.Q(vehicle__isnull=False, planned_pickup__isnull=False),
                                   name="transport_ride_planned_has_vehicle"),
            models.CheckConstraint(condition=~models.Q(status="refused") | ~models.Q(refusal=""),
                                   name="transport_ride_refused_has_reason"),
        ]
        indexes = [models.Index(fields=["municipality", "day", "status"])]

    def __str__(self) -> str:
        return f"{self.number} {self.day:%m/%d} {self.pickup.name}→{self.dropoff.name}"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class VisitKind(models.TextChoices):
    PICKUP = "pickup", _("乗車")
    DROPOFF = "dropoff", _("降車")


class Visit(TenantModel):
    """A stop on a vehicle's route: a ride's pickup or drop-off, in the order the plan gave, with what the driver
    marked. Rewritten for a day's unvisited stops when the plan changes; a marked one is never rewritten."""

    ride = models.ForeignKey(Ride, on_delete=models.CASCADE, related_name="visits")
    kind = models.CharField(max_length=8, choices=VisitKind.choices)
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="visits")
    day = models.DateField()
    seq = models.PositiveIntegerField()
    eta = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, blank=True)  # boarded / dropped / absent
    done_by = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["vehicle", "day", "seq"]
        constraints = [models.UniqueConstraint(fields=["ride", "kind"], name="transport_visit_once_per_kind")]
        indexes = [models.Index(fields=["municipality", "day", "vehicle", "seq"])]


class FixedRoute(_Named):
    """定時定路線: a bus route with timetabled departures, published as GTFS-JP."""

    color = models.CharField(_("路線の色"), max_length=6, default="1F6FB2")
    days = models.JSONField(_("運行日（曜日）"), default=weekdays_default)
    departures = models.JSONField(_("始発からの発車時刻"), default=list, help_text=_("例：[\"07:30\", \"12:00\"]"))
    fare_yen = models.PositiveIntegerField(_("運賃"), default=200)
    active = models.BooleanField(_("運行中"), default=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("定時路線")


class FixedRouteStop(TenantModel):
    route = models.ForeignKey(FixedRoute, on_delete=models.CASCADE, related_name="stops")
    stop = models.ForeignKey(Stop, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveSmallIntegerField()
    minutes = models.PositiveSmallIntegerField(_("始発からの分"))

    class Meta:
        ordering = ["route", "seq"]
        constraints = [models.UniqueConstraint(fields=["route", "seq"], name="transport_routestop_seq")]

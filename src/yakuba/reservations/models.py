"""Facilities and rooms (施設・部屋), counter appointment types (来庁予約), class sessions (講座), and reservations."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Department, Resident, Staff
from yakuba.kernel.scheduling.models import Booking, Resource
from yakuba.kernel.tenancy.models import TenantModel


class Facility(TenantModel):
    """施設: 公民館, 体育館, グラウンド."""

    slug = models.SlugField(max_length=60)
    name = models.CharField(_("施設名"), max_length=100)
    address = models.CharField(_("所在地"), max_length=200, blank=True)
    phone = models.CharField(_("電話"), max_length=20, blank=True)
    description = models.TextField(_("説明"), blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="facilities",
                                   verbose_name=_("担当課"))
    is_published = models.BooleanField(_("公開"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    # Offered as public records (kernel.records: 公共施設一覧・子育て施設一覧 of the open data are made from these)
    name_kana = models.CharField(_("施設名（カナ）"), max_length=200, blank=True)
    category = models.CharField(_("種別"), max_length=40, blank=True, help_text=_("例: 公民館、体育館、児童館"))
    latitude = models.DecimalField(_("緯度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("経度"), max_digits=9, decimal_places=6, null=True, blank=True)
    opening_hours = models.CharField(_("利用可能時間"), max_length=200, blank=True)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("施設")
        constraints = [models.UniqueConstraint(fields=["municipality", "slug"], name="facility_unique_slug")]

    def __str__(self) -> str:
        return self.name


class Room(TenantModel):
    """部屋・面: one bookable unit of a facility (会議室, 体育館 A面). Its calendar rules live on its resource."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("名称"), max_length=100)
    people = models.PositiveIntegerField(_("定員（人）"), null=True, blank=True)
    resource = models.OneToOneField(Resource, on_delete=models.PROTECT, related_name="room")
    approval_required = models.BooleanField(_("職員の承認が必要"), default=False)
    fee_per_hour = models.PositiveIntegerField(_("使用料（1時間あたり・円）"), default=0)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["facility__sort_order", "sort_order", "name"]
        verbose_name = _("部屋")

    def __str__(self) -> str:
        return f"{self.facility.name} {self.name}"


class AppointmentType(TenantModel):
    """来庁予約の種類: e.g. 納税相談 (60 min) at 税務課 with N counters in parallel and a buffer between visits."""

    slug = models.SlugField(max_length=60)
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("説明"), blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="appointment_types",
                                   verbose_name=_("担当課"))
    duration_minutes = models.PositiveSmallIntegerField(_("所要時間（分）"), default=30)
    buffer_minutes = models.PositiveSmallIntegerField(_("次の予約までの間隔（分）"), default=0)
    resource = models.OneToOneField(Resource, on_delete=models.PROTECT, related_name="appointment_type")
    is_published = models.BooleanField(_("公開"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("来庁予約の種類")
        constraints = [models.UniqueConstraint(fields=["municipality", "slug"], name="appointmenttype_unique_slug")]

    def __str__(self) -> str:
        return self.name

    @property
    def counters(self) -> int:
        return self.resource.capacity


class Kind(models.TextChoices):
    ROOM = "room", _("施設予約")
    APPOINTMENT = "appointment", _("来庁予約")


class Status(models.TextChoices):
    CONFIRMED = "confirmed", _("予約済み")
    PENDING = "pending", _("承認待ち")
    CANCELLED = "cancelled", _("取消し")
    ATTENDED = "attended", _("来場済み")
    NO_SHOW = "no_show", _("無断キャンセル")


class Channel(models.TextChoices):
    ONLINE = "online", _("オンライン")
    PHONE = "phone", _("電話（職員が代行）")
    COUNTER = "counter", _("窓口")


class Reservation(TenantModel):
    """A resident's reservation of a room or an appointment: the kernel booking holds the time."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("種類"), max_length=12, choices=Kind.choices)
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="reservations",
                                 verbose_name=_("予約者"))
    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="reservation")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, null=True, blank=True, related_name="reservations")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="reservations")
    starts_at = models.DateTimeField(_("開始"))
    ends_at = models.DateTimeField(_("終了"))
    purpose = models.CharField(_("利用目的・ご用件"), max_length=200)
    people = models.PositiveIntegerField(_("人数"), null=True, blank=True)
    fee = models.PositiveIntegerField(_("使用料（円）"), default=0)  # what is due, after any 減免
    full_fee = models.PositiveIntegerField(_("減免前の使用料（円）"), default=0)
    group = models.ForeignKey("Group", on_delete=models.PROTECT, null=True, blank=True, related_name="reservations",
                              verbose_name=_("利用団体"))
    series = models.ForeignKey("Series", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="reservations")
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    channel = models.CharField(_("受付方法"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    created_by = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("予約")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="room", room__isnull=False, appointment_type__isnull=True)
                           | models.Q(kind="appointment", room__isnull=True, appointment_type__isnull=False)),
                name="reservation_kind_matches_target"),
            models.CheckConstraint(condition=models.Q(fee__lte=models.F("full_fee")),
                                   name="reservation_fee_reduced_only"),
        ]

    def __str__(self) -> str:
        return f"{self.target} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def target(self) -> Room | AppointmentType:
        target = self.room or self.appointment_type
        assert target is not None
        return target

    @property
    def is_active(self) -> bool:
        return self.status in (Status.CONFIRMED, Status.PENDING)


class Course(TenantModel):
    """講座・教室: e.g. スマホ教室 for elderly residents; held as one or more sessions with seats."""

    slug = models.SlugField(max_length=60)
    title = models.CharField(_("講座名"), max_length=100)
    description = models.TextField(_("説明"), blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="courses",
                                   verbose_name=_("担当課"))
    is_published = models.BooleanField(_("公開"), default=True)
    # 受講料 per enrolment in one session (教材費・材料費 included: fee_note says what it covers); 0 is free.
    fee = models.IntegerField(_("受講料（1回あたり・円）"), default=0)
    fee_note = models.CharField(_("受講料の説明（材料費など）"), max_length=200, blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("講座")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "slug"], name="course_unique_slug"),
            models.CheckConstraint(condition=models.Q(fee__gte=0), name="course_fee_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title


class Session(TenantModel):
    """One 回 of a course at a fixed time and place; its resource's capacity is the number of seats."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("開始"))
    ends_at = models.DateTimeField(_("終了"))
    place = models.CharField(_("会場"), max_length=100)
    resource = models.OneToOneField(Resource, on_delete=models.PROTECT, related_name="session")

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("講座の回")

    def __str__(self) -> str:
        return f"{self.course.title} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def seats(self) -> int:
        return self.resource.capacity


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("申込済み")
    WAITLISTED = "waitlisted", _("キャンセル待ち")
    CANCELLED = "cancelled", _("取消し")
    ATTENDED = "attended", _("出席")
    NO_SHOW = "no_show", _("欠席")


class Enrolment(TenantModel):
    """A resident's place in a session, or in its waiting list (no booking until promoted)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="enrolments")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="enrolments")
    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="enrolment")
    status = models.CharField(_("状態"), max_length=10, choices=EnrolmentStatus.choices)
    channel = models.CharField(_("受付方法"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    created_at = models.DateTimeField(default=timezone.now)  # the waiting list's order
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("講座の申込")
        constraints = [
            models.UniqueConstraint(fields=["session", "resident"],
                                    condition=models.Q(status__in=["enrolled", "waitlisted"]),
                                    name="enrolment_once_per_session"),
            models.CheckConstraint(condition=~models.Q(status="enrolled") | models.Q(booking__isnull=False),
                                   name="enrolment_enrolled_has_seat"),
        ]


# 団体登録・減免 -------------------------------------------------------------------------------------------------

class GroupCategory(TenantModel):
    """団体の区分 with its rule: e.g. 社会教育関係団体 get 50% 減免 and may book 30 days further ahead."""

    name = models.CharField(_("区分"), max_length=100)
    description = models.TextField(_("説明"), blank=True)
    reduction_percent = models.PositiveSmallIntegerField(_("減免率（%）"), default=0)
    extra_window_days = models.PositiveSmallIntegerField(_("予約受付を早める日数"), default=0)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("団体の区分")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="groupcategory_unique_name"),
            models.CheckConstraint(condition=models.Q(reduction_percent__lte=100),
                                   name="groupcategory_reduction_at_most_100"),
        ]

    def __str__(self) -> str:
        return self.name


class GroupStatus(models.TextChoices):
    PENDING = "pending", _("審査中")
    APPROVED = "approved", _("登録済み")
    REJECTED = "rejected", _("登録できません")
    WITHDRAWN = "withdrawn", _("取下げ")


class Group(TenantModel):
    """団体登録: a club or association a resident represents; staff approve it and set its category (減免)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("団体名"), max_length=100)
    name_kana = models.CharField(_("団体名（ふりがな）"), max_length=100, blank=True)
    representative = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="groups",
                                       verbose_name=_("代表者"))
    category = models.ForeignKey(GroupCategory, on_delete=models.PROTECT, related_name="groups",
                                 verbose_name=_("区分"))
    members = models.PositiveIntegerField(_("会員数"))
    activity = models.TextField(_("活動内容"), max_length=1000)
    phone = models.CharField(_("連絡先電話番号"), max_length=20)
    status = models.CharField(_("状態"), max_length=10, choices=GroupStatus.choices, default=GroupStatus.PENDING)
    applied_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decision_note = models.CharField(_("審査の理由・連絡事項"), max_length=500, blank=True)
    valid_until = models.DateField(_("登録の有効期限"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("登録団体")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"],
                                    condition=models.Q(status__in=["pending", "approved"]),
                                    name="group_unique_active_name"),
            models.CheckConstraint(condition=~models.Q(status="approved") | models.Q(decided_at__isnull=False),
                                   name="group_approved_has_decision"),
        ]

    def __str__(self) -> str:
        return self.name


# 定期予約 (recurring) -------------------------------------------------------------------------------------------

class Series(TenantModel):
    """定期予約: one request for the same room at the same time every week; each occurrence is a Reservation."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="reservation_series")
    group = models.ForeignKey(Group, on_delete=models.PROTECT, null=True, blank=True, related_name="series")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="series")
    weekday = models.PositiveSmallIntegerField(_("曜日"))  # Monday 0 … Sunday 6
    start_time = models.TimeField(_("開始時刻"))
    length_minutes = models.PositiveIntegerField(_("利用時間（分）"))
    first_day = models.DateField(_("開始日"))
    last_day = models.DateField(_("終了日"))
    purpose = models.CharField(_("利用目的"), max_length=200)
    people = models.PositiveIntegerField(_("人数"), null=True, blank=True)
    channel = models.CharField(_("受付方法"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    created_by = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    report = models.JSONField(_("各回の結果"), default=list)  # [{"day": ISO, "booked": bool, "reasons": [...]}]

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("定期予約")
        constraints = [
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="series_weekday_valid"),
            models.CheckConstraint(condition=models.Q(last_day__gte=models.F("first_day")), name="series_days_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.room} {self.first_day}〜{self.last_day}"


# 抽選 (lottery) ---------------------------------------------------------------------------------------------------

class LotteryStatus(models.TextChoices):
    OPEN = "open", _("受付・抽選前")
    DRAWN = "drawn", _("抽選済み")
    CANCELLED = "cancelled", _("中止")


class Lottery(TenantModel):
    """抽選: applications for rooms on the days of a period are collected in a window, then drawn; until the draw
    those days are not open to first-come booking, after it the leftovers are."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("名称"), max_length=100)
    rooms = models.ManyToManyField(Room, related_name="lotteries", verbose_name=_("対象の部屋"))
    period_start = models.DateField(_("利用期間の初日"))
    period_end = models.DateField(_("利用期間の末日"))
    opens_at = models.DateTimeField(_("申込受付の開始"))
    closes_at = models.DateTimeField(_("申込受付の締切"))
    max_entries = models.PositiveSmallIntegerField(_("1人あたりの申込数の上限"), default=3)
    status = models.CharField(_("状態"), max_length=10, choices=LotteryStatus.choices, default=LotteryStatus.OPEN)
    seed = models.CharField(_("抽選の種（シード）"), max_length=64, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    drawn_by = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    log = models.JSONField(_("抽選の記録"), default=dict, blank=True)
    created_by = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period_start", "title"]
        verbose_name = _("抽選")
        constraints = [
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")),
                                   name="lottery_period_ordered"),
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")),
                                   name="lottery_window_ordered"),
            models.CheckConstraint(condition=~models.Q(status="drawn") | ~models.Q(seed=""),
                                   name="lottery_drawn_has_seed"),
        ]

    def __str__(self) -> str:
        return self.title


class EntryStatus(models.TextChoices):
    APPLIED = "applied", _("抽選待ち")
    WON = "won", _("当選")
    LOST = "lost", _("落選")
    WITHDRAWN = "withdrawn", _("取下げ")


class LotteryEntry(TenantModel):
    """One application in a lottery: a room and a time, with the applicant's order of preference."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lottery = models.ForeignKey(Lottery, on_delete=models.PROTECT, related_name="entries")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="lottery_entries")
    group = models.ForeignKey(Group, on_delete=models.PROTECT, null=True, blank=True, related_name="lottery_entries")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="lottery_entries")
    starts_at = models.DateTimeField(_("開始"))
    ends_at = models.DateTimeField(_("終了"))
    preference = models.PositiveSmallIntegerField(_("希望順位"))
    purpose = models.CharField(_("利用目的"), max_length=200)
    people = models.PositiveIntegerField(_("人数"), null=True, blank=True)
    status = models.CharField(_("状態"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.APPLIED)
    reservation = models.OneToOneField(Reservation, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="lottery_entry")
    created_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)  # the result mail went out (sent once)

    class Meta:
        ordering = ["lottery", "resident", "preference"]
        verbose_name = _("抽選の申込")
        constraints = [
            models.UniqueConstraint(fields=["lottery", "resident", "preference"],
                                    condition=~models.Q(status="withdrawn"), name="lotteryentry_one_per_preference"),
            models.UniqueConstraint(fields=["lottery", "resident", "room", "starts_at"],
                                    condition=~models.Q(status="withdrawn"), name="lotteryentry_no_duplicate"),
            models.CheckConstraint(condition=~models.Q(status="won") | models.Q(reservation__isnull=False),
                                   name="lotteryentry_won_has_reservation"),
        ]

    def __str__(self) -> str:
        return f"{self.lottery} {self.resident} #{self.preference}"

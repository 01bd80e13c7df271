"""DX推進計画 as data: a plan's policies, measures, actions, schedule and indicators, and the progress the departments
record against them each 年度 (fiscal year, April to March; stored as the western year it starts in).

Progress rows are never updated in place: each report or value is a new row, the latest per period is current,
and the older ones are the history.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Department, Staff
from yakuba.kernel.tenancy.models import TenantModel


class Granularity(models.TextChoices):
    YEAR = "year", _("年度ごと")
    QUARTER = "quarter", _("四半期ごと")


class Plan(TenantModel):
    """One adopted plan (a town may keep several: 下仁田町 has its 2023 第2.1版 and its 2026 ver1.0)."""

    slug = models.SlugField(max_length=40)
    title = models.CharField(_("計画名"), max_length=200)
    version = models.CharField(_("版"), max_length=60, blank=True)
    start_year = models.PositiveSmallIntegerField(_("開始年度"))
    end_year = models.PositiveSmallIntegerField(_("終了年度"))
    granularity = models.CharField(_("工程の単位"), max_length=10, choices=Granularity.choices,
                                   default=Granularity.YEAR)
    vision = models.TextField(_("基本理念・目指す姿"), blank=True)
    summary = models.TextField(_("計画の位置づけ"), blank=True)
    adopted_on = models.DateField(_("策定日"), null=True, blank=True)
    council = models.CharField(_("進捗を確認する会議"), max_length=200, blank=True)
    source = models.CharField(_("出典"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_year", "pk"]
        verbose_name = _("DX推進計画")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "slug"], name="plan_unique_slug"),
            models.CheckConstraint(condition=models.Q(end_year__gte=models.F("start_year")),
                                   name="plan_period_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.version}）" if self.version else self.title

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)


class Policy(TenantModel):
    """基本方針・方針・柱・目標: the first level under a plan."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="policies")
    number = models.CharField(_("番号"), max_length=20, blank=True)
    title = models.CharField(_("方針"), max_length=300)
    description = models.TextField(_("説明"), blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "sort_order", "pk"]
        verbose_name = _("基本方針")

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()


class Measure(TenantModel):
    """取組項目・施策・取組: what the plan will do, with the departments that answer for it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="measures")
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="measures", null=True, blank=True)
    number = models.CharField(_("番号"), max_length=20, blank=True)
    title = models.CharField(_("取組項目"), max_length=300)
    summary = models.TextField(_("概要・対応"), blank=True)
    issues = models.TextField(_("現状と課題"), blank=True)
    goal = models.TextField(_("目指す姿・期待効果"), blank=True)
    is_priority = models.BooleanField(_("重点"), default=False)
    departments_text = models.CharField(_("担当（計画の表記）"), max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "sort_order", "pk"]
        verbose_name = _("取組項目")

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()


class Action(TenantModel):
    """取組内容: one line of a measure's schedule."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("取組内容"), max_length=300)
    description = models.TextField(_("説明"), blank=True)
    departments_text = models.CharField(_("担当（計画の表記）"), max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["measure", "sort_order", "pk"]
        verbose_name = _("取組内容")

    def __str__(self) -> str:
        return self.title


class Role(models.TextChoices):
    LEAD = "lead", _("担当")
    RELATED = "related", _("関係")


class Responsibility(TenantModel):
    """A department answering for (担当) or taking part in (関係) a measure, or one action of it."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="responsibilities")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="responsibilities",
                               null=True, blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="plan_responsibilities")
    role = models.CharField(_("役割"), max_length=10, choices=Role.choices, default=Role.LEAD)

    class Meta:
        ordering = ["measure", "role", "department__sort_order", "pk"]
        verbose_name = _("担当課")


class ScheduleEntry(TenantModel):
    """One cell (or merged run of cells) of the 工程表: from a period to a period, inclusive, with its words.

    A period is a 年度 and, in quarter plans, a quarter of it (1 = 4-6月, 2 = 7-9月, 3 = 10-12月, 4 = 1-3月).
    """

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="schedule")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="schedule", null=True, blank=True)
    start_year = models.PositiveSmallIntegerField()
    start_quarter = models.PositiveSmallIntegerField(null=True, blank=True)
    end_year = models.PositiveSmallIntegerField()
    end_quarter = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.CharField(_("内容"), max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["measure", "action", "sort_order", "start_year", "start_quarter", "pk"]
        verbose_name = _("工程")
        constraints = [
            models.CheckConstraint(condition=models.Q(end_year__gte=models.F("start_year")),
                                   name="schedule_period_ordered"),
            models.CheckConstraint(
                condition=(models.Q(start_quarter__isnull=True) | models.Q(start_quarter__range=(1, 4)))
                & (models.Q(end_quarter__isnull=True) | models.Q(end_quarter__range=(1, 4))),
                name="schedule_quarter_range"),
        ]

    def covers(self, year: int) -> bool:
        return self.start_year <= year <= self.end_year


class Comparator(models.TextChoices):
    AT_LEAST = "gte", _("以上")
    AT_MOST = "lte", _("以下")
    EQUAL = "eq", _("ちょうど")
    DONE = "done", _("実施・達成（数値なし）")


class Indicator(TenantModel):
    """初年度指標・目指す成果・KPI・R8目標: the words of the plan, and what can be measured of them."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="indicators")
    action = models.ForeignKey(Action, on_delete=models.SET_NULL, related_name="indicators", null=True, blank=True)
    kind = models.CharField(_("種類"), max_length=60, blank=True)
    text = models.TextField(_("指標"))
    target_value = models.DecimalField(_("目標値"), max_digits=14, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("単位"), max_length=20, blank=True)
    comparator = models.CharField(_("達成の条件"), max_length=5, choices=Comparator.choices,
                                  default=Comparator.AT_LEAST)
    baseline_value = models.DecimalField(_("基準値"), max_digits=14, decimal_places=4, null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("基準年度"), null=True, blank=True)
    due_year = models.PositiveSmallIntegerField(_("目標年度"), null=True, blank=True)
    metric = models.CharField(_("自動計測する値"), max_length=80, blank=True)
    from_seed = models.BooleanField(default=True)  # False: added by the town after adoption (reviewed yearly)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["measure", "sort_order", "pk"]
        verbose_name = _("指標")

    def __str__(self) -> str:
        return self.text

    @property
    def is_numeric(self) -> bool:
        return self.comparator != Comparator.DONE and self.target_value is not None

    def met_by(self, value: Decimal | None) -> bool | None:
        """Whether `value` reaches the target; None when there is nothing to compare."""
        if value is None or self.target_value is None or self.comparator == Comparator.DONE:
            return None
        if self.comparator == Comparator.AT_LEAST:
            return value >= self.target_value
        if self.comparator == Comparator.AT_MOST:
            return value <= self.target_value
        return value == self.target_value


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("未着手")
    CONSIDERING = "considering", _("検討中")
    IN_PROGRESS = "in_progress", _("実施中")
    DONE = "done", _("完了")
    REVISED = "revised", _("見直し")


class StatusReport(TenantModel):
    """A department's word on a measure for one period: status and comment. The newest per period is current."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("四半期"), null=True, blank=True)
    status = models.CharField(_("進捗状況"), max_length=20, choices=Status.choices)
    comment = models.TextField(_("実績・課題・次年度の予定"), blank=True)
    recorded_by = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["measure", "-year", "-recorded_at", "-pk"]
        verbose_name = _("進捗報告")
        indexes = [models.Index(fields=["measure", "year", "recorded_at"])]


class Source(models.TextChoices):
    MANUAL = "manual", _("入力")
    METRIC = "metric", _("自動計測")
    IMPORT = "import", _("取り込み")


class IndicatorValue(TenantModel):
    """The actual value of an indicator for one period, with its evidence. The newest per period is current."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("四半期"), null=True, blank=True)
    value = models.DecimalField(_("実績値"), max_digits=14, decimal_places=4, null=True, blank=True)
    achieved = models.BooleanField(_("達成"), null=True, blank=True)  # for indicators without a number
    unit = models.CharField(_("単位"), max_length=20, blank=True)
    note = models.TextField(_("根拠・説明"), blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    recorded_by = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["indicator", "-year", "-recorded_at", "-pk"]
        verbose_name = _("実績値")
        indexes = [models.Index(fields=["indicator", "year", "recorded_at"])]


class Evidence(TenantModel):
    """A file backing a value or a report (a survey result, minutes of a demo), kept in private storage."""

    value = models.ForeignKey(IndicatorValue, on_delete=models.CASCADE, related_name="evidence",
                              null=True, blank=True)
    report = models.ForeignKey(StatusReport, on_delete=models.CASCADE, related_name="evidence",
                               null=True, blank=True)
    file = models.CharField(max_length=200)  # path in the private storage
    name = models.CharField(max_length=100)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("根拠資料")
        constraints = [models.CheckConstraint(
            condition=models.Q(value__isnull=False, report__isnull=True)
            | models.Q(value__isnull=True, report__isnull=False), name="evidence_has_one_owner")]


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "Excel"


class ReportState(models.TextChoices):
    PENDING = "pending", _("作成中")
    READY = "ready", _("作成済み")
    FAILED = "failed", _("失敗")


class Report(TenantModel):
    """A 進捗状況報告 for the council, rendered by a task and kept: what the council was given, as it was."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveSmallIntegerField(_("年度"))
    format = models.CharField(max_length=5, choices=ReportFormat.choices)
    state = models.CharField(max_length=10, choices=ReportState.choices, default=ReportState.PENDING)
    file = models.CharField(max_length=200, blank=True)  # path in the private storage
    size = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("進捗状況報告")

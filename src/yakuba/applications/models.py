"""Procedures (手続), their versioned forms, submissions (申請) with their history and attachments, counter visits."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Department, Resident, Staff, User
from yakuba.kernel.forms.definition import FormDefinition
from yakuba.kernel.tenancy.models import TenantModel

from . import fees


class Category(TenantModel):
    """分類: how the catalogue groups procedures (子育て, ごみ, 税, …)."""

    slug = models.SlugField(max_length=50)
    name = models.CharField(_("分類名"), max_length=50)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("分類")
        constraints = [models.UniqueConstraint(fields=["municipality", "slug"], name="category_unique_slug")]

    def __str__(self) -> str:
        return self.name


class Procedure(TenantModel):
    """手続: one thing a resident can apply for, with its current form."""

    slug = models.SlugField(max_length=60)
    title = models.CharField(_("手続名"), max_length=100)
    summary = models.TextField(_("説明"), blank=True)
    keywords = models.CharField(_("検索用キーワード"), max_length=200, blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, null=True, blank=True, related_name="procedures",
                                 verbose_name=_("分類"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="procedures",
                                   verbose_name=_("担当課"))
    # Other departments whose staff may also see and handle this procedure's submissions.
    shared_with = models.ManyToManyField(Department, blank=True, related_name="shared_procedures",
                                         verbose_name=_("閲覧を許可する課"))
    fee = models.CharField(_("手数料"), max_length=100, blank=True)
    # 手数料の計算: what the counter adds up for the resident (the text above is what the catalogue says).
    # Shape and meaning in applications/fees.py; {} is "not set", {"yen": 0} is free.
    fee_schedule = models.JSONField(_("手数料の計算"), default=dict, blank=True)
    processing_days = models.PositiveSmallIntegerField(_("標準処理期間（日）"), null=True, blank=True)
    documents = models.TextField(_("必要なもの"), blank=True)
    is_published = models.BooleanField(_("公開"), default=False)
    current_form = models.ForeignKey("FormVersion", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    sort_order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_order", "title"]
        verbose_name = _("手続")
        constraints = [models.UniqueConstraint(fields=["municipality", "slug"], name="procedure_unique_slug")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        try:
            fees.check_schedule(self.fee_schedule)
        except fees.ScheduleError as error:
            raise ValidationError({"fee_schedule": str(error)}) from error

    @property
    def online(self) -> bool:
        """Whether residents can apply online now: published with a published form."""
        return self.is_published and self.current_form_id is not None

    @property
    def fee_online(self) -> bool:
        """Whether the 手数料 is paid online after submitting (fees.payable_online)."""
        return fees.payable_online(self.fee_schedule or {})

    @property
    def issues_tickets(self) -> bool:
        """Whether paying gives 処理券番号 (粗大ごみ)."""
        return bool((self.fee_schedule or {}).get("tickets"))


class FormVersion(TenantModel):
    """One version of a procedure's form. Published versions never change; editing makes a new draft."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    definition = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["procedure", "-version"]
        verbose_name = _("様式の版")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "version"], name="formversion_unique_version"),
            # At most one unpublished draft per procedure: the editor's working copy.
            models.UniqueConstraint(fields=["procedure"], condition=models.Q(published_at__isnull=True),
                                    name="formversion_one_draft"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure} v{self.version}"

    @property
    def form(self) -> FormDefinition:
        cached: FormDefinition | None = getattr(self, "_form", None)
        if cached is None:
            cached = FormDefinition.from_dict(self.definition)
            self._form = cached
        return cached


class LifeEvent(TenantModel):
    """ライフイベント: a bundle of procedures people need together (引越し, 出産, 介護, おくやみ)."""

    slug = models.SlugField(max_length=50)
    name = models.CharField(_("名称"), max_length=50)
    description = models.TextField(_("説明"), blank=True)
    procedures: models.ManyToManyField[Procedure, Any] = models.ManyToManyField(
        Procedure, through="LifeEventProcedure", related_name="life_events")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("ライフイベント")
        constraints = [models.UniqueConstraint(fields=["municipality", "slug"], name="lifeevent_unique_slug")]

    def __str__(self) -> str:
        return self.name


class LifeEventProcedure(models.Model):
    life_event = models.ForeignKey(LifeEvent, on_delete=models.CASCADE, related_name="entries")
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("補足"), max_length=200, blank=True)  # e.g. 「お子さんがいる場合」
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["life_event", "procedure"], name="lifeevent_unique_entry")]


class Status(models.TextChoices):
    DRAFT = "draft", _("下書き")
    RECEIVED = "received", _("受付")
    REVIEWING = "reviewing", _("審査中")
    CORRECTION = "correction", _("補正依頼")
    COMPLETED = "completed", _("完了")
    REJECTED = "rejected", _("却下")
    WITHDRAWN = "withdrawn", _("取下げ")


OPEN_STATUSES = (Status.RECEIVED, Status.REVIEWING, Status.CORRECTION)


class Channel(models.TextChoices):
    ONLINE = "online", _("オンライン")
    COUNTER = "counter", _("窓口")


class IdentityDocument(models.TextChoices):
    """本人確認書類: what the clerk looked at. Only the kind is kept, never the document's number."""

    MYNUMBER_CARD = "mynumber_card", _("マイナンバーカード")
    DRIVING_LICENCE = "driving_licence", _("運転免許証")
    PASSPORT = "passport", _("パスポート")
    RESIDENCE_CARD = "residence_card", _("在留カード")
    INSURANCE_PLUS = "insurance_plus", _("健康保険証＋もう1点")
    OTHER = "other", _("その他")


class CounterVisit(TenantModel):
    """書かない窓口: one visit at the counter, where staff fill one or more procedures with the resident."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="counter_visits")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="counter_visits")
    life_event = models.ForeignKey(LifeEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    procedures: models.ManyToManyField[Procedure, Any] = models.ManyToManyField(Procedure, related_name="+")
    answers = models.JSONField(default=dict, blank=True)  # shared across the visit's forms, by field name
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # 本人確認: which kind of document the clerk checked, and for 健康保険証＋α or その他 what it was in words.
    # file_visit refuses without it; no CHECK constraint, as visits filed before it was recorded have none.
    # Data minimisation: the document's number (マイナンバー, licence or passport number) is never stored. Filing
    # needs only the fact that identity was checked and how; a number kept here would be a copy of an identifier
    # the town has no purpose for, and for the 個人番号 番号法 forbids collecting beyond its uses.
    identity_document = models.CharField(_("本人確認書類"), max_length=20, choices=IdentityDocument.choices,
                                         blank=True)
    identity_note = models.CharField(_("本人確認書類（内容）"), max_length=100, blank=True)
    identity_checked_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                            verbose_name=_("本人確認をした職員"))
    identity_checked_at = models.DateTimeField(_("本人確認の日時"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("窓口受付")

    def __str__(self) -> str:
        return f"{self.resident} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def identity_label(self) -> str:
        """本人確認 in words: the kind, with what the clerk wrote for 健康保険証＋α or その他."""
        if not self.identity_document:
            return ""
        kind = str(self.get_identity_document_display())
        return f"{kind}（{self.identity_note}）" if self.identity_note else kind


class Submission(TenantModel):
    """申請: a resident's answers to one version of a procedure's form, from draft to decision."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("受付番号"), max_length=20, null=True, blank=True)
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="submissions",
                                  verbose_name=_("手続"))
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="submissions")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="submissions")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="submissions",
                                   verbose_name=_("担当課"))
    status = models.CharField(_("状態"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    channel = models.CharField(_("受付方法"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    answers = models.JSONField(default=dict, blank=True)
    # 補正依頼: the field names staff asked the applicant to correct; only these are editable then.
    correction_fields = models.JSONField(default=list, blank=True)
    assignee = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned",
                                 verbose_name=_("担当者"))
    counter_staff = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                      verbose_name=_("窓口対応職員"))
    counter_visit = models.ForeignKey(CounterVisit, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="submissions")
    copy_by_email = models.BooleanField(_("回答の控えをメールで受け取る"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("申請日時"), null=True, blank=True)
    decided_at = models.DateTimeField(_("処理日時"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-created_at"]
        verbose_name = _("申請")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "reference"], name="submission_unique_reference"),
            # One online draft per resident and procedure: 「申請を始める」 twice resumes it.
            models.UniqueConstraint(fields=["resident", "procedure"],
                                    condition=models.Q(status="draft", channel="online"),
                                    name="submission_one_online_draft"),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(reference__isnull=False, submitted_at__isnull=False),
                name="submission_submitted_has_reference",
            ),
            models.CheckConstraint(
                condition=~models.Q(channel="counter") | models.Q(counter_staff__isnull=False),
                name="submission_counter_has_staff",
            ),
        ]
        indexes = [models.Index(fields=["municipality", "department", "status"])]

    def __str__(self) -> str:
        return f"{self.reference or _('下書き')} {self.procedure.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EventKind(models.TextChoices):
    STATUS = "status", _("状態の変更")
    NOTE = "note", _("内部メモ")
    MESSAGE = "message", _("申請者へのメッセージ")
    ASSIGNED = "assigned", _("担当者の変更")
    CORRECTED = "corrected", _("補正")


class SubmissionEvent(TenantModel):
    """One line of a submission's history. Notes are internal; messages and status changes reach the applicant."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=EventKind.choices)
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    text = models.TextField(blank=True)
    fields = models.JSONField(default=list, blank=True)  # 補正依頼: which fields
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor_label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    @property
    def visible_to_applicant(self) -> bool:
        return self.kind in (EventKind.STATUS, EventKind.MESSAGE, EventKind.CORRECTED)


class Attachment(TenantModel):
    """A file uploaded for a file field; the field's answer holds `token`. Stored privately, never at a URL."""

    token = models.CharField(max_length=40, unique=True)
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    field_name = models.CharField(max_length=120)
    path = models.CharField(max_length=255)
    original_name = models.CharField(max_length=100)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class Ticket(TenantModel):
    """処理券番号: one per unit of a paid fee whose schedule issues tickets (粗大ごみ), for the resident to write on
    the item instead of buying a sticker at a shop. Given once, when the fee's payment succeeds."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="tickets")
    position = models.PositiveSmallIntegerField()  # 1, 2, 3 … within the submission
    number = models.CharField(_("処理券番号"), max_length=20)
    item = models.CharField(_("処理券の品目"), max_length=100, blank=True)  # what the number goes on: 自転車
    yen = models.PositiveIntegerField(_("処理券の金額"), default=0)  # the price paid for it
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submission", "position"]
        verbose_name = _("処理券")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "number"], name="ticket_unique_number"),
            models.UniqueConstraint(fields=["submission", "position"], name="ticket_unique_position"),
        ]

    def __str__(self) -> str:
        return self.number

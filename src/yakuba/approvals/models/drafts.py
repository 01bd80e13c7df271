"""起案・回議・決裁: the posts people hold (職位), the 事務決裁規程 that says who decides what, the 起案文書 and its
attachments, its 回議 route and every action taken on it (承認, 差し戻し, 引き上げ, 代決, 後閲)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Department, Section, Staff
from yakuba.kernel.tenancy.models import TenantModel

from .filing import DocumentClass, Record


class Rank(models.IntegerChoices):
    """How high a post stands: the 事務決裁規程 names the lowest rank that may decide a matter (専決)."""

    CHIEF = 20, _("係長")
    DEPUTY_DIRECTOR = 30, _("副課長")
    DIRECTOR = 40, _("課長")
    SUPERINTENDENT = 50, _("教育長")
    DEPUTY_MAYOR = 60, _("副町長")
    MAYOR = 70, _("町長")


class Post(TenantModel):
    """職位: a seat in the office (総務課長, 庶務係長, 副町長 …) held by one staff member at a time. Routes name posts,
    not people, so a transfer (異動) moves the work with the seat."""

    title = models.CharField(_("職名"), max_length=60)
    rank = models.PositiveSmallIntegerField(_("職位"), choices=Rank.choices)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("課"))  # None: town-wide (副町長, 町長)
    section = models.ForeignKey(Section, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("係"))
    holder = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="posts",
                               verbose_name=_("在職者"))

    class Meta:
        ordering = ["-rank", "title"]
        verbose_name = _("職位")
        constraints = [models.UniqueConstraint(fields=["municipality", "title"], name="post_unique_title")]

    def __str__(self) -> str:
        return self.title


class Deputy(TenantModel):
    """One line of a post's 代決 order: who decides for the post while its holder is 不在, first line first."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="deputies")
    deputy = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+", verbose_name=_("代決者"))
    order = models.PositiveSmallIntegerField(_("順位"), default=1)

    class Meta:
        ordering = ["post", "order"]
        verbose_name = _("代決の順位")
        constraints = [
            models.UniqueConstraint(fields=["post", "order"], name="deputy_unique_order"),
            models.UniqueConstraint(fields=["post", "deputy"], name="deputy_unique_deputy"),
            models.CheckConstraint(condition=~Q(post=models.F("deputy")), name="deputy_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.post} → {self.deputy} ({self.order})"


class Absence(TenantModel):
    """不在: a period (both days included) when a post's holder cannot decide (出張, 休暇 …)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="absences")
    starts_on = models.DateField(_("開始日"))
    ends_on = models.DateField(_("終了日"))
    reason = models.CharField(_("理由"), max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("不在")
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                              name="absence_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.post} {self.starts_on}–{self.ends_on}"


class Matter(models.TextChoices):
    """The kinds of matter the 事務決裁規程 and the templates speak of."""

    EXPENDITURE = "expenditure", _("支出負担行為")
    CONTRACT = "contract", _("契約")
    REPLY = "reply", _("照会回答")
    NOTICE = "notice", _("通知")
    GENERAL = "general", _("一般")


class ConsultMode(models.TextChoices):
    ALL = "all", _("全員の承認")
    ANY = "any", _("いずれか1人の承認")


class DecisionRule(TenantModel):
    """One line of the 事務決裁規程: for a matter (and, for money, up to an amount), the rank that decides (専決),
    the departments to consult (合議) and whether the matter is 重要・異例 (then nobody may 代決)."""

    matter = models.CharField(_("事項"), max_length=20, choices=Matter.choices)
    document_class = models.ForeignKey(DocumentClass, on_delete=models.CASCADE, null=True, blank=True,
                                       related_name="+", verbose_name=_("文書分類"))  # None: any 分類
    amount_up_to = models.PositiveBigIntegerField(_("金額の上限（円）"), null=True, blank=True)  # None: no limit
    decider_rank = models.PositiveSmallIntegerField(_("決裁権者"), choices=Rank.choices)
    consult = models.ManyToManyField(Department, blank=True, related_name="+", verbose_name=_("合議先"))
    consult_mode = models.CharField(_("合議の方法"), max_length=3, choices=ConsultMode.choices,
                                    default=ConsultMode.ALL)
    important = models.BooleanField(_("重要・異例"), default=False)

    class Meta:
        ordering = ["matter", "amount_up_to"]
        verbose_name = _("決裁規程")

    def __str__(self) -> str:
        return f"{self.get_matter_display()} ≤{self.amount_up_to or '∞'}: {self.get_decider_rank_display()}"


class DraftTemplate(TenantModel):
    """The starting 件名 and 本文 of a kind of draft."""

    matter = models.CharField(_("事項"), max_length=20, choices=Matter.choices)
    name = models.CharField(_("名称"), max_length=60)
    title = models.CharField(_("件名"), max_length=200, blank=True)
    body = models.TextField(_("本文"), blank=True)
    document_class = models.ForeignKey(DocumentClass, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="+", verbose_name=_("文書分類"))

    class Meta:
        ordering = ["matter", "name"]
        verbose_name = _("起案のひな形")
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="drafttemplate_unique_name")]

    def __str__(self) -> str:
        return self.name


class SendOut(models.TextChoices):
    """施行: how the decided document goes out."""

    POST = "post", _("郵送")
    MAIL = "mail", _("メール")
    SEAL = "seal", _("公印を押して交付")
    NONE = "none", _("施行しない")


class DraftStatus(models.TextChoices):
    DRAFT = "draft", _("作成中")
    CIRCULATING = "circulating", _("回議中")
    RETURNED = "returned", _("差し戻し")
    DECIDED = "decided", _("決裁済")


class Draft(TenantModel):
    """起案文書. Once decided it has its 文書番号 and its kept Record and can no longer change; a correction is a new
    draft that names this one in `corrects`."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("課"))
    drafter = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="drafts", verbose_name=_("起案者"))
    matter = models.CharField(_("事項"), max_length=20, choices=Matter.choices, default=Matter.GENERAL)
    document_class = models.ForeignKey(DocumentClass, on_delete=models.PROTECT, related_name="drafts",
                                       verbose_name=_("文書分類"))
    title = models.CharField(_("件名"), max_length=200)
    body = models.TextField(_("本文"), blank=True)  # sanitised HTML
    amount = models.PositiveBigIntegerField(_("金額（円）"), null=True, blank=True)
    payee = models.CharField(_("相手方"), max_length=100, blank=True)
    budget_code = models.CharField(_("予算科目"), max_length=60, blank=True)
    delivery = models.CharField(_("施行"), max_length=4, choices=SendOut.choices, default=SendOut.NONE)
    important = models.BooleanField(_("重要・異例"), default=False)
    status = models.CharField(_("状態"), max_length=12, choices=DraftStatus.choices, default=DraftStatus.DRAFT)
    current_sequence = models.PositiveSmallIntegerField(null=True, blank=True)  # the step that acts now
    number = models.CharField(_("文書番号"), max_length=40, blank=True)
    replies_to = models.ForeignKey(Record, null=True, blank=True, on_delete=models.PROTECT, related_name="answers",
                                   verbose_name=_("回答する文書"))
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections",
                                 verbose_name=_("訂正する起案"))
    record = models.OneToOneField(Record, null=True, blank=True, on_delete=models.PROTECT, related_name="draft")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("起案日時"), null=True, blank=True)  # first 起案
    decided_at = models.DateTimeField(_("決裁日時"), null=True, blank=True)
    disposed_at = models.DateTimeField(null=True, blank=True)  # its 簿冊 was 廃棄: body and attachments are gone

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("起案文書")
        indexes = [models.Index(fields=["municipality", "status", "department"])]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "number"], condition=~Q(number=""),
                                    name="draft_unique_number"),
            # Decided means numbered and dated, and only decided drafts are.
            models.CheckConstraint(
                condition=(Q(status="decided") & ~Q(number="") & Q(decided_at__isnull=False))
                | (~Q(status="decided") & Q(number="") & Q(decided_at__isnull=True)),
                name="draft_decided_iff_numbered"),
            models.CheckConstraint(condition=Q(current_sequence__isnull=True) | Q(status="circulating"),
                                   name="draft_only_circulating_has_a_step"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

    @property
    def is_decided(self) -> bool:
        return self.status == DraftStatus.DECIDED


class Attachment(TenantModel):
    """A file of a draft, checked by its content and kept in the private storage."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("ファイル名"), max_length=100)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    path = models.CharField(max_length=200, blank=True)  # empty once destroyed with its 簿冊
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("添付ファイル")

    def __str__(self) -> str:
        return self.name


class StepKind(models.TextChoices):
    REVIEW = "review", _("回議")
    CONSULT = "consult", _("合議")
    DECIDE = "decide", _("決裁")


class StepState(models.TextChoices):
    PENDING = "pending", _("未処理")
    APPROVED = "approved", _("承認")
    RETURNED = "returned", _("差し戻し")
    SKIPPED = "skipped", _("不要")  # another member of an 「いずれか」 合議 approved
    SUPERSEDED = "superseded", _("やり直し")  # sent back or pulled back before this step acted again


class Step(TenantModel):
    """One seat of a draft's 回議 route. Steps with the same `sequence` act in parallel (a 合議 group, whose `mode`
    says whether all or any one must approve); a step that is sent back is superseded by a fresh copy, so each
    row is decided at most once (the unique decision below)."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="steps")
    sequence = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=8, choices=StepKind.choices)
    mode = models.CharField(max_length=3, choices=ConsultMode.choices, default=ConsultMode.ALL)
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="steps")
    state = models.CharField(max_length=10, choices=StepState.choices, default=StepState.PENDING)
    decided_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    by_deputy = models.BooleanField(default=False)  # 代決
    comment = models.TextField(blank=True)
    arrived_at = models.DateTimeField(null=True, blank=True)  # when it became the acting step (for reminders)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sequence", "pk"]
        verbose_name = _("回議の段階")
        indexes = [models.Index(fields=["municipality", "state", "post"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(state__in=["approved", "returned"]) & Q(decided_by__isnull=False)
                           & Q(decided_at__isnull=False))
                | (Q(state="pending") & Q(decided_by__isnull=True))
                | Q(state__in=["skipped", "superseded"]),
                name="step_decided_has_who_and_when"),
        ]

    def __str__(self) -> str:
        return f"{self.sequence}. {self.post} ({self.get_state_display()})"


class ActionKind(models.TextChoices):
    SENT = "sent", _("起案")
    APPROVED = "approved", _("承認")
    RETURNED = "returned", _("差し戻し")
    PULLED_BACK = "pulled_back", _("引き上げ")
    DEPUTY = "deputy", _("代決")
    DECIDED = "decided", _("決裁")
    REVIEWED = "reviewed", _("後閲")


DECIDING = ["approved", "returned", "deputy"]


class Action(TenantModel):
    """Everything done to a draft, in order. A step's deciding action (承認, 差し戻し, 代決) exists at most once: two
    clicks from two tabs, or two approvers of one step at the same moment, cannot both decide it."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="actions")
    step = models.ForeignKey(Step, on_delete=models.CASCADE, null=True, blank=True, related_name="actions")
    kind = models.CharField(max_length=12, choices=ActionKind.choices)
    actor = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("回議の記録")
        constraints = [
            models.UniqueConstraint(fields=["step"], condition=Q(kind__in=DECIDING),
                                    name="action_decides_a_step_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.actor}"


class LateReview(TenantModel):
    """後閲: after a 代決, the 決裁権者 who was 不在 reads what was decided for them."""

    draft = models.OneToOneField(Draft, on_delete=models.CASCADE, related_name="late_review")
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="late_reviews")
    done_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("後閲")
        constraints = [models.CheckConstraint(condition=Q(done_at__isnull=True) | Q(done_by__isnull=False),
                                              name="latereview_done_by_someone")]

    def __str__(self) -> str:
        return f"{self.post}: {self.draft}"

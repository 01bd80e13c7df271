"""ご意見箱: opinions and questions from residents, routed to a 課, answered, published as FAQ."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Department, Resident
from yakuba.kernel.tenancy.models import TenantModel

__all__ = ["Opinion", "OpinionCategory", "OpinionRouting", "OpinionStatus"]

BODY_MAX = 2000  # characters of an opinion (about four pages of a letter)


class OpinionCategory(TenantModel):
    """ご意見箱の分類 (ご意見・ご提案, ご質問, DX・デジタル化について …): what a resident chooses, and the 課 that
    receives it first."""

    name = models.CharField(_("分類の名前"), max_length=40)
    description = models.CharField(_("説明"), max_length=200, blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("最初に受け付ける課"))
    active = models.BooleanField(_("受付中"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("並び順"), default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("ご意見の分類")
        constraints = [models.UniqueConstraint(fields=["municipality", "name"],
                                               name="voice_opinioncategory_unique_name")]

    def __str__(self) -> str:
        return self.name


class OpinionStatus(models.TextChoices):
    NEW = "new", _("未対応")
    ANSWERED = "answered", _("回答済")
    CLOSED = "closed", _("回答不要")


class Opinion(TenantModel):
    """One opinion or question (ご意見・ご質問), with its 受付番号, the 課 it is with, its answer and, once staff
    publish it, the anonymised question and answer shown as よくある質問."""

    number = models.CharField(_("受付番号"), max_length=20)
    category = models.ForeignKey(OpinionCategory, on_delete=models.PROTECT, related_name="opinions",
                                 verbose_name=_("分類"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("担当課"))
    body = models.TextField(_("ご意見・ご質問"), max_length=BODY_MAX)
    # The sender: a signed-in resident, or a name and an address given (both optional: anonymous is allowed).
    resident = models.ForeignKey(Resident, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    name = models.CharField(_("お名前"), max_length=60, blank=True)
    email = models.EmailField(_("メールアドレス"), blank=True)
    wants_answer = models.BooleanField(_("回答を希望する"), default=False)
    received_at = models.DateTimeField(_("受付日時"))
    status = models.CharField(_("状況"), max_length=10, choices=OpinionStatus.choices, default=OpinionStatus.NEW)
    # Bumped by every staff action: two staff acting on the same version, the second is told (optimistic check).
    revision = models.PositiveIntegerField(default=1)
    answer = models.TextField(_("回答"), blank=True)
    answered_at = models.DateTimeField(_("回答日時"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    # よくある質問: written by staff (from a redacted draft), never the sender's raw words.
    faq_question = models.TextField(_("公開する質問"), blank=True)
    faq_answer = models.TextField(_("公開する回答"), blank=True)
    published_at = models.DateTimeField(_("FAQ公開日時"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("ご意見")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "number"], name="voice_opinion_unique_number"),
            models.CheckConstraint(
                condition=~Q(status="answered") | (Q(answered_at__isnull=False) & ~Q(answer="")),
                name="voice_opinion_answered_has_answer"),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | (~Q(faq_question="") & ~Q(faq_answer="")),
                name="voice_opinion_published_has_text"),
        ]
        indexes = [models.Index(fields=["municipality", "status", "department"], name="voice_opinion_inbox"),
                   models.Index(fields=["municipality", "published_at"], name="voice_opinion_faq")]

    def __str__(self) -> str:
        return str(_("ご意見 %(number)s") % {"number": self.number})

    @property
    def identified(self) -> bool:
        """Whether the sender can be told apart (a name, an address or an account): reading it is audited."""
        return bool(self.name or self.email or self.resident_id)


class OpinionRouting(TenantModel):
    """振り分け: the opinion moved from one 課 to another, with the note for the receiving 課."""

    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="routings")
    from_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    to_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("申し送り"), max_length=300, blank=True)
    routed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    routed_at = models.DateTimeField()

    class Meta:
        ordering = ["routed_at", "pk"]
        verbose_name = _("ご意見の振り分け")

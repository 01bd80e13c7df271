"""アンケート・意識調査: surveys on the forms engine, invitations, unlinkable anonymous answers.

Unlinkability is a property of the tables, not of the code that reads them:

* `SurveyAnswer` has a random UUID key, the survey, the channel, the age band and the date only. It names no
  account, invitation, address or moment (no time of day), so nothing joins it to who answered.
* `Invitation` keeps the hash of its code and a `used` flag: no answer, no time.
* `Participation` (surveys answered with an account) keeps (survey, account): no answer, no time; its key is a
  random UUID too, so the order of rows says nothing about the order of answers.
* `SurveyItem` (one row per chosen option, number or text of an answer) has a random UUID key as well.

Tallies are SQL aggregates over `SurveyItem` (GROUP BY question, option [, the answer's age band]).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Department
from yakuba.kernel.tenancy.models import TenantModel

__all__ = ["Audience", "Access", "SurveyState", "Channel", "AGE_BANDS", "Survey", "Invitation", "Participation",
           "SurveyAnswer", "SurveyItem"]


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("どなたでも")
    AREA = "area", _("地区の住民")
    SUBSCRIBERS = "subscribers", _("配信登録者")
    STAFF = "staff", _("職員のみ")


class Access(models.TextChoices):
    CODE = "code", _("招待コード（1コード1回答）")
    ACCOUNT = "account", _("ログイン（1人1回答）")
    OPEN = "open", _("どなたでも（回数の制限なし）")


class SurveyState(models.TextChoices):
    DRAFT = "draft", _("準備中")
    OPEN = "open", _("実施中")
    CLOSED = "closed", _("終了")


class Channel(models.TextChoices):
    ONLINE = "online", _("オンライン")
    PAPER = "paper", _("紙")


AGE_BANDS: tuple[tuple[str, str], ...] = (
    ("10", "10代"), ("20", "20代"), ("30", "30代"), ("40", "40代"), ("50", "50代"), ("60", "60代"),
    ("70", "70代"), ("80", "80代以上"),
)


class Survey(TenantModel):
    """アンケート・意識調査 (its texts in English / やさしい日本語 through kernel.words, kind "voice.survey").
    `definition` is a kernel forms definition (kernel/forms/definition.py); the service adds
    the built-in age band question (`age_band`) so that every result can be cut by age."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("題名"), max_length=120)
    description = models.TextField(_("説明"), blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("担当課"))
    definition = models.JSONField(_("質問"), default=dict)
    audience = models.CharField(_("対象"), max_length=12, choices=Audience.choices, default=Audience.EVERYONE)
    area = models.CharField(_("対象の地区"), max_length=40, blank=True)
    access = models.CharField(_("回答の方法"), max_length=10, choices=Access.choices, default=Access.CODE)
    anonymous = models.BooleanField(_("無記名"), default=True)
    state = models.CharField(_("状態"), max_length=8, choices=SurveyState.choices, default=SurveyState.DRAFT)
    opens_at = models.DateTimeField(_("開始"), null=True, blank=True)
    closes_at = models.DateTimeField(_("締切"), null=True, blank=True)
    results_public = models.BooleanField(_("結果を公開"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("アンケート")
        constraints = [
            models.CheckConstraint(condition=models.Q(opens_at__isnull=True) | models.Q(closes_at__isnull=True)
                                   | models.Q(opens_at__lt=models.F("closes_at")), name="voice_survey_period"),
            # staff-only surveys are answered with a staff account; anonymous ones never keep the respondent
            models.CheckConstraint(condition=~models.Q(audience="staff") | models.Q(access="account"),
                                   name="voice_survey_staff_by_account"),
        ]

    def __str__(self) -> str:
        return self.title


class Invitation(TenantModel):
    """招待コード: printed on one letter. Only a keyed hash of the code is kept, and whether it was used: never by
    whom, when, or which answer it gave."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    code_hash = models.CharField(max_length=64)
    used = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("招待コード")
        constraints = [models.UniqueConstraint(fields=["survey", "code_hash"], name="voice_invitation_unique")]


class Participation(TenantModel):
    """That `user` has answered `survey` (one answer per account): no answer, no time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("回答済み")
        constraints = [models.UniqueConstraint(fields=["survey", "user"], name="voice_participation_once")]


class SurveyAnswer(TenantModel):
    """One returned questionnaire, online or keyed in from paper. No account, code, address or time of day."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    channel = models.CharField(_("回答方法"), max_length=8, choices=Channel.choices)
    age_band = models.CharField(_("年代"), max_length=4, blank=True)
    answered_on = models.DateField(_("回答日"))

    class Meta:
        verbose_name = _("回答")
        indexes = [models.Index(fields=["survey", "channel"], name="voice_answer_channel")]


class SurveyItem(TenantModel):
    """One part of an answer: a chosen option (one row per option of a multiple choice), a number, or a text."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    answer = models.ForeignKey(SurveyAnswer, on_delete=models.CASCADE, related_name="items")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    question = models.CharField(max_length=60)
    option = models.CharField(max_length=60, blank=True)
    number = models.BigIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("回答の項目")
        indexes = [models.Index(fields=["survey", "question", "option"], name="voice_item_tally")]

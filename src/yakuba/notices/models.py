"""Notices (お知らせ), their categories and target areas (地区), residents' choices, replies, 避難所."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from yakuba.kernel.accounts.models import Department, Resident
from yakuba.kernel.messaging.models import Broadcast, Delivery, Subscriber
from yakuba.kernel.tenancy.models import TenantModel


class Category(TenantModel):
    """分類: 防災・くらし・ごみ・子育て・健康・イベント. An emergency category's notices jump the queue and
    ignore quiet hours."""

    slug = models.SlugField(max_length=40)
    name = models.CharField(_("分類名"), max_length=40)
    name_en = models.CharField(_("英語名"), max_length=60, blank=True)
    is_emergency = models.BooleanField(_("緊急（防災）"), default=False)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("分類")
        constraints = [models.UniqueConstraint(fields=["municipality", "slug"], name="notice_category_unique_slug")]

    def __str__(self) -> str:
        return self.name


class Area(TenantModel):
    """地区: a part of the town a notice can be aimed at (e.g. 下仁田地区, 馬山地区)."""

    name = models.CharField(_("地区名"), max_length=40)
    name_kana = models.CharField(_("地区名（かな）"), max_length=80, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("地区")
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="notice_area_unique_name")]

    def __str__(self) -> str:
        return self.name


class Audience(models.TextChoices):
    EVERYONE = "all", _("すべての方")
    FAMILIES = "families", _("子育て世帯")
    ELDERLY = "elderly", _("高齢の方")
    BUSINESSES = "business", _("事業者")
    VISITORS = "visitors", _("観光・来訪者")


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("下書き")
    PUBLISHED = "published", _("公開")
    WITHDRAWN = "withdrawn", _("取り下げ")


class ReplyKind(models.TextChoices):
    NONE = "none", _("返信を求めない")
    YES_NO = "yes_no", _("はい・いいえ（出欠など）")
    CHOICE = "choice", _("選択肢から選ぶ")
    COMMENT = "comment", _("自由記入")


class AlertLevel(models.IntegerChoices):
    """警戒レベル of the 避難情報に関するガイドライン (内閣府): the levels a town itself issues. Levels 1 and 2 are the
    気象庁's (早期注意情報, 注意報), never a town's notice."""

    LEVEL3 = 3, _("警戒レベル3 高齢者等避難")
    LEVEL4 = 4, _("警戒レベル4 避難指示")
    LEVEL5 = 5, _("警戒レベル5 緊急安全確保")


class NoticeQuerySet(models.QuerySet["Notice"]):
    def visible(self) -> NoticeQuerySet:
        """Published, past its publish time and not expired: what residents see."""
        now = timezone.now()
        return self.filter(status=NoticeStatus.PUBLISHED, publish_at__lte=now).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))


class Notice(TenantModel):
    """お知らせ: written once by staff, shown on the town site and in the feeds, delivered to subscribers."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="notices", verbose_name=_("分類"))
    title = models.CharField(_("件名"), max_length=120)
    body = models.TextField(_("本文"))
    easy_title = models.CharField(_("件名（やさしい日本語）"), max_length=120, blank=True)
    easy_body = models.TextField(_("本文（やさしい日本語）"), blank=True)
    areas = models.ManyToManyField(Area, blank=True, related_name="notices", verbose_name=_("対象地区"))
    audiences = models.JSONField(_("対象者"), default=list, blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="notices",
                                   verbose_name=_("担当課"))
    publish_at = models.DateTimeField(_("公開日時"), default=timezone.now)
    expires_at = models.DateTimeField(_("掲載終了日時"), null=True, blank=True)
    status = models.CharField(_("状態"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT)
    deliver = models.BooleanField(_("登録者に配信する"), default=True)
    # Only 防災 notices carry one (the service refuses it elsewhere); at or above the town's threshold, publishing
    # the notice turns the public site into 災害モード.
    alert_level = models.PositiveSmallIntegerField(_("警戒レベル"), choices=AlertLevel.choices, null=True, blank=True)
    reply_kind = models.CharField(_("返信"), max_length=10, choices=ReplyKind.choices, default=ReplyKind.NONE)
    reply_choices = models.JSONField(_("返信の選択肢"), default=list, blank=True)
    reply_deadline = models.DateTimeField(_("返信の締切"), null=True, blank=True)
    broadcast = models.OneToOneField(Broadcast, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    # Scoped like every tenant model (TenantModel's manager), with the `visible()` filter added.
    objects = ScopedManager(_manager_class=models.Manager.from_queryset(NoticeQuerySet),  # type: ignore[misc]
                            municipality="municipality")

    class Meta:
        ordering = ["-publish_at", "-pk"]
        verbose_name = _("お知らせ")
        constraints = [
            models.CheckConstraint(condition=models.Q(expires_at__isnull=True)
                                   | models.Q(expires_at__gt=models.F("publish_at")),
                                   name="notice_expires_after_publish"),
            models.CheckConstraint(condition=models.Q(alert_level__isnull=True)
                                   | models.Q(alert_level__in=AlertLevel.values),
                                   name="notice_alert_level_known"),
        ]
        indexes = [models.Index(fields=["municipality", "status", "publish_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_emergency(self) -> bool:
        return self.category.is_emergency


class NoticeTranslation(TenantModel):
    """A notice in another language (English, …), written by staff."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("言語"), max_length=10, choices=settings.LANGUAGES)
    title = models.CharField(_("件名"), max_length=200)
    body = models.TextField(_("本文"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notice", "language"], name="translation_one_per_language")]


class NoticeAttachment(TenantModel):
    """A file shown on the notice page (messages link to the page, never attach files)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("表題"), max_length=120)
    path = models.CharField(max_length=255)  # in private storage (kernel.files.uploads.save_private)
    original_name = models.CharField(max_length=100)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Subscription(TenantModel):
    """What a subscriber wants to hear about: categories and areas (no area chosen = the whole town)."""

    subscriber = models.OneToOneField(Subscriber, on_delete=models.CASCADE, related_name="notice_subscription")
    categories = models.ManyToManyField(Category, related_name="subscriptions")
    areas = models.ManyToManyField(Area, blank=True, related_name="subscriptions")
    updated_at = models.DateTimeField(auto_now=True)


class Reply(TenantModel):
    """A resident's answer to a notice that asks for one (出欠, 安否確認, 参加申込); one per person, editable
    until the deadline."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="replies")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    delivery = models.ForeignKey(Delivery, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    name = models.CharField(_("お名前"), max_length=100, blank=True)
    answer = models.CharField(_("回答"), max_length=100, blank=True)
    comment = models.TextField(_("ひとこと"), blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "subscriber"], condition=models.Q(subscriber__isnull=False),
                                    name="reply_one_per_subscriber"),
            models.UniqueConstraint(fields=["notice", "resident"], condition=models.Q(resident__isnull=False),
                                    name="reply_one_per_resident"),
            models.CheckConstraint(condition=models.Q(subscriber__isnull=False) | models.Q(resident__isnull=False),
                                   name="reply_has_someone"),
        ]


class ShelterStatus(models.TextChoices):
    CLOSED = "closed", _("未開設")
    OPEN = "open", _("開設中")
    CROWDED = "crowded", _("混雑")
    FULL = "full", _("満員")


class Shelter(TenantModel):
    """避難所の状況: the status staff set during a disaster of one 指定避難所. The place itself (name, address,
    position, capacity) is not kept here: it is the row `site` of the town's published 指定緊急避難場所一覧
    (オープンデータ, offered through kernel.records as "opendata.shelter"), so renaming the row renames the shelter.
    A status whose row is gone (or, after the move to the dataset, never matched one) keeps `site` empty or stale
    and is shown to staff only, never on the board."""

    site = models.CharField(_("避難所のID"), max_length=100, blank=True)  # the row's ID in the dataset
    name = models.CharField(_("名称"), max_length=100)  # the row's 名称 when last seen, for when the row is gone
    status = models.CharField(_("状況"), max_length=10, choices=ShelterStatus.choices, default=ShelterStatus.CLOSED)
    note = models.CharField(_("お知らせ"), max_length=200, blank=True)
    opened_at = models.DateTimeField(_("開設日時"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("避難所")
        constraints = [models.UniqueConstraint(fields=["municipality", "site"], condition=~models.Q(site=""),
                                               name="shelter_unique_site")]

    def __str__(self) -> str:
        return self.name


class DisasterSettings(TenantModel):
    """The town's choices for 災害モード: the 警戒レベル at which a 防災 notice turns it on, what residents should do
    (shown under the alert when the notice says nothing more), and the numbers to call. No row: the defaults."""

    threshold = models.PositiveSmallIntegerField(_("災害モードにする警戒レベル"), choices=AlertLevel.choices,
                                                 default=AlertLevel.LEVEL4)
    guidance = models.TextField(_("住民がすること（日本語）"), blank=True, max_length=1000)
    guidance_easy = models.TextField(_("住民がすること（やさしい日本語）"), blank=True, max_length=1000)
    guidance_en = models.TextField(_("住民がすること（英語）"), blank=True, max_length=1000)
    department = models.ForeignKey(Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("防災の担当課"))
    radio_phone = models.CharField(_("防災行政無線の電話応答サービス"), max_length=20, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("災害モードの設定")
        constraints = [
            models.UniqueConstraint(fields=["municipality"], name="disaster_settings_one_per_town"),
            models.CheckConstraint(condition=models.Q(threshold__in=AlertLevel.values),
                                   name="disaster_settings_threshold_known"),
        ]


class DisasterMode(TenantModel):
    """災害モード: while a row has no `ended_at`, the town's home page is the light disaster page and every public page
    carries the alert banner. Started by a 防災 notice at or above the threshold (`cause`) or by hand by staff
    (an alert from outside: J-ALERT, the prefecture); ended only by staff. `level`, `title` and `notice` say the
    alert shown now: a later notice of a level at least as high takes its place; the cause stays as it was."""

    level = models.PositiveSmallIntegerField(_("警戒レベル"), choices=AlertLevel.choices, null=True, blank=True)
    title = models.CharField(_("表示する見出し"), max_length=120)
    message = models.TextField(_("職員からのお知らせ"), blank=True, max_length=500)
    cause = models.ForeignKey(Notice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("きっかけのお知らせ"))
    notice = models.ForeignKey(Notice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("表示しているお知らせ"))
    started_at = models.DateTimeField(_("開始日時"), default=timezone.now)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    ended_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("災害モード")
        constraints = [
            # Two clerks publishing at the same second, or a notice and the switch: one mode, whichever commits first.
            models.UniqueConstraint(fields=["municipality"], condition=models.Q(ended_at__isnull=True),
                                    name="disaster_mode_one_active_per_town"),
            models.CheckConstraint(condition=models.Q(ended_at__isnull=True)
                                   | models.Q(ended_at__gte=models.F("started_at")),
                                   name="disaster_mode_ends_after_start"),
            models.CheckConstraint(condition=models.Q(level__isnull=True) | models.Q(level__in=AlertLevel.values),
                                   name="disaster_mode_level_known"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

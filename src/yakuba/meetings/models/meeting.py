"""会議体 (a council, a committee, 庁議, a 審議会), its members, its meetings, their agenda and attendance."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Department
from yakuba.kernel.tenancy.models import TenantModel


class BodyKind(models.TextChoices):
    COUNCIL = "council", _("議会（本会議）")
    COMMITTEE = "committee", _("委員会")
    EXECUTIVE = "executive", _("庁議")
    ADVISORY = "advisory", _("審議会・協議会")


class Body(TenantModel):
    """会議体: who meets. Its 事務局 (`department`) prepares the packs and the minutes."""

    name = models.CharField(_("会議体の名前"), max_length=100)
    name_en = models.CharField(_("英語名"), max_length=150, blank=True)
    kind = models.CharField(_("種類"), max_length=12, choices=BodyKind.choices)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("事務局の課"))
    public = models.BooleanField(_("公開の会議"), default=True,
                                 help_text=_("公開の会議は、資料と会議録を住民に公開できます。"))
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("会議体")
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="meetings_body_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def shown_name(self) -> str:
        """The name in the reader's language (English when chosen and given)."""
        return self.name_en if self.name_en and (get_language() or "").startswith("en") else self.name


class Member(TenantModel):
    """委員・議員 of a body. `user` is the account with which they open the pack (a 議員 has a resident-style
    account, a 庁議 member their staff account); `title` is how the minutes name them (議長, 〇〇議員, 町長)."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("氏名"), max_length=60)
    title = models.CharField(_("会議録での呼び方"), max_length=60, help_text=_("例：議長、山田議員、町長"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("アカウント"))
    email = models.EmailField(_("連絡先メール"), blank=True)
    active = models.BooleanField(_("在任中"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("委員・議員")
        constraints = [
            models.UniqueConstraint(fields=["body", "user"], condition=models.Q(user__isnull=False),
                                    name="meetings_member_one_per_user"),
        ]

    def __str__(self) -> str:
        return self.title or self.name


class MeetingState(models.TextChoices):
    PLANNED = "planned", _("予定")
    HELD = "held", _("開催済み")
    CANCELLED = "cancelled", _("中止")


class Meeting(TenantModel):
    """One sitting of a body. While PLANNED its pack can change (差し替え); once HELD the pack is frozen as it
    stood at the meeting. `public` (from the body, changeable per meeting) lets the pack and minutes be
    published to residents."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(_("会議名"), max_length=150, help_text=_("例：令和8年第4回定例会 総務常任委員会"))
    title_en = models.CharField(_("英語の会議名"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("開始日時"))
    ends_at = models.DateTimeField(_("終了予定"), null=True, blank=True)
    place = models.CharField(_("場所"), max_length=100, blank=True)
    online_url = models.URLField(_("オンライン会議のURL"), blank=True)
    public = models.BooleanField(_("公開の会議"), default=True)
    state = models.CharField(_("状態"), max_length=10, choices=MeetingState.choices, default=MeetingState.PLANNED)
    held_at = models.DateTimeField(_("閉会（資料の確定）"), null=True, blank=True)
    pack_published_at = models.DateTimeField(_("資料の公開"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("会議")
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__isnull=True) | models.Q(
                ends_at__gt=models.F("starts_at")), name="meetings_meeting_ends_after_start"),
            models.CheckConstraint(condition=~models.Q(state="held") | models.Q(held_at__isnull=False),
                                   name="meetings_meeting_held_has_time"),
        ]
        indexes = [models.Index(fields=["municipality", "starts_at"], name="meetings_meeting_town_start")]

    def __str__(self) -> str:
        return self.title

    @property
    def shown_title(self) -> str:
        """The title in the reader's language (English when chosen and given)."""
        return self.title_en if self.title_en and (get_language() or "").startswith("en") else self.title

    @property
    def frozen(self) -> bool:
        """The pack as it stood at the meeting: no 差し替え once it was held (or cancelled)."""
        return self.state != MeetingState.PLANNED


class AgendaItem(TenantModel):
    """議題・議案: `number` as the body numbers it (議案第45号), `title` what it is about."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    number = models.CharField(_("番号"), max_length=30, blank=True, help_text=_("例：議案第45号"))
    title = models.CharField(_("議題"), max_length=200)
    outcome = models.CharField(_("結果"), max_length=100, blank=True, help_text=_("例：原案可決"))
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("議題")

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()


class Presence(models.TextChoices):
    PRESENT = "present", _("出席")
    ONLINE = "online", _("オンライン出席")
    ABSENT = "absent", _("欠席")
    LATE = "late", _("遅刻")
    LEFT_EARLY = "left_early", _("早退")


class Attendance(TenantModel):
    """出欠 of a member at a meeting, recorded by the 事務局."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    presence = models.CharField(_("出欠"), max_length=12, choices=Presence.choices)
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("出欠")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="meetings_attendance_once")]

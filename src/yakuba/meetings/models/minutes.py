"""会議録: the recording of a meeting, its transcription in chunks (a worker killed mid-run resumes from the last
finished chunk), the timestamped segments the 事務局 corrects, and the minutes made from them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.tenancy.models import TenantModel

from .meeting import Meeting, Member


class RecordingState(models.TextChoices):
    QUEUED = "queued", _("文字起こし待ち")
    RUNNING = "running", _("文字起こし中")
    DONE = "done", _("文字起こし済み")
    FAILED = "failed", _("失敗")
    REFUSED = "refused", _("読めないファイル")


class Recording(TenantModel):
    """録音・録画 of a meeting. `chunks_done` of `chunks_total` say where the transcription stands (the next
    chunk to do is `chunks_done`); `refusal` why a file could not be read."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="recordings")
    file = models.CharField(max_length=255)
    original_name = models.CharField(_("ファイル名"), max_length=200)
    size = models.PositiveBigIntegerField(default=0)
    duration = models.FloatField(_("長さ（秒）"), default=0)
    state = models.CharField(_("状態"), max_length=10, choices=RecordingState.choices, default=RecordingState.QUEUED)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    seconds_done = models.FloatField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # a worker that stops beating is presumed dead
    working_seconds = models.FloatField(default=0)
    model_name = models.CharField(max_length=200, blank=True)
    refusal = models.CharField(max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("録音")
        constraints = [
            models.CheckConstraint(condition=models.Q(chunks_done__lte=models.F("chunks_total")),
                                   name="meetings_recording_chunks_in_range"),
        ]

    def __str__(self) -> str:
        return self.original_name


class Segment(TenantModel):
    """One stretch of speech: [start, end) seconds into the recording, its text and its speaker (a member, or a
    free label such as 「事務局長」). `revision` grows with every edit, so the second of two clerks editing it
    is told rather than silently overwriting (optimistic locking). `position` orders segments; a split or a
    merge keeps it."""

    recording = models.ForeignKey(Recording, on_delete=models.CASCADE, related_name="segments")
    chunk = models.PositiveIntegerField()
    position = models.PositiveIntegerField()
    start = models.FloatField()
    end = models.FloatField()
    text = models.TextField(blank=True)
    speaker = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    speaker_label = models.CharField(_("発言者"), max_length=60, blank=True)
    turn_change = models.BooleanField(default=False)  # suggested: a new speaker probably starts here
    revision = models.PositiveIntegerField(default=1)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["recording", "position"]
        verbose_name = _("発言")
        constraints = [
            models.UniqueConstraint(fields=["recording", "position"], name="meetings_segment_unique_position"),
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="meetings_segment_ordered"),
        ]

    @property
    def who(self) -> str:
        return self.speaker.title if self.speaker_id and self.speaker else self.speaker_label


class SummaryKind(models.TextChoices):
    EXTRACTIVE = "extractive", _("発言からの抜粋")
    AI_DRAFT = "ai_draft", _("AIによる下書き")


class Minutes(TenantModel):
    """会議録 of a meeting: the summary (extractive, or an AI draft a person must confirm) and publication."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    summary = models.TextField(_("要約"), blank=True)
    summary_kind = models.CharField(max_length=10, choices=SummaryKind.choices, default=SummaryKind.EXTRACTIVE)
    summary_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                             blank=True, related_name="+")
    summary_confirmed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(_("公開"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("会議録")
        constraints = [
            # An AI draft is never published unconfirmed.
            models.CheckConstraint(condition=models.Q(published_at__isnull=True) | ~models.Q(summary_kind="ai_draft")
                                   | models.Q(summary_confirmed_at__isnull=False),
                                   name="meetings_minutes_ai_draft_confirmed"),
        ]

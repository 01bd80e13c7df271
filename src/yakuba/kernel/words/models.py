"""A staff-entered translation of one town text (翻訳): English or やさしい日本語, drafted, then checked."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.tenancy.models import TenantModel

MAX_TEXT = 2000  # a translation longer than this is refused: no text residents read is that long in one piece


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    EASY = "easy", _("やさしい日本語")


class State(models.TextChoices):
    DRAFT = "draft", _("下書き")  # never shown to residents
    CHECKED = "checked", _("確認済み")  # shown to residents while its Japanese is unchanged


class Translation(TenantModel):
    """One text of one record in one language. `source` is the Japanese it was made from: when the town's Japanese
    changes, the translation is 要確認 (stale) and residents see the Japanese until staff check it again."""

    kind = models.CharField(max_length=60)  # the registered source, e.g. "applications.procedure"
    key = models.CharField(max_length=100)  # the record, stable within its kind and town (a primary key or slug)
    field = models.CharField(max_length=200)  # e.g. "title", "form.child_name.label", "form.reason.option.moved"
    language = models.CharField(_("言語"), max_length=4, choices=Language.choices)
    text = models.TextField(_("訳"))
    source = models.TextField(_("元の日本語"))
    state = models.CharField(_("状態"), max_length=8, choices=State.choices, default=State.DRAFT)
    machine = models.BooleanField(_("AIの下書き"), default=False)  # drafted by the AI endpoint, not yet by a person
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    checked_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)  # optimistic: a save names the revision it was made from
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("翻訳")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "kind", "key", "field", "language"],
                                    name="words_translation_one_per_text"),
            models.CheckConstraint(condition=Q(language__in=["en", "easy"]), name="words_translation_language"),
            models.CheckConstraint(condition=Q(state__in=["draft", "checked"]), name="words_translation_state"),
        ]
        indexes = [models.Index(fields=["municipality", "language", "state"], name="words_by_town_language")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key} {self.field} ({self.language})"

    def stale(self, japanese: str) -> bool:
        """The town's Japanese changed since this was made (要確認)."""
        return self.source != japanese

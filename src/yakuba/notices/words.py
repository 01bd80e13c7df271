"""The texts of お知らせ residents read, for translation (kernel.words): the categories' names as a source; the
notices themselves keep their English (NoticeTranslation) and やさしい日本語 (easy_title, easy_body) in their own rows,
so they are counted by a counts provider for the English share."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakuba.kernel.tenancy.models import Municipality
from yakuba.kernel.words import registry as words

from .models import Category, Notice, NoticeTranslation

CATEGORY = "notices.category"
NOTICE = "notices.notice"  # counted only: its translations are the notice's own rows


def _categories(municipality: Municipality) -> Iterator[words.Record]:
    for category in Category.objects.all():
        yield words.Record(key=str(category.pk), title=category.name,
                           texts=[words.Text("name", category.name, _("分類名"))])


def _notices(municipality: Municipality) -> words.Tally:
    """Each visible notice is two texts (件名, 本文)."""
    visible = Notice.objects.filter(municipality=municipality).visible()
    total = visible.count()
    english = NoticeTranslation.objects.filter(notice__in=visible, language="en").exclude(title="").count()
    easy = visible.exclude(easy_title="").exclude(easy_body="").count()
    return words.Tally(texts=2 * total, english=2 * english, easy=2 * easy)


words.register(words.Source(CATEGORY, gettext_lazy("お知らせの分類"), _categories))
words.register_counts(words.Counts(NOTICE, gettext_lazy("お知らせ"), _notices))

"""Finding kept documents of the town: by 番号, 件名, text (a decided draft's text, a scan's OCR), dates, 課 and kind.

A database query rather than the kernel's ranked index (kernel/search): staff look for a document they know is there
(a word of a letter, a number), filtered by 課 and dates, and expect every match in date order, not the best few. A
substring match finds Japanese words without tokenising (a word split by MeCab differently in the query and in OCR
text would be missed), and the database keeps the result current the moment a scan is read. The query is
normalised like the stored text (NFKC, no spaces inside Japanese), and each word must match."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from yakuba.kernel.accounts.models import Department
from yakuba.kernel.files.ocr import normalise
from yakuba.kernel.tenancy.models import Municipality

from ..models import Record

MAX_WORDS = 8


@dataclass(frozen=True)
class Query:
    words: str = ""
    department: Department | None = None
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None
    status: str = ""


def terms(words: str) -> list[str]:
    """The words of a query (split on spaces, full-width too), normalised as stored text is."""
    text = unicodedata.normalize("NFKC", words)
    return [normalise(word) for word in text.split() if word.strip()][:MAX_WORDS]


def find(municipality: Municipality, query: Query) -> QuerySet[Record]:
    """The town's records matching every word of the query (in 番号, 件名 or text) and every filter, newest first."""
    found = Record.objects.filter(municipality=municipality).select_related("department", "volume__document_class")
    for word in terms(query.words):
        variants = {word, unicodedata.normalize("NFKC", word)}
        match = Q()
        for variant in variants:
            match |= Q(number__icontains=variant) | Q(title__icontains=variant) | Q(text__icontains=variant)
        found = found.filter(match)
    if query.department is not None:
        found = found.filter(department=query.department)
    if query.kind:
        found = found.filter(kind=query.kind)
    if query.status:
        found = found.filter(status=query.status)
    if query.date_from is not None:
        found = found.filter(dated__gte=query.date_from)
    if query.date_to is not None:
        found = found.filter(dated__lte=query.date_to)
    return found.order_by("-dated", "-pk")


def snippet(record: Record, words: str, width: int = 60) -> str:
    """A short piece of the record's text around the first word found in it (for the results list)."""
    text = " ".join(record.text.split())
    for word in terms(words):
        at = text.lower().find(word.lower())
        if at >= 0:
            start = max(0, at - width // 2)
            return ("…" if start else "") + text[start:start + width] + ("…" if start + width < len(text) else "")
    return text[:width] + ("…" if len(text) > width else "")

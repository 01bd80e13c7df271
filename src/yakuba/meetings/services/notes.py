"""A member's own notes and highlights on the pages of a pack (メモ・マーカー): only their author ever reads them."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from yakuba.kernel.refusal import Refused

from ..models import Document, Note
from .access import can_take_notes

MAX_MARKS = 50
MAX_TEXT = 2000


def clean_marks(marks: Any) -> list[dict[str, float]]:
    """Highlight rectangles as fractions of the page, each inside it; anything else is refused."""
    if not isinstance(marks, list) or len(marks) > MAX_MARKS:
        raise Refused({"marks": _("マーカーは1ページに%(max)d個までです。") % {"max": MAX_MARKS}})
    cleaned = []
    for mark in marks:
        try:
            x, y, w, h = (round(float(mark[key]), 4) for key in ("x", "y", "w", "h"))
        except (TypeError, KeyError, ValueError):
            raise Refused({"marks": _("マーカーの位置が読めません。")}) from None
        if not (0 <= x <= 1 and 0 <= y <= 1 and 0 < w <= 1 and 0 < h <= 1 and x + w <= 1.0001 and y + h <= 1.0001):
            raise Refused({"marks": _("マーカーはページの中に引いてください。")})
        cleaned.append({"x": x, "y": y, "w": w, "h": h})
    return cleaned


def note_of(user: Any, document: Document, page: int) -> Note | None:
    """The user's note on that page, if any: always filtered by its author."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Note.objects.filter(user=user, document=document, page=page).first()


def save_note(user: Any, document: Document, page: int, *, text: str, marks: Any) -> Note | None:
    """Keep the text and the marks of the user's note on the page (an empty note is removed)."""
    if not can_take_notes(user, document.meeting):
        raise Refused(_("メモを残せるのは委員と事務局です。"))
    current = document.current
    if current is None or not 1 <= page <= max(current.pages, 1):
        raise Refused({"page": _("そのページはありません。")})
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise Refused({"text": _("メモは%(max)d文字以内で入力してください。") % {"max": MAX_TEXT}})
    cleaned = clean_marks(marks)
    with transaction.atomic():
        # The document's row serialises two first saves of the same page (two tabs): one note, not two.
        list(Document.objects.select_for_update().filter(pk=document.pk).values_list("pk", flat=True))
        note = Note.objects.select_for_update().filter(user=user, document=document, page=page).first()
        if not text and not cleaned:
            if note is not None:
                note.delete()
            return None
        if note is None:
            note = Note(municipality=document.municipality, user=user, document=document, page=page)
        note.text, note.marks, note.version_number = text, cleaned, current.number
        note.save()
    return note


def delete_note(user: Any, document: Document, page: int) -> bool:
    deleted, _rows = Note.objects.filter(user=user, document=document, page=page).delete()
    return deleted > 0

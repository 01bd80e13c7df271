"""Saving, checking and machine-drafting translations of town texts (翻訳). Every write is audited and announces
WORDS, so cached pages and the display tables see it as soon as it commits."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel import ai, records
from yakuba.kernel.accounts.models import Role, Staff
from yakuba.kernel.audit.services import record as audit
from yakuba.kernel.refusal import Refused
from yakuba.kernel.tenancy.models import Municipality
from yakuba.kernel.ui.pagecache import WORDS

from . import machine, registry
from .models import MAX_TEXT, Language, State, Translation

# Control characters other than line breaks and tabs never belong in a text residents read.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_AI_TEXTS = 200  # texts of one record sent in one request


class Conflict(Refused):
    """Someone else saved some of the same texts since the page was opened: nothing was saved."""

    def __init__(self, fields: list[str]) -> None:
        super().__init__(_("ほかの職員が同じ翻訳を先に保存しました。入力した内容は残してあります。"
                           "最新の内容を確かめてから、もう一度保存してください。"))
        self.fields = fields


@dataclass(frozen=True)
class Entry:
    """What staff typed for one text in one language, and the revision of the row they saw (0: none)."""

    field: str
    language: str
    text: str
    revision: int = 0


@dataclass(frozen=True)
class Row:
    """One text of a record with its translations, as the staff pages show it."""

    text: registry.Text
    english: Translation | None
    easy: Translation | None

    def state(self, language: str) -> str:
        """未翻訳 / 下書き / 確認済み / 要確認 as a key: missing, draft, checked, stale."""
        found = self.english if language == Language.ENGLISH else self.easy
        if found is None:
            return "missing"
        if found.stale(self.text.japanese):
            return "stale"
        return "checked" if found.state == State.CHECKED else "draft"


def may_translate(staff: Staff | None, record: registry.Record) -> bool:
    """情報担当, or staff of the 課 that owns the record."""
    if staff is None or not staff.is_active:
        return False
    return staff.role >= Role.ADMIN or (record.department_id is not None
                                       and staff.department_id == record.department_id)


def rows(kind: str, record: registry.Record) -> list[Row]:
    found = {(t.field, t.language): t for t in Translation.objects.filter(kind=kind, key=record.key)}
    return [Row(text, found.get((text.field, Language.ENGLISH)), found.get((text.field, Language.EASY)))
            for text in record.texts]


def summary(kind: str, records_: list[registry.Record]) -> dict[str, Counter[str]]:
    """Per record key: how many texts are in each state, per language ("en:missing", "easy:checked", …)."""
    found: dict[tuple[str, str, str], Translation] = {
        (t.key, t.field, t.language): t for t in Translation.objects.filter(kind=kind)}
    result: dict[str, Counter[str]] = {}
    for item in records_:
        counts: Counter[str] = Counter()
        for text in item.texts:
            for language in (Language.ENGLISH, Language.EASY):
                row = found.get((item.key, text.field, language))
                state = ("missing" if row is None else "stale" if row.stale(text.japanese)
                         else "checked" if row.state == State.CHECKED else "draft")
                counts[f"{language}:{state}"] += 1
        result[item.key] = counts
    return result


def clean(text: str) -> str:
    """A translation as stored: plain text (escaped on output), without control characters, trimmed."""
    return _CONTROL.sub("", text.replace("\r\n", "\n")).strip()


def save_record(*, municipality: Municipality, staff: Staff, kind: str, key: str, entries: list[Entry],
                check: bool, request: HttpRequest | None = None) -> int:
    """Save what staff typed for one record's texts; with `check`, every filled text of the record becomes
    確認済み (shown to residents) as made from the town's Japanese now. An emptied text is removed. Returns how many
    rows changed. Refused (nothing saved) for a text too long, or one someone else saved meanwhile (`Conflict`)."""
    record = registry.record(kind, key, municipality)
    if record is None:
        raise Refused(_("この記録はありません。"))
    if not may_translate(staff, record):
        raise Refused(_("この記録を翻訳する権限がありません。"))
    japanese = {text.field: text.japanese for text in record.texts}
    errors: dict[str, str] = {}
    for entry in entries:
        if entry.field not in japanese or entry.language not in Language.values:
            raise Refused(_("この記録にない項目です。"))
        if len(clean(entry.text)) > MAX_TEXT:
            errors[f"{entry.language}-{entry.field}"] = _("%(max)d文字以内で入力してください。") % {"max": MAX_TEXT}
    if errors:
        raise Refused(errors)
    try:
        return _save(municipality, staff, kind, key, entries, japanese, check, request)
    except IntegrityError as error:  # two first translations of the same text at once: the second is told
        raise Conflict([f"{e.language}-{e.field}" for e in entries]) from error


def _save(municipality: Municipality, staff: Staff, kind: str, key: str, entries: list[Entry],
          japanese: dict[str, str], check: bool, request: HttpRequest | None) -> int:
    now = timezone.now()
    changed: list[str] = []
    with transaction.atomic():
        existing = {(t.field, t.language): t for t in
                    Translation.objects.select_for_update().filter(kind=kind, key=key)}
        conflicts = [f"{e.language}-{e.field}" for e in entries
                     if (existing[(e.field, e.language)].revision if (e.field, e.language) in existing else 0)
                     != e.revision]
        if conflicts:
            raise Conflict(conflicts)
        for entry in entries:
            row = existing.get((entry.field, entry.language))
            if _apply(municipality, staff, kind, key, entry, row, japanese[entry.field], check, now):
                changed.append(f"{entry.language}:{entry.field}")
        if changed:
            audit("words.translation.saved", municipality=municipality, actor=staff.user, request=request,
                  data={"kind": kind, "key": key, "checked": check, "fields": changed[:100],
                        "count": len(changed)})
            records.announce(WORDS, municipality.pk)
    return len(changed)


def _apply(municipality: Municipality, staff: Staff, kind: str, key: str, entry: Entry, row: Translation | None,
           japanese: str, check: bool, now: Any) -> bool:
    text = clean(entry.text)
    if not text:
        if row is None:
            return False
        row.delete()
        return True
    state = State.CHECKED if check else State.DRAFT
    if row is not None and row.text == text and (not check or (row.state == State.CHECKED
                                                               and not row.stale(japanese))):
        return False  # unchanged (a draft saved again as draft keeps who drafted it)
    # A machine draft stays marked as such until a person changes or checks it.
    machine = row is not None and row.machine and row.text == text and not check
    row = row or Translation(municipality=municipality, kind=kind, key=key, field=entry.field,
                             language=entry.language, revision=0)
    row.text, row.source, row.state, row.machine = text, japanese, state, machine
    row.checked_by, row.checked_at = (staff.user, now) if check else (None, None)
    row.revision += 1
    row.save()
    return True


def load_texts(municipality: Municipality, kind: str, key: str, language: str, texts: dict[str, str], *,
               checked: bool, machine: bool = False) -> int:
    """Store translations made outside the staff pages (demo data, an import), by the system, each as made from
    the record's Japanese now. A field the record does not have is skipped; a text already stored the same way is
    left alone (loading twice changes nothing). Returns how many rows were written."""
    record = registry.record(kind, key, municipality)
    if record is None:
        return 0
    japanese = {text.field: text.japanese for text in record.texts}
    state = State.CHECKED if checked else State.DRAFT
    written = 0
    with transaction.atomic():
        for field, text in texts.items():
            if field not in japanese or not clean(text):
                continue
            row = Translation.objects.filter(kind=kind, key=key, field=field, language=language).first()
            if row is not None and (row.text, row.source, row.state) == (clean(text), japanese[field], state):
                continue
            row = row or Translation(municipality=municipality, kind=kind, key=key, field=field, language=language,
                                     revision=0)
            row.text, row.source, row.state, row.machine = clean(text)[:MAX_TEXT], japanese[field], state, machine
            row.checked_by, row.checked_at = None, timezone.now() if checked else None
            row.revision += 1
            row.save()
            written += 1
        if written:
            audit("words.translation.loaded", municipality=municipality,
                  data={"kind": kind, "key": key, "language": language, "count": written, "checked": checked})
            records.announce(WORDS, municipality.pk)
    return written


# Machine drafts ---------------------------------------------------------------------------------------------------

def request_drafts(*, municipality: Municipality, staff: Staff, kind: str, key: str, language: str,
                   request: HttpRequest | None = None) -> None:
    """Ask for machine drafts of the record's untranslated texts (in a task, after this commits)."""
    from . import tasks

    record = registry.record(kind, key, municipality)
    if record is None:
        raise Refused(_("この記録はありません。"))
    if not may_translate(staff, record):
        raise Refused(_("この記録を翻訳する権限がありません。"))
    if not ai.enabled():
        raise Refused(_("文章生成のAIが設定されていないため、下書きを作成できません。"))
    if language not in Language.values:
        raise Refused(_("この言語には対応していません。"))
    audit("words.draft.requested", municipality=municipality, actor=staff.user, request=request,
          data={"kind": kind, "key": key, "language": language})
    transaction.on_commit(lambda: tasks.draft.enqueue(municipality.pk, kind, key, language, staff.user.pk))


def draft(*, municipality: Municipality, kind: str, key: str, language: str, actor: Any = None) -> int:
    """Machine drafts for the texts of the record that have no translation in `language` yet: the Japanese passes
    the PII guard, what is sent is audited, the answers are stored as drafts (never shown to residents). Returns how
    many were stored. Raises ai.ChatFailed when the endpoint fails."""
    record = registry.record(kind, key, municipality)
    if record is None or not ai.enabled():
        return 0
    have = set(Translation.objects.filter(kind=kind, key=key, language=language).values_list("field", flat=True))
    wanted = [text for text in record.texts if text.field not in have and text.japanese.strip()][:MAX_AI_TEXTS]
    if not wanted:
        return 0
    answer = machine.translate({str(index): text.japanese for index, text in enumerate(wanted)}, language,
                               municipality=municipality, actor=actor, about={"kind": kind, "key": key})
    stored = 0
    with transaction.atomic():
        taken = set(Translation.objects.select_for_update().filter(kind=kind, key=key, language=language)
                    .values_list("field", flat=True))
        for index, text in enumerate(wanted):
            proposed = clean(str(answer.get(str(index), "")))[:MAX_TEXT]
            if not proposed or text.field in taken:
                continue  # staff typed one meanwhile: theirs stays
            Translation.objects.create(municipality=municipality, kind=kind, key=key, field=text.field,
                                       language=language, text=proposed, source=text.japanese, state=State.DRAFT,
                                       machine=True)
            stored += 1
        audit("words.draft.ai_drafted", municipality=municipality, actor=actor,
              data={"kind": kind, "key": key, "language": language, "stored": stored})
        if stored:
            records.announce(WORDS, municipality.pk)
    return stored

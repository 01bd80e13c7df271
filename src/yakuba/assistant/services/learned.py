"""Teaching the chat from 「答えられなかった質問」: staff link a question residents asked to the document (and section)
that answers it, and from the next index build on the question's words are search terms of that passage, so the
same question, or one in close words, finds it and is answered from it."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Role, Staff
from yakuba.kernel.audit.services import record
from yakuba.kernel.refusal import Refused
from yakuba.kernel.search.text import terms
from yakuba.kernel.tenancy.models import Municipality

from ..models import Document, LearnedQuestion, Passage, Question
from . import ingest, search


def may_link(staff: Staff | None, document: Document) -> bool:
    """情報担当, staff of the document's department, or whoever added it. National documents (法令) and documents
    kept in step with other apps' pages may be linked too: a link changes the town's index, not the document."""
    if staff is None or not staff.is_active:
        return False
    if document.municipality_id not in (None, staff.municipality_id):
        return False
    return (staff.has_role(Role.ADMIN)
            or (document.department_id is not None and document.department_id == staff.department_id)
            or (document.created_by_id is not None and document.created_by_id == staff.user_id))


def link_of(question: Question) -> LearnedQuestion | None:
    """The link that teaches `question`'s words, made from it or from another question with the same text."""
    found: LearnedQuestion | None = (LearnedQuestion.objects.filter(municipality_id=question.municipality_id,
                                                                    text=question.text)
                                     .select_related("document").first())
    return found


def links_by_text(texts: list[str]) -> dict[str, LearnedQuestion]:
    """The links of the town in scope for these question texts (one query for a page of questions)."""
    return {learned.text: learned for learned in LearnedQuestion.objects.filter(text__in=set(texts))
            .select_related("document")}


def link(staff: Staff, question: Question, document: Document, section: str = "") -> LearnedQuestion:
    """Link `question` (and every question with the same words) to `document`, at the passage whose path is
    `section` (blank: the document's passage nearest to the question). Replaces an earlier link of the same words."""
    _check_town(staff, question)
    if not may_link(staff, document):
        raise Refused({"__all__": _("この文書を答えにできるのは、担当課の職員・登録した人・情報担当です。")})
    if document.retired_at is not None or document.indexed_at is None:
        raise Refused({"document": _("「%(title)s」は削除されたか、まだ登録が終わっていないため、答えにできません。"
                                     "ほかの文書を選んでください。") % {"title": document.title}})
    section = section.strip()
    if section and not Passage.with_national.filter(document=document, path=section).exists():
        raise Refused({"passage": _("選んだ箇所は文書の新しい版にありません。もう一度検索して選んでください。")})
    with transaction.atomic():
        learned, _created = LearnedQuestion.objects.update_or_create(
            municipality=question.municipality, text=question.text,
            defaults={"question": question, "document": document, "section": section[:300],
                      "linked_by": staff.user, "linked_at": timezone.now()})
        record("assistant.question.linked", municipality=question.municipality, actor=staff.user, obj=learned,
               data={"question": question.pk, "document": str(document.public_id), "title": document.title,
                     "section": section})
        ingest.bump(question.municipality)
    return learned


def unlink(staff: Staff, question: Question) -> None:
    """Stop using `question`'s words as search terms of the document it was linked to."""
    _check_town(staff, question)
    learned = link_of(question)
    if learned is None:
        raise Refused(_("この質問はリンクされていません。"))
    if not may_link(staff, learned.document) and learned.linked_by_id != staff.user_id:
        raise Refused(_("このリンクを外せるのは、文書の担当課の職員・リンクした人・情報担当です。"))
    with transaction.atomic():
        record("assistant.question.unlinked", municipality=question.municipality, actor=staff.user, obj=learned,
               data={"question": question.pk, "document": str(learned.document.public_id),
                     "title": learned.document.title, "section": learned.section})
        learned.delete()
        ingest.bump(question.municipality)


def may_unlink(staff: Staff | None, learned: LearnedQuestion) -> bool:
    return staff is not None and (may_link(staff, learned.document)
                                  or (staff.is_active and learned.linked_by_id == staff.user_id))


def _check_town(staff: Staff, question: Question) -> None:
    if not staff.is_active or staff.municipality_id != question.municipality_id:
        raise Refused(_("この質問を扱う権限がありません。"))


def learned_tokens(municipality: Municipality) -> dict[int, list[str]]:
    """For each passage staff linked questions to, the search terms of those questions, to add to its own when the
    town's index is built (read inside the town's scope). A link to a retired document is ignored; a section the
    document no longer has falls back to the document's passage that shares most of the question's terms."""
    links = list(LearnedQuestion.objects.filter(municipality=municipality, document__retired_at__isnull=True)
                 .order_by("pk").values_list("text", "document_id", "section"))
    if not links:
        return {}
    by_document: dict[int, list[tuple[int, str, set[str]]]] = defaultdict(list)
    for pk, document_id, path, tokens in (Passage.with_national.filter(document_id__in={d for _t, d, _s in links})
                                          .order_by("document_id", "ordinal")
                                          .values_list("pk", "document_id", "path", "tokens")):
        by_document[document_id].append((pk, path, set(tokens.split())))
    found: dict[int, list[str]] = defaultdict(list)
    for text, document_id, section in links:
        passages = by_document.get(document_id)
        wanted = terms(text)
        if not passages or not wanted:
            continue
        at = [p for p in passages if section and p[1] == section]
        # max() keeps the first of equals: the earliest passage of the document.
        target = at[0] if at else max(passages, key=lambda p: sum(term in p[2] for term in wanted))
        found[target[0]] += wanted
    return dict(found)


def indexed(municipality: Municipality) -> dict[int, list[str]]:
    """The learned terms the town's current index was built with (no query beyond the index's generation)."""
    _built, extra = search.town_index(municipality)
    learned: dict[int, list[str]] = extra.get("learned", {})
    return learned

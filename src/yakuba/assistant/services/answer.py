"""Answering a resident's question from the town's public documents: the passage(s) it relies on with their
citations, or, when nothing answers it well enough, an honest 「分かりません」 with the department to ask and the
form to write to. Never an answer without a source; nothing is generated here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from yakuba.kernel import pii, records
from yakuba.kernel.accounts.models import Department
from yakuba.kernel.tenancy.models import Municipality

from ..models import LEGAL_KINDS, Kind, Passage, Question
from . import learned
from .search import Hit, coverage, passages_as_hits, search

LATER_PARAGRAPH = re.compile(r"第([2-9]|\d{2,})項$")
CONFIDENT = 0.6  # share of the question's (idf-weighted) terms the best passage must contain
RELATED = 0.34  # below CONFIDENT but at least this: shown as 「関係があるかもしれない資料」
MAX_PASSAGES = 3
SECOND_SHARE = 0.5  # a further passage is shown when its score is at least this share of the best one
CONTACT_KIND = "applications.procedure"
CONTACT_PROCEDURE = "iken-youbou"  # the town's general enquiry form (町へのご意見・ご要望), if published
# What residents are answered from: everything public except statute text, which answers badly on its own.
RESIDENT_KINDS = (Kind.FAQ, Kind.PROCEDURE, Kind.NOTICE, Kind.HELP, Kind.PLAN, Kind.ORDINANCE, Kind.RULE,
                  Kind.GUIDELINE, Kind.OTHER)


@dataclass
class Contact:
    department: str
    phone: str
    form_url: str = ""

    def as_json(self) -> dict[str, str]:
        return {"department": self.department, "phone": self.phone, "form_url": self.form_url}


@dataclass
class Answer:
    question: str
    known: bool
    passages: list[Hit] = field(default_factory=list)  # relied on (known) or the nearest ones (not known)
    contact: Contact | None = None
    confidence: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {"question": self.question, "known": self.known, "confidence": round(self.confidence, 3),
                "passages": [hit.as_json() for hit in self.passages],
                "contact": self.contact.as_json() if self.contact else None}


def ask(municipality: Municipality, question: str) -> Answer:
    """The answer to `question` (Refused for an empty or too long one). Records the question, redacted."""
    result = search(municipality, question, public=True, kinds=RESIDENT_KINDS, limit=10)
    hits = _distinct_documents(result.hits)
    stored = dict(Passage.with_national.filter(pk__in=[h.passage_id for h in hits[:MAX_PASSAGES]])
                  .values_list("pk", "tokens"))
    taught = learned.indexed(municipality)  # the words of questions staff linked to a passage count as its own
    stored = {pk: " ".join([tokens, *taught.get(pk, [])]) for pk, tokens in stored.items()}
    covers = [coverage(municipality, result.terms, set(stored.get(h.passage_id, "").split()))
              for h in hits[:MAX_PASSAGES]]
    confidence = covers[0] if covers else 0.0
    known = confidence >= CONFIDENT
    # Besides the best passage, only those that answer the question as well and score near it.
    relied = [h for h, cover in zip(hits, covers, strict=False)
              if cover >= CONFIDENT and h.score >= SECOND_SHARE * hits[0].score]
    answer = Answer(question=result.query, known=known, confidence=confidence,
                    passages=_with_context(municipality, relied, set(result.terms)) if known
                    else [h for h, cover in zip(hits[:2], covers, strict=False) if cover >= RELATED],
                    contact=contact_for(municipality, hits[0] if hits else None))
    Question.objects.create(municipality=municipality, text=pii.redact(result.query)[0][:500], known=known,
                            document_id=hits[0].document_id if known else None)
    return answer


def question_counts() -> tuple[int, int]:
    """(questions asked, questions answered from a document) of the town in scope, since the chat began."""
    totals = Question.objects.aggregate(total=Count("pk"), known=Count("pk", filter=Q(known=True)))
    return totals["total"] or 0, totals["known"] or 0


def _with_context(municipality: Municipality, hits: list[Hit], wanted: set[str]) -> list[Hit]:
    """A 項 that refers to 前項 is shown after the 項 it refers to, so the answer reads whole."""
    shown: list[Hit] = []
    for hit in hits:
        if hit.kind in LEGAL_KINDS and "前項" in hit.text and LATER_PARAGRAPH.search(hit.section):
            ordinal = Passage.with_national.filter(pk=hit.passage_id).values_list("ordinal", flat=True).first()
            previous = Passage.with_national.filter(document_id=hit.document_id, ordinal=(ordinal or 0) - 1).first()
            if previous is not None and all(h.passage_id != previous.pk for h in shown):
                shown.extend(passages_as_hits(municipality, [(previous.pk, hit.score)], wanted))
        if all(h.passage_id != hit.passage_id for h in shown):
            shown.append(hit)
    return shown


def _distinct_documents(hits: list[Hit]) -> list[Hit]:
    seen: set[int] = set()
    kept = []
    for hit in hits:
        if hit.document_id not in seen:
            seen.add(hit.document_id)
            kept.append(hit)
    return kept


def contact_for(municipality: Municipality, hit: Hit | None) -> Contact:
    """Whom to ask: the department of the nearest passage, else the town office's main number; and the form."""
    form = records.find_document(CONTACT_KIND, CONTACT_PROCEDURE)
    form_url = form.url if form is not None else ""
    if hit is not None and hit.department:
        return Contact(department=hit.department, phone=hit.department_phone or municipality.phone,
                       form_url=form_url)
    general = Department.objects.filter(name__in=["総務課", "企画課", "企画政策課"]).first()
    name = general.name if general else municipality.name
    return Contact(department=name or _("役場"), phone=(general.phone if general else "") or municipality.phone,
                   form_url=form_url)

"""Answering a resident's question from the town's public documents: the passage(s) it relies on with their
citations, or, when nothing answers it well enough, an honest 「分かりません」 with the department to ask, the form to
write to and the two likeliest pages (「こちらかもしれません」). Never an answer without a source; nothing is generated
here.

Right document or none: the best document must cover the question (CONFIDENT, words near in meaning counting in
part) and stand clear of the next document that covers it about as well (RIVAL_SHARE of its score); two documents
that answer equally well and disagree on which page it is make a 分かりません with both offered. Residents are
answered from plain pages (FAQ, procedures, notices, help, pages) before 例規 saying the same."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from yakuba.kernel import pii, records
from yakuba.kernel.accounts.models import Department
from yakuba.kernel.search.text import terms
from yakuba.kernel.tenancy.models import Municipality

from ..models import LEGAL_KINDS, Kind, Passage, Question
from . import learned
from .search import Hit, coverage_of, highlighted, passages_as_hits, search

LATER_PARAGRAPH = re.compile(r"第([2-9]|\d{2,})項$")
CONFIDENT = 0.75  # share of the question's (idf-weighted) terms the best passage must contain
CONFIDENT_LEGAL = 0.9  # 例規 answer residents only when they say nearly all of the question (and nothing plainer does)
RELATED = 0.34  # below CONFIDENT but at least this: offered as 「こちらかもしれません」
CANDIDATES = 5  # documents compared before answering
RIVAL_COVER = 0.2  # another document covering the question within this of the best one is a rival …
RIVAL_SHARE = 0.6  # … when its score is at least this share of the best one's: then 分かりません with both offered
PLAIN_SHARE = 0.5  # a plain page covering the question is preferred to 例規 scoring up to 1/this times higher
TITLE_MARGIN = 0.3  # a related document whose title says this much more of the question is a rival
AGREE = 0.8  # share of the answered terms two documents must have in common to be taken as saying the same
MAYBE = 2
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
    passages: list[Hit] = field(default_factory=list)  # relied on (known only)
    contact: Contact | None = None
    confidence: float = 0.0
    maybe: list[Hit] = field(default_factory=list)  # not known: the likeliest pages, 「こちらかもしれません」

    def as_json(self) -> dict[str, Any]:
        return {"question": self.question, "known": self.known, "confidence": round(self.confidence, 3),
                "passages": [hit.as_json() for hit in self.passages],
                "maybe": [hit.as_json() for hit in self.maybe],
                "contact": self.contact.as_json() if self.contact else None}


@dataclass
class Candidate:
    hit: Hit  # the document's best passage
    cover: float
    found: frozenset[str] = frozenset()  # the question's terms it answers
    title_cover: float = 0.0  # how much of the question the document's title says

    def same_page(self, other: Candidate) -> bool:
        """Sections of one web page (registered one document per heading) are never rivals."""
        page = self.hit.url.split("#", 1)[0]
        return bool(page) and page == other.hit.url.split("#", 1)[0]

    def agrees(self, other: Candidate) -> bool:
        """Two documents answer the same question when they answer mostly the same of its terms (a FAQ and its
        procedure); 「公民館を借りたい」 answered by 借りる in one and 公民館 in another is a disagreement."""
        union = self.found | other.found
        return bool(union) and len(self.found & other.found) / len(union) >= AGREE

    @property
    def plain(self) -> bool:
        return self.hit.kind not in LEGAL_KINDS


@dataclass
class Decision:
    chosen: Candidate | None  # None: 分かりません
    maybe: list[Candidate]


def decide(candidates: list[Candidate]) -> Decision:
    """Which document answers, if any (`candidates`: one per document, best score first).

    Among the documents that cover the question and score near the best of them, the one whose title says the
    question best (a FAQ's title is its question), then a FAQ, then a plain page before 例規. A related document
    that answers other words of the question (unless its title says the question clearly worse: a page about the
    library that mentions the 公民館 it is in is no rival to the 公民館's booking page), or whose title says the
    question clearly better, is a rival: then 分かりません, with both offered."""
    covering = [c for c in candidates if c.cover >= (CONFIDENT if c.plain else CONFIDENT_LEGAL)]
    related = [c for c in candidates if c.cover >= RELATED]
    if not covering:
        return Decision(None, sorted(related, key=lambda c: -(c.cover + c.title_cover))[:MAYBE])
    top = covering[0].hit.score
    close = [c for c in covering if c.hit.score >= PLAIN_SHARE * top]
    chosen = max(close, key=lambda c: (round(c.title_cover, 1), round(c.cover, 1), c.plain, c.hit.kind == Kind.FAQ,
                                       c.hit.score))
    rival = next((c for c in related if c is not chosen and (c.plain or not chosen.plain) and not c.same_page(chosen)
                  and (
        c.title_cover >= chosen.title_cover + TITLE_MARGIN and c.cover >= CONFIDENT - RIVAL_COVER
        or not c.agrees(chosen) and c.cover >= chosen.cover - RIVAL_COVER
        and c.hit.score >= RIVAL_SHARE * chosen.hit.score
        and c.title_cover > chosen.title_cover - TITLE_MARGIN)), None)
    if rival is not None:
        return Decision(None, sorted([chosen, rival], key=lambda c: -(c.cover + c.title_cover)))
    return Decision(chosen, [c for c in covering if c is not chosen and c.agrees(chosen)][:1])


def ask(municipality: Municipality, question: str) -> Answer:
    """The answer to `question` (Refused for an empty or too long one). Records the question, redacted."""
    result = search(municipality, question, public=True, kinds=RESIDENT_KINDS, limit=20, highlight=False)
    wanted = set(result.terms) | {word for words in result.near.values() for word, _ in words}
    hits = _distinct_documents(result.hits)[:CANDIDATES]
    stored = dict(Passage.with_national.filter(pk__in=[h.passage_id for h in hits]).values_list("pk", "tokens"))
    taught = learned.indexed(municipality)  # the words of questions staff linked to a passage count as its own
    stored = {pk: " ".join([tokens, *taught.get(pk, [])]) for pk, tokens in stored.items()}
    candidates = []
    for hit in hits:
        title = set(terms(hit.title))
        cover, found = coverage_of(municipality, result.terms, set(stored.get(hit.passage_id, "").split()) | title,
                                   result.near)
        candidates.append(Candidate(hit, cover, found, coverage_of(municipality, result.terms, title, result.near)[0]))
    decision = decide(candidates)
    known = decision.chosen is not None
    confidence = decision.chosen.cover if decision.chosen else max((c.cover for c in candidates), default=0.0)
    relied: list[Hit] = []
    if decision.chosen is not None:
        best = decision.chosen.hit
        # Besides the chosen passage: another of the same document scoring near it, and a document saying the same
        # (the procedure of a FAQ's answer), so 「ソファを捨てたい」 gets the fee and the application.
        same = [h for h in result.hits if h.document_id == best.document_id and h.passage_id != best.passage_id
                and h.score >= SECOND_SHARE * best.score][:1]
        agreeing = [c.hit for c in decision.maybe if c.hit.score >= SECOND_SHARE * best.score]
        relied = _with_context(municipality, highlighted([best, *same, *agreeing][:MAX_PASSAGES], wanted), wanted)
    nearest = decision.chosen.hit if decision.chosen else (decision.maybe[0].hit if decision.maybe else None)
    answer = Answer(question=result.query, known=known, confidence=confidence, passages=relied,
                    maybe=[] if known else highlighted([c.hit for c in decision.maybe], wanted),
                    contact=contact_for(municipality, nearest or (hits[0] if hits else None)))
    Question.objects.create(municipality=municipality, text=pii.redact(result.query)[0][:500], known=known,
                            document_id=decision.chosen.hit.document_id if decision.chosen else None)
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

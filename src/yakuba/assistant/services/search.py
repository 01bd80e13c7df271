"""Searching a town's knowledge base: its own passages and the national ones, ranked by BM25 over Japanese terms,
each hit with its citation (title, section, URL, version date), score and highlighted terms."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from django.urls import get_script_prefix, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from yakuba.kernel.refusal import Refused
from yakuba.kernel.search import index as search_index
from yakuba.kernel.search import rerank, semantic
from yakuba.kernel.search.text import highlight_spans, normalise, terms, tokens_with_spans
from yakuba.kernel.tenancy.models import Municipality

from ..models import Document, IndexState, Kind, Passage

MAX_QUERY = 500  # characters; a question longer than this is refused with a message, not cut silently
NATIONAL = "national"
# Words near in meaning (cosine of the packaged word vectors) join the query: those at least NEAR similar to a
# question's word, at most NEAR_PER_TERM for each, weighted EXPANSION × their similarity.
NEAR = 0.6
NEAR_PER_TERM = 3
EXPANSION = 0.5
# A word in more than COMMON of the passages (and more than COMMON_AT_LEAST) is not expanded: 下仁田町, 良い, 時.
COMMON = 0.03
COMMON_AT_LEAST = 3


@dataclass
class Hit:
    passage_id: int
    document_id: int
    public_id: str
    title: str
    kind: str
    section: str
    anchor: str
    text: str
    score: float
    version_date: date | None
    url: str
    source: str
    department: str = ""
    department_phone: str = ""
    national: bool = False
    highlights: list[tuple[int, int]] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)

    @property
    def citation(self) -> str:
        """「下仁田町廃棄物条例 第3条第2項」"""
        return f"{self.title} {self.section}".strip()

    def marked(self) -> SafeString:
        """The passage as HTML with the matched terms in <mark>."""
        return mark(self.text, self.highlights)

    def as_json(self) -> dict[str, Any]:
        return {"title": self.title, "section": self.section, "url": self.url, "score": round(self.score, 4),
                "text": self.text, "kind": self.kind, "version_date": self.version_date.isoformat()
                if self.version_date else None, "source": self.source, "national": self.national,
                "highlights": [list(span) for span in self.highlights]}


def mark(text: str, spans: list[tuple[int, int]] | list[list[int]]) -> SafeString:
    """`text` as HTML with the given (start, end) spans in <mark>, everything else escaped."""
    parts: list[str] = []
    position = 0
    for start, end in spans:
        if start < position or end > len(text):
            continue
        parts.append(escape(text[position:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308  (every piece is escaped above)


@dataclass
class Result:
    query: str
    terms: list[str]
    hits: list[Hit]
    near: dict[str, list[tuple[str, float]]] = field(default_factory=dict)  # query term → corpus words near it


def check_query(query: str) -> str:
    query = (query or "").strip()
    if not query:
        raise Refused(_("質問や調べたい言葉を入力してください。"))
    if len(query) > MAX_QUERY:
        raise Refused(_("%(max)d文字以内で入力してください（いま%(count)d文字です）。")
                           % {"max": MAX_QUERY, "count": len(query)})
    return query


def generation_key(municipality: Municipality | None) -> str:
    return NATIONAL if municipality is None else str(municipality.pk)


def _generations(municipality: Municipality) -> tuple[int, int]:
    found = dict(IndexState.objects.filter(key__in=[str(municipality.pk), NATIONAL])
                 .values_list("key", "generation"))
    return found.get(str(municipality.pk), 0), found.get(NATIONAL, 0)


def _passages(municipality: Municipality) -> Any:
    """Every live passage the town searches: its own and the national ones (read inside the town's scope)."""
    return Passage.with_national.filter(document__retired_at__isnull=True)


def public_documents(municipality: Municipality) -> Any:
    """Documents a resident of the town may open: public and live, the town's own or national (inside its scope)."""
    return Document.with_national.filter(is_public=True, retired_at__isnull=True, indexed_at__isnull=False)


def _build(municipality: Municipality) -> tuple[search_index.Index, dict[str, object]]:
    rows = list(_passages(municipality).order_by("pk").values_list("pk", "tokens", "document__is_public",
                                                                   "document__kind"))
    from .learned import learned_tokens  # questions staff linked to a passage (imported here: learned uses search)
    learned = learned_tokens(municipality)
    built = search_index.Index([r[0] for r in rows], [r[1].split() + learned.get(r[0], []) for r in rows])
    vectors = semantic.word_vectors()
    return built, {"public": np.asarray([r[2] for r in rows], dtype=bool),
                   "kind": np.asarray([r[3] for r in rows], dtype=object), "learned": learned,
                   "vocabulary": semantic.VocabularyVectors(vectors, built.vocabulary) if vectors else None}


def town_index(municipality: Municipality) -> tuple[search_index.Index, dict[str, Any]]:
    return search_index.cached(f"assistant:{municipality.pk}", _generations(municipality),
                               lambda: _build(municipality))


def neighbours(built: search_index.Index, extra: dict[str, Any], query: str,
               wanted: list[str]) -> dict[str, list[tuple[str, float]]]:
    """The corpus words near each of the query's rarer terms in meaning (none without word vectors)."""
    vocabulary: semantic.VocabularyVectors | None = extra.get("vocabulary")
    if vocabulary is None:
        return {}
    normalised = normalise(query)
    surfaces = {t.term: normalised[t.start:t.end] for t in tokens_with_spans(normalised)}
    common = max(COMMON * built.size, COMMON_AT_LEAST)
    rare = [t for t in wanted if t not in built.vocabulary or built.document_frequency(t) <= common]
    return vocabulary.neighbours(rare, threshold=NEAR, per_term=NEAR_PER_TERM, surfaces=surfaces).near


def search(municipality: Municipality, query: str, *, public: bool, kinds: Collection[str] | None = None,
           limit: int = 10, semantic_terms: bool = True, highlight: bool = True) -> Result:
    """The best passages for `query`. `public` limits them to documents residents may see. With
    `semantic_terms` (and the word vectors installed), words near the query's in meaning also count, less."""
    query = check_query(query)
    wanted = terms(query)
    built, extra = town_index(municipality)
    near = neighbours(built, extra, query, wanted) if semantic_terms else {}
    expansion = {word: EXPANSION * similarity for word, similarity in semantic.Neighbours(near).expansion().items()
                 if word not in wanted}
    allowed: np.ndarray | None = None
    if public:
        allowed = extra["public"]
    if kinds:
        by_kind = np.isin(extra["kind"], list(kinds))
        allowed = by_kind if allowed is None else allowed & by_kind
    reranker = rerank.configured()
    scores = built.weighted_scores(wanted, expansion) if expansion else None
    ranked = built.search(wanted, limit * 3 if reranker else limit, allowed, scores)
    hits = passages_as_hits(municipality, ranked, set(wanted) | set(expansion) if highlight else None)
    if reranker is not None and hits:
        hits = rerank.apply(reranker, query, hits, key=lambda hit: hit.text, set_score=_set_score)[:limit]
    return Result(query=query, terms=wanted, hits=hits, near=near)


def _set_score(hit: Hit, score: float) -> None:
    hit.score = score


def passages_as_hits(municipality: Municipality, ranked: list[tuple[int, float]],
                     wanted: set[str] | None) -> list[Hit]:
    """Hits for (passage id, score) pairs, in their order, with `wanted` terms highlighted (None: not yet; see
    highlighted())."""
    if not ranked:
        return []
    rows = {p.pk: p for p in _passages(municipality).filter(pk__in=[pk for pk, _ in ranked])
            .select_related("document__department")}
    hits = []
    for pk, score in ranked:
        passage = rows.get(pk)
        if passage is None:  # removed since the index was built; the next generation drops it
            continue
        document = passage.document
        department = document.department
        hits.append(Hit(
            passage_id=pk, document_id=document.pk, public_id=str(document.public_id), title=document.title,
            kind=document.kind, section=passage.path, anchor=passage.anchor, text=passage.text, score=score,
            version_date=document.version_date, url=passage_url(document, passage), source=document.source,
            department=department.name if department else "", department_phone=department.phone if department else "",
            national=document.municipality_id is None,
            highlights=highlight_spans(passage.text, wanted) if wanted is not None else []))
    return hits


def highlighted(hits: list[Hit], wanted: set[str]) -> list[Hit]:
    """`hits` with `wanted` terms highlighted (for hits found with highlight=False, once the shown ones are known)."""
    for hit in hits:
        hit.highlights = highlight_spans(hit.text, wanted)
    return hits


def passage_url(document: Document, passage: Passage) -> str:
    """Where a citation points: the document's own page on the platform (public or staff), or its given URL."""
    if document.url.startswith("/"):  # a platform path, stored without the town's prefix
        base = get_script_prefix().rstrip("/") + document.url
    elif document.url:
        base = document.url
    elif document.is_public:
        base = reverse("assistant:document", args=[document.public_id])
    else:
        base = reverse("staff:assistant-document", args=[document.public_id])
    return f"{base}#{passage.anchor}" if passage.anchor and "#" not in base else base


def coverage(municipality: Municipality, query_terms: list[str], passage_terms: Collection[str],
             near: dict[str, list[tuple[str, float]]] | None = None, *, parts: bool = True) -> float:
    """How much of the question a passage answers: the idf-weighted share of the question's terms it contains.
    A term no passage has weighs as much as the rarest known term, so a question about something absent from the
    knowledge base scores low however well its other words match. A term the passage lacks counts in part when a
    word `near` it in meaning is there: by that word's similarity; a compound when its `parts` are there."""
    return coverage_of(municipality, query_terms, passage_terms, near, parts=parts)[0]


def _compounds(query_terms: list[str]) -> dict[str, list[str]]:
    """The query's compound terms and the runs of its terms they are made of (申し込み方法 → 申し込み, 方法)."""
    found: dict[str, list[str]] = {}
    for start in range(len(query_terms)):
        for end in range(start + 2, min(start + 5, len(query_terms)) + 1):
            run = query_terms[start:end]
            joined = "".join(run)
            if joined in query_terms and joined not in run and joined not in found:
                found[joined] = run
    return found


def coverage_of(municipality: Municipality, query_terms: list[str], passage_terms: Collection[str],
                near: dict[str, list[tuple[str, float]]] | None = None, *,
                parts: bool = True) -> tuple[float, frozenset[str]]:
    """coverage() and the question's terms the passage answers (itself or by a near word)."""
    built, _ = town_index(municipality)
    unique = set(query_terms)
    if not unique:
        return 0.0, frozenset()
    rarest = float(np.log(1 + (built.size - 0.5) / 1.5)) if built.size else 1.0  # the idf of a term in one passage
    weights = {t: (built.idf(t) or rarest) for t in unique}
    total = sum(weights.values())
    near = near or {}
    credit = {t: 1.0 if t in passage_terms else max((s for n, s in near.get(t, ()) if n in passage_terms),
                                                    default=0.0) for t in unique}
    for term, run in (_compounds(query_terms) if parts else {}).items():  # 申し込み方法: 申込み and 方法 apart
        credit[term] = max(credit[term], min(credit[p] for p in run))
    found = sum(weights[t] * credit[t] for t in unique)
    return (found / total if total else 0.0), frozenset(t for t, c in credit.items() if c > 0)

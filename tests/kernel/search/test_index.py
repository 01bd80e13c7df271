"""BM25 indexes and their per-process cache; the optional reranker interface."""

from __future__ import annotations

import numpy as np
from django.test import override_settings

from yakuba.kernel.search import index, rerank
from yakuba.kernel.search.text import terms

PASSAGES = {10: "粗大ごみは事前に申し込んでください。", 11: "職員のテレワーク実施率の目標は50%です。",
            12: "燃えるごみは月曜日と木曜日に出してください。"}


def build() -> index.Index:
    return index.Index(list(PASSAGES), [terms(text) for text in PASSAGES.values()])


def test_ranks_the_passage_with_the_rare_terms_first():
    found = build().search(terms("粗大ごみの出し方"), 3)
    assert [pk for pk, _ in found][:2] == [10, 12]
    assert found[0][1] > found[1][1] > 0


def test_unknown_and_empty_queries_find_nothing():
    built = build()
    assert built.search(terms("宇宙旅行"), 3) == []
    assert built.search([], 3) == []
    assert index.Index([], []).search(terms("ごみ"), 3) == []


def test_a_mask_leaves_passages_out():
    built = build()
    found = built.search(terms("ごみ"), 3, allowed=built.mask(lambda pk: pk != 10))
    assert [pk for pk, _ in found] == [12]


def test_idf_is_higher_for_rarer_terms():
    built = build()
    assert built.idf("粗大塵") > built.idf("塵") > 0
    assert built.document_frequency("塵") == 2
    assert built.idf("宇宙") == 0.0


def test_the_cache_rebuilds_only_when_the_generation_changes():
    built = []

    def make() -> tuple[index.Index, dict[str, object]]:
        built.append(1)
        return build(), {"n": len(built)}

    index.forget("t")
    first = index.cached("t", (1, 0), make)
    again = index.cached("t", (1, 0), make)
    newer = index.cached("t", (2, 0), make)
    assert first[0] is again[0] and newer[0] is not first[0]
    assert len(built) == 2
    index.forget("t")


class ReverseReranker:
    """A reranker that prefers shorter passages: enough to show the interface reorders and rescores."""

    def scores(self, query: str, passages: list[str]) -> list[float]:
        return [1.0 / len(p) for p in passages]


@override_settings(SEARCH_RERANKER="tests.kernel.search.test_index.ReverseReranker")
def test_a_configured_reranker_reorders_and_rescores():
    reranker = rerank.configured()
    assert isinstance(reranker, ReverseReranker)
    items = [["long passage text"], ["short"]]
    ordered = rerank.apply(reranker, "q", items, key=lambda item: item[0],
                           set_score=lambda item, score: item.append(score))
    assert [item[0] for item in ordered] == ["short", "long passage text"]
    assert np.isclose(ordered[0][1], 0.2)


def test_no_reranker_unless_configured():
    assert rerank.configured() is None

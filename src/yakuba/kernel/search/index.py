"""BM25 indexes (bm25s) over passages' stored terms, kept in memory per process and rebuilt when their
generation changes. Building reads only terms already stored by ingestion, so it is fast and needs no MeCab."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

K1 = 1.2
B = 0.75


class Index:
    """An immutable BM25 index: passage ids and their terms."""

    def __init__(self, ids: Sequence[int], token_lists: Sequence[Sequence[str]]) -> None:
        import bm25s

        self.ids = np.asarray(ids, dtype=np.int64)
        self.size = len(ids)
        self._position = {int(pk): i for i, pk in enumerate(self.ids)}
        self._bm25 = bm25s.BM25(k1=K1, b=B, method="lucene")
        if self.size:
            self._bm25.index([list(t) for t in token_lists], show_progress=False)
        self.vocabulary: dict[str, int] = dict(self._bm25.vocab_dict) if self.size else {}

    def scores(self, query: Sequence[str]) -> np.ndarray:
        known = [t for t in query if t in self.vocabulary]
        if not known or not self.size:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def weighted_scores(self, query: Sequence[str], extra: dict[str, float]) -> np.ndarray:
        """BM25 of `query` plus, for each further term of `extra`, its own BM25 times its weight (a query expanded
        with words near in meaning, each counting less than the words asked)."""
        scores = self.scores(query).astype(np.float32, copy=True)
        matrix = self._bm25.scores
        for term, weight in extra.items():
            column = self.vocabulary.get(term)
            if column is None or weight <= 0:
                continue
            start, end = matrix["indptr"][column], matrix["indptr"][column + 1]
            np.add.at(scores, matrix["indices"][start:end], weight * matrix["data"][start:end])
        return scores

    def search(self, query: Sequence[str], k: int, allowed: np.ndarray | None = None,
               scores: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The best `k` (passage id, score) pairs with a positive score; `allowed` masks passages out; `scores`, when
        given, are used instead of the query's BM25."""
        scores = self.scores(query) if scores is None else scores
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        if not self.size or k <= 0:
            return []
        k = min(k, self.size)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(self.ids[i]), float(scores[i])) for i in top if scores[i] > 0]

    def mask(self, wanted: Callable[[int], bool]) -> np.ndarray:
        return np.fromiter((wanted(int(pk)) for pk in self.ids), dtype=bool, count=self.size)

    def idf(self, term: str) -> float:
        """Lucene's idf of a term (0 when unknown): how much finding it in a passage tells."""
        if term not in self.vocabulary or not self.size:
            return 0.0
        frequency = self.document_frequency(term)
        return float(np.log(1 + (self.size - frequency + 0.5) / (frequency + 0.5)))

    def document_frequency(self, term: str) -> int:
        matrix = self._bm25.scores
        column = self.vocabulary[term]
        return int(matrix["indptr"][column + 1] - matrix["indptr"][column])


@dataclass
class _Entry:
    generation: object
    index: Index
    extra: dict[str, object]


_cache: dict[str, _Entry] = {}
_lock = threading.Lock()


def cached(key: str, generation: object, build: Callable[[], tuple[Index, dict[str, object]]]) -> tuple[
        Index, dict[str, object]]:
    """The index for `key` at `generation`, built once per process and generation. `build` returns the index and
    anything the caller wants kept beside it (e.g. per-passage attributes for masks)."""
    entry = _cache.get(key)
    if entry is not None and entry.generation == generation:
        return entry.index, entry.extra
    with _lock:
        entry = _cache.get(key)
        if entry is None or entry.generation != generation:
            index, extra = build()
            entry = _cache[key] = _Entry(generation, index, extra)
    return entry.index, entry.extra


def forget(key: str | None = None) -> None:
    """Drop cached indexes (tests; a town removed)."""
    if key is None:
        _cache.clear()
    else:
        _cache.pop(key, None)

"""An optional second ranking stage (e.g. a dense-embedding model) behind a small interface. It is enabled only when
settings.SEARCH_RERANKER names a class whose model is installed locally; nothing is ever downloaded at run time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Protocol, TypeVar

from django.conf import settings
from django.utils.module_loading import import_string

T = TypeVar("T")


class Reranker(Protocol):
    def scores(self, query: str, passages: Sequence[str]) -> Sequence[float]:
        """One score per passage, higher is better."""
        ...


@cache
def _load(path: str) -> Reranker:
    return import_string(path)()  # type: ignore[no-any-return, unused-ignore]


def configured() -> Reranker | None:
    path = settings.SEARCH_RERANKER
    return _load(path) if path else None


def apply(reranker: Reranker, query: str, items: list[T], *, key: Callable[[T], str],
          set_score: Callable[[T, float], None]) -> list[T]:
    """`items` in the reranker's order, each given its new score."""
    scores = list(reranker.scores(query, [key(item) for item in items]))
    for item, score in zip(items, scores, strict=True):
        set_score(item, float(score))
    order = sorted(range(len(items)), key=lambda i: (-scores[i], i))
    return [items[i] for i in order]

"""Meaning beside shared words: the Japanese word vectors shipped in the PyPI package `ja-ginza` (MIT; chiVe-based,
300 dimensions, 480,443 words folded onto 20,000 vectors), read with numpy alone — neither spaCy nor GiNZA is
imported, and nothing is downloaded at run time.

The package is installed without its dependencies (`pip install --no-deps ja-ginza==5.3.0`): only two of its files
are read, each checked against the sha256 pinned here before use, so an altered or half-written file is refused.
When the package is absent or a file does not match, search goes on with BM25 alone and a warning is logged once.

spaCy keys a word by the 64-bit MurmurHash64A (seed 1) of its UTF-8 text; `key2row` is a msgpack map from those keys
to rows of `vectors` (a .npy array). Both formats are read here in a few lines rather than with msgpack and spaCy."""

from __future__ import annotations

import hashlib
import logging
import struct
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

PACKAGE = "ja_ginza"
PACKAGE_NAME = "ja-ginza 5.3.0"
FOLDER = "ja_ginza-5.3.0/vocab"
# file → sha256, as published in the ja_ginza-5.3.0 wheel.
PINNED: dict[str, str] = {
    "vectors": "8c16f062e90069d86fc58df57af9c9c948aae9b0033684332c99538fbdcff4bf",
    "key2row": "dee5b86de2f94dac1f48db1115ad21a94755e370debb78b5cc46dbcf3950cad0",
}
_M = 0xC6A4A7935BD1E995
_MASK = (1 << 64) - 1


class VectorsUnavailable(RuntimeError):
    """The word vectors cannot be used (missing or altered files); the message says which and what to do."""


def murmurhash64a(text: str, seed: int = 1) -> int:
    """spaCy's key of a string: MurmurHash64A of its UTF-8 bytes (seed 1), as an unsigned 64-bit integer."""
    data = text.encode("utf-8")
    length = len(data)
    h = (seed ^ (length * _M)) & _MASK
    blocks = length // 8
    for (k,) in struct.iter_unpack("<Q", data[: blocks * 8]):
        k = (k * _M) & _MASK
        k ^= k >> 47
        k = (k * _M) & _MASK
        h ^= k
        h = (h * _M) & _MASK
    tail = data[blocks * 8:]
    if tail:
        h ^= int.from_bytes(tail, "little")
        h = (h * _M) & _MASK
    h ^= h >> 47
    h = (h * _M) & _MASK
    h ^= h >> 47
    return h


_UINT = {0xCC: (">B", 1), 0xCD: (">H", 2), 0xCE: (">I", 4), 0xCF: (">Q", 8)}


def read_key2row(data: bytes) -> dict[int, int]:
    """A msgpack map of unsigned integers to unsigned integers (what spaCy writes as key2row)."""
    if not data:
        return {}
    position = 0

    def unsigned() -> int:
        nonlocal position
        marker = data[position]
        if marker < 0x80:  # positive fixint
            position += 1
            return marker
        if marker not in _UINT:
            raise VectorsUnavailable(f"key2row: unexpected msgpack type {marker:#x} at byte {position}")
        layout, size = _UINT[marker]
        value = struct.unpack_from(layout, data, position + 1)[0]
        position += 1 + size
        return int(value)

    marker = data[0]
    if 0x80 <= marker <= 0x8F:
        count, position = marker & 0x0F, 1
    elif marker == 0xDE:
        count, position = struct.unpack_from(">H", data, 1)[0], 3
    elif marker == 0xDF:
        count, position = struct.unpack_from(">I", data, 1)[0], 5
    else:
        raise VectorsUnavailable(f"key2row is not a msgpack map (first byte {marker:#x})")
    rows: dict[int, int] = {}
    for _ in range(count):
        key = unsigned()
        rows[key] = unsigned()
    return rows


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class WordVectors:
    """Unit-length word vectors looked up by word; words without a vector are simply not known."""

    def __init__(self, vectors: np.ndarray, rows: dict[int, int], name: str = PACKAGE_NAME) -> None:
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        self.vectors = (vectors / np.maximum(norms, 1e-9)).astype(np.float32)
        self.rows = rows
        self.name = name
        self.dimensions = int(vectors.shape[1]) if vectors.ndim == 2 else 0

    def row(self, word: str) -> int | None:
        """The vector row of `word`, trying the spellings UniDic lemmas and chiVe's normalised forms differ in
        (ソファ / ソファー)."""
        for candidate in (word, word + "ー" if word[-1:].isalpha() and _katakana(word) else None):
            if candidate:
                found = self.rows.get(murmurhash64a(candidate))
                if found is not None and found < len(self.vectors):
                    return found
        return None

    def vector(self, word: str) -> np.ndarray | None:
        found = self.row(word)
        return None if found is None else self.vectors[found]

    def matrix(self, words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(vectors of the words that have one, their indexes in `words`)."""
        found = [(i, r) for i, w in enumerate(words) if w and (r := self.row(w)) is not None]
        if not found:
            return np.zeros((0, self.dimensions), dtype=np.float32), np.zeros(0, dtype=np.int64)
        indexes = np.asarray([i for i, _ in found], dtype=np.int64)
        return self.vectors[[r for _, r in found]], indexes


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.linalg.norm(vector)), 1e-9)


def _katakana(word: str) -> bool:
    return all("\u30a0" <= char <= "\u30ff" for char in word)


def package_folder() -> Path:
    spec = find_spec(PACKAGE)  # finds the package without importing it (its __init__ imports spaCy)
    if spec is None or not spec.submodule_search_locations:
        raise VectorsUnavailable(f"The Python package {PACKAGE} is not installed "
                                 f"(pip install --no-deps {PACKAGE_NAME.replace(' ', '==')}).")
    return Path(next(iter(spec.submodule_search_locations))) / FOLDER


def load(folder: Path, pinned: dict[str, str] | None = None) -> WordVectors:
    """The vectors in `folder` (files `vectors` and `key2row`), each checked against its pinned sha256 first."""
    pinned = PINNED if pinned is None else pinned
    for name, expected in pinned.items():
        path = folder / name
        if not path.is_file():
            raise VectorsUnavailable(f"{path} is missing; reinstall {PACKAGE_NAME}.")
        actual = sha256_of(path)
        if actual != expected:
            raise VectorsUnavailable(f"{path} does not match its pinned sha256 (expected {expected}, found "
                                     f"{actual}): the file was altered or is incomplete; reinstall {PACKAGE_NAME}.")
    vectors = np.load(folder / "vectors", allow_pickle=False)
    if vectors.ndim != 2:
        raise VectorsUnavailable(f"{folder / 'vectors'} is not a matrix")
    return WordVectors(vectors, read_key2row((folder / "key2row").read_bytes()))


_loaded: list[WordVectors | None] = []
_lock = threading.Lock()


def word_vectors() -> WordVectors | None:
    """The packaged word vectors, loaded and verified once per process; None (with one warning logged) when they
    cannot be used, and search then ranks by shared words alone."""
    if _loaded:
        return _loaded[0]
    with _lock:
        if not _loaded:
            try:
                _loaded.append(load(package_folder()))
            except (VectorsUnavailable, OSError, ValueError) as error:
                logger.warning("Search without word vectors (BM25 only): %s", error)
                _loaded.append(None)
    return _loaded[0]


def use(vectors: WordVectors | None) -> None:
    """Set the vectors search uses (tests; a switch for the bench). `forget()` goes back to the packaged ones."""
    with _lock:
        _loaded[:] = [vectors]


def forget() -> None:
    with _lock:
        _loaded.clear()


@dataclass(frozen=True)
class Neighbours:
    """For each query term, the corpus words nearest in meaning with their similarity (the term itself excluded)."""

    near: dict[str, list[tuple[str, float]]]

    def expansion(self) -> dict[str, float]:
        """Each near word once, with its best similarity (weights for a query expanded into BM25)."""
        weights: dict[str, float] = {}
        for words in self.near.values():
            for word, similarity in words:
                weights[word] = max(weights.get(word, 0.0), similarity)
        return weights


class VocabularyVectors:
    """The vectors of a corpus's vocabulary, to find the corpus words nearest a query's words."""

    def __init__(self, vectors: WordVectors, vocabulary: Iterable[str]) -> None:
        self.words_all = list(vocabulary)
        matrix, indexes = vectors.matrix(self.words_all)
        self.words = [self.words_all[i] for i in indexes]
        self.matrix = matrix
        self.vectors = vectors

    def neighbours(self, query_terms: Sequence[str], *, threshold: float, per_term: int,
                   surfaces: dict[str, str] | None = None) -> Neighbours:
        """Corpus words at least `threshold` similar to each query term (at most `per_term` each). A term's vector
        is that of the term and of the word as written in the question (`surfaces`), together."""
        near: dict[str, list[tuple[str, float]]] = {}
        if not len(self.words):
            return Neighbours(near)
        asked: list[str] = []
        vectors: list[np.ndarray] = []
        for term in dict.fromkeys(query_terms):
            vector = self.vectors.vector(term)
            written = self.vectors.vector(surfaces[term]) if surfaces and surfaces.get(term, term) != term else None
            if written is not None:  # both when they differ: 箪笥 (the lemma) and タンス (as written)
                vector = written if vector is None else _unit(vector + written)
            if vector is not None:
                asked.append(term)
                vectors.append(vector)
        if not asked:
            return Neighbours(near)
        similarities = self.matrix @ np.stack(vectors).T  # one product for all the query's words
        count = min(per_term + 1, len(self.words))
        for column, term in enumerate(asked):
            similarity = similarities[:, column]
            best = np.argpartition(-similarity, count - 1)[:count]
            best = best[np.argsort(-similarity[best], kind="stable")]
            found = [(self.words[i], float(similarity[i])) for i in best
                     if similarity[i] >= threshold and self.words[i] != term][:per_term]
            if found:
                near[term] = found
        return Neighbours(near)

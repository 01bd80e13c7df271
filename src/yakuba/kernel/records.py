"""Public records apps offer each other (open dataset rows, assistant documents, map points), and a signal on change.

Apps share records here, never through each other's models. A providing app registers its sources in its
`records.py` (imported from AppConfig.ready) and announces changes of its own rows; a consuming app reads the
sources and listens to `changed`:

    register_rows(RowSource("reservations.facility", facility_rows, datasets=(...), chosen=True))
    announce_saves("reservations.facility", Facility, Room)

Every provider runs inside the town's scope. A record's `key` is stable for the life of the record (a slug or
primary key), unique within its kind and town.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.dispatch import Signal

from yakuba.kernel.accounts.models import Department
from yakuba.kernel.tenancy.models import Municipality

# Sent after the transaction that changed records of a kind commits, once per (kind, town) and transaction:
# sender is the kind (e.g. "applications.procedure"), with keyword arguments kind and municipality_id.
changed = Signal()
# Sent at once, the first time records of a kind change in a transaction (which may still roll back), with the same
# arguments: for caches that must not serve a page the same transaction already changed. `changed` follows on commit.
changing = Signal()


# Rows for generated open datasets ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """One public record as a row. `values` are keyed by the column names of the 自治体標準オープンデータセット
    (the national vocabulary for public records: 名称, 所在地_連結表記, 緯度, 開始日, URL, …)."""

    key: str
    values: Mapping[str, object]


@dataclass(frozen=True)
class RowSource:
    kind: str  # e.g. "reservations.facility"
    rows: Callable[[Municipality], list[Row]]  # the town's public records, in a stable order
    datasets: tuple[str, ...]  # the standard datasets (their ids: "public-facilities", "events") rows may go in
    # True: a row goes in a dataset only where the town chose it (a facility is 公共施設, 子育て施設 or neither).
    chosen: bool = False
    staff_url: Callable[[], str] | None = None  # the staff page where the records are kept, if any


_rows: dict[str, RowSource] = {}


def register_rows(source: RowSource) -> RowSource:
    _register(_rows, source.kind, source, "rows")
    return source


def row_sources(dataset: str | None = None) -> list[RowSource]:
    """Every row source, or those whose rows may go in `dataset`, by kind."""
    found = [s for s in _rows.values() if dataset is None or dataset in s.datasets]
    return sorted(found, key=lambda s: s.kind)


def rows(kind: str, municipality: Municipality) -> list[Row]:
    """The town's records of `kind` (none when no app offers that kind)."""
    source = _rows.get(kind)
    return source.rows(municipality) if source is not None else []


def rows_staff_url(kind: str) -> str:
    """The staff page where records of `kind` are kept ('' when no app says)."""
    source = _rows.get(kind)
    return source.staff_url() if source is not None and source.staff_url is not None else ""


# Documents for the assistant ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Document:
    """A page residents can read now, kept by the assistant as a document it answers from."""

    key: str  # e.g. "applications.procedure:12"
    category: str  # "procedure" (手続の案内) or "notice" (お知らせ): what kind of document it is to a reader
    title: str
    text: str  # the whole text, as the assistant indexes it
    url: str  # the platform path (reverse()), which the reader follows
    version_date: date | None  # None: the record has no date of its own (generated from settings)
    department: Department | None = None
    name: str = ""  # a stable human name within its kind (a slug), for finding one record, e.g. the contact form


@dataclass(frozen=True)
class DocumentSource:
    kind: str  # e.g. "applications.procedure"
    documents: Callable[[Municipality], Iterable[Document]]  # every document residents can read now
    find: Callable[[str], Document | None]  # the readable document called `name` (Document.name), or None


_documents: dict[str, DocumentSource] = {}


def register_documents(source: DocumentSource) -> DocumentSource:
    _register(_documents, source.kind, source, "documents")
    return source


def document_sources() -> list[DocumentSource]:
    """Every document source, in registration order (the apps' order)."""
    return list(_documents.values())


def find_document(kind: str, name: str) -> Document | None:
    """The readable document of `kind` called `name` (inside the town's scope), or None."""
    source = _documents.get(kind)
    return source.find(name) if source is not None else None


# Map points --------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MapPoint:
    key: str
    title: str
    layer: str  # the name of the layer it is on, as residents see it
    latitude: Decimal
    longitude: Decimal
    observed_at: datetime
    url: str  # its public page


@dataclass(frozen=True)
class PointSource:
    kind: str  # e.g. "opendata.point"
    topic: str  # what the points are about: "disasters" (災害発生箇所, for the 防災情報ボード)
    points: Callable[[int], list[MapPoint]]  # the newest public points of the topic, newest first, at most n
    map_url: Callable[[], str] | None = None  # the map that shows them


_points: dict[str, PointSource] = {}


def register_points(source: PointSource) -> PointSource:
    _register(_points, source.kind, source, "points")
    return source


def point_sources(topic: str) -> list[PointSource]:
    return sorted((s for s in _points.values() if s.topic == topic), key=lambda s: s.kind)


def points(topic: str, limit: int) -> list[MapPoint]:
    """The newest public points of `topic` across every source, newest first (inside the town's scope)."""
    found = [p for source in point_sources(topic) for p in source.points(limit)]
    return sorted(found, key=lambda p: p.observed_at, reverse=True)[:limit]


def map_url(topic: str) -> str:
    """The page of the map that shows the points of `topic` ('' when no source says)."""
    return next((s.map_url() for s in point_sources(topic) if s.map_url is not None), "")


def _register(registry: dict[str, Any], kind: str, source: Any, function: str) -> None:
    current = registry.get(kind)
    if current is not None and getattr(current, function) is not getattr(source, function):
        raise ValueError(f"records of {kind} are registered twice")
    registry[kind] = source


# Changes -----------------------------------------------------------------------------------------------------------

class _Announcements:
    """The (kind, town) pairs changed in one transaction, sent together once it commits."""

    def __init__(self) -> None:
        self.pairs: dict[tuple[str, int], None] = {}  # ordered: consumers hear changes in the order they happened
        self.sent = False

    def __call__(self) -> None:
        self.sent = True
        # One transaction around the sending, so that consumers which queue work "once per transaction"
        # (enqueue_once_on_commit) queue it once for every kind that changed, not once per kind.
        with transaction.atomic():
            for kind, municipality_id in self.pairs:
                changed.send(sender=kind, kind=kind, municipality_id=municipality_id)


def announce(kind: str, municipality_id: int) -> None:
    """Tell consumers that records of `kind` of the town changed, after the current transaction commits (once per
    transaction; nothing if it rolls back). Outside a transaction they hear it at once."""
    connection = transaction.get_connection()
    # Not one already sent: tests run callbacks without committing (captureOnCommitCallbacks), which leaves them listed.
    waiting = next((entry[1] for entry in connection.run_on_commit
                    if isinstance(entry[1], _Announcements) and not entry[1].sent), None)
    if connection.in_atomic_block and waiting is not None:
        # A pair added inside a savepoint that later rolls back is still sent: consumers only re-read the
        # records, so a spare announcement costs one refresh and loses nothing.
        if (kind, municipality_id) not in waiting.pairs:
            changing.send(sender=kind, kind=kind, municipality_id=municipality_id)
        waiting.pairs[(kind, municipality_id)] = None
        return
    changing.send(sender=kind, kind=kind, municipality_id=municipality_id)
    announcements = _Announcements()
    announcements.pairs[(kind, municipality_id)] = None
    transaction.on_commit(announcements)


def announce_saves(kind: str, *models: type[Any]) -> None:
    """Announce `kind` whenever a row of one of `models` (each with a municipality) is saved or deleted."""
    from django.db.models.signals import post_delete, post_save

    def on_change(sender: Any, instance: Any, **kwargs: Any) -> None:
        announce(kind, instance.municipality_id)

    for model in models:
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(on_change, sender=model, weak=False,
                           dispatch_uid=f"records:{kind}:{model._meta.label}:{name}")

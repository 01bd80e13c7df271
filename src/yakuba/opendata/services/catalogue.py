"""The town's catalogue: every dataset kind the schemas define, with the town's dataset and its current version."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from yakuba.kernel.tenancy.models import Municipality

from .. import definitions
from ..definitions import Definition
from ..models import Dataset, Version


@dataclass
class Entry:
    definition: Definition
    dataset: Dataset
    version: Version | None  # the newest published version, None while nothing is published
    versions: list[Version]


def ensure_datasets(municipality: Municipality) -> list[Dataset]:
    """Create the town's dataset for every defined kind that it lacks (titles from the schema)."""
    existing = {d.kind: d for d in Dataset.objects.filter(municipality=municipality)}
    for defn in definitions.definitions():
        if defn.kind not in existing:
            existing[defn.kind] = Dataset.objects.create(municipality=municipality, kind=defn.kind, title=defn.title,
                                                         description=defn.description)
    return [existing[d.kind] for d in definitions.definitions()]


def entries(*, published_only: bool = True) -> list[Entry]:
    """The catalogue in the plan's order (call inside the town's scope)."""
    datasets = {d.kind: d for d in Dataset.objects.select_related("department", "municipality").prefetch_related(
        Prefetch("versions", queryset=Version.objects.order_by("-number")))}
    found = []
    for defn in definitions.definitions():
        dataset = datasets.get(defn.kind)
        if dataset is None:
            continue
        versions = list(dataset.versions.all())
        if published_only and not versions:
            continue
        found.append(Entry(definition=defn, dataset=dataset, version=versions[0] if versions else None,
                           versions=versions))
    return found


def entry(kind: str, *, published_only: bool = True) -> Entry | None:
    return next((e for e in entries(published_only=published_only) if e.definition.kind == kind), None)

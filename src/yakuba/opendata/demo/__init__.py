"""Demo open data: the rows of demo/rows.py (real public places where we are confident, the rest marked
「デモ用の架空データ」 in 備考), 施設予約's demo facilities listed in 公共施設一覧 / 子育て施設一覧 (their places are
invented, and say so in 備考), and each town's first versions. Idempotent: a dataset whose rows are unchanged gets
no new version."""

from __future__ import annotations

from yakuba.kernel import records
from yakuba.kernel.accounts.models import Department
from yakuba.kernel.ops.demo import Town, _upsert
from yakuba.kernel.tenancy.models import Municipality

# Which of 施設予約's demo facilities (its kernel.records rows) each generated list shows.
FACILITY_RECORDS = "reservations.facility"
LISTED = {"kominkan": "public-facilities", "taiikukan": "public-facilities", "ground": "public-facilities",
          "kosodate": "childcare-facilities"}
DEMO_NOTE = "デモ用の架空データ"
# Which department keeps which dataset: the first department whose name holds one of the words.
KEEPERS = {"evacuation-sites": ("総務",), "fire-hydrants": ("総務",), "aed": ("保健", "健康"),
           "medical-institutions": ("保健", "健康"), "care-services": ("福祉", "保健", "健康"),
           "cultural-properties": ("教育",), "tourist-spots": ("産業", "企画", "地域", "農林"),
           "public-toilets": ("産業", "企画", "地域", "建設"), "public-wifi": ("企画", "総務"),
           "population": ("住民",)}


def _department(kind: str) -> Department | None:
    departments = list(Department.objects.order_by("sort_order", "name"))
    for word in KEEPERS.get(kind, ("総務",)):
        found = next((d for d in departments if word in d.name), None)
        if found is not None:
            return found
    return next((d for d in departments if "総務" in d.name), None)


def _listings(municipality: Municipality) -> None:
    from ..models import Listing

    offered = {row.key for row in records.rows(FACILITY_RECORDS, municipality)}
    for key, dataset in LISTED.items():
        if key in offered:
            _upsert(Listing, {"municipality": municipality, "source": FACILITY_RECORDS, "key": key},
                    {"dataset": dataset, "remarks": DEMO_NOTE})


def load(municipality: Municipality, town: Town) -> None:
    """Called by `yakuba demo` for each town inside its scope and transaction."""
    from .. import definitions, generated
    from ..models import Origin
    from ..services import catalogue, editing, publish
    from ..services.tables import Table, check, fill_town
    from .rows import ROWS

    _listings(municipality)
    for dataset in catalogue.ensure_datasets(municipality):
        defn = definitions.get(dataset.kind)
        if defn is None or defn.generated:
            continue
        if dataset.department_id is None:
            dataset.department = _department(dataset.kind)
            dataset.save(update_fields=["department", "updated_at"])
        given = ROWS.get(town.slug, {}).get(dataset.kind, [])
        if not given:
            continue
        table = Table(header=defn.names, rows=[{n: str(row.get(n, "")) for n in defn.names} for row in given],
                      lines=list(range(2, len(given) + 2)))
        fill_town(table, municipality)
        problems, _count = check(defn, municipality, table)
        if problems:
            raise ValueError(f"demo rows of {town.slug}/{dataset.kind} are invalid: {problems[:3]}")
        current = publish.current_version(dataset)
        if current is not None and publish.read(current).rows == table.rows:
            continue
        editing.replace_rows(dataset, table.rows)
        publish.publish(dataset, table.rows, origin=Origin.IMPORT, note="デモデータ")
    generated.refresh(municipality)

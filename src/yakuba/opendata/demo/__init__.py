"""Demo open data: the rows of demo/rows.py (real public places where we are confident, the rest marked
「デモ用の架空データ」 in 備考), the demo facilities placed on the map for 公共施設一覧 / 子育て施設一覧,
and each town's first versions. Idempotent: a dataset whose rows are unchanged gets no new version."""

from __future__ import annotations

from decimal import Decimal

from yakuba.kernel.accounts.models import Department
from yakuba.kernel.ops.demo import Town
from yakuba.kernel.tenancy.models import Municipality

# The town offices (役場), approximately; the demo facilities are placed around them (they are invented).
CENTRES = {"shimonita": (Decimal("36.2124"), Decimal("138.7886")), "kanra": (Decimal("36.2376"), Decimal("138.9213")),
           "nakanojo": (Decimal("36.5896"), Decimal("138.8413")), "oyama": (Decimal("35.3600"), Decimal("138.9873"))}
# (slug, 種別, offset north, offset east) of the reservations demo facilities.
FACILITIES = (("kominkan", "公民館", Decimal("0.0021"), Decimal("0.0017")),
              ("taiikukan", "体育館", Decimal("-0.0032"), Decimal("0.0041")),
              ("ground", "運動場", Decimal("-0.0047"), Decimal("-0.0038")))
CHILDCARE = ("kosodate", "子育て支援センター", Decimal("0.0012"), Decimal("-0.0026"))
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


def _facilities(municipality: Municipality, town: Town) -> None:
    from yakuba.reservations.models import Facility, OpendataList

    lat, lon = CENTRES.get(town.slug, (None, None))
    if lat is None or lon is None:
        return
    for slug, category, north, east in FACILITIES:
        Facility.objects.filter(slug=slug).update(
            category=category, opendata_list=OpendataList.PUBLIC, latitude=lat + north, longitude=lon + east,
            opening_hours="9:00〜21:00（休館日を除く）", remarks=DEMO_NOTE)
    slug, category, north, east = CHILDCARE
    department = _department("care-services")
    if department is not None and not Facility.objects.filter(slug=slug).exists():
        Facility.objects.create(
            municipality=municipality, slug=slug, name=f"{town.name}{category}", category=category,
            description="未就学児と保護者が自由に遊べる親子ひろばと、子育ての相談窓口があります。",
            department=department, opendata_list=OpendataList.CHILDCARE, latitude=lat + north, longitude=lon + east,
            opening_hours="月〜金 9:00〜16:00（祝日・年末年始を除く）", remarks=DEMO_NOTE, sort_order=90)


def load(municipality: Municipality, town: Town) -> None:
    """Called by `yakuba demo` for each town inside its scope and transaction."""
    from .. import definitions, generated
    from ..models import Origin
    from ..services import catalogue, editing, publish
    from ..services.tables import Table, check, fill_town
    from .rows import ROWS

    _facilities(municipality, town)
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

"""The demo's knowledge base: each town's DX plans (the seed texts), its FAQ (one document per question), demo
ordinances, rules, guidelines and help pages written for the demo, and its published procedures and notices.

Everything is written with `upsert` under a stable key, so a second load writes nothing new. The demo ordinances are
not real: each says so in its text and in its source. The plans are the towns' own published plans, as shipped in
seeds/ (the DX plans the project is built from; HTML list tags removed).
"""

from __future__ import annotations

import json
from datetime import date
from importlib import resources
from typing import Any

from yakuba.kernel.accounts.models import Department
from yakuba.kernel.ops.demo import Town
from yakuba.kernel.tenancy.models import Municipality

from ..models import Kind
from ..services import sources
from ..services.ingest import DocumentFields, resplit, upsert

# town code -> (seed, title, version date) of the plans shipped in seeds/plan_<seed>.txt
PLANS: dict[str, list[tuple[str, str, date | None]]] = {
    "103829": [("000", "下仁田町DX推進計画（令和8年度～令和10年度）", None),
               ("004", "下仁田町DX推進計画【第2.1版】", date(2023, 11, 1))],
    "104213": [("001", "中之条町DX推進計画", None)],
    "103845": [("002", "甘楽町DX推進計画", None)],
    "223441": [("003", "小山町デジタル・トランスフォーメーション（DX）ガイドライン", None)],
}
FAQ_SOURCE = "デモ用のFAQ（架空の内容を含みます）"
RULES_SOURCE = "デモ用に作成した例規（実在の例規ではありません）"
HELP_SOURCE = "このサイトのヘルプ（デモ）"
LEGAL = (Kind.ORDINANCE, Kind.RULE, Kind.GUIDELINE)


def _files() -> Any:
    return resources.files(__package__)


def _json(path: str) -> Any:
    return json.loads(_files().joinpath(path).read_text(encoding="utf-8"))


def load(municipality: Municipality, town: Town) -> None:
    """Called by `yakuba demo` for each town inside its scope and transaction, after the other apps' demo data."""
    departments = {d.name: d for d in Department.objects.all()}
    office = departments.get(town.departments[0][0])  # the office that runs the DX plan
    for seed, title, version_date in PLANS.get(town.code, []):
        text = _files().joinpath(f"seeds/plan_{seed}.txt").read_text(encoding="utf-8")
        upsert(municipality, source_key=f"demo.plan:{seed}", text=text, fields=DocumentFields(
            kind=Kind.PLAN, title=title, department=office, version_date=version_date,
            source=f"{town.name}のDX推進計画（公表資料）"))
    data = _files().joinpath(f"data/{town.code}")
    if data.is_dir():
        for number, item in enumerate(_json(f"data/{town.code}/faq.json"), 1):
            upsert(municipality, source_key=f"demo.faq:{number:03d}", text=item["answer"], fields=DocumentFields(
                kind=Kind.FAQ, title=item["question"], department=departments.get(item["department"]),
                source=FAQ_SOURCE))
        for item in _json(f"data/{town.code}/documents.json"):
            text = data.joinpath(item["file"]).read_text(encoding="utf-8")
            kind = Kind(item["kind"])
            upsert(municipality, source_key=f"demo.document:{item['file']}", text=text, fields=DocumentFields(
                kind=kind, title=item["title"], department=departments.get(item["department"]),
                version_date=date.fromisoformat(item["version_date"]) if item.get("version_date") else None,
                source=RULES_SOURCE if kind in LEGAL else HELP_SOURCE))
    sources.sync(municipality)
    resplit(municipality)  # a demo loaded before an upgrade of the splitting rules gets today's passages

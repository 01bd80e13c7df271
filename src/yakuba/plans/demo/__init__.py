"""The five seed plans as data (one JSON file per seed, in the interchange format), loaded into their towns, with
the demo's live KPIs and a year of recorded progress.

The seed files hold only what the plans say. What the demo adds is kept apart here: which seed indicators are
bound to a platform metric, and indicators a town might add when it reviews its plan (「指標は毎年度見直し」, plan
000), marked as demo additions; and some progress so the dashboard and the council report have content.
Idempotent: a second load writes nothing new.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

from django.utils import timezone

from yakuba.kernel.accounts.models import Role, Staff
from yakuba.kernel.ops.demo import Town
from yakuba.kernel.tenancy.models import Municipality

# seed file -> town code (../shared/seeds/: 000 and 004 下仁田町, 001 中之条町, 002 甘楽町, 003 小山町)
SEEDS = {
    "seed_000.json": "103829",
    "seed_004.json": "103829",
    "seed_001.json": "104213",
    "seed_002.json": "103845",
    "seed_003.json": "223441",
}

# (seed file, the start of a seed indicator's words) -> the metric that measures it
BINDINGS = {
    ("seed_000.json", "電子申請の活用促進："): "applications.departments_online",
    ("seed_000.json", "窓口入力支援システムの活用："): "applications.counter_visits_per_month",
    ("seed_000.json", "RAGを活用した条例、要綱等のデータベース化"): "assistant.documents",
    ("seed_000.json", "電子決裁システムの導入: 電子決裁利用率"): "approvals.electronic_share",
    ("seed_000.json", "テレワークの推進: 年間のテレワーク延べ実施日数"): "attendance.telework_days",
    ("seed_000.json", "ホームページの見直し：全ページの棚卸し完了率"): "website.inventory_rate",
    ("seed_000.json", "ホームページ情報の構造化・整理: 構造化対応率"): "website.structured_rate",
}

ADDED_KIND = "追加指標（デモ）"

# (seed file, measure title) -> indicators the town added at its yearly review (demo data, not in the seed)
ADDITIONS: dict[tuple[str, str], list[tuple[str, str, str, str]]] = {
    ("seed_000.json", "行政サービスの利便性向上"): [
        ("オンラインで受け付けた申請の割合50%以上", "50", "%", "applications.online_submissions")],
    ("seed_000.json", "情報発信の強化"): [
        ("お知らせの配信登録者数300人以上", "300", "人", "notices.subscribers")],
    ("seed_000.json", "防災インフラの強化"): [
        ("防災情報の「確認しました」の割合70%以上", "70", "%", "notices.emergency_confirmation_rate")],
    ("seed_002.json", "電子申請の活用"): [
        ("オンラインで受け付けた申請の割合50%以上", "50", "%", "applications.online_submissions")],
    ("seed_002.json", "予約システムの導入"): [
        ("オンラインで受け付けた予約の割合50%以上", "50", "%", "reservations.online_share"),
        ("公共施設の稼働率30%以上", "30", "%", "reservations.occupancy")],
    ("seed_002.json", "相互コミュニケーションツールの導入"): [
        ("お知らせの配信登録者数500人以上", "500", "人", "notices.subscribers")],
    ("seed_001.json", "行政サービスの向上"): [
        ("自治体標準オープンデータセットの公開数10件以上", "10", "件", "opendata.datasets_published")],
    ("seed_003.json", "オープンデータの拡充と統計情報活用の推進"): [
        ("自治体標準オープンデータセットの公開数14件", "14", "件", "opendata.datasets_published")],
}

# (seed file, measure title) -> (status, comment) recorded for the current 年度 by the demo's 情報担当
PROGRESS: dict[tuple[str, str], tuple[str, str]] = {
    ("seed_000.json", "行政事務の効率化"): (
        "in_progress", "電子決裁システムの整備を開始。勤怠管理は3社のデモ体験を実施済み（デモ）。"),
    ("seed_000.json", "生成AIの活用"): ("considering", "ガイドラインの見直し案を作成中（デモ）。"),
    ("seed_000.json", "行政サービスの利便性向上"): (
        "in_progress", "書かない窓口と電子申請を運用中。利用状況は自動計測で確認（デモ）。"),
    ("seed_000.json", "情報発信の強化"): ("in_progress", "メール・LINE・プッシュ通知での配信を開始（デモ）。"),
    ("seed_000.json", "防災インフラの強化"): ("considering", "防災個別受信機のタブレット化を比較検討中（デモ）。"),
    ("seed_000.json", "デジタルデバイド対策"): ("in_progress", "移動型スマホ教室を2回実施（デモ）。"),
}

# (seed file, start of a seed indicator's words) -> (value or "", achieved, note) recorded for the current 年度
VALUES: dict[tuple[str, str], tuple[str, bool | None, str]] = {
    ("seed_000.json", "勤怠管理システムの導入:"): ("3", None, "3社の機器のデモ体験を実施（デモ）"),
    ("seed_000.json", "スマホ教室の実施："): ("2", None, "上半期に2回実施（デモ）"),
    ("seed_000.json", "全庁的な意識改革・DXの機運醸成："): ("", True, "職員意識調査を実施（デモ）"),
}


@cache
def seed(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files(__package__).joinpath(name).read_text("utf-8"))
    return data


def available() -> list[str]:
    return [name for name in SEEDS if resources.files(__package__).joinpath(name).is_file()]


def demo_data(name: str) -> dict[str, Any]:
    """The seed with the demo's bindings and added indicators."""
    from yakuba.kernel import metrics

    data = copy.deepcopy(seed(name))
    for policy in data["policies"]:
        for measure in policy["measures"]:
            for indicator in measure.get("indicators", []):
                for (file, start), key in BINDINGS.items():
                    metric = metrics.get(key)
                    if file == name and indicator["text"].startswith(start) and metric is not None:
                        indicator["metric"] = key
                        indicator["unit"] = metric.unit
            year = data["start_year"]
            for text, target, unit, key in ADDITIONS.get((name, measure["title"]), []):
                measure.setdefault("indicators", []).append({
                    "kind": ADDED_KIND, "text": text, "action": "", "target": target, "unit": unit,
                    "comparator": "gte", "baseline": None, "baseline_year": None, "due_year": year, "metric": key,
                    "from_seed": False})
    return data


def load(municipality: Municipality, town: Town) -> None:
    """Called by `yakuba demo` for each town inside its scope and transaction."""
    from ..services.exchange import save_plan

    for name in available():
        if SEEDS[name] == municipality.code:
            plan = save_plan(municipality, demo_data(name))
            _progress(municipality, plan, name)


def _progress(municipality: Municipality, plan: Any, name: str) -> None:
    from ..models import Indicator, IndicatorValue, Measure, StatusReport
    from ..periods import fiscal_year
    from ..services import progress

    year = fiscal_year(timezone.localdate())
    if year not in plan.years:
        return
    staff = Staff.objects.filter(municipality=municipality, role=Role.ADMIN).order_by("pk").first()
    if staff is None:
        return
    for (file, title), (status, comment) in PROGRESS.items():
        measure = Measure.objects.filter(plan=plan, title=title).first()
        if file == name and measure and not StatusReport.objects.filter(measure=measure, year=year).exists():
            progress.report_status(staff, measure, year=year, status=status, comment=comment)
    for (file, start), (value, achieved, note) in VALUES.items():
        indicator = Indicator.objects.filter(measure__plan=plan, text__startswith=start).first()
        if file == name and indicator and not IndicatorValue.objects.filter(indicator=indicator, year=year).exists():
            progress.record_value(staff, indicator, progress.ValueInput(year=year, value=value, achieved=achieved,
                                                                         note=note))

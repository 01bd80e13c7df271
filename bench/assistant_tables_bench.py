"""AI問い合わせ: questions about the plans' tables (KPI targets, schedules, survey answers) over the whole demo corpus.

For five questions per town (its DX plan's targets, schedule rows and survey lists), the rank of the first passage
holding the expected words in the town's public BM25 search, and the top passage (its plan, section and text). The
questions are the ones of issue 28's "Tables and lists are text too"; the expected words are the row's own.

Run: .venv/bin/python bench/assistant_tables_bench.py   (loads the demo into a temporary SQLite database, a few
minutes; prints figures; never asserts)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from demo_db import setup_demo  # noqa: E402

# town code -> (question, words of the passage that answers it)
QUESTIONS = {
    "103829": [("マイナンバーカードの保有率の目標は", "保有率85%"), ("電子決裁の利用率の目標は", "電子決裁利用率80%"),
               ("テレワークの実施日数の目標は", "延べ実施日数30日"),
               ("勤怠管理システムはいつ導入しますか", "勤怠管理システムの導入"),
               ("スマホ教室は年に何回開きますか", "年5回以上")],
    "104213": [("マイナンバーカードの保有率は", "83.2%"),
               ("テレワークのスケジュールは", "テレワークが可能な業務の選定・拡大"),
               ("GIGAスクール構想はいつ推進しますか", "GIGAスクール構想の推進、地域課題"),
               ("推進期間はいつまでですか", "推進期間"),
               ("内部情報系システムの導入時期は", "内部調査・調整、内部情報系")],
    "103845": [("文字起こしAIはいつ導入しますか", "文字起こしAIの活用 ／ 令和"),
               ("電子申請の導入スケジュールは", "電子申請の活用 ／ 令和"),
               ("勤怠管理システムの導入時期は", "勤怠管理システムの導入 ／ 令和"),
               ("計画期間はいつからいつまで", "令和6年度～令和10年度"), ("総合戦略の基本目標は", "基本 目 標")],
    "223441": [("町民は何で情報を得ているか", "広報おやま"), ("町民意識調査の回収率は", "47.1%"),
               ("デジタル化を期待する行政サービスは", "緊急情報の入手"),
               ("デジタル化で配慮すべきことは", "プライバシーの保護"),
               ("町民意識調査の対象は", "20歳以上80歳未満")],
}


def main() -> None:
    started = time.perf_counter()
    setup_demo()
    print(f"demo loaded in {time.perf_counter() - started:.0f} s")
    from django_scopes import scope

    from yakuba.assistant.models import Passage
    from yakuba.assistant.services import search
    from yakuba.kernel.tenancy.models import Municipality

    firsts = total = 0
    for code, questions in QUESTIONS.items():
        town = Municipality.objects.get(code=code)
        with scope(municipality=town):
            print(f"\n{town.name} ({Passage.objects.count()} passages)")
            for question, expected in questions:
                hits = search.search(town, question, public=True).hits
                rank = next((i + 1 for i, hit in enumerate(hits) if expected in hit.text), None)
                firsts, total = firsts + (rank == 1), total + 1
                top = hits[0] if hits else None
                print(f"  {question}: rank {rank or '-'} of {len(hits)}")
                if top is not None:
                    print(f"    top: {top.title[:24]} | {top.section[-40:]} | {top.text[:70]!r}")
    print(f"\nfirst: {firsts}/{total}")


if __name__ == "__main__":
    main()

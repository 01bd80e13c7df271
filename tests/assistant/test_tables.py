"""Tables and lists in plans are text too: KPI runs, schedules, survey answers and HTML tables become passages of
rows that keep their headers, under the section path of their heading; the seed plans' chapters read right."""

from __future__ import annotations

from importlib import resources

from django_scopes import scope

from yakuba.assistant.models import Format, Kind, Passage
from yakuba.assistant.services import extract, search, tables
from yakuba.assistant.services.structure import LIMIT, split

from .conftest import add_document


def seed(name: str) -> str:
    return resources.files("yakuba.assistant.demo").joinpath(f"seeds/plan_{name}.txt").read_text(encoding="utf-8")


def rows(text: str) -> list[str]:
    return [section.text for section in split(text, legal=False)]


# ---------------------------------------------------------------- the seed plans


def test_kpi_row_of_plan_000_is_a_passage_with_its_header_and_section():
    sections = split(seed("000"), legal=False)
    [kpi] = [s for s in sections if "マイナンバーカード保有率85%以上" in s.text]
    assert kpi.text == ("初年度指標(小さな一歩：行動) / 目指す成果\n"
                        "マイナンバーカードの普及・活用検討：マイナンバーカード保有率85%以上")
    assert kpi.path == ("3 | DXで何をするの? ～アクションプラン～ > 2. 町民サービスDX > "
                        "取組項目① 行政サービスの利便性向上")
    schedule = next(s for s in sections if s.text.startswith("取組内容とスケジュール\n取組内容：電子決裁"))
    assert schedule.text.endswith("取組内容：電子決裁システムの導入 ／ R8：システム整備 ／ R9：財務連携検討 ／ "
                                  "R10：運用継続・利用率拡大")
    assert all(len(s.text) <= LIMIT for s in sections)


def test_a_kpi_cell_of_pairs_gives_a_row_per_pair_and_a_value_keeps_its_words():
    sections = split(seed("000"), legal=False)
    texts = [s.text for s in sections]
    head = "初年度指標(小さな一歩：行動) / 目指す成果\n"
    assert head + "ホームページの見直し：全ページの棚卸し完了率 100%" in texts
    assert head + "スマホ教室の実施：移動型スマホ教室を年5回以上実施" in texts  # 「・ 」 dropped


def test_plan_000_chapters_after_the_table_of_contents():
    paths = {s.path for s in split(seed("000"), legal=False)}
    assert "1 | なぜDXに取り組むのか？ ～目的と背景～ > 0. DXの定義" in paths  # its title repeated without 「1 |」
    assert "1 | なぜDXに取り組むのか？ ～目的と背景～ > 3. 国・県のDX推進動向" in paths
    assert "2 | 何を目指すのか？ ～基本理念と方針～ > 3. 計画の位置づけと期間" in paths
    assert "3 | DXで何をするの? ～アクションプラン～ > 1. 庁内業務DX > 取組項目② 生成AIの活用" in paths
    assert ("4 | DXを成功させるために > DX推進の原則解説 1. 町民目線をいちばんに考える（誰のためのDXかを忘れない） > "
            "【なぜ大切？】") in paths
    assert not any(path.startswith("3 | DXで何をするの？ ～アクションプラン～ > 0.") for path in paths)


def test_plan_001_policy_headings_and_its_first_chapter():
    sections = split(seed("001"), legal=False)
    paths = {s.path for s in sections}
    assert "I 背景・目的 > ■社会的背景" in paths
    assert "4 計画推進の基本方針 > 方針 1-(2) マイナンバーカードの取得支援・利用の推進 > ■現状と課題" in paths
    assert "4 計画推進の基本方針 > 方針 2 - (2) 自治体の A I の利用推進 > ■今後の取り組み" in paths
    assert "4 計画推進の基本方針 > 方針4 セキュリティ対策の徹底 > ■現状と課題" in paths
    assert not any("【方針4】" in path and "■" in path for path in paths)  # every 方針 was under 【方針4】
    bar = next(s for s in sections if "テレワークが可能な業務の選定" in s.text)
    assert bar.text == "2026(令和8)年度～2030(令和12)年度：テレワークが可能な業務の選定・拡大、テレワークの実施"
    assert not any("1\t背景・目的\t1" in s.text and "：" in s.text.split("\n")[0] for s in sections)  # 目次 is no table


def test_survey_answers_keep_their_question():
    sections = split(seed("003"), legal=False)
    [answers] = [s for s in sections if "広報おやま" in s.text and "1位" in s.text]
    assert answers.text.split("\n")[:4] == ["町の情報の入手手段", "1位：広報おやま", "2位：無線放送", "3位：区の回覧物"]
    assert answers.path == "【V- 町民意識】③ > テーマ② 行政デジタル化に関する認知度・満足度"
    overview = [s.text for s in sections if s.text.startswith("令和3年度町民意識調査の概要\n")]
    assert "令和3年度町民意識調査の概要\n回収率：47.1%" in overview


def test_schedule_rows_repeat_a_merged_first_cell():
    texts = rows(seed("002"))
    assert ("甘楽町のDX目標：庁内のデジタル対応 ／ No.：8 ／ 対応施策：文字起こしAIの活用 ／ "
            "令和9年度 (2027年度)：要件整理 → 製品選定・試験運用 → 導入") in [text.split("\n")[-1] for text in texts]


# ---------------------------------------------------------------- the reader


def test_survey_list_with_shares_under_its_question():
    text = ("# 町民アンケート\n\nふだん町の情報を何で得ていますか\n"
            "1. 広報しもにた 62.4%\n2. 防災無線 48.0%\n3. 町ホームページ 21.5%\n")
    [section] = split(text, legal=False)
    assert section.path == "町民アンケート"
    assert section.text == "ふだん町の情報を何で得ていますか\n広報しもにた 62.4%\n防災無線 48.0%\n町ホームページ 21.5%"


def test_markdown_and_pipe_tables_keep_their_header():
    text = ("## 数値目標\n\n| 指標 | 現状値 | 目標値（令和10年度） |\n|---|---|---|\n"
            "| マイナンバーカード保有率 | 78% | 85%以上 |\n| 電子申請の利用率 | 20% | 80%以上 |\n")
    assert rows(text) == [
        "指標：マイナンバーカード保有率 ／ 現状値：78% ／ 目標値（令和10年度）：85%以上",
        "指標：電子申請の利用率 ／ 現状値：20% ／ 目標値（令和10年度）：80%以上"]


def test_html_table_with_th_becomes_rows_that_keep_their_header():
    page = ("<html><body><h2>成果指標</h2><table><caption>KPI</caption>"
            "<tr><th>KPI</th><th>目標</th><th>年度</th></tr>"
            "<tr><td>マイナンバーカード保有率</td><td>85%以上</td><td>令和10年度</td></tr>"
            "<tr><td>コンビニ交付の件数</td><td>50件以上</td><td>令和8年度</td></tr></table></body></html>")
    text = extract.extract(page.encode(), Format.HTML)
    sections = split(text, legal=False)
    assert [s.path for s in sections] == ["成果指標", "成果指標"]
    assert sections[0].text == "KPI\nKPI：マイナンバーカード保有率 ／ 目標：85%以上 ／ 年度：令和10年度"
    assert sections[1].text == "KPI\nKPI：コンビニ交付の件数 ／ 目標：50件以上 ／ 年度：令和8年度"


def test_html_row_headers_read_as_pairs():
    page = ("<html><body><h2>調査の概要</h2><table><tr><th>対象</th><td>20歳以上の町民</td></tr>"
            "<tr><th>回収率</th><td>47.1%</td></tr></table></body></html>")
    assert rows(extract.extract(page.encode(), Format.HTML)) == ["対象：20歳以上の町民", "回収率：47.1%"]


def pdf_of_cells(rows: list[list[tuple[int, str]]]) -> bytes:
    """A one-page PDF with each cell written at its own x position (Helvetica, ASCII), one row every 16 points."""
    shown = " ".join(f"BT /F1 12 Tf {x} {720 - 16 * y} Td ({cell}) Tj ET"
                     for y, row in enumerate(rows) for x, cell in row)
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(shown)} >>\nstream\n{shown}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    pdf = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(pdf)
    pdf += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    pdf += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    pdf += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return pdf


def test_pdf_table_rows_keep_their_header_and_prose_stays_as_it_reads():
    data = pdf_of_cells([[(72, "KPI"), (250, "Now"), (400, "Target")],
                         [(72, "Card rate"), (250, "78%"), (400, "85% or more")],
                         [(72, "e-filing"), (250, "20%"), (400, "80%")],
                         [(72, "A plain sentence of prose follows the table.")]])
    text = extract.extract(data, Format.PDF)
    assert text.split("\n") == ["KPI\tNow\tTarget", "Card rate\t78%\t85% or more", "e-filing\t20%\t80%",
                                "A plain sentence of prose follows the table."]
    assert rows(text) == ["KPI：Card rate ／ Now：78% ／ Target：85% or more",
                          "KPI：e-filing ／ Now：20% ／ Target：80%", "A plain sentence of prose follows the table."]


def test_a_caption_above_a_grid_and_its_caption_row_are_both_kept():
    text = "## 工程表\n導入スケジュール\n取組内容とスケジュール\t\t\n取組内容\tR8\tR9\n電子決裁\t導入\t運用\n"
    assert rows(text) == ["導入スケジュール\n取組内容とスケジュール\n取組内容：電子決裁 ／ R8：導入 ／ R9：運用"]


def test_space_aligned_rows_of_a_pdf_text_layer():
    text = ("## 工程表\n取組  R8  R9  R10\n電子決裁  導入  運用  拡大\n勤怠管理  検討  導入  運用\n")
    assert rows(text) == ["取組：電子決裁 ／ R8：導入 ／ R9：運用 ／ R10：拡大",
                          "取組：勤怠管理 ／ R8：検討 ／ R9：導入 ／ R10：運用"]


def test_prose_is_no_table():
    prose = ("# お知らせ\n"
             "参考：総務省の自治体DX推進計画（https://www.soumu.go.jp/main_content/001045879.pdf）\n"
             "受付時間：平日8時30分から17時15分まで。土日祝日は休みです。\n"
             "窓口は役場1階です。10:00から説明会を開きます。\n"
             "- 証明書の交付\n- 転入・転出の届出\n"
             "※1 RPA : Robotic Process Automationの略。\n\n※2 AI : Artificial Intelligenceの略。\n"
             "\t1\t表の行\n")
    [section] = split(prose, legal=False)
    assert section.text == prose.split("\n", 1)[1].strip("\n")
    assert tables.pairs("参考：総務省の計画より 自治体DXの重点取組事項") == [
        ("参考", "総務省の計画より 自治体DXの重点取組事項")]
    assert tables.pairs("詳しくは https://example.jp/a をご覧ください") == []


def test_a_procedure_page_with_two_pairs_stays_one_passage():
    text = ("住民票の写しの交付\n住民票の写しを交付します。\n\n必要なもの\n本人確認書類\n\n手数料: 300円\n"
            "標準処理期間: 1日\n\n担当: 住民課\n電話: 0274-82-2111\nこの手続はオンラインで申請できます。")
    assert rows(text) == [text]


def test_a_heading_row_of_numbers_is_no_heading_in_a_table():
    text = "## 施策一覧\n1 | 電子申請 | 令和8年度\n2 | 施設予約 | 令和9年度\n"
    sections = split(text, legal=False)
    assert [s.path for s in sections] == ["施策一覧", "施策一覧"]
    assert sections[0].text == "1 ／ 電子申請 ／ 令和8年度"


# ---------------------------------------------------------------- search


def test_kpi_row_ranks_first_for_its_question(town_a):
    document = add_document(town_a, "下仁田町DX推進計画（令和8年度～令和10年度）", seed("000"), kind=Kind.PLAN)
    with scope(municipality=town_a):
        hits = search.search(town_a, "マイナンバーカードの保有率の目標は", public=True).hits
        assert hits[0].document_id == document.pk
        assert "マイナンバーカード保有率85%以上" in hits[0].text
        assert hits[0].section.endswith("取組項目① 行政サービスの利便性向上")
        assert Passage.objects.filter(document=document, text__contains="1位").count() == 0


def test_pages_the_platform_writes_keep_their_lines_together(town_a):
    text = "粗大ごみの収集\n手数料: 500円\n持ち物: 収集券\n場所: 各家庭の前\n受付: 電話で申し込み"
    document = add_document(town_a, "粗大ごみの収集", text, kind=Kind.NOTICE, key="notices.notice:1")
    uploaded = add_document(town_a, "粗大ごみの収集（計画）", text, kind=Kind.PLAN)
    with scope(municipality=town_a):
        assert list(Passage.objects.filter(document=document).values_list("text", flat=True)) == [text]
        assert Passage.objects.filter(document=uploaded).count() == 1
        assert Passage.objects.get(document=uploaded).text.startswith("粗大ごみの収集\n手数料：500円")

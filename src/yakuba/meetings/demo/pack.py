"""The demo's meeting documents, drawn as PDFs with WeasyPrint (real text layers, so search inside the pack works):
a 120-page 補正予算書 of made-up figures, and short explanatory papers. Built once per process."""

from __future__ import annotations

import functools
import random

BUDGET_SECTIONS = ("議会費", "総務費", "民生費", "衛生費", "労働費", "農林水産業費", "商工費", "土木費", "消防費",
                   "教育費", "災害復旧費", "公債費")
ITEMS = ("報酬", "給料", "職員手当等", "共済費", "報償費", "旅費", "需用費", "役務費", "委託料", "使用料及び賃借料",
         "工事請負費", "備品購入費", "負担金補助及び交付金", "扶助費", "積立金")
STYLE = """
@page { size: A4; margin: 18mm 16mm; @bottom-center { content: "- " counter(page) " -"; font-size: 9pt; } }
body { font-family: "Noto Sans CJK JP", sans-serif; font-size: 10.5pt; line-height: 1.6; }
h1 { font-size: 16pt; } h2 { font-size: 13pt; border-bottom: 1px solid #333; }
table { width: 100%; border-collapse: collapse; } th, td { border: 1px solid #555; padding: 2pt 4pt; }
td.n { text-align: right; } section { page-break-after: always; }
"""


def _render(body: str) -> bytes:
    from weasyprint import HTML

    page = f'<html lang="ja"><head><style>{STYLE}</style></head><body>{body}</body></html>'
    pdf: bytes = HTML(string=page).write_pdf()
    return pdf


@functools.cache
def budget(pages: int = 120, *, town: str = "下仁田町") -> bytes:
    """資料1 補正予算書: a cover, a summary, then one page per 款・項 with its 目 and 節 (figures are made up, the same
    for every load: seeded)."""
    rng = random.Random(f"{town}:{pages}")
    sheets = [f"<section><h1>令和8年度 {town}一般会計補正予算書（第5号）</h1><p>{town}議会 令和8年第4回定例会 提出</p>"
              "<p>歳入歳出予算の補正：既定の歳入歳出予算の総額に歳入歳出それぞれ 1億2,345万円を追加する。</p>"
              "</section>"]
    for page in range(2, pages + 1):
        section = BUDGET_SECTIONS[(page - 2) % len(BUDGET_SECTIONS)]
        rows = []
        for item in rng.sample(ITEMS, 6):
            before = rng.randrange(100, 90000) * 1000
            change = rng.randrange(-500, 2000) * 1000
            rows.append(f"<tr><td>{item}</td><td class=n>{before:,}</td><td class=n>{change:+,}</td>"
                        f"<td class=n>{before + change:,}</td></tr>")
        sheets.append(
            f"<section><h2>歳出 第{(page - 2) % len(BUDGET_SECTIONS) + 1}款 {section}（{page}ページ）</h2>"
            f"<p>{section}の補正の内容。事業の説明と積算の根拠は各課の説明資料を参照。</p>"
            "<table><thead><tr><th>節</th><th>補正前の額（円）</th><th>補正額（円）</th><th>計（円）</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></section>")
    return _render("".join(sheets))


@functools.cache
def paper(title: str, paragraphs: tuple[str, ...]) -> bytes:
    """A short paper: one page per paragraph."""
    return _render("".join(f"<section><h1>{title}</h1><p>{text}</p></section>" for text in paragraphs))

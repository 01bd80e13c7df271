"""Splitting documents into citable sections: statutes as printed and as lawqa Markdown at 条・項 with their 号,
附則 and citation terms; plans and FAQ at their headings, cut to a readable size."""

from __future__ import annotations

from yakuba.assistant.services.structure import LIMIT, Section, split

ORDINANCE = """下仁田町個人情報保護条例
平成17年3月28日条例第10号
目次
第一章　総則（第一条・第二条）
第二章　個人情報の取扱い（第三条―第三条の二）
附則

第一章　総則
（目的）
第一条　この条例は、個人情報の適正な取扱いに関し必要な事項を定めるものとする。
（定義）
第二条　この条例において、次の各号に掲げる用語の意義は、当該各号に定めるところによる。
一　個人情報　生存する個人に関する情報
二　実施機関　町長及び教育委員会
２　前項の規定にかかわらず、町長が別に定める。
3 前二項に定めるもののほか、必要な事項は規則で定める。
第二章　個人情報の取扱い
第三条　実施機関は、個人情報を収集するときは、次に掲げる場合を除き、本人から収集しなければならない。
（1）　本人の同意があるとき。
（２）　法令に定めがあるとき。
第三条の二　実施機関は、保有個人情報を適正に管理しなければならない。
附　則
１　この条例は、平成17年4月1日から施行する。
２　この条例の施行前にした行為については、なお従前の例による。
附　則（令和3年条例第5号）
この条例は、公布の日から施行する。
"""

# lawqa_jp (デジタル庁), 金商法_第2章_選択式_関連法令_問題番号57, as given.
LAWQA_57 = """## 金融商品取引法
### 第5条
#### 第6項
第一項の規定により届出書を提出しなければならない外国会社（以下「届出書提出外国会社」という。）は、公益又は投資者保護に欠けることがないものとして内閣府令で定める場合には、同項の届出書に代えて、内閣府令で定めるところにより、次に掲げる書類を提出することができる。
##### 第2号
外国において開示が行われている参照書類又は第一項の届出書に類する書類であつて英語で記載されているもの"""

# lawqa_jp, 問題番号58, the first 項's sentence shortened.
LAWQA_58 = """## 金融商品取引法
### 第24条
#### 第1項
有価証券の発行者である会社は、（中略）政令で定める期間内に、内閣総理大臣に提出しなければならない。
##### 第1号
金融商品取引所に上場されている有価証券（特定上場有価証券を除く。）
##### 第3号
その募集又は売出しにつき第四条第一項本文、第二項本文若しくは第三項本文又は第二十三条の八第一項本文若しくは第二項の規定の適用を受けた有価証券（前二号に掲げるものを除く。）
## 金融商品取引法施行令
### 第3条の4
法第二十四条第一項に規定する政令で定める期間は、六月とする。"""


def by_path(sections: list[Section]) -> dict[str, Section]:
    return {section.path: section for section in sections}


def assert_unique_anchors(sections: list[Section]) -> None:
    anchors = [section.anchor for section in sections]
    assert len(anchors) == len(set(anchors)), anchors


# ---------------------------------------------------------------- statutes as printed

def test_statute_sections_are_the_paragraphs_of_each_article_in_order():
    sections = split(ORDINANCE, legal=True)
    assert [(s.path, s.anchor) for s in sections] == [
        ("第1条", "a1"), ("第2条第1項", "a2-1"), ("第2条第2項", "a2-2"), ("第2条第3項", "a2-3"), ("第3条", "a3"),
        ("第3条の2", "a3_2"), ("附則第1項", "suppl-1"), ("附則第2項", "suppl-2"), ("附則", "suppl")]


def test_caption_opens_the_first_paragraph_and_the_original_text_is_kept():
    sections = by_path(split(ORDINANCE, legal=True))
    assert sections["第1条"].text == ("（目的）\n"
                                     "第一条　この条例は、個人情報の適正な取扱いに関し必要な事項を定めるものとする。")
    assert sections["第2条第2項"].text == "２　前項の規定にかかわらず、町長が別に定める。"
    assert sections["第2条第3項"].text.startswith("3 前二項")
    assert all("第一章" not in s.text and "第二章" not in s.text for s in sections.values())


def test_items_stay_inside_their_paragraph_and_name_it_in_the_terms():
    sections = by_path(split(ORDINANCE, legal=True))
    definitions = sections["第2条第1項"]
    assert definitions.text.endswith("一　個人情報　生存する個人に関する情報\n二　実施機関　町長及び教育委員会")
    assert definitions.terms == ("条2", "条2-1", "条2-1-1", "条2-1-2")
    assert sections["第2条第2項"].terms == ("条2", "条2-2", "定義")  # the 条's caption （定義） names every 項
    assert "（２）　法令に定めがあるとき。" in sections["第3条"].text
    assert sections["第3条"].terms == ("条3", "条3-1", "条3-1-1", "条3-1-2")


def test_branch_article_and_supplementary_provisions():
    sections = by_path(split(ORDINANCE, legal=True))
    assert sections["第3条の2"].terms == ("条3の2",)
    assert sections["附則"].text == "この条例は、公布の日から施行する。"
    assert sections["附則第1項"].text.startswith("１　この条例は、平成17年4月1日")
    assert sections["附則"].terms == ()


def test_arabic_numerals_and_ascii_spaces_read_like_kanji():
    text = "第1条 目的を定める。\n2 前項の例外。\n第12条　雑則を定める。\n２ 規則で定める。\n三　第三号"
    sections = split(text, legal=True)
    assert [(s.path, s.anchor, s.terms) for s in sections] == [
        ("第1条第1項", "a1-1", ("条1", "条1-1")), ("第1条第2項", "a1-2", ("条1", "条1-2")),
        ("第12条第1項", "a12-1", ("条12", "条12-1")), ("第12条第2項", "a12-2", ("条12", "条12-2", "条12-2-3"))]


def test_a_number_out_of_sequence_is_no_paragraph():
    sections = split("第五条　町長は、次の額を定める。\n5 万円以下\n3 以上", legal=True)
    assert [s.path for s in sections] == ["第5条"]
    assert sections[0].text.endswith("5 万円以下\n3 以上")


def test_preamble_is_a_section_only_when_it_has_sentences():
    with_preamble = "下仁田町まちづくり基本条例\n\n私たちのまち下仁田町は、豊かな自然に恵まれている。\n\n第一条　目的"
    sections = split(with_preamble, legal=True)
    assert [(s.path, s.anchor) for s in sections] == [("", "s0"), ("第1条", "a1")]
    assert sections[0].text == "私たちのまち下仁田町は、豊かな自然に恵まれている。"
    assert [s.path for s in split(ORDINANCE, legal=True)][0] == "第1条"  # title, 目次 and enactment line only


def test_legal_text_without_articles_splits_at_headings():
    sections = split("# 要綱の運用\n## 1 対象\n町内に住所を有する者とする。町外の者は対象外とする。", legal=True)
    assert [(s.path, s.anchor) for s in sections] == [("要綱の運用 > 1 対象", "s1")]


# ---------------------------------------------------------------- lawqa Markdown

def test_lawqa_paragraph_with_its_item():
    [section] = split(LAWQA_57, legal=True)
    assert (section.path, section.anchor) == ("第5条第6項", "a5-6")
    assert section.terms == ("条5", "条5-6", "条5-6-2")
    assert section.text.startswith("第一項の規定により届出書")
    assert section.text.endswith("第2号\n外国において開示が行われている参照書類又は第一項の届出書に類する書類であつて"
                                 "英語で記載されているもの")


def test_lawqa_several_laws_prefix_the_path_with_the_law():
    sections = split(LAWQA_58, legal=True)
    assert [(s.path, s.anchor, s.terms) for s in sections] == [
        ("金融商品取引法 第24条第1項", "a24-1", ("条24", "条24-1", "条24-1-1", "条24-1-3")),
        ("金融商品取引法施行令 第3条の4", "a3_4", ("条3の4",))]
    assert "第3号\nその募集又は売出し" in sections[0].text


def test_lawqa_items_directly_under_an_article_and_guideline_headings():
    text = ("## 金融商品取引法施行令\n### 第2条の12\n"
            "法第四条第一項第一号に規定する政令で定める場合は、次の各号のいずれかに該当する場合とする。\n"
            "#### 第1号\n株券の発行者である会社が取得勧誘を行う場合\n"
            "## 企業内容等開示ガイドライン\n### B 基本ガイドライン\n#### 4-2\n"
            "次に掲げる場合には、令第2条の12各号に規定する場合に該当しない。")
    article, guideline = split(text, legal=True)
    assert (article.path, article.anchor) == ("金融商品取引法施行令 第2条の12", "a2_12")
    assert article.terms == ("条2の12", "条2の12-1", "条2の12-1-1")
    assert (guideline.path, guideline.anchor) == ("企業内容等開示ガイドライン > B 基本ガイドライン > 4-2", "s1")


def test_lawqa_full_width_numbers_sub_items_and_double_branches():
    text = ("## 医薬品医療機器等法\n#### 第1条の３\n都道府県は施策を策定し、及び実施しなければならない。\n"
            "### 第23条の２の５\n#### 第２項\n次の各号のいずれかに該当するときは、承認は、与えない。\n"
            "##### 第３号\n次のいずれかに該当するとき。\n"
            "###### イ\n効能を有すると認められないとき。")
    first, second = split(text, legal=True)
    assert (first.path, first.anchor, first.terms) == ("第1条の3", "a1_3", ("条1の3",))
    assert (second.path, second.anchor) == ("第23条の2の5第2項", "a23_2_5-2")
    assert second.terms == ("条23の2の5", "条23の2の5-2", "条23の2の5-2-3")
    assert second.text.endswith("第３号\n次のいずれかに該当するとき。\nイ\n効能を有すると認められないとき。")


def test_anchors_stay_unique_when_laws_repeat_article_numbers():
    text = "## 法\n### 第5条\n#### 第6項\n本文一。\n## 施行令\n### 第5条\n#### 第6項\n本文二。\n#### 第6項\n本文三。"
    sections = split(text, legal=True)
    assert [s.anchor for s in sections] == ["a5-6", "a5-6-2", "a5-6-3"]
    assert [s.path for s in sections] == ["法 第5条第6項", "施行令 第5条第6項", "施行令 第5条第6項"]


def test_article_with_text_then_numbered_paragraphs():
    text = "## 条例\n### 第3条\n町長は計画を定める。\n#### 第2項\n前項の計画は公表する。"
    assert [(s.path, s.anchor) for s in split(text, legal=True)] == [("第3条第1項", "a3-1"), ("第3条第2項", "a3-2")]


# ---------------------------------------------------------------- plans, FAQ and help pages

def sentence(n: int, word: str = "町の取組") -> str:
    return "".join(f"{word}について{i}番目の説明をします。" for i in range(n))


def test_heading_chain_from_plan_style_numbering():
    text = (f"第1章 計画の概要\n1 はじめに\n{sentence(3)}\n２．計画の目的\n{sentence(3)}\n（１）対象\n{sentence(3)}\n"
            f"第2章 基本方針\n1 目指す姿\n{sentence(3)}\n【重点】\n{sentence(3)}\n■ 指標\n{sentence(3)}")
    sections = split(text, legal=False)
    assert [s.path for s in sections] == [
        "第1章 計画の概要 > 1 はじめに", "第1章 計画の概要 > ２．計画の目的",
        "第1章 計画の概要 > ２．計画の目的 > （１）対象", "第2章 基本方針 > 1 目指す姿",
        "第2章 基本方針 > 1 目指す姿 > 【重点】", "第2章 基本方針 > 1 目指す姿 > 【重点】 > ■ 指標"]
    assert [s.anchor for s in sections] == ["s1", "s2", "s3", "s4", "s5", "s6"]
    assert all(s.text == sentence(3) for s in sections)  # headings live in the path, not the text


def test_markdown_headings_and_a_heading_followed_by_a_heading():
    text = f"# 窓口案内\n## 住民票\n### 請求できる人\n{sentence(2)}\n## 印鑑登録\n{sentence(2)}"
    sections = split(text, legal=False)
    assert [s.path for s in sections] == ["窓口案内 > 住民票 > 請求できる人", "窓口案内 > 印鑑登録"]


def test_sentences_and_long_numbered_lines_are_not_headings():
    text = ("# 案内\n1 ごみは朝8時までに出してください。\n"
            "2 収集日は地区ごとに異なりますので、町のホームページにある収集日カレンダーをご確認ください\n"
            "① 可燃ごみ\n\t1\t表の行")
    [section] = split(text, legal=False)
    assert section.path == "案内"
    assert section.text.count("\n") == 3


def test_long_section_is_cut_at_paragraphs_within_the_limit():
    paragraphs = [sentence(12, f"施策{n}") for n in range(8)]
    sections = split("## 4 アクションプラン\n" + "\n\n".join(paragraphs), legal=False)
    assert len(sections) > 1
    assert all(len(s.text) <= LIMIT for s in sections)
    assert {s.path for s in sections} == {"4 アクションプラン"}
    assert [s.anchor for s in sections] == ["s1"] + [f"s1-{n}" for n in range(2, len(sections) + 1)]
    assert "".join(s.text for s in sections).replace("\n", "") == "".join(paragraphs)


def test_one_long_line_is_cut_after_sentences():
    line = sentence(80)
    sections = split(line, legal=False)
    assert all(len(s.text) <= LIMIT and s.text.endswith("。") for s in sections)
    assert "".join(s.text for s in sections) == line


def test_tiny_section_joins_its_sibling_with_its_heading():
    text = f"# 計画\n## 1 目的\n{sentence(3)}\n## 2 期間\n令和8年度から5年間。\n## 3 体制\n{sentence(3)}"
    sections = split(text, legal=False)
    assert [s.path for s in sections] == ["計画 > 1 目的", "計画 > 3 体制"]
    assert sections[0].text.endswith("\n\n2 期間\n令和8年度から5年間。")


def test_tiny_first_section_joins_the_next_one():
    text = f"第1章 総論\n概要です。\n1 背景\n{sentence(3)}"
    [section] = split(text, legal=False)
    assert section.path == "第1章 総論 > 1 背景"
    assert section.text.startswith("概要です。\n\n")


def test_text_without_headings_is_chunked_with_an_empty_path():
    paragraphs = [sentence(10, f"お知らせ{n}") for n in range(6)]
    sections = split("\n\n".join(paragraphs), legal=False)
    assert {s.path for s in sections} == {""}
    assert all(len(s.text) <= LIMIT for s in sections)
    assert [s.anchor for s in sections][:2] == ["s1", "s1-2"]
    assert "\n\n".join(s.text for s in sections) == "\n\n".join(paragraphs)  # cut at blank lines only
    assert split("短いお知らせです。", legal=False) == [Section(path="", anchor="s1", text="短いお知らせです。")]


def test_blank_text_has_no_sections():
    assert split("", legal=False) == []
    assert split(" \n\n\u3000\n", legal=True) == []
    assert split("# 見出しだけ\n## 次の見出し", legal=False) == []

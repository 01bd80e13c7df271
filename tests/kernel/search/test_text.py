"""Japanese search terms: lemmas, compounds, synonyms, citations and highlights."""

from __future__ import annotations

import pytest

from yakuba.kernel.search.text import citation_terms, highlight_spans, number, section_terms, terms


def test_inflections_and_scripts_meet_on_one_term():
    assert set(terms("粗大ごみの出し方は？")) & set(terms("粗大ゴミを出したい")) >= {"粗大塵", "出す"}


def test_particles_auxiliaries_and_symbols_are_not_terms():
    found = terms("住民票の写しを取りたいのですが？")
    assert not {"の", "を", "たい", "です", "が", "？"} & set(found)
    assert {"住民票", "写し", "取る"} <= set(found)


def test_adjacent_nouns_also_make_a_compound():
    assert "テレワーク実施率" in terms("テレワーク実施率50%")


def test_synonyms_fold_to_one_term():
    assert "テレワーク" in terms("在宅勤務の目標")
    assert "マイナンバーカード" in terms("個人番号カードの申請")


def test_proper_nouns_keep_their_written_form():
    assert "下仁田" in terms("下仁田町のテレワーク")


@pytest.mark.parametrize(("written", "value"), [("三", 3), ("十二", 12), ("二十", 20), ("百五", 105), ("12", 12),
                                                ("二〇", 20), ("千二百三十四", 1234)])
def test_numbers_in_any_numerals(written, value):
    assert number(written) == value


def test_citations_in_kanji_and_arabic_numerals_give_the_same_terms():
    assert citation_terms("第五条第六項") == citation_terms("第5条第6項") == ["条5", "条5-6"]
    assert citation_terms("第三条の二第２項第一号") == ["条3の2", "条3の2-2", "条3の2-2-1"]
    assert section_terms(7, item=2) == ["条7", "条7-1-2"]


def test_citations_do_not_glue_to_law_names():
    found = terms("金融商品取引法第5条第6項により")
    assert "金融商品取り引き法" in found and "条5-6" in found
    assert not [t for t in found if "条" in t and t.startswith("金融")]


def test_highlights_mark_the_written_words_and_merge():
    text = "粗大ごみは事前に申し込んでください。"
    spans = highlight_spans(text, set(terms("粗大ゴミ")))
    assert [text[a:b] for a, b in spans] == ["粗大ごみ"]


def test_highlights_are_dropped_rather_than_misplaced():
    assert highlight_spans("㍻の粗大ごみ", set(terms("粗大ごみ"))) == []


def test_empty_text_has_no_terms():
    assert terms("") == [] and terms("。、？") == []


def test_an_abbreviation_also_yields_the_words_it_stands_for():
    assert {"減額", "免除"} <= set(terms("使用料の減免"))


def test_a_weekday_question_finds_the_days():
    assert "曜日" in terms("燃えるごみは何曜日？") and "曜日" in terms("月曜日と木曜日に収集します")
    assert "何曜日" not in terms("燃えるごみは何曜日？")

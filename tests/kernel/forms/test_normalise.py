"""Japanese input normalisation: widths, kana, dashes, 和暦 dates, yen."""

from datetime import date

import pytest

from yakuba.kernel.forms import normalise


def test_nfkc_turns_full_width_digits_and_letters_half_width():
    assert normalise.text("　ＡＢＣ１２３　") == "ABC123"


def test_half_width_katakana_becomes_full_width():
    assert normalise.katakana("ﾔﾏﾀﾞ ﾀﾛｳ") == "ヤマダ タロウ"


def test_hiragana_becomes_katakana():
    assert normalise.katakana("やまだ　たろう") == "ヤマダ タロウ"
    assert normalise.katakana("ゔぁいおりん") == "ヴァイオリン"


def test_multiline_keeps_line_breaks_and_drops_control_characters():
    assert normalise.multiline("  一行目\r\n二行目\x00  \n") == "一行目\n二行目"


@pytest.mark.parametrize("typed", ["３７０ー２６０１", "370−2601", "370‐2601", "370－2601", "〒370-2601", "3702601"])
def test_postal_code_dash_variants(typed):
    assert normalise.postal_code(typed) == "370-2601"


@pytest.mark.parametrize("typed", ["370-260", "37026011", "abc-defg", ""])
def test_postal_code_rejects_other_lengths(typed):
    assert normalise.postal_code(typed) is None


def test_phone_dashes_and_brackets():
    assert normalise.phone("０２７４ー８２ー２１１１") == "0274-82-2111"
    assert normalise.phone("0274(82)2111") == "0274-82-2111"


@pytest.mark.parametrize("typed", ["１，０００円", "1,000", "¥1000", "￥１０００", "1000 円"])
def test_money_strips_commas_and_yen(typed):
    assert normalise.money(typed) == "1000"


@pytest.mark.parametrize(("typed", "expected"), [
    ("2026-04-01", date(2026, 4, 1)),
    ("2026/4/1", date(2026, 4, 1)),
    ("２０２６年４月１日", date(2026, 4, 1)),
    ("20260401", date(2026, 4, 1)),
    ("令和8年4月1日", date(2026, 4, 1)),
    ("令和８年４月１日", date(2026, 4, 1)),
    ("R8.4.1", date(2026, 4, 1)),
    ("r8.4.1", date(2026, 4, 1)),
    ("昭和19年5月12日", date(1944, 5, 12)),
    ("S19.5.12", date(1944, 5, 12)),
    ("令和元年5月1日", date(2019, 5, 1)),
    ("平成元年1月8日", date(1989, 1, 8)),
    ("昭和64年1月7日", date(1989, 1, 7)),
    ("平成31年4月30日", date(2019, 4, 30)),
    ("大正15年12月24日", date(1926, 12, 24)),
    ("昭和元年12月25日", date(1926, 12, 25)),
    ("明治45年7月29日", date(1912, 7, 29)),
    ("大正元年7月30日", date(1912, 7, 30)),
    ("H1.1.8", date(1989, 1, 8)),
    ("㍻元年1月8日", date(1989, 1, 8)),
])
def test_parse_date_seireki_and_wareki(typed, expected):
    assert normalise.parse_date(typed) == expected


@pytest.mark.parametrize("typed", [
    "令和8年2月30日",  # no such day
    "昭和64年1月8日",  # already 平成
    "平成元年1月7日",  # still 昭和
    "平成31年5月1日",  # already 令和
    "令和元年4月30日",  # still 平成
    "大正15年12月25日",  # already 昭和
    "令和0年1月1日",
    "2026/13/1",
    "2026年4月",
    "きのう",
    "",
])
def test_parse_date_rejects_impossible_dates(typed):
    assert normalise.parse_date(typed) is None


def test_era_year():
    assert normalise.era_year(date(2026, 4, 1)) == "令和8年"
    assert normalise.era_year(date(2019, 5, 1)) == "令和元年"
    assert normalise.era_year(date(1989, 1, 7)) == "昭和64年"
    assert normalise.era_year(date(1800, 1, 1)) == ""

"""Furigana: readings from the real fugashi + unidic-lite, ruby added only where a reader sees text."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yakuba.kernel.ui import furigana
from yakuba.kernel.ui.furigana import (
    EXTRA_READINGS,
    add_ruby,
    add_ruby_cached,
    annotate_text,
    page_cache_key,
    reading_segments,
)

_RUBY_MARKUP = re.compile(r"<rt>.*?</rt>|<rp>.*?</rp>|</?ruby>", re.S)


def strip_ruby(text: str) -> str:
    return _RUBY_MARKUP.sub("", text)


def ruby(base: str, reading: str) -> str:
    return f"<ruby>{base}<rp>(</rp><rt>{reading}</rt><rp>)</rp></ruby>"


def readings(text: str) -> dict[str, str]:
    return {surface: reading for surface, reading in reading_segments(text) if reading is not None}


# --- readings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "reading"),
    [
        ("住所", "じゅうしょ"), ("申請", "しんせい"), ("役場", "やくば"), ("年金", "ねんきん"),
        ("漢字", "かんじ"),
    ],
)
def test_kanji_words_get_their_hiragana_reading(word: str, reading: str) -> None:
    assert reading_segments(word) == [(word, reading)]
    assert annotate_text(word) == ruby(word, reading)


def test_compound_is_annotated_word_by_word() -> None:
    assert reading_segments("町役場") == [("町", "まち"), ("役場", "やくば")]
    assert annotate_text("町役場") == ruby("町", "まち") + ruby("役場", "やくば")


def test_sentence_is_split_into_words_with_readings_only_on_kanji() -> None:
    segments = reading_segments("町役場で住所を申請してください。")
    assert "".join(surface for surface, _ in segments) == "町役場で住所を申請してください。"
    assert readings("町役場で住所を申請してください。") == {
        "町": "まち", "役場": "やくば", "住所": "じゅうしょ", "申請": "しんせい",
    }
    assert ("で", None) in segments
    assert all(reading is None for surface, reading in segments if surface.startswith("してください"))


def test_okurigana_are_left_outside_the_ruby() -> None:
    assert reading_segments("申し込み") == [("申", "もう"), ("し", None), ("込", "こ"), ("み", None)]
    assert reading_segments("取り扱い") == [("取", "と"), ("り", None), ("扱", "あつか"), ("い", None)]
    assert annotate_text("申し込み") == ruby("申", "もう") + "し" + ruby("込", "こ") + "み"
    assert readings("お問い合わせ") == {"問": "と", "合": "あ"}


@pytest.mark.parametrize(
    "text", ["ひらがなだけ", "カタカナダケ", "Latin text 123", "１２３ＡＢＣ", "", "  \n\t", "ー・、。！？"]
)
def test_text_without_kanji_is_untouched(text: str) -> None:
    assert reading_segments(text) == ([(text, None)] if text else [])
    assert annotate_text(text) == html.escape(text)
    assert add_ruby(f"<p>{html.escape(text)}</p>") == f"<p>{html.escape(text)}</p>"


def test_mixed_scripts_only_kanji_annotated() -> None:
    annotated = annotate_text("マイナンバーカードの申請はWEBで24時間")
    assert ruby("申請", "しんせい") in annotated
    assert "マイナンバーカードの" in annotated and "はWEBで24" in annotated
    assert strip_ruby(annotated) == "マイナンバーカードの申請はWEBで24時間"


def test_iteration_mark_and_small_ke_are_read_with_their_kanji() -> None:
    assert readings("人々") == {"人々": "ひとびと"}
    assert readings("霞ヶ関") == {"霞ヶ関": "かすみがせき"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和8年4月1日", {"令和": "れいわ", "年": "ねん", "月": "がつ", "1日": "ついたち"}),
        ("4月20日", {"月": "がつ", "20日": "はつか"}),
        ("31日まで", {"日": "にち"}),
        ("1日3回", {"日": "にち", "回": "かい"}),
        ("1.5日", {"日": "にち"}),
        ("2人で", {"2人": "ふたり"}),
        ("3人", {"人": "にん"}),
    ],
)
def test_numbers_with_counters(text: str, expected: dict[str, str]) -> None:
    assert readings(text) == expected
    assert "".join(surface for surface, _ in reading_segments(text)) == text


def test_dictionary_reading_fixes() -> None:
    assert readings("日本語") == {"日本": "にほん", "語": "ご"}


def test_unknown_words_are_left_unannotated() -> None:
    assert reading_segments("䨺䨺") == [("䨺䨺", None)]
    assert annotate_text("䨺䨺") == "䨺䨺"


def test_kangxi_radicals_from_pdf_text_are_read_as_the_kanji_they_stand_for() -> None:
    # "⼈⼝" is KANGXI RADICAL MAN + MOUTH, as PDF text extraction often yields for 人口.
    assert reading_segments("⼈⼝") == [("⼈⼝", "じんこう")]


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("下仁田町", "しもにたまち"), ("甘楽町", "かんらまち"), ("中之条町", "なかのじょうまち"),
        ("小山町", "おやまちょう"),
    ],
)
def test_town_names_from_extra_readings(text: str, reading: str) -> None:
    assert reading_segments(text) == [(text, reading)]


def test_extra_readings_seeded_and_applied_inside_sentences() -> None:
    assert EXTRA_READINGS["下仁田"] == "しもにた"
    assert EXTRA_READINGS["甘楽"] == "かんら"
    assert EXTRA_READINGS["中之条"] == "なかのじょう"
    assert readings("下仁田ネギと甘楽の桜") == {"下仁田": "しもにた", "甘楽": "かんら", "桜": "さくら"}
    assert readings("ようこそ中之条町役場へ") == {"中之条町": "なかのじょうまち", "役場": "やくば"}


def test_a_town_can_register_a_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    assert readings("青倉") != {"青倉": "あおくら"}
    monkeypatch.setitem(EXTRA_READINGS, "青倉", "アオクラ")  # katakana is accepted and converted
    assert readings("青倉地区") == {"青倉": "あおくら", "地区": "ちく"}
    monkeypatch.undo()
    assert readings("青倉") != {"青倉": "あおくら"}


# --- annotate_text -------------------------------------------------------------------------------


def test_annotate_text_escapes_and_never_double_escapes() -> None:
    assert annotate_text("住所 & <申請>") == (
        ruby("住所", "じゅうしょ") + " &amp; &lt;" + ruby("申請", "しんせい") + "&gt;"
    )
    assert annotate_text("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_annotate_text_is_cached_per_text_node() -> None:
    furigana.clear_caches()
    first = annotate_text("お問い合わせ先：総務課")
    hits = furigana._annotate_raw_cached.cache_info().hits
    assert annotate_text("お問い合わせ先：総務課") == first
    assert furigana._annotate_raw_cached.cache_info().hits == hits + 1


# --- add_ruby: where ruby goes -------------------------------------------------------------------


def test_body_text_is_annotated() -> None:
    assert add_ruby("<p>住所</p>") == f"<p>{ruby('住所', 'じゅうしょ')}</p>"


@pytest.mark.parametrize(
    "fragment",
    [
        "<script>var label = '住所';</script>",
        "<style>/* 住所 */ p::before { content: '申請'; }</style>",
        "<textarea name=a>住所を入力</textarea>",
        "<select name=s><option value=1>住所</option><option>申請<option>役場</select>",
        "<code>住所</code>",
        "<pre>申請書</pre>",
        "<svg><title>地図</title><text x=0>役場</text><path d='M0 0'/></svg>",
        "<ruby>漢字<rp>(</rp><rt>かんじ</rt><rp>)</rp></ruby>",
        "<span translate=\"no\">下仁田町<b>役場</b></span>",
        "<div class=\"card no-furigana\"><p>住所<em>申請</em></p></div>",
        "<p title=\"住所\" aria-label='申請' data-x=役場>ひらがな</p>",
        "<input type=text value=\"住所\" placeholder=\"申請\">",
        "<!-- 住所 --><?xml 申請?><![CDATA[役場]]>",
    ],
)
def test_text_that_is_not_rendered_as_text_is_untouched(fragment: str) -> None:
    assert add_ruby(fragment) == fragment


def test_head_and_title_are_untouched_body_is_annotated() -> None:
    page = (
        "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n<title>下仁田町役場</title>\n"
        "<meta name=\"description\" content=\"住所の変更\">\n<link rel=\"stylesheet\" href=\"/s.css\">\n"
        "</head>\n<body>\n<h1>住所の変更</h1>\n</body>\n</html>\n"
    )
    annotated = add_ruby(page)
    head, body = annotated.split("<body>")
    assert head == page.split("<body>")[0]
    assert body == f"\n<h1>{ruby('住所', 'じゅうしょ')}の{ruby('変更', 'へんこう')}</h1>\n</body>\n</html>\n"


def test_head_without_end_tag_does_not_hide_the_body() -> None:
    annotated = add_ruby("<html><head><title>役場</title><body><p>住所</p>")
    assert annotated == f"<html><head><title>役場</title><body><p>{ruby('住所', 'じゅうしょ')}</p>"


def test_void_elements_do_not_confuse_the_skip_stack() -> None:
    page = (
        "<p class=no-furigana>役場<br><img src=a.png alt=地図><input value=住所><wbr></p>"
        "<p>住所<br>申請<img alt=x><br/>役場</p>"
    )
    assert add_ruby(page) == (
        "<p class=no-furigana>役場<br><img src=a.png alt=地図><input value=住所><wbr></p>"
        f"<p>{ruby('住所', 'じゅうしょ')}<br>{ruby('申請', 'しんせい')}<img alt=x><br/>"
        f"{ruby('役場', 'やくば')}</p>"
    )


def test_text_after_a_skipped_element_is_annotated_again() -> None:
    page = "<p><code>住所</code>住所<span translate=no>役場</span>役場</p>"
    assert add_ruby(page) == (
        f"<p><code>住所</code>{ruby('住所', 'じゅうしょ')}<span translate=no>役場</span>"
        f"{ruby('役場', 'やくば')}</p>"
    )


def test_stray_end_tags_do_not_end_a_skipped_element() -> None:
    page = "<div class=no-furigana></span></p>住所</div>申請"
    assert add_ruby(page) == f"<div class=no-furigana></span></p>住所</div>{ruby('申請', 'しんせい')}"


def test_existing_ruby_is_not_annotated_twice() -> None:
    once = add_ruby("<p>町役場で住所を申請</p>")
    assert add_ruby(once) == once


# --- add_ruby: entities and byte-for-byte output -------------------------------------------------


def test_entities_are_kept_as_written_and_not_double_escaped() -> None:
    page = "<p>住所 &amp; 申請 &lt;script&gt;alert(1)&lt;/script&gt; &copy; &#169; &#xA9; &nbsp;</p>"
    annotated = add_ruby(page)
    expected = page.replace("住所", ruby("住所", "じゅうしょ")).replace("申請", ruby("申請", "しんせい"))
    assert annotated == expected
    assert "&amp;amp;" not in annotated and "<script>" not in annotated


def test_kanji_written_as_character_references_are_annotated_whole() -> None:
    assert add_ruby("<p>&#x4F4F;&#25152;</p>") == f"<p>{ruby('&#x4F4F;&#25152;', 'じゅうしょ')}</p>"


def test_document_without_kanji_round_trips_byte_for_byte() -> None:
    page = (
        "<!doctype html>\r\n<html lang='en'>\n<head><meta charset=utf-8><title>Yakuba</title>"
        "<script>if (a < b && c > d) { x = \"<p>\"; }</script><style>p>a{color:red}</style></head>\n"
        "<body class=\"home\"><!-- a comment --><p id=x data-a='1' data-b=\"2\" hidden>Hello &amp; "
        "welcome &lt;user&gt; &#169; &unknown; &amp</p>\n<p>ひらがな カタカナ</p>"
        "<br/><img src=\"a.png\" alt=''>"
        "<textarea>\n  <b>raw</b>\n</textarea><svg viewBox='0 0 1 1'><path d='M0 0'/></svg>"
        "<p>stray < and > and & signs</p></body></html>\n"
    )
    assert add_ruby(page) == page


def test_full_page_only_changes_annotated_text_nodes() -> None:
    page = (
        "<!DOCTYPE html>\n<html lang=\"ja\"><head><title>申請</title></head>\n<body>\n"
        "<nav aria-label=\"メニュー\"><a href=\"/t/10382/?q=住所&amp;x=1\">住所</a></nav>\n"
        "<!-- 役場 --><main><p>町民の皆さまへ &amp; 事業者の方へ</p></main>\n</body></html>"
    )
    annotated = add_ruby(page)
    assert strip_ruby(annotated) == page
    assert "<title>申請</title>" in annotated and "<!-- 役場 -->" in annotated
    assert "href=\"/t/10382/?q=住所&amp;x=1\"" in annotated and "aria-label=\"メニュー\"" in annotated
    assert f">{ruby('住所', 'じゅうしょ')}</a>" in annotated
    assert f"<p>{ruby('町民', 'ちょうみん')}の{ruby('皆', 'みな')}さまへ &amp; " in annotated


@pytest.mark.parametrize(
    "page",
    [
        "<p>住所",
        "<p class='x>住所</p>",
        "<div <p>住所</p>",
        "</p></div>住所<p>",
        "<p>住所 &# 申請 <b>役場</b> <script>var s='漢字'</script>",
        "<!-- 住所 ",
        "<p>住所</p><![if 申請",
        "<<<>>>住所</x<",
        "\x00<p>\x00住所\x00</p>",
        "<p>住所 &amp",
        "",
    ],
)
def test_malformed_html_does_not_raise_and_keeps_the_text(page: str) -> None:
    annotated = add_ruby(page)
    assert strip_ruby(annotated) == page


def test_markup_the_parser_misreads_as_text_is_never_annotated() -> None:
    # Python's parser reports everything after a bare "&#" as text; script content must stay inert.
    page = "<p>住所 &# 申請</p><script>var s='漢字'</script>"
    assert "var s='漢字'" in add_ruby(page)


# --- the property: annotation never loses or changes the text ------------------------------------

_JAPANESE = st.sampled_from(
    list("住所申請込取扱町役場下仁田甘楽中之条小山人々霞ヶ関〇⼈⼝䨺") + list("しみのをいりアイカナー、。")
    + list("ab1 \n\t&<>\"';#x")
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), st.text(alphabet=_JAPANESE)))
def test_annotation_never_loses_or_changes_text(text: str) -> None:
    escaped = "<p>" + html.escape(text) + "</p>"
    assert strip_ruby(add_ruby(escaped)) == escaped
    assert strip_ruby(annotate_text(text)) == html.escape(text)
    assert "".join(surface for surface, _ in reading_segments(text)) == text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_JAPANESE))
def test_readings_are_hiragana_and_only_on_kanji(text: str) -> None:
    for surface, reading in reading_segments(text):
        if reading is not None:
            assert furigana._HAS_KANJI.search(surface)
            assert re.fullmatch("[\u3041-\u3096\u30fc\u30f7-\u30fa]+", reading)


def test_concurrent_annotation_from_threads_is_consistent() -> None:
    furigana.clear_caches()
    texts = [f"第{n}回 町役場で住所を申請してください" for n in range(40)]
    expected = {text: annotate_text(text) for text in texts}
    furigana.clear_caches()
    results: dict[str, str] = {}

    def work(chunk: list[str]) -> None:
        for text in chunk:
            results[text] = annotate_text(text)

    threads = [threading.Thread(target=work, args=(texts[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == expected


# --- the page cache (Django's cache) -------------------------------------------------------------


@pytest.fixture
def locmem_cache() -> Iterator[None]:
    from django.core.cache import cache
    from django.test import override_settings

    caches = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "furigana"}}
    with override_settings(CACHES=caches):
        cache.clear()
        yield
        cache.clear()


@pytest.mark.usefixtures("locmem_cache")
def test_cached_pages_give_the_same_output_and_come_from_the_cache() -> None:
    from django.core.cache import cache

    page = "<main><p>町役場で住所を申請してください。</p></main>"
    first = add_ruby_cached(page)
    assert first == add_ruby(page)
    key = page_cache_key(page)
    assert key.startswith("furigana:") and len(key) < 100
    assert cache.get(key) == first
    assert add_ruby_cached(page) == first
    cache.set(key, "<p>from the cache</p>")  # proves the second call reads the cache
    assert add_ruby_cached(page) == "<p>from the cache</p>"


@pytest.mark.usefixtures("locmem_cache")
def test_page_without_kanji_is_cached_without_a_copy() -> None:
    from django.core.cache import cache

    page = "<p>English page &amp; more</p>"
    assert add_ruby_cached(page) == page
    assert cache.get(page_cache_key(page)) == "="
    assert add_ruby_cached(page) == page


@pytest.mark.usefixtures("locmem_cache")
def test_large_pages_are_not_cached() -> None:
    from django.core.cache import cache

    page = "<p>住所</p>" + "<p>" + "a" * furigana.PAGE_CACHE_MAX_BYTES + "</p>"
    assert add_ruby_cached(page).startswith(f"<p>{ruby('住所', 'じゅうしょ')}</p>")
    assert cache.get(page_cache_key(page)) is None


@pytest.mark.usefixtures("locmem_cache")
def test_page_cache_key_depends_on_registered_readings(monkeypatch: pytest.MonkeyPatch) -> None:
    page = "<p>青倉</p>"
    before = page_cache_key(page)
    monkeypatch.setitem(EXTRA_READINGS, "青倉", "あおくら")
    assert page_cache_key(page) != before
    assert add_ruby_cached(page) == f"<p>{ruby('青倉', 'あおくら')}</p>"


def test_a_number_on_the_line_before_a_counter_keeps_its_newline():
    """Found by hypothesis: `$` matched before a trailing newline and dropped it."""
    assert "".join(surface for surface, _ in reading_segments("0\n人")) == "0\n人"

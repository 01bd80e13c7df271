"""アクセシビリティ点検: each rule finds what it is for and nothing else, on blocks and on HTML alike."""

from __future__ import annotations

import pytest

from tests import factories
from tests.website.checks_support import make_page
from yakuba.kernel.accounts.models import Role
from yakuba.website import blocks
from yakuba.website.services import checks
from yakuba.website.services.checks import AssetInfo


def codes(findings):
    return [finding.code for finding in findings]


def check(*raw, title="ごみの出し方", assets=None, details=None, siblings=()):
    return checks.check_version(title, blocks.parse(list(raw)), assets or {}, details or {}, siblings=siblings)


def text(html):
    return {"type": "text", "html": html}


def heading(level, words="見出し"):
    return {"type": "heading", "level": level, "text": words}


def image(alt="", decorative=False):
    return {"type": "image", "asset": "a1", "alt": alt, "decorative": decorative}


def test_a_clean_page_has_no_findings():
    assert check(heading(2, "出し方"), text("<p>月曜に出します。<a href='https://a.jp/cal'>収集日カレンダー</a></p>"),
                 heading(3, "注意"), text("<table><caption>収集日</caption><tr><th>地区</th><td>月</td></tr></table>"),
                 image("燃えるごみの袋の写真。黄色い指定袋"), image(decorative=True)) == []


def test_image_without_alt_is_an_error_unless_decorative():
    found = check(image(""))
    assert codes(found) == ["image-alt"] and found[0].is_error and (found[0].block, found[0].field) == (0, "alt")
    assert check(image("", decorative=True)) == []


@pytest.mark.parametrize("alt", ["画像", "写真", "IMG_0001.jpg", "map.png", "image"])
def test_alt_that_is_a_file_name_or_a_word_for_image_is_a_warning(alt):
    assert codes(check(image(alt))) == ["image-alt-vague"]


def test_alt_equal_to_the_file_name_is_a_warning():
    assert codes(check(image("町役場"), assets={"a1": AssetInfo("image/png", "町役場")})) == ["image-alt-vague"]
    assert check(image("町役場の正面"), assets={"a1": AssetInfo("image/png", "yakuba.png")}) == []


def test_skipped_heading_levels_and_a_first_heading_not_h2_are_errors():
    assert codes(check(heading(2), heading(4))) == ["heading-skip"]
    assert codes(check(heading(3))) == ["heading-first"]
    assert check(heading(2), heading(3), heading(4), heading(2), heading(3)) == []


@pytest.mark.parametrize("words", ["こちら", "ここ", "クリック", "詳細", "click here", "More", "こちら。",
                                   "［こちら］"])
def test_vague_link_text_is_an_error(words):
    found = check(text(f"<p>申請書は<a href='https://a.jp/f.pdf'>{words}</a></p>"))
    assert codes(found) == ["link-vague"] and found[0].is_error
    assert codes(check({"type": "link", "url": "https://a.jp/", "text": words})) == ["link-vague"]


def test_kochira_inside_a_sentence_is_not_link_text():
    assert check(text("<p>こちらの窓口で受け付けます。詳細は窓口でお尋ねください。ここに書いてあります。</p>")) == []
    assert check(text("<p><a href='https://a.jp/madoguchi'>こちらの窓口の場所</a></p>")) == []


def test_the_same_link_text_for_different_urls_is_a_warning():
    html = "<p><a href='https://a.jp/1'>申請書</a> <a href='https://a.jp/2'>申請書</a></p>"
    assert codes(check(text(html))) == ["link-same-text"]
    same = "<p><a href='https://a.jp/1'>申請書</a> <a href='https://a.jp/1'>申請書</a></p>"
    assert check(text(same)) == []


def test_a_very_long_link_is_a_warning():
    assert codes(check(text(f"<p><a href='https://a.jp/'>{'あ' * 81}</a></p>"))) == ["link-long"]


def test_tables_need_header_cells_and_a_caption():
    assert codes(check(text("<table><tr><td>地区</td><td>月</td></tr></table>"))) == ["table-header", "table-caption"]
    assert codes(check(text("<table><tr><th>地区</th><td>月</td></tr></table>"))) == ["table-caption"]


@pytest.mark.parametrize("words", ["赤字の部分は必須です。", "赤色で示した日は休みです。",
                                   "色の付いた欄に記入してください。", "青い部分が対象地区です。", "表の緑の箇所"])
def test_meaning_by_colour_alone_is_a_warning(words):
    assert codes(check(text(f"<p>{words}</p>"))) == ["colour-only"]


@pytest.mark.parametrize("words", ["青色申告の相談会を開きます。", "赤い羽根共同募金", "町の財政は赤字です。",
                                   "黄色い帽子をかぶって登校します。", "赤城山が見えます。"])
def test_colour_words_that_carry_no_meaning_by_colour_are_fine(words):
    assert check(text(f"<p>{words}</p>")) == []


def test_machine_dependent_characters_are_named_with_their_replacement():
    found = check(text("<p>①申請書 ㈱下仁田 ㍻31年 10㎝ Ⅲ期 ﾀﾞｲﾔﾙ</p>"), title="お知らせ①")
    assert codes(found) == ["dependent-character", "dependent-character"]
    title, body = found
    assert title.field == "title" and "① → (1)" in title.message and title.suggestion == "お知らせ(1)"
    for pair in ("① → (1)", "㈱ → (株)", "㍻ → 平成", "㎝ → cm", "Ⅲ → III", "ﾀﾞｲﾔﾙ → ダイヤル"):
        assert pair in body.message
    assert not body.is_error


def test_jis_x_0208_text_has_no_machine_dependent_characters():
    assert check(text("<p>受付時間：9時～17時（土・日・祝日を除く）。≒ ∵ ※ 〒370-2601 髪</p>")) == []
    assert "①" in checks.dependent_characters() and "～" not in checks.dependent_characters()


def test_spaces_inside_a_word_are_a_warning():
    found = check(heading(2, "お　知　ら　せ"), text("<p>住　所：下仁田町</p>"))
    assert codes(found) == ["spaced-word", "spaced-word"]
    assert "お知らせ" in found[0].message
    assert check(text("<p>群馬県 甘楽郡 下仁田町、Tel 0274 82 2111。A と B。</p>")) == []


def test_all_uppercase_english_is_a_warning():
    assert codes(check(text("<p>PLEASE READ THIS CAREFULLY</p>"))) == ["uppercase"]
    assert check(text("<p>JR と NPO の AED</p>")) == []


def test_a_file_as_the_only_content_is_an_error_offering_its_text():
    raw = [heading(2, "様式"), {"type": "file", "asset": "f1", "label": "申請書（PDF）"}]
    found = check(*raw, assets={"f1": AssetInfo("application/pdf", "a.pdf", text="犬の登録申請書\n氏名")})
    assert codes(found) == ["file-only"] and found[0].is_error and found[0].block == 1
    assert found[0].suggestion == "犬の登録申請書\n氏名" and "本文" in found[0].message
    assert check(*raw, text("<p>申請書をお使いください。</p>")) == []


def test_an_empty_or_repeated_title_is_a_warning():
    assert codes(check(text("<p>本文</p>"), title=" ")) == ["title-empty"]
    assert codes(check(text("<p>本文</p>"), siblings=["ごみの出し方"])) == ["title-duplicate"]
    assert check(text("<p>本文</p>"), siblings=["ごみの分け方"]) == []


def test_details_are_read_for_characters():
    found = check(text("<p>本文</p>"), details={"place": "㈱会館", "dates": [{"note": "ｶﾞｲﾄﾞ"}]})
    assert [finding.field for finding in found] == ["details.place", "details.dates.0.note"]


def test_errors_come_first_and_errors_filters_them():
    found = check(text("<p>赤字の部分</p>"), image(""))
    assert [finding.severity for finding in found] == ["error", "warning"]
    assert codes(checks.errors(found)) == ["image-alt"]


CMS_PAGE = """<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>犬の登録｜下仁田町</title>
<script>var a = "<a href='x'>こちら</a>";</script></head><body>
<div id="tmp_contents"><h1>犬の登録</h1><p class="update">更新日：2024年3月1日</p>
<h3>登録の方法</h3><p>申請書は<a href="/files/a.pdf">こちら</a>からダウンロードしてください。</p>
<p><img src="/img/IMG_0012.JPG" alt="IMG_0012.JPG"><img src="/img/logo.gif"><img src="/img/line.gif" alt=""></p>
<table><tr><td>手数料</td><td>3,000円</td></tr></table>
<p>赤字の部分は必ず記入してください。お問い合わせは㈱下仁田サービスまで。</p></div></body></html>"""


def test_check_html_reads_a_real_looking_cms_page():
    found = checks.check_html(CMS_PAGE)
    assert sorted(codes(found)) == sorted(["heading-skip", "link-vague", "image-alt", "table-header",
                                           "image-alt-vague", "table-caption", "colour-only", "dependent-character"])
    assert all(finding.block is None for finding in found)


def test_check_html_on_clean_html_and_nothing():
    assert checks.check_html("<h2>対象</h2><p>町民の方</p><p><a href='/a'>申請書の様式</a></p>") == []
    assert checks.check_html("") == [] and checks.check_html("   ") == []


@pytest.mark.django_db
def test_the_report_covers_the_staff_members_department_and_all_for_the_information_officer(town_a):
    clerk = factories.make_staff(town_a, department="総務課")
    other = factories.make_staff(town_a, department="税務課")
    admin = factories.make_staff(town_a, department="企画課", role=Role.ADMIN)
    make_page(town_a, clerk, path="a", title="総務のページ", blocks=[image("")])
    make_page(town_a, other, path="b", title="税務のページ", blocks=[text("<p>赤字の部分</p>")])
    make_page(town_a, other, path="c", title="きれいなページ")
    make_page(town_a, other, path="d", title="下書き", blocks=[image("")], live=False)
    from django_scopes import scope

    with scope(municipality=town_a):
        mine = checks.report(clerk)
        assert [row.version.title for row in mine.rows] == ["総務のページ"] and mine.checked == 1
        everyone = checks.report(admin)
        assert everyone.checked == 3
        assert {row.version.title for row in everyone.rows} == {"総務のページ", "税務のページ"}
        assert [row.version.title for row in checks.report(admin, severity="error").rows] == ["総務のページ"]
        assert {c[0]: c[3] for c in everyone.counts} == {"image-alt": 1, "colour-only": 1}
        assert "下書き" in {row.version.title for row in checks.report(admin, drafts=True).rows}


def test_sub_headings_inside_rich_text_count_in_the_outline():
    assert codes(check(heading(2), text("<h4>細目</h4><p>本文</p>"))) == ["heading-skip"]
    assert check(heading(2), text("<h3>細目</h3><p>本文</p>")) == []


@pytest.mark.django_db
def test_the_report_leaves_out_pages_past_their_expiry(town_a):
    from datetime import timedelta

    from django.utils import timezone
    from django_scopes import scope

    admin = factories.make_staff(town_a, department="企画課", role=Role.ADMIN)
    page = make_page(town_a, admin, path="old", title="終わった催し", blocks=[image("")])
    with scope(municipality=town_a):
        assert checks.report(admin).checked == 1
        page.expires_at = timezone.now() - timedelta(days=1)
        page.save(update_fields=["expires_at"])
        assert checks.report(admin).checked == 0

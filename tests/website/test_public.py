"""The town's site for residents: the index, a page of each kind with its facts and links, 404 and 410, English and
やさしい日本語 with the Japanese marked, the files pages show, the preview the editor asks for."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.kernel.files.test_uploads import PNG
from tests.website.public_support import make_page, new_version
from yakuba.kernel.files.uploads import save_private
from yakuba.website.models import Asset, PageKind, PageVersion, VersionState

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    """Inside one test's transaction a second change is not announced again (records.announce): the cache is tested
    with committed writes in test_public_cache.py."""
    settings.PAGE_CACHE = False


def url(town, path: str = "") -> str:
    return f"{town.path_prefix}/site/{path}/" if path else f"{town.path_prefix}/site/"


def test_the_index_lists_the_top_sections_with_their_pages_in_order(client, town_a):
    kurashi = make_page(town_a, "kurashi", kind=PageKind.SECTION, title="くらし・手続き", position=1)
    kosodate = make_page(town_a, "kosodate", kind=PageKind.SECTION, title="子育て・教育", position=0)
    make_page(town_a, "gomi", parent=kurashi, title="ごみ・リサイクル", position=2)
    make_page(town_a, "koseki", parent=kurashi, title="戸籍・住民票", position=1)
    make_page(town_a, "draft", parent=kosodate, title="まだ下書き", published=False)
    body = client.get(url(town_a)).content.decode()
    assert body.index("子育て・教育") < body.index("くらし・手続き") < body.index("戸籍・住民票") < body.index("ごみ・")
    assert "まだ下書き" not in body
    assert 'href="/t/10382/site/kurashi/koseki/"' in body
    assert '"@type":"WebSite"' in body


def test_a_page_shows_its_live_version_with_breadcrumbs_contact_and_last_update(client, town_a):
    factories.make_department(town_a, "住民課")
    with scope(municipality=town_a):
        from yakuba.kernel.accounts.models import Department

        Department.objects.filter(name="住民課").update(phone="0274-82-2112")
    kurashi = make_page(town_a, "kurashi", kind=PageKind.SECTION, title="くらし・手続き")
    page = make_page(town_a, "juminhyo", parent=kurashi, title="住民票の写し", summary="住民票の写しの取り方です。",
                     department="住民課", blocks=[{"type": "heading", "level": 2, "text": "請求できる人"},
                                                  {"type": "text", "html": "<p>本人と同じ世帯の方</p>"}],
                     published_at=timezone.now() - timedelta(days=3))
    new_version(page, title="住民票の写しの請求", published_at=timezone.now() - timedelta(days=1))
    response = client.get(url(town_a, "kurashi/juminhyo"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>住民票の写しの請求</h1>" in body and "本人と同じ世帯の方" in body
    nav = re.search(r'<nav class="breadcrumbs" aria-label="パンくずリスト">(.*?)</nav>', body, re.S).group(1)
    assert "トップページ" in nav and 'href="/t/10382/site/kurashi/"' in nav and 'aria-current="page"' in nav
    assert "このページに関するお問い合わせ" in body and "住民課" in body and 'href="tel:0274-82-2112"' in body
    updated = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert f'最終更新日: <time datetime="{updated}">' in body
    assert '<meta name="description" content="住民票の写しの取り方です。">' in body
    assert '<link rel="canonical" href="http://testserver/t/10382/site/kurashi/juminhyo/">' in body
    assert 'rel="alternate" type="application/atom+xml"' in body
    assert '<title>住民票の写しの請求 | 下仁田町</title>' in body


def test_a_section_lists_its_pages_with_their_summaries(client, town_a):
    section = make_page(town_a, "bousai", kind=PageKind.SECTION, title="防災・安全")
    make_page(town_a, "hinanjo", parent=section, title="避難所の一覧", summary="町内の指定避難所です。", position=2)
    make_page(town_a, "hazard", parent=section, title="ハザードマップ", summary="浸水と土砂災害の想定。", position=1)
    body = client.get(url(town_a, "bousai")).content.decode()
    assert "このカテゴリのページ" in body
    assert body.index("ハザードマップ") < body.index("避難所の一覧")
    assert "町内の指定避難所です。" in body


def test_a_procedure_page_shows_its_facts_and_the_button_to_apply_online(client, town_a):
    factories.make_procedure(town_a, slug="inu", title="犬の登録")
    page = make_page(town_a, "inu", kind=PageKind.PROCEDURE, title="犬を飼い始めたとき", summary="登録が必要です。",
                     details={"procedure": "inu", "who": "生後91日以上の犬の飼い主", "fee": "3,000円",
                              "bring": "狂犬病予防注射済証", "where": "役場1階 住民課"})
    body = client.get(url(town_a, "inu")).content.decode()
    for text in ("対象となる方", "生後91日以上の犬の飼い主", "手数料", "3,000円", "持ち物", "狂犬病予防注射済証"):
        assert text in body
    assert re.search(r'<a class="button site-apply__button" href="/t/10382/procedures/inu/">オンラインで申請する</a>',
                     body)
    new_version(page, details={"procedure": "neko", "fee": "無料"})
    assert "オンラインで申請する" not in client.get(url(town_a, "inu")).content.decode()


def test_a_facility_page_links_to_booking_and_shows_its_place(client, town_a):
    room = factories.make_room(town_a, facility="下仁田町公民館")
    with scope(municipality=town_a):
        facility = room.facility
        facility.address, facility.latitude, facility.longitude = "下仁田町下仁田1", 36.21, 138.79
        facility.save()
    make_page(town_a, "kominkan", kind=PageKind.FACILITY, title="下仁田町公民館",
              details={"facility": facility.slug, "hours": "9時から21時"})
    body = client.get(url(town_a, "kominkan")).content.decode()
    assert "この施設を予約する" in body and f"/reservations/facilities/{facility.slug}/" in body
    assert "下仁田町下仁田1" in body and "9時から21時" in body
    assert 'data-map data-lat="36.21' in body and "地理院地図で見る" in body and "leaflet.js" in body


def test_an_event_page_shows_its_dates_and_place(client, town_a):
    make_page(town_a, "matsuri", kind=PageKind.EVENT, title="下仁田ねぎ祭り",
              details={"starts": "2026-11-23T10:00:00+09:00", "ends": "2026-11-23T15:00:00+09:00",
                       "place": "下仁田町総合運動公園"})
    body = client.get(url(town_a, "matsuri")).content.decode()
    assert '<time datetime="2026-11-23T10:00:00+09:00">2026年11月23日（月） 10:00</time>' in body
    assert "下仁田町総合運動公園" in body


def test_a_department_page_gives_its_phone_and_mail(client, town_a):
    make_page(town_a, "somu", kind=PageKind.DEPARTMENT, title="総務課",
              details={"phone": "0274-82-2111", "email": "somu@town.shimonita.example.jp"})
    body = client.get(url(town_a, "somu")).content.decode()
    assert 'href="mailto:somu@town.shimonita.example.jp"' in body and "0274-82-2111" in body


def test_unknown_and_unpublished_pages_are_404(client, town_a):
    make_page(town_a, "draft", title="下書き", published=False)
    assert client.get(url(town_a, "nothing")).status_code == 404
    assert client.get(url(town_a, "draft")).status_code == 404


def test_an_expired_or_retired_page_is_410_with_the_way_back_to_its_section(client, town_a):
    section = make_page(town_a, "kurashi", kind=PageKind.SECTION, title="くらし・手続き")
    expired = make_page(town_a, "old", parent=section, title="昨年の案内")
    retired = make_page(town_a, "gone", parent=section, title="廃止した案内")
    with scope(municipality=town_a):
        expired.expires_at = timezone.now() - timedelta(minutes=1)
        expired.save()
        retired.retired_at = timezone.now()
        retired.save()
    response = client.get(url(town_a, "kurashi/old"))
    body = response.content.decode()
    assert response.status_code == 410 and "掲載期限が過ぎました" in body and "昨年の案内" not in body
    assert "「くらし・手続き」のページ一覧へ" in body and 'href="/t/10382/site/kurashi/"' in body
    response = client.get(url(town_a, "kurashi/gone"))
    assert response.status_code == 410 and "掲載を終了しました" in response.content.decode()
    assert "old" not in client.get(url(town_a, "kurashi")).content.decode().split("このカテゴリのページ")[-1]


def test_english_readers_get_the_english_version_or_the_japanese_marked_and_labelled(client, town_a):
    make_page(town_a, "gomi", title="ごみの出し方", summary="分別の方法です。", title_en="How to put out rubbish",
              summary_en="How to sort it.", blocks_en=[{"type": "text", "html": "<p>Sort it.</p>"}])
    make_page(town_a, "juminhyo", title="住民票の写し", summary="取り方です。")
    client.cookies["yakuba_language"] = "en"
    english = client.get(url(town_a, "gomi")).content.decode()
    assert "<h1>How to put out rubbish</h1>" in english and "Sort it." in english
    assert "site-untranslated" not in english
    japanese = client.get(url(town_a, "juminhyo")).content.decode()
    assert '<h1 lang="ja">住民票の写し</h1>' in japanese
    assert '<p class="site-page__summary" lang="ja">取り方です。</p>' in japanese
    assert '<div class="site-page__body" lang="ja">' in japanese
    assert japanese.count("site-untranslated") == 1


def test_easy_japanese_is_offered_when_written(client, town_a):
    make_page(town_a, "gomi", title="ごみの出し方", title_easy="ごみを 出す ときの きまり",
              blocks_easy=[{"type": "text", "html": "<p>ごみは 朝 8時までに 出して ください。</p>"}])
    plain = client.get(url(town_a, "gomi")).content.decode()
    assert 'href="?easy=1"' in plain
    easy = client.get(url(town_a, "gomi") + "?easy=1").content.decode()
    assert "ごみを 出す ときの きまり" in easy and "朝 8時までに" in easy and 'href="?easy=0"' in easy


def _asset(town, page, *, content=PNG, content_type="image/png"):
    with scope(municipality=town):
        path = save_private(ContentFile(content, name="a.png"), "website/assets")
        return Asset.objects.create(municipality=town, page=page, path=path, original_name="地図.png",
                                    content_type=content_type, size=len(content), width=1, height=1,
                                    uploaded_by=page.versions.first().author)


def test_a_file_is_served_only_while_a_public_page_shows_it(client, town_a):
    page = make_page(town_a, "gomi", title="ごみの出し方")
    shown, unused = _asset(town_a, page), _asset(town_a, page)
    new_version(page, blocks=[{"type": "image", "asset": str(shown.uuid), "alt": "収集場所の地図"}])
    body = client.get(url(town_a, "gomi")).content.decode()
    assert f'<img src="/t/10382/site/files/{shown.uuid}/" alt="収集場所の地図"' in body
    response = client.get(f"/t/10382/site/files/{shown.uuid}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    assert "public" in response["Cache-Control"] and "max-age=3600" in response["Cache-Control"]
    assert client.get(f"/t/10382/site/files/{unused.uuid}/").status_code == 404
    with scope(municipality=town_a):
        page.retired_at = timezone.now()
        page.save()
    assert client.get(f"/t/10382/site/files/{shown.uuid}/").status_code == 404


def test_a_draft_preview_is_private_unindexed_and_says_so(town_a, staff_a):
    from yakuba.website.views.public import render_page

    page = make_page(town_a, "gomi", title="ごみの出し方")
    with scope(municipality=town_a):
        draft = PageVersion.objects.create(municipality=town_a, page=page, number=2, title="ごみの出し方（改訂案）",
                                           blocks=[{"type": "text", "html": "<p>新しい本文</p>"}], author=staff_a,
                                           state=VersionState.DRAFT)
        request = RequestFactory().get("/staff/website/preview/")
        request.municipality = town_a
        request.LANGUAGE_CODE = "ja"
        request.user = staff_a.user
        response = render_page(request, page, draft, preview=True)
    body = response.content.decode()
    assert "プレビュー（未公開）" in body and "新しい本文" in body
    assert '<meta name="robots" content="noindex, nofollow">' in body and response["X-Robots-Tag"].startswith("noindex")
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}


def test_a_script_in_a_title_cannot_leave_the_json_ld(client, town_a):
    make_page(town_a, "x", kind=PageKind.ARTICLE, title="</script><script>alert(1)</script>&")
    body = client.get(url(town_a, "x")).content.decode()
    assert "<script>alert(1)" not in body
    assert "\\u003C/script\\u003E\\u003Cscript\\u003Ealert(1)" in body


def test_town_b_pages_are_not_town_a_pages(client, town_a, town_b):
    make_page(town_b, "kanra", title="甘楽専用のページ")
    assert client.get(url(town_a, "kanra")).status_code == 404
    assert client.get(f"{town_b.path_prefix}/site/kanra/").status_code == 200

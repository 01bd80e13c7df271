"""災害モード on the web: the light home page (≤ 30 KB compressed with its stylesheet), the banner on every other public
page (cached ones too), the staff indicator and pages, the switch by role, and town B's mode never in town A."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django_scopes import scope, scopes_disabled

from tests import factories
from tests.kernel.ui.test_pagecache import page_cache  # noqa: F401  (the embedded cache and Redis)
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.ui.pagecache import HEADER
from yakuba.notices.models import AlertLevel, DisasterMode, NoticeTranslation, ShelterStatus
from yakuba.notices.services import disaster
from yakuba.notices.services import notices as services
from yakuba.notices.services.shelters import set_shelter_status

LIMIT = 30 * 1024
BANNER = 'class="town-alert"'


def _alert_notice(town, staff, *, level=AlertLevel.LEVEL4, title="土砂災害の避難指示",
                  body="青倉地区の全員は、今すぐ避難してください。", **fields):
    return factories.make_notice(town, category="bousai", title=title, body=body, published=False,
                                 alert_level=level, deliver=False, **fields)


def _turn_on(town, staff, **fields):
    notice = _alert_notice(town, staff, **fields)
    with scope(municipality=town):
        return services.publish_notice(staff, notice)


def _open_shelters(town, staff, count=2):
    sites = factories.publish_shelters(town, *[
        {"ID": f"S{n}", "名称": f"下仁田町立第{n}小学校 体育館",
         "所在地_連結表記": f"群馬県甘楽郡下仁田町下仁田{n}番地",
         "緯度": "36.2125", "経度": "138.7889"} for n in range(1, count + 1)])
    statuses = [ShelterStatus.OPEN, ShelterStatus.CROWDED, ShelterStatus.FULL]
    with scope(municipality=town):
        for n, site in enumerate(sites):
            set_shelter_status(staff, site, status=statuses[n % 3], note="受付は正面玄関です")
    return sites


@pytest.fixture
def kacho_a(town_a):
    return factories.make_staff(town_a, department="総務課", role=Role.APPROVER)


@pytest.mark.django_db(transaction=True)  # the writes commit: the cached home follows them as in production
def test_the_home_becomes_the_light_page_and_ending_restores_it(client, town_a, staff_a, kacho_a):
    town_a.phone = "0274-82-2111"
    town_a.save()
    _open_shelters(town_a, staff_a)
    home = f"{town_a.path_prefix}/"
    assert "オンライン窓口" in client.get(home).content.decode()
    _turn_on(town_a, staff_a)
    page = client.get(home).content.decode()
    assert "警戒レベル4 避難指示" in page and "危険な場所から全員避難" in page and "土砂災害の避難指示" in page
    assert "青倉地区の全員は" in page and "全員、今すぐ避難してください" in page  # the notice and what level 4 means
    assert "開設中" in page and "混雑" in page and "maps.gsi.go.jp/#16/36.2125/138.7889/" in page
    for number in ("0274-82-2111", "119", "110"):
        assert f'href="tel:{number}"' in page
    assert 'href="/t/10382/bousai/"' in page and 'href="/t/10382/?full=1"' in page
    assert "<script" not in page and len(re.findall(r"<link[^>]+stylesheet", page)) == 1
    assert "オンライン窓口" in client.get(home + "?full=1").content.decode()  # the whole site stays one link away
    with scope(municipality=town_a):
        disaster.end_mode(kacho_a)
    restored = client.get(home).content.decode()
    assert "オンライン窓口" in restored and BANNER not in restored


@pytest.mark.django_db
def test_the_light_page_reads_in_easy_japanese_and_english(client, town_a, staff_a):
    notice = _turn_on(town_a, staff_a, easy_title="にげて ください", easy_body="青倉の 人は 今すぐ にげて ください。")
    with scope(municipality=town_a):
        NoticeTranslation.objects.create(municipality=town_a, notice=notice, language="en",
                                         title="Evacuation order (landslide)",
                                         body="Everyone in Aokura must leave now.")
    home = f"{town_a.path_prefix}/"
    easy = client.get(home + "?easy=1").content.decode()
    assert "レベル4　みんな にげて ください" in easy and "青倉の 人は 今すぐ にげて ください。" in easy
    assert 'href="/t/10382/"' in easy  # back to the ordinary Japanese
    client.cookies["yakuba_language"] = "en"
    english = client.get(home).content.decode()
    assert 'lang="en"' in english and "Evacuation order (landslide)" in english
    client.cookies["yakuba_furigana"] = "1"
    client.cookies["yakuba_language"] = "ja"
    assert "<ruby>" in client.get(home).content.decode()


@pytest.mark.django_db
def test_the_light_page_with_its_stylesheet_is_at_most_30_kb_compressed(client, town_a, staff_a):
    """A long notice, 12 open shelters, furigana on: the heaviest light page a town is likely to send."""
    _open_shelters(town_a, staff_a, count=12)
    _turn_on(town_a, staff_a, body="避難してください。" * 120)
    stylesheet = Path(finders.find("notices/disaster.css")).read_bytes()
    css = len(gzip.compress(stylesheet))
    for cookies in ({}, {"yakuba_furigana": "1"}, {"yakuba_language": "en"}):
        client.cookies.clear()
        for name, value in cookies.items():
            client.cookies[name] = value
        response = client.get(f"{town_a.path_prefix}/", HTTP_ACCEPT_ENCODING="gzip")
        assert response["Content-Encoding"] == "gzip"
        html = len(response.content)
        print(f"light home {cookies or 'ja'}: HTML {html} B + stylesheet {css} B gzip = {html + css} B "
              f"(raw {len(gzip.decompress(response.content))} B + {len(stylesheet)} B)")
        assert html + css <= LIMIT


@pytest.mark.django_db(transaction=True)  # the writes commit: caches hear of them as in production
def test_every_public_page_shows_the_banner_even_one_cached_before(page_cache, client, town_a):  # noqa: F811
    staff = factories.make_staff(town_a, department="総務課")
    kacho = factories.make_staff(town_a, department="総務課", role=Role.APPROVER)
    other = factories.make_notice(town_a, title="ごみ収集日の変更")
    paths = ["/notices/", f"/notices/{other.public_id}/", "/bousai/", "/procedures/", "/opendata/"]
    for path in paths:
        client.get(town_a.path_prefix + path)
        cached = client.get(town_a.path_prefix + path)
        assert cached[HEADER] == "hit" and BANNER not in cached.content.decode(), path
    _turn_on(town_a, staff)
    for path in paths:
        response = client.get(town_a.path_prefix + path)
        body = response.content.decode()
        assert response[HEADER] == "miss" and BANNER in body, path
        assert "警戒レベル4 避難指示" in body and "土砂災害の避難指示" in body and "/t/10382/bousai/" in body, path
    home = client.get(f"{town_a.path_prefix}/")
    assert home[HEADER] == "miss" and "災害時の軽量ページ" in home.content.decode()
    assert client.get(f"{town_a.path_prefix}/")[HEADER] == "hit"  # the light home is cached as the home page is
    with scope(municipality=town_a):
        disaster.end_mode(kacho)
    for path in [*paths, "/"]:
        response = client.get(town_a.path_prefix + path)
        assert response[HEADER] == "miss" and BANNER not in response.content.decode(), path
    assert "オンライン窓口" in client.get(f"{town_a.path_prefix}/").content.decode()


@pytest.mark.django_db
def test_signed_in_residents_and_staff_see_it(client, town_a, staff_a, resident_a, kacho_a):
    _turn_on(town_a, staff_a)
    client.force_login(resident_a.user)
    mine = client.get(f"{town_a.path_prefix}/accounts/profile/")
    assert mine.status_code == 200
    mine = mine.content.decode()
    assert BANNER in mine and "土砂災害の避難指示" in mine
    for member, can_end in ((staff_a, False), (kacho_a, True)):
        page = factories.staff_client(member).get(f"{town_a.path_prefix}/staff/").content.decode()
        assert "公開サイトは災害モードです" in page and "/t/10382/staff/disaster/" in page
        state = factories.staff_client(member).get(f"{town_a.path_prefix}/staff/disaster/").content.decode()
        assert ("/t/10382/staff/disaster/end/" in state) is can_end
        assert ("/t/10382/staff/disaster/end/" in page) is can_end  # the end button on every staff page


@pytest.mark.django_db
def test_staff_end_it_with_one_confirmed_action(town_a, staff_a, kacho_a):
    _turn_on(town_a, staff_a)
    client = factories.staff_client(kacho_a)
    url = f"{town_a.path_prefix}/staff/disaster/end/"
    confirm = client.get(url)
    assert confirm.status_code == 200 and "土砂災害の避難指示" in confirm.content.decode()
    with scope(municipality=town_a):
        mode = disaster.active_mode(town_a)
    assert client.post(url, {"mode": "x"}).status_code == 400
    done = client.post(url, {"mode": mode.pk}, follow=True)
    assert "災害モードを終えました" in done.content.decode()
    with scope(municipality=town_a):
        assert disaster.active_mode(town_a) is None
    again = client.post(url, {"mode": mode.pk})
    assert again.status_code == 400 and "すでに終わっています" in again.content.decode()
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="notices.disaster.ended", actor=kacho_a.user).count() == 1


@pytest.mark.django_db
def test_a_plain_clerk_cannot_switch_it_by_hand(town_a, staff_a, kacho_a):
    start = f"{town_a.path_prefix}/staff/disaster/start/"
    assert factories.staff_client(staff_a).post(start, {"title": "Jアラート"}).status_code == 403
    assert factories.staff_client(staff_a).post(f"{town_a.path_prefix}/staff/disaster/end/").status_code == 403
    refused = factories.staff_client(kacho_a).post(start, {"level": "9", "title": ""})
    body = refused.content.decode()
    assert refused.status_code == 400 and "警戒レベルを選び直してください" in body
    started = factories.staff_client(kacho_a).post(start, {"level": "", "title": "Jアラート 弾道ミサイル発射",
                                                           "message": "頑丈な建物の中へ"}, follow=True)
    assert "災害モードにしました" in started.content.decode()
    page = Client().get(f"{town_a.path_prefix}/").content.decode()
    assert "Jアラート 弾道ミサイル発射" in page and "頑丈な建物の中へ" in page


@pytest.mark.django_db
def test_the_notice_pages_say_what_publishing_and_withdrawing_do(town_a, staff_a):
    notice = _alert_notice(town_a, staff_a)
    client = factories.staff_client(staff_a)
    detail = client.get(f"{town_a.path_prefix}/staff/notices/{notice.pk}/").content.decode()
    assert "公開すると、公開サイトが災害モードになります" in detail
    client.post(f"{town_a.path_prefix}/staff/notices/{notice.pk}/publish/")
    withdraw = client.get(f"{town_a.path_prefix}/staff/notices/{notice.pk}/withdraw/").content.decode()
    assert "取り下げても災害モードは続きます" in withdraw


@pytest.mark.django_db
def test_the_settings_page(town_a, kacho_a):
    client = factories.staff_client(kacho_a)
    url = f"{town_a.path_prefix}/staff/disaster/settings/"
    bad = client.post(url, {"threshold": "4", "radio_phone": "電話"})
    assert bad.status_code == 400 and "電話番号は数字とハイフンで" in bad.content.decode()
    assert 'value="電話"' in bad.content.decode()  # what was typed is kept
    client.post(url, {"threshold": "5", "radio_phone": "0274-82-0000", "guidance": "高台へ逃げてください。"})
    with scope(municipality=town_a):
        saved = disaster.settings_of(town_a)
    assert (saved.threshold, saved.radio_phone, saved.guidance) == (5, "0274-82-0000", "高台へ逃げてください。")


@pytest.mark.django_db
def test_town_b_in_disaster_mode_never_shows_in_town_a(client, town_a, town_b, staff_b):
    with scope(municipality=town_b):
        disaster.start_mode(staff_b, level=5, title="甘楽町だけの緊急安全確保")
    for path in ("/", "/notices/", "/bousai/"):
        body = client.get(town_a.path_prefix + path).content.decode()
        assert BANNER not in body and "甘楽町だけ" not in body, path
    assert "甘楽町だけの緊急安全確保" in client.get(town_b.path_prefix + "/notices/").content.decode()
    with scopes_disabled():
        assert not DisasterMode.objects.filter(municipality=town_a).exists()

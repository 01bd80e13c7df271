"""The town's home page from its Site: the band, the 防災 block, the entry points (ごみ, 手続き, 予約, the town's
shortcuts), よく使われているサービス from real submissions and bookings, the sections; the kernel's home without a
Site; cached through the kernel and rendered anew when the site changes; 災害モード still leads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.website.site_support import admin, make_site, publish
from yakuba.kernel.ui import registry
from yakuba.kernel.ui.pagecache import HEADER
from yakuba.website.models import PageKind
from yakuba.website.services import site as service

HOME = "/t/10382/"


def _site_with_pages(town, **site_fields):
    author = admin(town)
    make_site(town, tagline="ねぎとこんにゃくの町", shortcuts=[
        {"label": "広報", "url": "/site/kouhou/", "label_en": "Newsletter"},
        {"label": "県のサイト", "url": "https://www.pref.gunma.jp/", "label_en": ""}], **site_fields)
    kurashi = publish(town, author, "くらし・手続き", "kurashi", kind=PageKind.SECTION)
    publish(town, author, "ごみ・リサイクル", "gomi", kind=PageKind.SECTION, parent=kurashi)
    publish(town, author, "転入の手続き", "tennyu", kind=PageKind.PROCEDURE, parent=kurashi)
    publish(town, author, "利用規約", "terms")
    publish(town, author, "新しいホームページ", "renewal", kind=PageKind.ARTICLE)
    return author


@pytest.mark.django_db
def test_the_home_leads_with_the_band_then_the_entry_points_then_usage_then_sections(client, town_a):
    _site_with_pages(town_a)
    body = client.get(HOME).content.decode()
    order = ['class="town-band"', "ねぎとこんにゃくの町", 'data-entry="gomi"', 'data-entry="applications:catalogue"',
             'data-entry="reservations:index"', 'href="/t/10382/site/kouhou/"', 'href="https://www.pref.gunma.jp/"',
             'id="home-sections-title"', "転入の手続き", 'id="home-news-title"', 'id="home-contacts-title"']
    places = [body.index(marker) for marker in order]
    assert places == sorted(places), list(zip(order, places, strict=True))
    assert 'href="/t/10382/site/theme.css?v=' in body
    assert "オンライン窓口" not in body
    # the well-known page is linked from the footer, not listed as a section
    assert body.count("/site/terms/") == 1


@pytest.mark.django_db
def test_in_english_the_shortcuts_read_in_english_and_untranslated_words_are_marked(client, town_a):
    town_a.name_en = "Shimonita"
    town_a.save()
    _site_with_pages(town_a)
    client.cookies["yakuba_language"] = "en"
    body = client.get(HOME).content.decode()
    assert ">Newsletter<" in body and 'class="town-band__name">Shimonita' in body
    assert 'lang="ja" data-entry="shortcut">県のサイト' in body
    assert 'lang="ja">くらし・手続き' in body


@pytest.mark.django_db
def test_without_a_site_the_kernel_home_is_shown(client, town_a):
    body = client.get(HOME).content.decode()
    assert "オンライン窓口" in body and 'class="town-band"' not in body
    # the kernel's home leads with the entry points too
    assert body.index('data-entry="applications:catalogue"') < body.index('data-entry="reservations:index"') < (
        body.index('id="as-widget-title"'))


@pytest.mark.django_db
def test_the_most_used_services_come_from_real_submissions_and_bookings(client, town_a):
    make_site(town_a)
    dogs = factories.make_procedure(town_a, slug="inu", title="犬の登録")
    rubbish = factories.make_procedure(town_a, slug="sodai", title="粗大ごみ収集申込")
    factories.make_procedure(town_a, slug="unused", title="使われていない手続")
    for _number in range(3):
        factories.make_submission(rubbish, factories.make_resident(town_a))
    factories.make_submission(dogs, factories.make_resident(town_a))
    gym = factories.make_room(town_a, facility="町民体育館", name="A面")
    resident = factories.make_resident(town_a)
    start = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=10)
    for day in range(2):
        factories.make_reservation(gym, resident, start + timedelta(days=day))
    with scope(municipality=town_a):
        used = registry.most_used(town_a.pk)
    assert [(item.label, item.count) for item in used] == [("粗大ごみ収集申込", 3), ("町民体育館", 2),
                                                          ("犬の登録", 1)]
    body = client.get(HOME).content.decode()
    section = body[body.index('id="home-used-title"'):body.index('id="home-sections-title"')
                   if 'id="home-sections-title"' in body else None]
    assert section.index("粗大ごみ収集申込") < section.index("町民体育館") < section.index("犬の登録")
    assert "使われていない手続" not in section

    # In English, a name staff translated reads in English; the others stay Japanese, marked as such.
    from yakuba.kernel.words import services as words

    with scope(municipality=town_a):
        words.save_record(municipality=town_a, staff=factories.make_staff(town_a), kind="applications.procedure",
                          key=str(rubbish.pk), entries=[words.Entry("title", "en", "Bulky waste collection")],
                          check=True)
    client.cookies["yakuba_language"] = "en"
    body = client.get(HOME).content.decode()
    section = body[body.index('id="home-used-title"'):body.index('id="home-sections-title"')
                   if 'id="home-sections-title"' in body else None]
    assert "Bulky waste collection" in section and "粗大ごみ収集申込" not in section
    assert 'lang="ja"' in section[section.index("犬の登録") - 200:section.index("犬の登録")]


@pytest.mark.django_db
def test_each_usage_source_costs_one_query(town_a, django_assert_max_num_queries):
    make_site(town_a)
    with scope(municipality=town_a), django_assert_max_num_queries(len(registry.usage_sources)):
        since = timezone.now() - timedelta(days=registry.USAGE_DAYS)
        for source in registry.usage_sources:
            source.top(since, 6)


@pytest.mark.django_db(transaction=True)  # the writes commit: the cached home follows them as in production
def test_the_cached_home_is_rendered_anew_when_the_site_or_a_page_changes(client, town_a):
    author = _site_with_pages(town_a)
    assert client.get(HOME)[HEADER] == "miss"
    assert client.get(HOME)[HEADER] == "hit"
    with scope(municipality=town_a):
        service.save_settings(author, service.SiteData(colour="#1c4f8a", tagline="新しいひとこと"), revision=None)
    fresh = client.get(HOME)
    assert fresh[HEADER] == "miss" and "新しいひとこと" in fresh.content.decode()
    assert client.get(HOME)[HEADER] == "hit"
    publish(town_a, author, "観光・文化", "kanko", kind=PageKind.SECTION)
    fresh = client.get(HOME)
    assert fresh[HEADER] == "miss" and "観光・文化" in fresh.content.decode()
    css = client.get("/t/10382/site/theme.css").content.decode()
    assert "--town-colour: #1c4f8a" in css


@pytest.mark.django_db(transaction=True)
def test_disaster_mode_still_replaces_the_home_and_the_full_home_is_one_link_away(client, town_a):
    from yakuba.kernel.accounts.models import Role
    from yakuba.notices.services import disaster

    _site_with_pages(town_a)
    kacho = factories.make_staff(town_a, role=Role.APPROVER)
    assert 'class="town-band"' in client.get(HOME).content.decode()
    with scope(municipality=town_a):
        disaster.start_mode(kacho, level=None, title="Jアラート 弾道ミサイル発射", message="建物の中へ")
    light = client.get(HOME).content.decode()
    assert "Jアラート 弾道ミサイル発射" in light and 'class="town-band"' not in light
    assert 'class="town-band"' in client.get(HOME + "?full=1").content.decode()
    with scope(municipality=town_a):
        disaster.end_mode(kacho)
    assert 'class="town-band"' in client.get(HOME).content.decode()


@pytest.mark.django_db
def test_the_home_alerts_lead_after_the_band(client, town_a):
    _site_with_pages(town_a)
    factories.make_notice(town_a, category="bousai", title="土砂災害警戒情報")
    body = client.get(HOME).content.decode()
    assert body.index('class="town-band"') < body.index("土砂災害警戒情報") < body.index('data-entry="gomi"')


@pytest.mark.django_db
def test_footer_and_sign_up_link_the_towns_pages_or_the_kernels(client, town_a):
    signup = client.get("/t/10382/accounts/signup/").content.decode()
    assert 'href="/t/10382/legal/terms/"' in signup and 'href="/t/10382/legal/privacy/"' in signup
    for url in ("/t/10382/legal/terms/", "/t/10382/legal/privacy/"):
        response = client.get(url)
        assert response.status_code == 200 and "個人情報" in response.content.decode()
    _site_with_pages(town_a)
    signup = client.get("/t/10382/accounts/signup/").content.decode()
    assert 'href="/t/10382/site/terms/"' in signup and 'href="/t/10382/legal/privacy/"' in signup


@pytest.mark.django_db
def test_the_home_costs_a_bounded_number_of_queries(client, town_a, django_assert_max_num_queries, settings):
    settings.PAGE_CACHE = False
    from yakuba.website.models import Page

    author = _site_with_pages(town_a)
    with scope(municipality=town_a):
        kurashi = Page.objects.get(path="kurashi")
    for number in range(8):
        publish(town_a, author, f"手続き{number}", f"page-{number}", kind=PageKind.PROCEDURE, parent=kurashi)
    client.get(HOME)  # the usage ranking is kept a while: counted once
    # the town, the Site, alerts, ごみ, sections and their children, news, departments, legal links: not per page
    with django_assert_max_num_queries(12):
        assert client.get(HOME).status_code == 200

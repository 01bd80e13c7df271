"""Anonymous public pages from the shared cache: what is cached, what never is, and a write shows at once.

The crawl runs every town URL signed out and signed in; the cache tests run on the embedded cache and on Redis.
"""

from __future__ import annotations

import os
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from tests import factories
from tests.kernel.accounts import test_role_sweep
from tests.kernel.ui.test_private_pages import SIGN_OUT, _resident_path, _resident_values
from tests.sweep import routes
from tests.voice import sweep_opinions
from yakuba.kernel.ui.pagecache import HEADER, policy_of

objects_a = test_role_sweep.objects_a

REDIS_URL = os.environ.get("YAKUBA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_reachable() -> bool:
    try:
        import redis
    except ImportError:
        return False
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["embedded", "redis"])
def page_cache(request, settings):
    """The cache the pages are kept in: the embedded default, and Redis (skipped when no Redis answers)."""
    if request.param == "redis":
        if not _redis_reachable():
            pytest.skip(f"Redis is not reachable at {REDIS_URL} (.ci/run starts redis-server)")
        settings.CACHES = {"default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
            # Each test (and each xdist worker) its own keys, so parallel runs never read each other's pages.
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}
    return request.param


def _directives(response) -> set[str]:
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",") if part.strip()}


def _public_paths(town, values) -> list[tuple[object, str]]:
    return [(r, town.path_prefix + _resident_path(r, values)) for r in routes()
            if not r.is_staff and r.name not in SIGN_OUT]


@pytest.fixture
def crawl_data(town_a, resident_a, objects_a):
    """Town A with a row behind every public page (the staff sweep's objects), a notice, a shelter and the AED
    dataset published; the crawl's arguments naming them."""
    from yakuba.notices.models import ShelterStatus
    from yakuba.notices.services.shelters import set_shelter_status
    from yakuba.opendata.models import Dataset, Origin
    from yakuba.opendata.services import publish
    from yakuba.reservations.models import Facility

    notice = factories.make_notice(town_a, title="ごみ収集日の変更")
    [site] = factories.publish_shelters(town_a, {"ID": "S1", "名称": "下仁田小学校"})
    with scope(municipality=town_a):
        set_shelter_status(factories.make_staff(town_a), site, status=ShelterStatus.OPEN, note="")
        publish.publish_rows(Dataset.objects.get(kind="aed"), origin=Origin.FORM)
        facility = Facility.objects.filter(is_published=True).first()
    point = next(v["public_id"] for k, v in objects_a.items() if k.startswith("staff:map-") and "public_id" in v)
    from tests.website.public_support import make_page
    from yakuba.website.models import PageKind

    section = make_page(town_a, "kurashi", kind=PageKind.SECTION, title="くらし・手続き")
    make_page(town_a, "gomi", parent=section, title="ごみの出し方")
    return {**_resident_values(town_a, resident_a), "website:": {"path": "kurashi/gomi"},
            "reservations:facility": {"slug": facility.slug},
            "notices:": {"public_id": notice.public_id, "category": "kurashi"},
            "plans:": {**objects_a["staff:plan-measure"]}, "voice:": {**objects_a["staff:voice-survey"]},
            "opendata:": {"kind": "aed", "public_id": point, "slug": "saigai", "number": 1, "fmt": "csv"}}


@pytest.mark.django_db
def test_signed_out_crawl_cacheable_pages_are_public_cached_and_answer_304(page_cache, town_a, crawl_data):
    client = Client()
    cached = []
    for route, path in _public_paths(town_a, crawl_data):
        response = client.get(path)
        body = response.content.decode(errors="replace") if not getattr(response, "streaming", False) else ""
        directives = _directives(response)
        if "public" in directives and response.get(HEADER):
            # Only a page the view declared, and nothing one visitor's in it.
            assert policy_of(route.callback) is not None, route.name
            assert "csrfmiddlewaretoken" not in body and 'name="_once"' not in body, route.name
            assert "set-cookie" not in {name.lower() for name in response.headers}, route.name
            assert {"s-maxage", "stale-while-revalidate"} <= directives, route.name
            cached.append((route.name, path, response["ETag"]))
        if "csrfmiddlewaretoken" in body or 'name="_once"' in body:
            # A form's tokens are one visitor's: never public, never kept.
            assert {"private", "no-store"} <= directives, route.name
            assert not response.get(HEADER), route.name
    names = {name for name, _, _ in cached}
    for expected in ("ui:home", "notices:index", "notices:detail", "notices:feed", "notices:bousai",
                     "applications:catalogue", "applications:procedure", "reservations:index",
                     "reservations:facility", "opendata:index", "opendata:dataset", "opendata:map", "plans:index",
                     "website:index", "website:page", "website:sitemap", "website:feed", "website:robots",
                     "ui:terms", "ui:privacy", "website:theme", *sweep_opinions.CACHED_PAGES, "voice:surveys",
                     "voice:survey-thanks"):
        assert expected in names, (expected, sorted(names))
    for name, path, etag in cached:
        again = client.get(path)
        assert again[HEADER] == "hit", name
        assert again["ETag"] == etag, name
        conditional = client.get(path, HTTP_IF_NONE_MATCH=etag)
        assert conditional.status_code == 304 and conditional.content == b"", name
        assert "public" in _directives(conditional), name


@pytest.mark.django_db
def test_signed_in_crawl_is_never_public_nor_from_the_cache(page_cache, town_a, resident_a, crawl_data):
    # The cache full of the anonymous pages first: a signed-in visitor must still never get one of them.
    anonymous = Client()
    paths = _public_paths(town_a, crawl_data)
    for _route, path in paths:
        anonymous.get(path)
    resident = Client()
    resident.force_login(resident_a.user)
    staff = factories.staff_client(factories.make_staff(town_a, department="住民課"))
    for client in (resident, staff):
        leaks = []
        for route, path in paths:
            response = client.get(path)
            if response.get(HEADER) or ("public" in _directives(response) and policy_of(route.callback)):
                leaks.append((route.name, response.status_code, response.get(HEADER), response.get("Cache-Control")))
        assert leaks == [], leaks


@pytest.mark.django_db
def test_anonymous_pages_from_the_cache_keep_language_text_size_and_furigana_apart(page_cache, client, town_a):
    factories.make_notice(town_a, title="ごみ収集日の変更")
    path = f"{town_a.path_prefix}/notices/"
    japanese = client.get(path)
    assert japanese[HEADER] == "miss" and 'lang="ja"' in japanese.content.decode()
    client.cookies["yakuba_language"] = "en"
    english = client.get(path)
    assert english[HEADER] == "miss" and 'lang="en"' in english.content.decode()
    assert client.get(path)[HEADER] == "hit"
    client.cookies["yakuba_textsize"] = "xlarge"
    large = client.get(path)
    assert large[HEADER] == "miss" and large.content != english.content
    client.cookies["yakuba_furigana"] = "1"
    assert client.get(path)[HEADER] == "miss"
    assert client.get(path)[HEADER] == "hit"


@pytest.mark.django_db(transaction=True)  # the writes commit: caches hear of them as in production
def test_a_published_notice_shows_on_the_next_anonymous_view(page_cache, client, town_a):
    from yakuba.notices.services.notices import publish_notice

    staff = factories.make_staff(town_a, department="総務課")
    draft = factories.make_notice(town_a, title="台風第19号に伴う避難指示", category="bousai", published=False,
                                  department="総務課", deliver=False)
    for path in ("/", "/notices/", "/bousai/", "/notices/feed/"):
        client.get(town_a.path_prefix + path)
        assert client.get(town_a.path_prefix + path)[HEADER] == "hit", path
        assert "台風第19号" not in client.get(town_a.path_prefix + path).content.decode()
    with scope(municipality=town_a):
        publish_notice(staff, draft)
    for path in ("/", "/notices/", "/bousai/", "/notices/feed/"):
        response = client.get(town_a.path_prefix + path)
        assert response[HEADER] == "miss" and "台風第19号" in response.content.decode(), path


@pytest.mark.django_db(transaction=True)  # the writes commit: caches hear of them as in production
def test_an_opened_shelter_shows_on_the_next_anonymous_view_of_the_board(page_cache, client, town_a):
    from yakuba.notices.models import ShelterStatus
    from yakuba.notices.services.shelters import set_shelter_status

    staff = factories.make_staff(town_a)
    [shelter] = factories.publish_shelters(town_a, {"ID": "S1", "名称": "下仁田小学校 体育館"})
    board = f"{town_a.path_prefix}/bousai/"
    closed = client.get(board).content.decode()
    assert client.get(board)[HEADER] == "hit"
    with scope(municipality=town_a):
        set_shelter_status(staff, shelter, status=ShelterStatus.OPEN, note="受付は正面玄関")
    opened = client.get(board)
    assert opened[HEADER] == "miss" and "受付は正面玄関" in opened.content.decode()
    assert opened.content.decode() != closed


@pytest.mark.django_db(transaction=True)  # the writes commit: caches hear of them as in production
def test_a_published_dataset_shows_on_the_next_anonymous_view(page_cache, client, town_a):
    from tests.opendata.test_api import aed_rows, make_dataset
    from yakuba.opendata.models import Origin
    from yakuba.opendata.services import publish

    dataset = make_dataset(town_a)
    catalogue = f"{town_a.path_prefix}/opendata/"
    client.get(catalogue)
    assert client.get(catalogue)[HEADER] == "hit"
    with scope(municipality=town_a):
        publish.publish(dataset, aed_rows(town_a, 2), origin=Origin.IMPORT, note="初版")
    after = client.get(catalogue)
    assert after[HEADER] == "miss"
    page = client.get(f"{town_a.path_prefix}/opendata/aed/")
    assert page.status_code == 200 and "AED" in page.content.decode()


@pytest.mark.django_db
def test_a_message_key_or_a_session_is_never_served_from_the_cache(page_cache, client, town_a):
    notice = factories.make_notice(town_a, title="ごみ収集日の変更")
    path = f"{town_a.path_prefix}/notices/{notice.public_id}/"
    client.get(path)
    assert client.get(path)[HEADER] == "hit"
    assert not client.get(path + "?m=" + str(uuid.uuid4())).get(HEADER)
    client.cookies["sessionid"] = "whatever"
    assert not client.get(path).get(HEADER)


@pytest.mark.django_db
def test_public_pages_are_compressed_private_ones_not(client, town_a, resident_a):
    factories.make_notice(town_a, title="ごみ収集日の変更")
    page = client.get(f"{town_a.path_prefix}/notices/", HTTP_ACCEPT_ENCODING="gzip")
    assert page["Content-Encoding"] == "gzip"
    login = client.get(f"{town_a.path_prefix}/accounts/login/", HTTP_ACCEPT_ENCODING="gzip")
    assert "csrfmiddlewaretoken" in login.content.decode() and not login.get("Content-Encoding")
    client.force_login(resident_a.user)
    mine = client.get(f"{town_a.path_prefix}/notices/", HTTP_ACCEPT_ENCODING="gzip")
    assert mine.status_code == 200 and not mine.get("Content-Encoding")


@pytest.mark.django_db
def test_the_display_switches_refuse_a_post_from_another_site(client, town_a):
    prefs = f"{town_a.path_prefix}/prefs/"
    assert client.post(prefs, {"text_size": "large"}, HTTP_ORIGIN="https://evil.example").status_code == 403
    done = client.post(prefs, {"text_size": "large"}, HTTP_ORIGIN="http://testserver")
    assert done.status_code == 302 and done.cookies["yakuba_textsize"].value == "large"
    language = f"{town_a.path_prefix}/i18n/setlang/"
    assert client.post(language, {"language": "en"}, HTTP_REFERER="https://evil.example/x").status_code == 403
    assert client.post(language, {"language": "en"}).cookies["yakuba_language"].value == "en"


# Query budget: a page's query count does not grow with the rows it lists ---------------------------------------

def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def _notices(town, n):
    for i in range(n):
        factories.make_notice(town, title=f"お知らせ{i}", category="kurashi" if i % 2 else "bousai")


def _procedures(town, n):
    for i in range(n):
        factories.make_procedure(town, slug=f"p{uuid.uuid4().hex[:8]}", title=f"手続{i}")


def _facilities(town, n):
    for i in range(n):
        factories.make_room(town, facility=f"公民館{uuid.uuid4().hex[:6]}", name=f"会議室{i}")


def _datasets(town, n):
    from tests.opendata.test_api import aed_rows, make_dataset
    from yakuba.opendata import definitions
    from yakuba.opendata.models import Origin
    from yakuba.opendata.services import publish

    kinds = [kind for kind in ("aed", "public-wifi", "cultural-properties", "tourism", "events") if
             definitions.get(kind) is not None]
    for kind in kinds[len(_made.setdefault(town.pk, [])):][:n]:
        dataset = make_dataset(town, kind)
        _made[town.pk].append(kind)
        if kind == "aed":
            with scope(municipality=town):
                publish.publish(dataset, aed_rows(town, 3), origin=Origin.IMPORT)


_made: dict[int, list[str]] = {}


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "make"), [("/notices/", _notices), ("/procedures/", _procedures),
                                            ("/reservations/", _facilities), ("/opendata/", _datasets)])
def test_a_list_page_costs_the_same_queries_for_few_and_many_rows(settings, client, town_a, path, make):
    settings.PAGE_CACHE = False  # the view's own queries
    _made.clear()
    make(town_a, 2)
    client.get(town_a.path_prefix + path)  # warm what is cached per process (translations, definitions)
    few = _queries(client, town_a.path_prefix + path)
    make(town_a, 3)
    many = _queries(client, town_a.path_prefix + path)
    assert many == few, (path, few, many)


@pytest.mark.django_db
def test_a_cache_that_is_down_costs_speed_never_the_page(settings, client, town_a):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}  # nothing listens there
    factories.make_notice(town_a, title="ごみ収集日の変更")
    for _ in range(2):
        page = client.get(f"{town_a.path_prefix}/notices/")
        assert page.status_code == 200 and "ごみ収集日の変更" in page.content.decode() and not page.get(HEADER)


@pytest.mark.django_db
def test_a_write_shows_at_once_even_before_its_transaction_commits(client, town_a):
    """The writing transaction itself (and a test's, which never commits) never reads an older page."""
    path = f"{town_a.path_prefix}/notices/"
    client.get(path)
    assert client.get(path)[HEADER] == "hit"
    factories.make_notice(town_a, title="道路の通行止め")
    assert "道路の通行止め" in client.get(path).content.decode()


@pytest.mark.django_db(transaction=True)  # the writes commit: caches hear of them as in production
def test_a_new_version_of_the_shelter_list_shows_on_the_next_anonymous_view_of_the_board(page_cache, client, town_a):
    factories.publish_shelters(town_a, {"ID": "S1", "名称": "下仁田小学校 体育館"})
    board = f"{town_a.path_prefix}/bousai/"
    client.get(board)
    assert client.get(board)[HEADER] == "hit"
    factories.publish_shelters(town_a, {"ID": "S1", "名称": "下仁田町体育館（旧下仁田小学校）"})
    renamed = client.get(board)
    assert renamed[HEADER] == "miss" and "旧下仁田小学校" in renamed.content.decode()


# Serving a hit cheaply: the body kept compressed, no database, one version rendered once -----------------------------

@pytest.mark.django_db
def test_a_page_is_kept_compressed_and_served_so_or_plain_as_the_client_asks(page_cache, client, town_a):
    import gzip

    factories.make_notice(town_a, title="ごみ収集日の変更")
    path = f"{town_a.path_prefix}/notices/"
    plain = client.get(path)
    for state in ("hit", "hit"):
        packed = client.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert packed[HEADER] == state and packed["Content-Encoding"] == "gzip"
        assert gzip.decompress(packed.content) == plain.content
        assert "Accept-Encoding" in packed["Vary"] and "Cookie" in packed["Vary"]
        assert packed["Content-Length"] == str(len(packed.content))
    again = client.get(path)
    assert again[HEADER] == "hit" and not again.get("Content-Encoding") and again.content == plain.content
    # Either encoding's ETag revalidates (the compressed one is weak, as Django's gzip marks it).
    assert packed["ETag"] == "W/" + again["ETag"]
    assert client.get(path, HTTP_IF_NONE_MATCH=packed["ETag"], HTTP_ACCEPT_ENCODING="gzip").status_code == 304


@pytest.mark.django_db
def test_a_hit_asks_the_database_nothing(settings, client, town_a):
    settings.PAGE_CACHE_LOCAL_MS = 0  # from the shared cache each time, not the process's memory
    path = f"{town_a.path_prefix}/notices/"
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path)[HEADER] == "hit"
    assert len(queries) == 0, [query["sql"] for query in queries.captured_queries]


@pytest.mark.django_db(transaction=True)  # the town's change is announced once it commits
def test_a_town_renamed_shows_on_its_cached_pages_at_once(page_cache, client, town_a):
    path = f"{town_a.path_prefix}/notices/"
    client.get(path)
    assert client.get(path)[HEADER] == "hit"
    town_a.name = "しもにた町"
    town_a.save()
    renamed = client.get(path)
    assert renamed[HEADER] == "miss" and "しもにた町" in renamed.content.decode()


@pytest.mark.django_db
def test_readers_of_a_version_another_reader_renders_wait_for_its_page(page_cache, settings, client, town_a):
    """The whole town reloading a page an alert just made stale: one render, the others take its page."""
    from yakuba.kernel.ui import pagecache

    settings.PAGE_CACHE_LOCAL_MS = 0
    path = f"{town_a.path_prefix}/notices/"
    client.get(path)
    key, tokens, _policy, stored = pagecache.PublicPageCacheMiddleware._lookup(client.get(path).wsgi_request)
    rendering = pagecache._rendering_key(key, tokens)
    cache = pagecache._cache()
    # Someone renders this version and keeps it: a waiter takes that page.
    cache.set(rendering, pagecache.RENDERING, 5)
    assert stored is not None and pagecache._wait_for(key, tokens, rendering) == stored
    # A version whose renderer finished without keeping a page: the waiter renders it itself.
    cache.set(rendering, pagecache.NOT_KEPT, 5)
    assert pagecache._wait_for(key, "another-version", rendering) is None

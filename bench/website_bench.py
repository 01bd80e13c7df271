"""公式ホームページ: a town site of 3,000 pages (sections, articles with headings, lists, tables, links and images).

(a) Page render: a public page through the whole stack (Django's test client: tenancy, sessions, CSP, the page cache),
    uncached (the page cache off) and cached (on, the page read before), median and p95 over a sample of pages,
    against the ceiling measured in the same run: a bare template of the same public base, through the same stack.
    (Without the public page view `website:page`, the page would be blocks.render + a template of the public base
    rendered in-process, and the ceiling the same template with no blocks.)
(b) The accessibility report over every page (services.checks.report, as 情報担当): cold (nothing cached: every page
    checked) and warm (the findings read back), seconds and pages/s; and the report page itself.
(c) sitemap.xml (when the public pages have it): seconds for the whole sitemap of the town.
(d) Import of 3,000 saved pages (half Shift_JIS, half UTF-8, as an old 自治体 CMS saved them, zipped): the check
    (every file read, decoded, cut into blocks, checked) and the import (read again, created as drafts in one
    transaction), pages/s, against the floor of merely parsing every file with lxml.

Run: .venv/bin/python bench/website_bench.py [pages]   (SQLite in a temporary folder; with YAKUBA_BENCH_DATABASE_URL
     set, on a fresh PostgreSQL test database as the other benches; prints figures; never asserts)
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

PAGES = 3000
SAMPLE = 200  # pages rendered in (a)
SECTIONS = [("kurashi", "くらし・手続き"), ("kosodate", "子育て・教育"), ("kenko", "健康・福祉"),
            ("bousai", "防災・安全"), ("kanko", "観光・文化"), ("chosei", "町政")]


def _blocks(n: int) -> list[dict[str, Any]]:
    """A page as towns write them: a lead, two sections with a list, a table and links, an image, a file."""
    return [
        {"type": "text", "html": f"<p>下仁田町のお知らせ（{n}）です。町民の皆さまにお知らせします。"
                                 "対象となる方は、期限までに申請してください。</p>"},
        {"type": "heading", "level": 2, "text": "対象となる方"},
        {"type": "text", "html": "<ul><li>町内に住所のある方</li><li>令和8年4月1日時点で65歳以上の方</li>"
                                 "<li>ほかの制度の給付を受けていない方</li></ul>"},
        {"type": "heading", "level": 2, "text": "申請の方法"},
        {"type": "text", "html": "<p>申請書に必要事項を記入し、窓口へお持ちください。<a href=\"https://www.town.shimonita.lg.jp/"
                                 f"form/{n}.pdf\">申請書の様式（PDF）</a>は役場でも配布しています。</p>"},
        {"type": "heading", "level": 3, "text": "受付時間"},
        {"type": "text", "html": "<table><caption>受付時間</caption><thead><tr><th scope=\"col\">曜日</th>"
                                 "<th scope=\"col\">時間</th></tr></thead><tbody><tr><td>平日</td><td>8時30分～17時15分"
                                 "</td></tr><tr><td>土曜</td><td>9時～12時</td></tr></tbody></table>"},
        {"type": "image", "asset": "none", "alt": "" if n % 10 == 0 else "窓口の案内図", "caption": "",
         "decorative": False},
        {"type": "link", "url": "/kurashi/", "text": "こちら" if n % 7 == 0 else "くらし・手続きの一覧"},
    ]


def build_site(pages: int) -> tuple[Any, Any]:
    from django.utils import timezone
    from django_scopes import scope

    from yakuba.kernel.accounts.models import Department, Role, Staff, User
    from yakuba.kernel.tenancy.models import Municipality
    from yakuba.website.models import Page, PageKind, PageVersion, VersionState

    town = Municipality.objects.create(code="103829", name="下仁田町", name_kana="しもにたまち", prefecture="群馬県")
    with scope(municipality=town):
        departments = [Department.objects.create(municipality=town, name=name, sort_order=n)
                       for n, name in enumerate(("総務課", "住民課", "保健課", "建設課", "商工観光課", "教育課"))]
        admin = Staff.objects.create(municipality=town, user=User.objects.create_user("admin@bench.example.jp", None),
                                     department=departments[0], role=Role.ADMIN, family_name="情報", given_name="担当")
        today = timezone.localdate()
        now = timezone.now()
        sections = [Page.objects.create(municipality=town, slug=slug, path=slug, kind=PageKind.SECTION,
                                        department=departments[n], position=n, review_due=today)
                    for n, (slug, _title) in enumerate(SECTIONS)]
        rows = [Page(municipality=town, parent=sections[n % len(sections)], slug=f"p{n}",
                     path=f"{sections[n % len(sections)].slug}/p{n}", kind=PageKind.ARTICLE,
                     department=departments[n % len(departments)], position=n, review_due=today)
                for n in range(pages - len(sections))]
        Page.objects.bulk_create(rows, batch_size=500)
        every = list(Page.objects.order_by("pk"))
        titles = dict(SECTIONS)
        versions = [PageVersion(municipality=town, page=page, number=1, state=VersionState.PUBLISHED,
                                title=titles.get(page.slug) or f"お知らせ {page.slug}", author=admin,
                                blocks=_blocks(n), published_at=now) for n, page in enumerate(every)]
        PageVersion.objects.bulk_create(versions, batch_size=500)
        live = {version.page_id: version.pk for version in PageVersion.objects.only("pk", "page_id")}
        for page in every:
            page.live_id = live[page.pk]
        Page.objects.bulk_update(every, ["live"], batch_size=500)
    return town, admin


def _stats(timings: list[float]) -> tuple[float, float]:
    timings = sorted(timings)
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1]


def _timed(call: Any, runs: int) -> tuple[float, float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return _stats(timings)


def _ceiling_url() -> str:
    """A bare page of the public base through the whole stack: a view rendering the base template with nothing in
    it, added to the town's URLs for this run."""
    from django.shortcuts import render
    from django.urls import clear_url_caches, path

    from yakuba import urls

    urls.urlpatterns.append(path("bench-bare/", lambda request: render(request, "ui/public/base.html", {}),
                                 name="bench-bare"))
    clear_url_caches()
    return "bench-bare/"


def measure_render(town: Any) -> None:
    from django.test import Client, override_settings
    from django.urls import NoReverseMatch, reverse
    from django_scopes import scope

    from yakuba.website.models import Page

    with scope(municipality=town):
        sample = list(Page.objects.filter(kind="article").order_by("?").values_list("path", flat=True)[:SAMPLE])
    prefix = town.path_prefix
    urls: list[str] = []
    for how in ({"kwargs": True}, {"kwargs": False}):
        try:
            urls = [reverse("website:page", kwargs={"path": path}) if how["kwargs"]
                    else reverse("website:page", args=[path]) for path in sample]
            break
        except NoReverseMatch:
            continue
    if not urls:
        measure_render_in_process(town, sample)
        return
    bare = prefix + "/" + _ceiling_url()
    healthz = prefix + "/healthz"
    client = Client()
    pages = [prefix + url for url in urls]
    for label, cache_on in (("uncached", False), ("cached", True)):
        with override_settings(PAGE_CACHE=cache_on):
            for url in pages[:5] + [bare]:
                assert client.get(url).status_code == 200, url
            if cache_on:
                for url in pages:
                    client.get(url)
            timings = []
            for url in pages:
                started = time.perf_counter()
                client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            page_median, page_p95 = _stats(timings)
            bare_median, bare_p95 = _timed(lambda: client.get(bare), len(pages))
            floor_median, _floor_p95 = _timed(lambda: client.get(healthz), len(pages))
        print(f"(a) page {label}: median {page_median:.2f} ms, p95 {page_p95:.2f} ms; ceiling: bare public base "
              f"{bare_median:.2f} / {bare_p95:.2f} ms (ratio bare / page {bare_median / page_median:.2f}); "
              f"/healthz through the same stack {floor_median:.2f} ms")


def measure_render_in_process(town: Any, sample: list[str]) -> None:
    """Until the public view exists: blocks.render + the public base template, in-process."""
    from django.template import engines
    from django.test import RequestFactory
    from django_scopes import scope

    from yakuba.website import blocks
    from yakuba.website.models import Page

    template = engines["django"].from_string(
        '{% extends "ui/public/base.html" %}{% block content %}<h1>{{ title }}</h1>{{ body }}{% endblock %}')
    request = RequestFactory().get("/")
    request.municipality = town  # type: ignore[attr-defined]
    with scope(municipality=town):
        versions = [page.live for page in Page.objects.filter(path__in=sample).select_related("live")]

        def page(version: Any) -> str:
            return str(template.render({"title": version.title, "body": blocks.render(blocks.parse(version.blocks),
                                                                                     {})}, request))

        for version in versions[:5]:
            page(version)
        timings = []
        for version in versions:
            started = time.perf_counter()
            page(version)
            timings.append((time.perf_counter() - started) * 1000)
        page_median, page_p95 = _stats(timings)
        bare_median, bare_p95 = _timed(lambda: template.render({"title": "", "body": ""}, request), len(versions))
    print("(a) the public page view (website:page) is not on this branch yet: blocks.parse + render + the public "
          "base template, in-process")
    print(f"    page: median {page_median:.2f} ms, p95 {page_p95:.2f} ms; bare base {bare_median:.2f} / "
          f"{bare_p95:.2f} ms; ratio (bare / page) {bare_median / page_median:.2f}")


def measure_report(town: Any, admin: Any, pages: int) -> None:
    from django.core.cache import cache
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_scopes import scope

    from yakuba.website.services import checks

    with scope(municipality=town):
        cache.clear()
        started = time.perf_counter()
        cold = checks.report(admin)
        cold_s = time.perf_counter() - started
        started = time.perf_counter()
        checks.report(admin)
        warm_s = time.perf_counter() - started
    print(f"(b) accessibility report over {cold.checked} pages: cold {cold_s:.2f} s ({cold.checked / cold_s:.0f} "
          f"pages/s), warm {warm_s:.2f} s ({cold.checked / warm_s:.0f} pages/s); {len(cold.rows)} pages with findings")
    device = TOTPDevice.objects.create(user=admin.user, name="bench", confirmed=True)
    client = Client()
    client.force_login(admin.user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    url = f"{town.path_prefix}/staff/website/checks/"
    import logging

    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    try:
        median, _p95 = _timed(lambda: client.get(url), 5)
        print(f"    the report page (warm, first 50 pages shown): median {median:.0f} ms")
    except Exception as error:  # noqa: BLE001 - the staff menu needs the editor's URLs (lead's branch)
        print(f"    the report page: not measured here ({type(error).__name__})")


def measure_sitemap(town: Any) -> None:
    from django.test import Client
    from django.urls import NoReverseMatch, Resolver404, resolve

    try:
        resolve("/sitemap.xml")
    except (Resolver404, NoReverseMatch):
        print("(c) sitemap.xml: not on this branch yet")
        return
    client = Client()
    url = f"{town.path_prefix}/sitemap.xml"
    response = client.get(url)
    if response.status_code != 200:
        print(f"(c) sitemap.xml: {response.status_code}")
        return
    from django.test import override_settings

    with override_settings(PAGE_CACHE=False):
        median, p95 = _timed(lambda: client.get(url), 5)
    cached, _p95 = _timed(lambda: client.get(url), 20)
    print(f"(c) sitemap.xml of {town.name} ({len(response.content) / 1024:.0f} KB): generated {median:.0f} ms "
          f"(p95 {p95:.0f} ms), from the page cache {cached:.2f} ms")


def saved_page(n: int) -> tuple[str, bytes]:
    sjis = n % 2 == 0
    charset = "Shift_JIS" if sjis else "UTF-8"
    html = (f'<!DOCTYPE html><html lang="ja"><head><meta http-equiv="Content-Type" content="text/html; '
            f'charset={charset}"><title>お知らせ{n}｜下仁田町</title><script src="/js/common.js"></script></head>'
            '<body><div id="header"><a href="/"><img src="/img/logo.gif" alt="下仁田町"></a><ul id="gnav">'
            + "".join(f"<li><a href='/{slug}/'>{title}</a></li>" for slug, title in SECTIONS)
            + '</ul></div><div id="topicpath"><a href="/">ホーム</a> &gt; くらし</div><div id="tmp_contents">'
            f'<h1>お知らせ{n}</h1><p class="update">更新日：令和6年{n % 12 + 1}月{n % 28 + 1}日</p>'
            + "".join(f"<h2>項目{k}</h2><p>{'町民の皆さまにお知らせします。期限までに申請してください。' * 4}</p>"
                      "<ul><li>対象：町内に住所のある方</li><li>費用：無料</li></ul>" for k in range(3))
            + '<table><tr><th>曜日</th><th>時間</th></tr><tr><td>平日</td><td>8時30分～17時15分</td></tr></table>'
            f'<p>詳しくは<a href="/kurashi/{n}.html">こちら</a>をご覧ください。</p></div>'
            '<div id="footer"><address>下仁田町役場 〒370-2601 群馬県甘楽郡下仁田町大字下仁田682</address></div>'
            '</body></html>')
    return f"kurashi/oshirase/{n}.html", html.encode("cp932" if sjis else "utf-8")


def measure_import(town: Any, admin: Any, pages: int) -> None:
    import lxml.html
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_scopes import scope

    from yakuba.website.models import ImportRun, Page
    from yakuba.website.services import importing

    files = [saved_page(n) for n in range(pages)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    data = buffer.getvalue()
    started = time.perf_counter()
    for _name, raw in files:
        lxml.html.document_fromstring(raw)
    floor = time.perf_counter() - started
    with scope(municipality=town):
        parent = Page.objects.get(path="kurashi")
        started = time.perf_counter()
        run = importing.start(admin, SimpleUploadedFile("site.zip", data), department=admin.department,
                              parent=parent, base_url="https://www.town.shimonita.lg.jp/")
        importing.check(run)
        checked = time.perf_counter() - started
        run.refresh_from_db()
        counts = importing.counts(run)
        started = time.perf_counter()
        importing.confirm(admin, run)
        run = importing.run_import(run.pk)
        imported = time.perf_counter() - started
        run = ImportRun.objects.get(pk=run.pk)
    print(f"(d) import of {pages} saved pages ({len(data) / 1e6:.1f} MB zip, half Shift_JIS): check {checked:.1f} s "
          f"({pages / checked:.0f} pages/s; {counts['ready']} ready, {counts['refused']} refused), import "
          f"{imported:.1f} s ({run.imported / imported:.0f} pages/s, {run.imported} created); floor (lxml parse "
          f"only) {floor:.2f} s ({pages / floor:.0f} pages/s); ratio check/floor {checked / floor:.1f}×")


def report(_runs: int, pages: int = PAGES) -> None:
    from django.db import connection

    print(f"公式ホームページ: {pages} pages ({connection.vendor}, {os.cpu_count()} cores)")
    started = time.perf_counter()
    town, admin = build_site(pages)
    print(f"  (building the site: {time.perf_counter() - started:.1f} s; not timed below)")
    measure_render(town)
    measure_report(town, admin, pages)
    measure_sitemap(town)
    measure_import(town, admin, pages)


def main() -> None:
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else PAGES
    if os.environ.get("YAKUBA_BENCH_DATABASE_URL"):
        from pgdb import run_on_fresh_database

        run_on_fresh_database("website", lambda runs: report(runs, pages), 1)
        return
    data = Path(tempfile.mkdtemp(prefix="yakuba-bench-"))
    (data / "static").mkdir()
    os.environ.update({"DJANGO_SETTINGS_MODULE": "yakuba.settings", "YAKUBA_DATA_DIR": str(data),
                       "DATABASE_URL": f"sqlite:///{data / 'bench.sqlite3'}", "YAKUBA_LOG_LEVEL": "WARNING"})
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    report(1, pages)


if __name__ == "__main__":
    main()

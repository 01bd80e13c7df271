"""会議資料 on PostgreSQL: a 300-page pack with text on every page (WeasyPrint), as the 事務局 uploads it and a member
opens page 250 on a tablet.

(a) Upload: `pack.add_document` of the 300-page PDF (content check, sha256, stored, the text and digest of every page
    read with pypdfium2 into 300 Page rows, audit): seconds. Building the PDF is not timed.
(b) Server: the first image of page 250 (pypdfium2 render at 1240 px, WebP, stored): seconds; then the same request
    answered from the stored image; and the thumbnail (200 px).
(c) Browser: Chromium (Playwright, /usr/bin/chromium as tests/browser) at 800×1280, signed in as a member, opening
    /meetings/<uuid>/pack/<document>/?page=250 against a live server: time from navigation start to the page image
    painted (the image decoded and laid out; also the browser's first-contentful-paint), with the image not yet
    rendered on the server (cold) and rendered (warm), and which page images the browser asked for (goal: 250 only).
    Ceiling: 3 s to first paint of page 250.

Run: .venv/bin/python bench/meetings_pack_bench.py   (PostgreSQL from YAKUBA_BENCH_DATABASE_URL; prints; never asserts)
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from pgdb import close_connections, run_on_fresh_database  # noqa: E402

PAGES = 300
TARGET = 250
CEILING_SECONDS = 3.0
CHROMIUM = os.environ.get("YAKUBA_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def _pdf() -> bytes:
    from weasyprint import HTML

    sections = "".join(
        f'<section style="page-break-after: always"><h1>第{n}ページ 令和8年度補正予算</h1>'
        f'<p>{"歳入歳出予算の補正について説明します。" * 40}（{n}）</p></section>' for n in range(1, PAGES + 1))
    html = f'<html lang="ja"><body style="font-family: Noto Sans CJK JP">{sections}</body></html>'
    result: bytes = HTML(string=html).write_pdf()
    return result


def _setup() -> tuple[Any, Any, Any]:
    from django.utils import timezone
    from django_scopes import scope

    from yakuba.kernel.accounts.models import Department, Role, Staff, User
    from yakuba.kernel.tenancy.models import Municipality
    from yakuba.meetings.models import Body, BodyKind, Meeting, Member

    town = Municipality.objects.create(code="103829", name="下仁田町", name_kana="しもにたまち", prefecture="群馬県")
    with scope(municipality=town):
        department = Department.objects.create(municipality=town, name="議会事務局")
        clerk = Staff.objects.create(municipality=town, user=User.objects.create_user("clerk@bench.example.jp", None),
                                     department=department, role=Role.STAFF, family_name="事務局", given_name="一")
        body = Body.objects.create(municipality=town, name="総務常任委員会", kind=BodyKind.COMMITTEE,
                                   department=department)
        user = User.objects.create_user("member@bench.example.jp", None)
        Member.objects.create(municipality=town, body=body, name="議員", title="委員長", user=user)
        meeting = Meeting.objects.create(municipality=town, body=body, title="令和8年第4回 総務常任委員会",
                                         starts_at=timezone.now() + timezone.timedelta(days=3))
    return town, clerk, (meeting, user)


def _browser_run(browser: Any, url: str, cookie: dict[str, str]) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 800, "height": 1280}, locale="ja-JP", device_scale_factor=1)
    context.add_cookies([cookie])
    page = context.new_page()
    images: list[str] = []
    page.on("request", lambda request: "/meetings/pack/pages/" in request.url and images.append(
        request.url.rsplit("/", 1)[1]))
    page.goto(url, wait_until="load")
    timing = page.evaluate("""() => {
        const image = document.getElementById('viewer-image');
        const entry = performance.getEntriesByName(image.currentSrc || image.src)[0];
        const fcp = performance.getEntriesByName('first-contentful-paint')[0];
        return new Promise((resolve) => image.decode().then(() => requestAnimationFrame(() => resolve({
            painted: performance.now(), image_end: entry ? entry.responseEnd : null,
            fcp: fcp ? fcp.startTime : null, load: performance.getEntriesByType('navigation')[0].loadEventEnd}))));
    }""")
    context.close()
    return {**timing, "images": images}


def report(_runs: int) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.test.testcases import LiveServerThread, _StaticFilesHandler
    from django_scopes import scope

    from yakuba.meetings.models import Version
    from yakuba.meetings.services import pack, pages

    print(f"会議資料: a {PAGES}-page pack, page {TARGET} (PostgreSQL, {os.cpu_count()} cores)")
    started = time.perf_counter()
    data = _pdf()
    print(f"  (building the PDF with WeasyPrint: {time.perf_counter() - started:.1f} s, {len(data) / 1e6:.2f} MB; "
          "not timed below)")
    town, clerk, (meeting, member) = _setup()

    with scope(municipality=town):
        started = time.perf_counter()
        document = pack.add_document(meeting, None, "資料1 令和8年度補正予算書", SimpleUploadedFile("予算書.pdf", data),
                                     clerk.user)
        upload = time.perf_counter() - started
        version = Version.objects.get(pk=document.current_id)
        print(f"(a) upload + text of {version.pages} pages: {upload:.2f} s")

        started = time.perf_counter()
        pages.image(version, TARGET, pages.SIZES["page"])
        cold = time.perf_counter() - started
        warm = []
        for _ in range(5):
            started = time.perf_counter()
            pages.image(version, TARGET, pages.SIZES["page"])
            warm.append(time.perf_counter() - started)
        started = time.perf_counter()
        pages.image(version, TARGET, pages.SIZES["thumb"])
        thumb = time.perf_counter() - started
        rendered = pages.rendered_pages(version, pages.SIZES["page"])
        print(f"(b) server, page {TARGET} at 1240 px: first {cold * 1000:.0f} ms, "
              f"stored {statistics.median(warm) * 1000:.2f} ms; thumbnail {thumb * 1000:.0f} ms; "
              f"pages rendered: {rendered}")
        # A second document, never opened, for the browser's cold run.
        cold_document = pack.add_document(meeting, None, "資料2 同（未表示）", SimpleUploadedFile("予算書2.pdf", data),
                                          clerk.user)

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("(c) browser: playwright is not installed")
        return
    if not Path(CHROMIUM).exists():
        print(f"(c) browser: no Chromium at {CHROMIUM}")
        return
    client = Client()
    client.force_login(member)
    close_connections()
    server = LiveServerThread("127.0.0.1", _StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    base = f"http://127.0.0.1:{server.port}{town.path_prefix}/meetings/{meeting.uuid}/pack"
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": f"http://127.0.0.1:{server.port}"}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
            _browser_run(browser, f"{base}/{document.pk}/?page=1", cookie)  # the server's first request warms up
            runs = [("cold (page not yet rendered)", _browser_run(browser, f"{base}/{cold_document.pk}/?page={TARGET}",
                                                                 cookie))]
            runs += [("warm (rendered before)", _browser_run(browser, f"{base}/{document.pk}/?page={TARGET}", cookie))
                     for _ in range(3)]
            browser.close()
    finally:
        server.terminate()
    print(f"(c) Chromium 800×1280, page {TARGET} of {PAGES} in the viewer (ceiling {CEILING_SECONDS:.0f} s to first "
          "paint of the page):")
    for label, run in runs:
        print(f"    {label}: page image painted at {run['painted'] / 1000:.2f} s"
              f" (image received {run['image_end'] / 1000 if run['image_end'] else float('nan'):.2f} s,"
              f" first contentful paint {run['fcp'] / 1000 if run['fcp'] else float('nan'):.2f} s,"
              f" load {run['load'] / 1000:.2f} s); page images requested: {run['images']}")


if __name__ == "__main__":
    run_on_fresh_database("meetings_pack", report, 1)

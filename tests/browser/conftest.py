"""Browser tests: Debian's Chromium driven by Playwright against the live test server; axe-core checks.

Without Chromium the tests are skipped with a message, unless YAKUBA_REQUIRE_BROWSER=1 (CI), where a
missing browser fails the run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test itself are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("YAKUBA_CHROMIUM", "/usr/bin/chromium")
AXE_JS = (Path(__file__).parent / "vendor" / "axe-4.14.1.min.js").read_text(encoding="utf-8")
# Waits of Playwright, generous so that a busy machine (CI beside other jobs, two xdist workers) is no failure:
# actions and navigations wait up to PATIENCE_MS, `expect` assertions (5 s by default) too. Each polls, so an idle
# machine still moves on at once.
PATIENCE_MS = 60_000
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"]


def _browser_missing_reason() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium; `make browser-deps`)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (make install-dev)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _browser_missing_reason()
    if reason is None:
        return
    if os.environ.get("YAKUBA_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"browser tests required but {reason}")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=f"browser tests skipped: {reason}"))


@pytest.fixture
def demo_towns(settings):
    """The four demo towns with demo passwords, in the live server's database (on SQLite a copy of the process's
    first load: tests/support/demo_copy.py)."""
    from tests.support.demo_copy import load_demo

    settings.DEMO = True
    load_demo()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=PATIENCE_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        new_context = browser.new_context

        def patient_context(*args, **kwargs):  # every context of every test, also those a test opens itself
            context = new_context(*args, **kwargs)
            context.set_default_timeout(PATIENCE_MS)
            return context

        browser.new_context = patient_context
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    """A 360 px wide page, as on a small phone. Collects console errors (CSP violations among them)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2,
                                  locale="ja-JP", has_touch=True)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    yield page
    context.close()


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core on the current page; violations of the given impacts, summarised."""
    page.evaluate(AXE_JS)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"] if v["impact"] in impacts
    ]


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe-core on {page.url}: {violations}"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways at 360 px ({width} px)"
    assert not [e for e in page.console_errors if "Content Security Policy" in e], page.console_errors


def log_in_staff(page, base: str, staff) -> None:
    """Sign a factory-made staff member in through the real login form and TOTP step."""
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_scopes import scopes_disabled

    from tests import factories
    from tests.kernel.accounts.test_staff_login import totp_now

    page.goto(f"{base}/staff/login/")
    page.fill("input[name=username]", staff.user.email)
    page.fill("input[name=password]", factories.PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    with scopes_disabled():
        device = TOTPDevice.objects.get(user=staff.user)
    page.fill("input[name=token]", totp_now(device))
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    assert "/staff/login" not in page.url


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has the focus (keyboard-only journeys)."""
    for _press in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never took the focus")

"""書かない窓口, the resident's screen, in Chromium at 360 px and 1,280 px, keyboard only: the clerk records the
本人確認, turns the screen, the resident reads plain large text (labels above values), the fee total, and files."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests import factories
from tests.applications.test_counter import APPLICANT_PAGE
from tests.browser.conftest import assert_accessible, log_in_staff, tab_to
from yakuba.applications import services
from yakuba.applications.models import CounterVisit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOT = "/work/wt/counter-shot.png"
CERTIFICATES_PAGE = {"title": "証明書", "fields": [
    {"name": "certificates", "type": "multi_choice", "label": "必要な証明書",
     "options": [["juminhyo", "住民票の写し"], ["koseki", "戸籍謄本"]]},
    {"name": "count", "type": "number", "label": "通数（各）"},
    # A long label and a long unbroken value: what ran together side by side.
    {"name": "contact_email", "type": "email", "label": "証明書の発送についてご連絡するときのメールアドレス（任意）",
     "required": False},
]}
ANSWERS = {"certificates": ["juminhyo", "koseki"], "count": "2",
           "contact_email": "yamada.hanako.shimonita.counter@example.jp", "dog_name": "ポチ", "breed": "shiba"}


@pytest.fixture(params=[360, 1280], ids=["phone", "desktop"])
def screen(browser, request):
    context = browser.new_context(viewport={"width": request.param, "height": 900}, locale="ja-JP")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    yield page
    context.close()


@pytest.fixture
def visit(db):
    """A visit filled in for 住民票の写し (2 × (300 + 450) yen) and 犬の登録 (3,000 yen), not yet checked."""
    town = factories.make_town()
    clerk = factories.make_staff(town, department="総務課")
    resident = factories.make_resident(town)
    certificates = factories.make_procedure(
        town, title="住民票の写し等の交付", department="住民課",
        definition={"title": "証明書", "version": 1, "pages": [APPLICANT_PAGE, CERTIFICATES_PAGE]},
        fee_schedule={"choice": "certificates", "per": "count", "yen": {"juminhyo": 300, "koseki": 450}})
    dog = factories.make_procedure(town, title="犬の登録", department="住民課", fee_schedule={"yen": 3000})
    with scope(municipality=town):
        visit = services.start_visit(resident, [certificates, dog], staff=clerk)
        form = services.combine_forms(services.visit_procedures(visit)).form
        for page in range(len(form.pages)):
            services.save_visit_page(visit, page, ANSWERS)
    return town, clerk, visit


def press(page, selector: str) -> None:
    """Reach `selector` with Tab and press Enter, as a keyboard-only clerk does."""
    tab_to(page, selector, limit=150)
    page.keyboard.press("Enter")


def boxes_apart(page) -> None:
    """Every answer: the label sits wholly above its value, their boxes do not meet."""
    items = page.locator(".counter-answers__item")
    assert items.count() >= 5
    for index in range(items.count()):
        label = items.nth(index).locator("dt").bounding_box()
        value = items.nth(index).locator("dd").bounding_box()
        overlap_x = min(label["x"] + label["width"], value["x"] + value["width"]) - max(label["x"], value["x"])
        overlap_y = min(label["y"] + label["height"], value["y"] + value["height"]) - max(label["y"], value["y"])
        assert overlap_x <= 0 or overlap_y <= 0, (index, label, value)
        assert label["y"] + label["height"] <= value["y"] + 0.5, (index, label, value)


def test_the_resident_confirms_on_a_plain_screen_and_the_clerk_gets_back(live_server, screen, visit):
    town, clerk, counter_visit = visit
    base = f"{live_server.url}{town.path_prefix}"
    page = screen
    log_in_staff(page, base, clerk)
    page.goto(f"{base}/staff/applications/counter/visits/{counter_visit.public_id}/confirm/")
    assert page.locator("nav[aria-label=職員メニュー]").count() == 1  # the clerk's page
    assert page.get_by_role("button", name="この内容で申請する").count() == 0  # not before 本人確認
    assert_accessible(page)

    # 本人確認, keyboard only: into the radio group (マイナンバーカード first), an arrow to 運転免許証, the button.
    tab_to(page, "input[name=identity_document]", limit=150)
    page.keyboard.press("ArrowDown")
    assert page.locator("input[value=driving_licence]").is_checked()
    with page.expect_navigation():
        press(page, "#identity button[type=submit]")
    assert "運転免許証" in page.locator(".counter-identity__done").inner_text()
    assert_accessible(page)

    with page.expect_navigation():
        press(page, "a[href$='/resident/']")
    main = page.locator("main")
    assert page.locator("h1").inner_text() == "申請する内容のご確認"
    assert page.locator("nav[aria-label=職員メニュー]").count() == 0
    assert "ログアウト" not in page.content() and "職員用サイト" not in page.content()
    text = main.inner_text()
    assert "1,500円" in text and "3,000円" in text
    total = page.locator(".counter-fees__total")
    assert total.locator("dt").inner_text() == "合計" and total.locator("dd").inner_text() == "4,500円"
    boxes_apart(page)
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.counter-answers dd')).fontSize)")
    assert size >= 20  # large text for the resident
    assert_accessible(page)
    if page.viewport_size["width"] == 360:
        page.screenshot(path=SHOT, full_page=True)

    with page.expect_navigation():
        press(page, "button.counter-submit")
    assert page.locator("h1").inner_text() == "申請を受け付けました"
    assert page.locator(".counter-reference").count() == 2
    assert page.locator("nav[aria-label=職員メニュー]").count() == 0
    assert_accessible(page)
    with page.expect_navigation():
        press(page, ".counter-clerk a")
    assert page.locator("nav[aria-label=職員メニュー]").count() == 1
    assert "本人確認: 運転免許証" in page.locator("main").inner_text()
    with scope(municipality=town):
        assert CounterVisit.objects.get(pk=counter_visit.pk).finished_at is not None

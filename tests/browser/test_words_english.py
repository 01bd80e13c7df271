"""Words for everyone, on the demo data at 360 px: a resident reading English applies for 児童手当 with English labels
on every page (no text left untranslated), through the compact 表示・言語 switch; the 情報担当 opens the 翻訳 page,
sees the AI draft left unchecked, and checks a translation. axe-core on every page."""

from __future__ import annotations

import re

import pytest
from django_scopes import scope

from tests.browser.conftest import assert_accessible
from tests.browser.test_applications_demo import fill, shimonita, staff_log_in
from yakuba.applications.models import Procedure, Status, Submission
from yakuba.kernel.ops import demo
from yakuba.kernel.words.models import State, Translation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def submit(page, selector: str = "main button[type=submit]") -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()


def no_untranslated(page) -> None:
    """Every town text on the page is in English: nothing marked lang="ja" as untranslated, no note saying so."""
    assert page.locator("main .untranslated").count() == 0, page.locator("main .untranslated").all_inner_texts()
    assert page.locator("main .words-note").count() == 0


def test_a_resident_applies_for_the_child_allowance_in_english(live_server, phone, demo_towns):
    base = f"{live_server.url}/t/10382"
    phone.goto(f"{base}/procedures/jidou-teate/")
    # The display switches are one short line until opened; English is chosen there.
    summary = phone.locator("summary.tools-menu__summary")
    assert summary.bounding_box()["height"] < 80
    assert not phone.get_by_role("button", name="English", exact=True).is_visible()
    summary.click()
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="English", exact=True).click()
    assert phone.locator("html").get_attribute("lang") == "en"
    assert phone.locator("h1").inner_text() == "Child Allowance: application for approval"
    no_untranslated(phone)
    assert_accessible(phone)

    phone.goto(f"{base}/accounts/login/?next=/t/10382/procedures/jidou-teate/")
    phone.fill("input[name=username]", "resident2@shimonita.demo")
    phone.fill("input[name=password]", demo.DEMO_PASSWORD)
    submit(phone)
    assert phone.url.endswith("/procedures/jidou-teate/")
    submit(phone, "main form button[type=submit]")  # start the application
    with scope(municipality=shimonita()):
        form = Procedure.objects.get(slug="jidou-teate").current_form.form
    for index, form_page in enumerate(form.pages):
        assert phone.locator("h1").inner_text() != form_page.title  # the page's heading in English
        assert not JAPANESE.search(phone.locator("h1").inner_text()), phone.locator("h1").inner_text()
        for label in phone.locator("main label, main legend").all_inner_texts():
            assert not JAPANESE.search(label.replace("必須", "")), (index, label)
        no_untranslated(phone)
        assert_accessible(phone)
        if index == 0:  # a mistake first: the message names the English label
            phone.fill("#id_phone", "")
            submit(phone, "button[name=action][value=next]")
            assert "Phone number we can reach you on in the daytime" in phone.locator(".error-summary").inner_text()
            assert_accessible(phone)
            phone.fill("#id_phone", "0274-82-2111")
        fill(phone, form_page.fields)
        submit(phone, "button[name=action][value=next]")
    assert "/check/" in phone.url
    answers = phone.locator("main").inner_text()
    assert "Reason for applying" in answers and "Child's full name" in answers and "Ordinary (futsū)" in answers
    no_untranslated(phone)
    assert_accessible(phone)
    submit(phone, "main form button[type=submit]")
    reference = phone.locator(".confirmation__reference").inner_text()
    assert re.fullmatch(r"\d{4}-\d{6}", reference)
    assert "Child Allowance: application for approval" in phone.locator("main").inner_text()
    assert_accessible(phone)
    with scope(municipality=shimonita()):
        assert Submission.objects.get(reference=reference).status == Status.RECEIVED


def test_the_translation_page_at_360(live_server, phone, demo_towns):
    staff_log_in(phone, live_server.url, "admin@shimonita.demo", "/t/10382/staff/words/")
    assert "児童手当 認定請求" in phone.locator("main").inner_text()
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("link", name="犬の登録申請", exact=True).click()
    assert "AIの下書き" in phone.locator("main").inner_text()  # the demo's draft, waiting for a person
    assert_accessible(phone)
    phone.fill("textarea[name='en-title']", "Dog registration")
    with phone.expect_navigation():
        phone.get_by_role("button", name="確認して公開", exact=True).click()
    assert_accessible(phone)
    with scope(municipality=shimonita()):
        row = Translation.objects.get(kind="applications.procedure", field="title", language="en",
                                      key=str(Procedure.objects.get(slug="inu-touroku").pk))
        assert (row.text, row.state, row.machine) == ("Dog registration", State.CHECKED, False)

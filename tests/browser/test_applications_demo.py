"""The issue's 'done when', on the demo data at 360 px: a resident applies online and a clerk completes it; a counter
clerk files the 下仁田町 転入 bundle (three procedures) for a resident in one pass. axe-core on every page."""

from __future__ import annotations

import re

import pytest
from django_scopes import scope

from tests.browser.conftest import assert_accessible
from yakuba.applications import services
from yakuba.applications.models import Channel, Procedure, Status, Submission
from yakuba.kernel.forms.definition import Field
from yakuba.kernel.ops import demo
from yakuba.kernel.tenancy.models import Municipality

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TYPED = {"name": ("佐藤", "一郎"), "name_kana": ("サトウ", "イチロウ"), "date": "2026/4/1", "postal_code": "370-2601",
         "address": "群馬県甘楽郡下仁田町大字下仁田101", "phone": "0274-82-2111", "text": "しろ",
         "kana": "サトウ イチロウ", "textarea": "特になし", "number": "1", "money": "1000"}


def fill(page, fields: tuple[Field, ...], prefix: str = "") -> None:
    """Answer every question shown, as a resident would, keeping what is already there (prefilled answers)."""
    for item in fields:
        key = f"id_{prefix}{item.name}"
        if item.type == "group":
            fill(page, item.fields, f"{prefix}{item.name}-0-")
        elif item.type in ("name", "name_kana"):
            for part, value in zip(("family", "given"), TYPED[item.type], strict=True):
                _type_if_empty(page, f"#{key}__{part}", value)
        elif item.type in ("choice", "multi_choice", "consent"):
            _tick_first(page, key, item.type)
        elif item.type == "digits":
            _type_if_empty(page, f"#{key}", "1234567890"[:item.digits or 7])
        elif item.type in TYPED and (item.required or item.type != "email"):
            _type_if_empty(page, f"#{key}", TYPED[item.type])


def _type_if_empty(page, selector: str, value: str) -> None:
    # A question whose condition does not hold is hidden (and disabled): a resident does not answer it.
    if page.locator(selector).count() and page.locator(selector).is_visible() and not page.input_value(selector):
        page.fill(selector, value)


def _tick_first(page, key: str, kind: str) -> None:
    target = f"#{key}" if kind == "consent" else f"#{key}-option-0"
    if page.locator(target).count() and page.locator(target).is_visible() \
            and not page.locator(f"[id^='{key}-option-']:checked").count():
        page.check(target)


def click(page, name: str) -> None:
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name=name, exact=True).click()


def staff_log_in(page, base: str, email: str, then: str) -> None:
    page.goto(f"{base}{then}")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    click(page, "次へ")
    page.fill("input[name=token]", demo.current_code(email))
    click(page, "ログイン")
    assert page.url.endswith(then), page.url


def shimonita() -> Municipality:
    return Municipality.objects.get(code="103829")


def test_a_demo_resident_applies_online_and_a_clerk_completes_it(live_server, phone, demo_towns, browser):
    base = f"{live_server.url}/t/10382"
    phone.goto(f"{base}/accounts/login/?next=/t/10382/procedures/")
    phone.fill("input[name=username]", "resident2@shimonita.demo")
    phone.fill("input[name=password]", demo.DEMO_PASSWORD)
    with phone.expect_navigation():
        phone.get_by_role("button", name="ログイン", exact=True).click()
    phone.fill("input[name=q]", "いぬ")
    click(phone, "検索")
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("link", name="犬の登録申請").click()
    assert_accessible(phone)
    click(phone, "申請を始める")
    with scope(municipality=shimonita()):
        form = Procedure.objects.get(slug="inu-touroku").current_form.form
    for index, form_page in enumerate(form.pages):
        assert f"{index + 1} / {len(form.pages)} ページ" in phone.locator(".form-progress").inner_text()
        assert_accessible(phone)
        fill(phone, form_page.fields)
        click(phone, "次へ")
    assert phone.locator("h1").inner_text() == "入力内容の確認"
    assert "佐藤" in phone.locator("main").inner_text()  # prefilled from the demo resident's profile
    assert_accessible(phone)
    click(phone, "申請する")
    reference = phone.locator(".confirmation__reference").inner_text()
    assert re.fullmatch(r"\d{4}-\d{6}", reference)
    assert_accessible(phone)

    # The clerk of 住民税務課 (the owning department) takes it from the queue and completes it.
    clerk = browser.new_context(viewport={"width": 360, "height": 740}, locale="ja-JP").new_page()
    clerk.console_errors = []
    staff_log_in(clerk, live_server.url, "juumin@shimonita.demo", "/t/10382/staff/applications/")
    assert reference in clerk.locator("main").inner_text()
    assert_accessible(clerk)
    with clerk.expect_navigation():
        clerk.get_by_role("link", name=reference).click()
    assert "犬の登録申請" in clerk.locator("main").inner_text()
    assert_accessible(clerk)
    click(clerk, "審査を始める")
    assert_accessible(clerk)
    click(clerk, "完了にする")
    assert "完了" in clerk.locator("main").inner_text()
    assert_accessible(clerk)
    clerk.context.close()

    phone.goto(f"{base}/my/applications/")
    with phone.expect_navigation():
        phone.get_by_role("listitem").filter(has_text=reference).get_by_role("link").click()
    assert "手続が完了しました" in phone.locator("main").inner_text()
    assert_accessible(phone)
    with scope(municipality=shimonita()):
        assert Submission.objects.get(reference=reference).status == Status.COMPLETED


def test_a_counter_clerk_files_the_moving_in_bundle_in_one_pass(live_server, phone, demo_towns):
    staff_log_in(phone, live_server.url, "juumin@shimonita.demo", "/t/10382/staff/applications/counter/")
    assert_accessible(phone)
    phone.fill("input[name=q]", "サトウ")
    click(phone, "検索")
    with phone.expect_navigation():
        phone.get_by_role("link", name=re.compile("佐藤 一郎")).click()
    assert_accessible(phone)
    click(phone, "引越し（転入）の手続をまとめて受け付ける")
    assert phone.locator("input[name=procedure]:checked").count() == 3
    click(phone, "選んだ手続の受付を始める")

    town = shimonita()
    with scope(municipality=town):
        bundle = [Procedure.objects.get(slug=slug) for slug in ("kokuho-kanyu", "jidou-teate", "inu-henkou")]
        combined = services.combine_forms(bundle)
    assert len(combined.shared) >= 4
    for index, form_page in enumerate(combined.form.pages):
        if index == 0:
            assert "複数の手続で共通の項目です" in phone.locator("main").inner_text()
        assert_accessible(phone)
        fill(phone, form_page.fields)
        click(phone, "確認画面へ" if phone.locator("main").get_by_role("button", name="確認画面へ").count() else "次へ")

    assert "本人確認を記録し、住民の方に確認画面" in phone.locator("main").inner_text()
    assert_accessible(phone)
    phone.check("input[name=identity_document][value=mynumber_card]")
    click(phone, "本人確認を記録する")
    with phone.expect_navigation():
        phone.get_by_role("link", name="住民の方の確認画面を開く").click()
    assert "手数料はかかりません。" in phone.locator("main").inner_text()  # the 転入 bundle is free
    assert_accessible(phone)
    click(phone, "この内容で申請する")
    references = phone.locator(".counter-reference").all_inner_texts()
    assert len(references) == 3
    assert_accessible(phone)
    with scope(municipality=town):
        filed = Submission.objects.filter(reference__in=references)
        assert {s.procedure.slug for s in filed} == {"kokuho-kanyu", "jidou-teate", "inu-henkou"}
        assert {s.channel for s in filed} == {Channel.COUNTER}
        assert len({s.answers["applicant_name"]["family"] for s in filed}) == 1  # asked once, used three times

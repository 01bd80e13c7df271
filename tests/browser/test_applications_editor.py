"""The form editor in Chromium at 360 px: 情報担当 builds a procedure's form, previews and publishes it."""

from __future__ import annotations

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scope

from tests import factories
from tests.browser.conftest import assert_accessible
from yakuba.applications.models import Procedure
from yakuba.kernel.accounts.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until `selector` has focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never received focus by Tab")


def _log_in(page, base: str, staff) -> None:
    page.fill("input[name=username]", staff.user.email)
    page.fill("input[name=password]", factories.PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    device = TOTPDevice.objects.get(user=staff.user)
    code = TOTP(bytes.fromhex(device.key), device.step, device.t0, device.digits, device.drift).token()
    page.fill("input[name=token]", f"{code:0{device.digits}d}")
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()


def test_admin_builds_previews_and_publishes_a_form(live_server, phone):
    town = factories.make_town("10382", "下仁田町")
    admin = factories.make_staff(town, department="総務課", role=Role.ADMIN)
    base = f"{live_server.url}/t/10382"
    phone.goto(f"{base}/staff/applications/procedures/new/")
    _log_in(phone, base, admin)
    assert "/staff/applications/procedures/new/" in phone.url
    assert_accessible(phone)
    phone.fill("#id_title", "犬の死亡届")
    phone.fill("#id_slug", "dog-death")
    phone.select_option("#id_department", label="総務課")
    with phone.expect_navigation():
        phone.locator("main form button[type=submit]").click()
    assert phone.locator("h1").inner_text() == "申請様式の編集: 犬の死亡届"
    assert_accessible(phone)

    # Keyboard only: choose the type in the page's 「質問を追加」 form, type the question, press Enter.
    _tab_to(phone, "#id_type_0")
    phone.keyboard.press("ArrowDown")
    phone.keyboard.press("ArrowDown")
    assert phone.locator("#id_type_0").input_value() == "choice"
    _tab_to(phone, "#id_label_0")
    phone.keyboard.type("受け取り方法")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert phone.locator("h1").inner_text() == "質問の編集: 受け取り方法"
    assert_accessible(phone)

    phone.fill("#id_options", "窓口で受け取る\n郵送")
    with phone.expect_navigation():
        phone.get_by_role("button", name="保存する").click()
    field = phone.locator("#field-choice_1")
    assert "選択肢: 窓口で受け取る、郵送" in field.inner_text()
    assert "「受け取り方法」を保存しました。" in phone.locator(".messages").inner_text()

    # A refused edit comes back with the message by the field and what was typed.
    with phone.expect_navigation():
        field.get_by_role("link", name="編集").click()
    phone.fill("#id_options", "a:窓口\na:郵送")
    with phone.expect_navigation():
        phone.get_by_role("button", name="保存する").click()
    assert "選択肢の値「a」が重複しています。" in phone.locator(".error-summary").inner_text()
    assert_accessible(phone)
    phone.goto(f"{base}/staff/applications/procedures/{_procedure_pk()}/form/")

    with phone.expect_navigation():
        phone.locator(".editor-links").get_by_role("link", name="プレビュー").click()
    assert "住民に表示される画面です" in phone.locator(".preview-banner").inner_text()
    assert phone.get_by_label("郵送").count() == 1
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="入力内容を確かめる").click()
    assert phone.locator(".error-summary").count() == 1
    assert_accessible(phone)
    phone.get_by_label("郵送").check()
    phone.fill("#id_applicant_name__family", "山田")
    phone.fill("#id_applicant_name__given", "花子")
    with phone.expect_navigation():
        phone.get_by_role("button", name="入力内容を確かめる").click()
    assert "問題はありません" in phone.locator(".notice--success").inner_text()

    phone.goto(f"{base}/staff/applications/procedures/{_procedure_pk()}/form/import/")
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("link", name="様式の編集へ戻る").click()
    with phone.expect_navigation():
        phone.get_by_role("button", name="公開する").click()
    assert "第1版を公開しました" in phone.locator(".messages").inner_text()
    assert_accessible(phone)
    with scope(municipality=town):
        procedure = Procedure.objects.get(slug="dog-death")
        assert procedure.current_form.version == 1
        assert [o for f in procedure.current_form.form.all_fields() for o in f.options] == [
            ("option_3", "窓口で受け取る"), ("option_4", "郵送")]


def _procedure_pk() -> int:
    with scope(municipality=factories.make_town("10382")):
        return Procedure.objects.get(slug="dog-death").pk


def test_admin_sets_a_fee_per_choice_payable_online(live_server, phone):
    form = {"pages": [{"title": "請求", "fields": [
        {"name": "delivery", "type": "choice", "label": "受け取り方法",
         "options": [["counter", "窓口で受け取る"], ["post", "郵送"]]}]}]}
    town = factories.make_town("10382", "下仁田町")
    admin = factories.make_staff(town, department="総務課", role=Role.ADMIN)
    procedure = factories.make_procedure(town, slug="shomei", title="証明書の請求", definition=form)
    base = f"{live_server.url}/t/10382"
    phone.goto(f"{base}/staff/applications/procedures/{procedure.pk}/")
    _log_in(phone, base, admin)
    phone.get_by_label("選択肢に応じて（選んだ選択肢ごとの額）").check()
    phone.select_option("#id_fee_choice", label="受け取り方法")
    phone.fill("#id_fee_prices", "窓口で受け取る:300\n郵送:ABC")
    with phone.expect_navigation():
        phone.get_by_role("button", name="保存する").click()
    assert "1行に1つ「選択肢:金額」の形で入力してください。" in phone.locator(".error-summary").inner_text()
    assert phone.locator("#id_fee_prices").input_value() == "窓口で受け取る:300\n郵送:ABC"
    assert_accessible(phone)
    phone.fill("#id_fee_prices", "窓口で受け取る:300\n郵送:300")
    phone.fill("#id_fee_postage", "110")
    phone.get_by_label("オンラインで支払える").check()
    with phone.expect_navigation():
        phone.get_by_role("button", name="保存する").click()
    assert "手続の説明を保存しました。" in phone.locator(".messages").inner_text()
    with scope(municipality=town):
        procedure.refresh_from_db()
        assert procedure.fee_schedule == {"choice": "delivery", "yen": {"counter": 300, "post": 300},
                                          "postage": 110, "online": True}

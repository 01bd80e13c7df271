"""A clerk's journey in real Chromium at 360 px: queue, a submission, 補正依頼 (error first), 完了, figures."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests import factories
from tests.browser.conftest import assert_accessible, log_in_staff
from yakuba.applications.models import Status, Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_requests_a_correction_and_completes_another(live_server, phone):
    town = factories.make_town("10382", "下仁田町")
    clerk = factories.make_staff(town, department="総務課")
    procedure = factories.make_procedure(town, slug="dog", title="犬の登録", department="総務課")
    first = factories.make_submission(procedure, factories.make_resident(town))
    second = factories.make_submission(procedure, factories.make_resident(town, family_name="佐藤",
                                                                          family_name_kana="サトウ"))
    base = f"{live_server.url}{town.path_prefix}"
    log_in_staff(phone, base, clerk)

    phone.goto(f"{base}/staff/applications/")
    assert phone.locator("h1").inner_text() == "申請の処理"
    assert first.reference in phone.locator("table").inner_text()
    assert_accessible(phone)

    with phone.expect_navigation():
        phone.get_by_role("link", name=first.reference).click()
    assert first.reference in phone.locator("main").inner_text()
    assert_accessible(phone)

    # 補正依頼 without a message: the error summary, the field ticked stays ticked.
    correction = phone.locator("form:has(input[name=transition][value=request_correction])")
    correction.get_by_label("犬の名前").check()
    with phone.expect_navigation():
        correction.get_by_role("button", name="補正を依頼する").click()
    assert "申請者へのメッセージを入力してください" in phone.locator(".error-summary").inner_text()
    correction = phone.locator("form:has(input[name=transition][value=request_correction])")
    assert correction.get_by_label("犬の名前").is_checked()
    assert_accessible(phone)
    correction.get_by_label("申請者へのメッセージ").fill("犬の名前の表記を確認してください。")
    with phone.expect_navigation():
        correction.get_by_role("button", name="補正を依頼する").click()
    assert "「補正を依頼する」を行いました" in phone.locator(".messages").inner_text()
    assert "補正依頼" in phone.locator("dl.summary").first.inner_text()
    assert_accessible(phone)

    phone.goto(f"{base}/staff/applications/")
    with phone.expect_navigation():
        phone.get_by_role("link", name=second.reference).click()
    done = phone.locator("form:has(input[name=transition][value=complete])")
    done.get_by_label("申請者へのメッセージ（任意）").fill("登録が完了しました。鑑札を郵送します。")
    with phone.expect_navigation():
        done.get_by_role("button", name="完了にする").click()
    assert "この申請の処理は終わっています" in phone.locator("main").inner_text()

    with scope(municipality=town):
        assert Submission.objects.get(pk=first.pk).correction_fields == ["dog_name"]
        assert Submission.objects.get(pk=first.pk).status == Status.CORRECTION
        assert Submission.objects.get(pk=second.pk).status == Status.COMPLETED

    phone.goto(f"{base}/staff/applications/procedures/")
    assert "犬の登録" in phone.locator("table").inner_text()
    assert_accessible(phone)
    phone.goto(f"{base}/staff/applications/stats/")
    assert phone.locator("table caption").count() >= 1
    assert_accessible(phone)

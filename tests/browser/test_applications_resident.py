"""A resident applies online on a 360 px phone: log in, find the procedure, fill it in (with a mistake), submit."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests import factories
from tests.browser.conftest import assert_accessible
from yakuba.applications.models import Status, Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_applies_online_on_a_phone(live_server, phone):
    town = factories.make_town()
    resident = factories.make_resident(town, email="hanako@example.jp")
    factories.make_procedure(town, slug="dog", title="犬の登録", keywords="イヌ 畜犬",
                             summary="犬を飼い始めたときの届出", documents="狂犬病予防注射済票", fee="3,000円",
                             processing_days=7)
    factories.make_procedure(town, slug="gomi", title="粗大ごみの収集")
    base = f"{live_server.url}/t/10382"

    phone.goto(f"{base}/accounts/login/?next=/t/10382/procedures/")
    phone.fill("input[name=username]", "hanako@example.jp")
    phone.fill("input[name=password]", factories.PASSWORD)
    with phone.expect_navigation():
        phone.get_by_role("button", name="ログイン", exact=True).click()
    assert phone.url.endswith("/t/10382/procedures/")
    assert phone.locator("h1").inner_text() == "電子申請"
    assert_accessible(phone)

    phone.fill("input[name=q]", "いぬ")  # hiragana finds the katakana keyword
    with phone.expect_navigation():
        phone.get_by_role("button", name="検索").click()
    results = phone.locator(".procedure-list")
    assert "犬の登録" in results.inner_text() and "粗大ごみ" not in results.inner_text()
    assert_accessible(phone)

    with phone.expect_navigation():
        phone.get_by_role("link", name="犬の登録").click()
    assert "狂犬病予防注射済票" in phone.locator("main").inner_text()
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="申請を始める").click()

    assert "1 / 2 ページ" in phone.locator(".form-progress").inner_text()
    assert phone.locator("#id_applicant_name__family").input_value() == "山田"  # from the profile
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="次へ").click()

    assert "2 / 2 ページ" in phone.locator(".form-progress").inner_text()
    assert_accessible(phone)
    # A mistake: the dog's name is left out.
    phone.get_by_role("radio", name="その他").check()
    phone.fill("#id_breed_other", "秋田犬")
    with phone.expect_navigation():
        phone.get_by_role("button", name="次へ").click()
    summary = phone.locator(".error-summary")
    assert "犬の名前" in summary.inner_text()
    assert phone.locator("#id_breed_other").input_value() == "秋田犬"  # typing kept
    assert phone.title().startswith("エラー")
    assert_accessible(phone)
    summary.get_by_role("link").first.click()
    assert phone.evaluate("document.activeElement.id") == "id_dog_name"
    phone.keyboard.type("ハチ")
    with phone.expect_navigation():
        phone.get_by_role("button", name="次へ").click()

    assert phone.locator("h1").inner_text() == "入力内容の確認"
    answers = phone.locator("main").inner_text()
    assert "ハチ" in answers and "秋田犬" in answers and "山田" in answers
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="申請する").click()

    with scope(municipality=town):
        submission = Submission.objects.get(resident=resident)
    assert submission.status == Status.RECEIVED
    assert phone.locator("h1").inner_text() == "申請を受け付けました"
    assert phone.locator(".confirmation__reference").inner_text() == submission.reference
    assert_accessible(phone)


def test_after_submitting_pages_are_accessible_on_a_phone(live_server, phone):
    from yakuba.applications.models import LifeEvent, LifeEventProcedure

    town = factories.make_town()
    resident = factories.make_resident(town, email="hanako@example.jp")
    procedure = factories.make_procedure(town, slug="dog", title="犬の登録")
    cat = factories.make_procedure(town, slug="cat", title="猫の届出")
    with scope(municipality=town):
        event = LifeEvent.objects.create(municipality=town, slug="pets", name="ペットを飼う")
        LifeEventProcedure.objects.create(life_event=event, procedure=procedure, note="犬の場合")
    submission = factories.make_submission(procedure, resident, status=Status.CORRECTION)
    factories.make_submission(cat, resident)
    bird = factories.make_procedure(town, slug="bird", title="鳥の届出")
    with scope(municipality=town):
        from yakuba.applications import services

        services.start_draft(bird, resident)
    base = f"{live_server.url}/t/10382"
    phone.goto(f"{base}/accounts/login/?next=/t/10382/my/applications/")
    phone.fill("input[name=username]", "hanako@example.jp")
    phone.fill("input[name=password]", factories.PASSWORD)
    with phone.expect_navigation():
        phone.get_by_role("button", name="ログイン", exact=True).click()
    assert phone.locator("h1").inner_text() == "申請の状況"
    assert "入力途中の申請" in phone.locator("main").inner_text()
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.locator(".card", has_text="鳥の届出").get_by_role("link", name="削除する").click()
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="削除する").click()
    assert "入力途中の申請" not in phone.locator("main h2").all_inner_texts()

    with phone.expect_navigation():
        phone.get_by_role("link", name="犬の登録").click()
    assert "直していただく項目" in phone.locator("main").inner_text()
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("link", name="申請内容を直す（補正）").click()
    phone.fill("#id_dog_name", "")  # a required answer left empty
    with phone.expect_navigation():
        phone.get_by_role("button", name="直した内容を提出する").click()
    assert phone.locator(".error-summary").count() == 1
    assert_accessible(phone)
    phone.fill("#id_dog_name", "タロウ")
    with phone.expect_navigation():
        phone.get_by_role("button", name="直した内容を提出する").click()
    assert "審査中" in phone.locator("main").inner_text()
    assert "担当課がもう一度確認します" in phone.locator(".messages").inner_text()
    assert_accessible(phone)  # with the message shown

    phone.goto(f"{base}/my/applications/")
    with phone.expect_navigation():
        phone.get_by_role("link", name="猫の届出").click()
    with phone.expect_navigation():
        phone.get_by_role("link", name="取り下げる").click()
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="取り下げる").click()
    assert "取下げ" in phone.locator("main").inner_text()
    assert_accessible(phone)

    phone.goto(f"{base}/procedures/life/pets/")
    assert "犬の場合" in phone.locator("main").inner_text()
    assert_accessible(phone)
    with scope(municipality=town):
        submission.refresh_from_db()
    assert submission.answers["dog_name"] == "タロウ"

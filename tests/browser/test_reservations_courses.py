"""講座 in real Chromium at 360 px: a resident finds the スマホ教室, enrols by keyboard, sees it, cancels; a clerk
makes a session (error first), enrols a caller by phone and marks attendance. axe-core on every page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.browser.conftest import assert_accessible, log_in_staff
from tests.reservations.test_courses_views import make_course
from yakuba.reservations.models import Enrolment, EnrolmentStatus
from yakuba.reservations.services import courses as services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_enrols_in_the_smartphone_class_and_cancels(live_server, phone):
    town = factories.make_town()
    clerk = factories.make_staff(town, department="総務課")
    factories.make_resident(town, email="hanako@example.jp")
    session = make_course(town, clerk, seats=2)
    base = f"{live_server.url}{town.path_prefix}"

    phone.goto(f"{base}/accounts/login/?next={town.path_prefix}/reservations/courses/")
    phone.fill("input[name=username]", "hanako@example.jp")
    phone.fill("input[name=password]", factories.PASSWORD)
    with phone.expect_navigation():
        phone.get_by_role("button", name="ログイン", exact=True).click()
    assert phone.locator("h1").inner_text() == "講座・教室の申込み"
    assert "残り2席（定員2人）" in phone.locator("main").inner_text()
    assert_accessible(phone)

    with phone.expect_navigation():
        phone.get_by_role("link", name="スマホ教室（初めての方向け）", exact=True).click()
    assert phone.locator("h1").inner_text() == "スマホ教室（初めての方向け）"
    assert_accessible(phone)

    # By keyboard: the session's link takes the focus and Enter opens the confirmation.
    phone.locator(f"#session-{session.pk} a.button").focus()
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert "中央公民館 第1会議室" in phone.locator("dl.summary").inner_text()
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="申し込む", exact=True).click()
    assert phone.locator(".confirmation h1").inner_text() == "申込済みです"
    assert "確認のメールはお送りしていません" in phone.locator("main").inner_text()
    assert "あなたの申込" in phone.locator(f"#session-{session.pk}").inner_text()
    assert_accessible(phone)

    with phone.expect_navigation():
        phone.locator(f"#session-{session.pk}").get_by_role("link", name="申込を取り消す").click()
    assert phone.locator("h1").inner_text() == "講座の申込の取消し"
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="申込を取り消す").click()
    assert "講座の申込を取り消しました" in phone.locator(".messages").inner_text()
    assert "残り2席" in phone.locator(f"#session-{session.pk}").inner_text()
    assert_accessible(phone)
    with scope(municipality=town):
        assert Enrolment.objects.get().status == EnrolmentStatus.CANCELLED


def test_clerk_adds_a_session_enrols_a_caller_and_marks_attendance(live_server, phone):
    town = factories.make_town()
    clerk = factories.make_staff(town, department="総務課")
    resident = factories.make_resident(town)
    factories.make_resident(town, family_name="鈴木", given_name="次郎", family_name_kana="スズキ",
                            given_name_kana="ジロウ", phone="0274-82-1234")
    session = make_course(town, clerk, seats=1)
    with scope(municipality=town):
        services.enrol(session, resident)
    base = f"{live_server.url}{town.path_prefix}"
    log_in_staff(phone, base, clerk)

    phone.goto(f"{base}/staff/reservations/courses/")
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("link", name="講座を作る").click()
    assert phone.get_by_label("担当課").input_value() == str(clerk.department_id)
    assert_accessible(phone)
    phone.goto(f"{base}/staff/reservations/courses/{session.course_id}/edit/")
    assert phone.get_by_label("講座名").input_value() == "スマホ教室（初めての方向け）"
    assert_accessible(phone)
    phone.goto(f"{base}/staff/reservations/courses/")
    with phone.expect_navigation():
        phone.get_by_role("link", name="スマホ教室（初めての方向け）").click()
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("link", name="日程（回）を追加する").click()
    assert_accessible(phone)
    day = timezone.localdate() + timedelta(days=14)
    phone.get_by_label("日付").fill(day.isoformat())
    phone.get_by_label("開始時刻").fill("10:00")
    phone.get_by_label("終了時刻").fill("12:00")
    phone.get_by_label("定員（人）").fill("10")
    with phone.expect_navigation():  # a mistake: no place
        phone.get_by_role("button", name="回を追加する").click()
    assert "会場を入力してください。" in phone.locator(".error-summary").inner_text()
    assert phone.get_by_label("定員（人）").input_value() == "10"
    assert_accessible(phone)
    phone.get_by_label("会場").fill("中央公民館 第2会議室")
    with phone.expect_navigation():
        phone.get_by_role("button", name="回を追加する").click()
    assert "日程（回）を追加しました" in phone.locator(".messages").inner_text()
    assert_accessible(phone)

    # The first session's roster: a caller found by kana goes on the waiting list; the seated resident attends.
    phone.goto(f"{base}/staff/reservations/sessions/{session.pk}/")
    phone.get_by_label("氏名・フリガナ・電話番号").fill("すずき")
    with phone.expect_navigation():
        phone.get_by_label("氏名・フリガナ・電話番号").press("Enter")
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="鈴木 次郎 様をこの回に申し込む").click()
    assert "キャンセル待ち（1番目）" in phone.locator(".messages").inner_text()
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="山田 花子 様を出席にする").click()
    assert "出席にしました" in phone.locator(".messages").inner_text()
    assert "出席" in phone.locator("table", has_text="山田 花子").inner_text()
    assert_accessible(phone)
    with scope(municipality=town):
        assert Enrolment.objects.get(resident=resident).status == EnrolmentStatus.ATTENDED

"""書かない窓口 through HTTP: search, register, choose a bundle, fill once, the resident confirms, three filings."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.urls import reverse
from django_scopes import scope

from tests import factories
from yakuba.applications import metrics
from yakuba.applications.models import Channel, CounterVisit, LifeEvent, LifeEventProcedure, Submission
from yakuba.kernel.accounts.models import Resident
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.ui import once

APPLICANT_PAGE = {"title": "申請者", "fields": [
    {"name": "applicant_name", "type": "name", "label": "氏名", "prefill": "name"},
    {"name": "applicant_kana", "type": "name_kana", "label": "フリガナ", "prefill": "name_kana"},
    {"name": "address", "type": "address", "label": "住所", "prefill": "address"},
    {"name": "phone", "type": "phone", "label": "電話番号", "required": False, "prefill": "phone"},
]}
FORMS = {
    "転入届": {"title": "転入について", "fields": [
        {"name": "moving_date", "type": "date", "label": "転入した日"},
        {"name": "previous_address", "type": "address", "label": "前の住所"}]},
    "国民健康保険の加入": {"title": "保険について", "fields": [
        {"name": "insurance_start", "type": "date", "label": "加入する日"},
        {"name": "id_copy", "type": "file", "label": "前の保険の資格喪失証明書"}]},
    "児童手当の認定請求": {"title": "お子さん", "fields": [
        {"name": "child_name", "type": "text", "label": "お子さんの氏名"}]},
}
# 手数料 as the town set them: the 転入 bundle costs nothing.
FEES = {"転入届": {"yen": 0}, "国民健康保険の加入": {"yen": 0}, "児童手当の認定請求": {"yen": 0}}
# One POST body that answers every page: each page reads only its own fields.
ALL_ANSWERS = {
    "applicant_name__family": "山田", "applicant_name__given": "花子", "applicant_kana__family": "ヤマダ",
    "applicant_kana__given": "ハナコ", "address": "群馬県甘楽郡下仁田町大字下仁田1", "phone": "0274-82-1234",
    "moving_date": "令和8年4月1日", "previous_address": "東京都千代田区1-1", "insurance_start": "2026/4/1",
    "id_copy": "on", "child_name": "山田一郎",
}


def url(town, name, *args):
    return town.path_prefix + reverse(f"staff:applications-counter{name}", args=args)


@pytest.fixture
def moving_in(town_a):
    """A life event 転入 bundling three procedures whose forms share the applicant's page."""
    procedures = [factories.make_procedure(town_a, title=title, department="住民課", category="kurashi",
                                           definition={"title": title, "version": 1,
                                                       "pages": [APPLICANT_PAGE, page]}, fee_schedule=FEES[title])
                  for title, page in FORMS.items()]
    with scope(municipality=town_a):
        event = LifeEvent.objects.create(municipality=town_a, slug="tennyu", name="転入")
        for index, procedure in enumerate(procedures):
            LifeEventProcedure.objects.create(life_event=event, procedure=procedure, sort_order=index)
    return event, procedures


@pytest.fixture
def clerk(staff_a):
    return factories.staff_client(staff_a)


def start_visit(client, town, resident, procedures, event="tennyu"):
    response = client.post(url(town, "-choose", resident.pk), {
        "procedure": [p.pk for p in procedures], "life_event": event, "_once": once.new_token()})
    assert response.status_code == 302
    with scope(municipality=town):
        return CounterVisit.objects.get(resident=resident)


def fill_all(client, town, visit, pages=4):
    for page in range(pages):
        response = client.post(url(town, "-fill", visit.public_id, page), {**ALL_ANSWERS, "action": "next"})
        assert response.status_code == 302, response.content.decode()
    assert response["Location"] == url(town, "-confirm", visit.public_id)


def check_identity(client, town, visit, document="driving_licence", note=""):
    response = client.post(url(town, "-identity", visit.public_id),
                           {"identity_document": document, "identity_note": note, "_once": once.new_token()})
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == url(town, "-confirm", visit.public_id) + "#identity"


def test_start_page_shows_this_months_use_and_the_target(town_a, clerk):
    page = clerk.get(url(town_a, "")).content.decode()
    assert "今月の書かない窓口の利用: 0件" in page
    assert "月平均10回以上" in page
    assert "新しく登録する" in page


def test_search_finds_by_kana_phone_and_wareki_birthdate_without_auditing_the_query(town_a, clerk):
    factories.make_resident(town_a, phone="0274-82-1234", birthdate=datetime.date(1944, 5, 12))
    factories.make_resident(town_a, family_name="佐藤", given_name="一郎", family_name_kana="サトウ",
                            given_name_kana="イチロウ", phone="0274-82-9999")
    for query in ("やまだ", "ﾔﾏﾀﾞ ハナコ", "82-1234", "昭和19年5月12日"):
        page = clerk.post(url(town_a, ""), {"q": query}).content.decode()
        assert "山田 花子" in page, query
        assert "佐藤" not in page, query
        assert "1件見つかりました" in page, query
    with scope(municipality=town_a):
        entries = list(AuditEntry.objects.filter(action="applications.counter.resident_searched"))
    assert len(entries) == 4
    assert entries[0].data["count"] == 1 and "query_length" in entries[0].data
    logged = json.dumps([e.data for e in entries], ensure_ascii=False) + "".join(e.object_label for e in entries)
    assert not any(word in logged for word in ("やまだ", "ヤマダ", "ﾔﾏﾀﾞ", "82-1234", "昭和"))


def test_an_empty_search_is_refused(town_a, clerk):
    response = clerk.post(url(town_a, ""), {"q": "  "})
    assert response.status_code == 400
    assert "入力内容に問題があります" in response.content.decode()


def test_register_reads_a_wareki_birthdate_and_goes_on_to_choose(town_a, clerk, staff_a):
    response = clerk.post(url(town_a, "-register"), {
        "resident_name__family": "窓口", "resident_name__given": "太郎", "resident_kana__family": "まどぐち",
        "resident_kana__given": "たろう", "birthdate": "昭和19年5月12日", "postal_code": "３７０ー２６０１",
        "address": "群馬県甘楽郡下仁田町大字下仁田1", "phone": "", "_once": once.new_token()})
    assert response.status_code == 302
    with scope(municipality=town_a):
        resident = Resident.objects.get(family_name="窓口")
        assert AuditEntry.objects.filter(action="applications.counter.resident_registered",
                                         actor=staff_a.user).exists()
    assert resident.birthdate == datetime.date(1944, 5, 12)
    assert (resident.family_name_kana, resident.given_name_kana) == ("マドグチ", "タロウ")
    assert resident.postal_code == "370-2601" and resident.user is None
    assert response["Location"] == url(town_a, "-choose", resident.pk)
    assert "窓口 太郎さんの手続を選ぶ" in clerk.get(url(town_a, "-choose", resident.pk)).content.decode()


def test_register_with_bad_kana_is_400_and_keeps_the_typing(town_a, clerk):
    response = clerk.post(url(town_a, "-register"), {
        "resident_name__family": "窓口", "resident_name__given": "太郎", "resident_kana__family": "madoguchi",
        "resident_kana__given": "タロウ", "birthdate": "昭和19年5月12日", "address": "下仁田町1"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "カタカナで入力してください" in page
    assert 'value="madoguchi"' in page and 'value="昭和19年5月12日"' in page


def test_a_bundle_is_preticked_and_the_shared_fields_are_asked_once(town_a, clerk, resident_a, moving_in):
    event, procedures = moving_in
    page = clerk.get(url(town_a, "-choose", resident_a.pk) + "?event=tennyu").content.decode()
    assert "転入の手続をまとめて受け付ける" in page
    assert len(re.findall(r'name="procedure" value="\d+" checked', page)) == 3
    assert 'name="life_event" value="tennyu"' in page

    visit = start_visit(clerk, town_a, resident_a, procedures)
    with scope(municipality=town_a):
        assert visit.life_event_id == event.pk and visit.procedures.count() == 3
    first = clerk.get(url(town_a, "-fill", visit.public_id, 0)).content.decode()
    assert "複数の手続で共通の項目です。一度の入力で全部に使います。" in first
    assert first.count('name="applicant_name__family"') == 1
    assert 'value="山田"' in first  # prefilled from the resident's record
    assert "入力 1 / 4 ページ" in first
    for page_number in (1, 2, 3):
        later = clerk.get(url(town_a, "-fill", visit.public_id, page_number)).content.decode()
        assert 'name="applicant_name__family"' not in later
        assert "複数の手続で共通の項目です" not in later
    assert clerk.get(url(town_a, "-fill", visit.public_id, 4)).status_code == 404


def test_fill_errors_are_400_with_the_typing_kept(town_a, clerk, resident_a, moving_in):
    visit = start_visit(clerk, town_a, resident_a, moving_in[1])
    response = clerk.post(url(town_a, "-fill", visit.public_id, 0),
                          {**ALL_ANSWERS, "applicant_kana__family": "yamada", "action": "next"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "入力内容に問題があります" in page and "カタカナで入力してください" in page
    assert 'value="yamada"' in page
    # 戻る keeps what was typed without checking it.
    typed = {"moving_date": "いつか", "insurance_start": "いつか", "child_name": "いつか", "action": "back"}
    response = clerk.post(url(town_a, "-fill", visit.public_id, 1), typed)
    assert response.status_code == 302
    assert 'value="いつか"' in clerk.get(url(town_a, "-fill", visit.public_id, 1)).content.decode()


def test_confirm_and_submit_twice_files_three_submissions_once(town_a, clerk, staff_a, resident_a, moving_in):
    visit = start_visit(clerk, town_a, resident_a, moving_in[1])
    fill_all(clerk, town_a, visit)
    review = clerk.get(url(town_a, "-confirm", visit.public_id)).content.decode()
    assert "本人確認を記録し、住民の方に確認画面で内容を確かめていただいてから申請してください。" in review
    assert all(title in review for title in FORMS)
    assert "窓口で原本確認済み" in review and "山田一郎" in review
    assert review.count("ヤマダ　ハナコ") == 1  # asked once, shown once for all three
    assert "修正する" in review and "住民の方の確認画面を開く" in review
    assert "手数料はかかりません。" in review
    # Not yet: the button waits for the 本人確認.
    assert "この内容で申請する" not in review
    check_identity(clerk, town_a, visit)

    screen = clerk.get(url(town_a, "-resident", visit.public_id)).content.decode()
    assert "申請する内容のご確認" in screen and "この内容で申請する" in screen
    assert "職員用の画面に戻る" in screen

    token = once.new_token()
    body = {"_once": token, "screen": "resident"}
    first = clerk.post(url(town_a, "-confirm", visit.public_id), body)
    second = clerk.post(url(town_a, "-confirm", visit.public_id), body)
    done = url(town_a, "-done", visit.public_id)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == url(town_a, "-resident-done", visit.public_id)
    with scope(municipality=town_a):
        filed = list(Submission.objects.filter(resident=resident_a))
        visit.refresh_from_db()
        assert AuditEntry.objects.filter(action="applications.countervisit.viewed",
                                         object_id=str(visit.pk)).exists()
    assert len(filed) == 3
    assert {s.channel for s in filed} == {Channel.COUNTER}
    assert {s.counter_staff_id for s in filed} == {staff_a.pk}
    assert {s.counter_visit_id for s in filed} == {visit.pk}
    assert visit.finished_at is not None

    thanks = clerk.get(url(town_a, "-resident-done", visit.public_id)).content.decode()
    assert all(s.reference in thanks for s in filed)
    assert "職員メニュー" not in thanks and "処理は住民課が行います" not in thanks
    page = clerk.get(url(town_a, "-done", visit.public_id)).content.decode()
    assert all(s.reference in page for s in filed)
    assert "次の方の受付へ" in page and "本人確認: 運転免許証" in page
    # The clerk (総務課) filed for 住民課: the applicant's copy prints here; handling stays with 住民課.
    assert page.count("処理は住民課が行います。") == 3
    copy = clerk.get(url(town_a, "-copy", visit.public_id, filed[0].pk))
    assert copy.status_code == 200 and copy["Content-Type"] == "application/pdf"
    assert copy.content.startswith(b"%PDF")
    with scope(municipality=town_a):
        assert AuditEntry.objects.filter(action="applications.submission.printed", object_id=str(filed[0].pk),
                                         actor=staff_a.user).exists()
    # A finished visit can no longer be filled in: its pages lead to the result.
    assert clerk.get(url(town_a, "-fill", visit.public_id, 0))["Location"] == done
    assert clerk.get(url(town_a, "-confirm", visit.public_id))["Location"] == done


def test_submitting_with_a_page_left_blank_returns_to_that_page(town_a, clerk, resident_a, moving_in):
    visit = start_visit(clerk, town_a, resident_a, moving_in[1])
    review = clerk.get(url(town_a, "-confirm", visit.public_id)).content.decode()
    assert "まだ入力されていない項目があります" in review and "この内容で申請する" not in review
    response = clerk.post(url(town_a, "-confirm", visit.public_id), {"_once": once.new_token()})
    page = response.content.decode()
    assert response.status_code == 400
    assert "入力が済んでいない項目があります" in page and "入力 2 / 4 ページ" in page
    with scope(municipality=town_a):
        assert not Submission.objects.exists()
    assert clerk.get(url(town_a, "-done", visit.public_id))["Location"] == url(town_a, "-confirm", visit.public_id)


def test_only_the_visits_clerk_or_the_admin_may_open_it(town_a, clerk, staff_a_other, admin_a, resident_a,
                                                       moving_in):
    visit = start_visit(clerk, town_a, resident_a, moving_in[1])
    other = factories.staff_client(staff_a_other)
    for name, args in (("-fill", (visit.public_id, 0)), ("-confirm", (visit.public_id,)),
                       ("-done", (visit.public_id,)), ("-copy", (visit.public_id, 1))):
        assert other.get(url(town_a, name, *args)).status_code == 404, name
    assert other.post(url(town_a, "-confirm", visit.public_id), {"_once": once.new_token()}).status_code == 404
    assert factories.staff_client(admin_a).get(url(town_a, "-fill", visit.public_id, 0)).status_code == 200
    # Any staff member may start counter visits, whatever their department.
    assert other.get(url(town_a, "-choose", resident_a.pk)).status_code == 200


def test_staff_of_another_town_cannot_reach_the_visit(town_a, town_b, clerk, staff_b, resident_a, moving_in):
    visit = start_visit(clerk, town_a, resident_a, moving_in[1])
    outsider = factories.staff_client(staff_b)
    assert outsider.get(url(town_a, "-fill", visit.public_id, 0)).status_code == 403
    assert outsider.get(url(town_b, "-fill", visit.public_id, 0)).status_code == 404
    assert outsider.get(url(town_b, "-choose", resident_a.pk)).status_code == 404


def test_the_monthly_figure_counts_finished_visits(town_a, clerk, resident_a, moving_in):
    visit = start_visit(clerk, town_a, resident_a, moving_in[1])
    start_page = clerk.get(url(town_a, "")).content.decode()
    assert "山田 花子さん" in start_page and "の受付を再開する" in start_page  # unfinished today: resume
    with scope(municipality=town_a):
        assert metrics.counter_visits_by_month() == []
    fill_all(clerk, town_a, visit)
    check_identity(clerk, town_a, visit, "mynumber_card")
    clerk.post(url(town_a, "-confirm", visit.public_id), {"_once": once.new_token()})
    with scope(municipality=town_a):
        rows = metrics.counter_visits_by_month()
    assert [row["count"] for row in rows] == [1]
    start_page = clerk.get(url(town_a, "")).content.decode()
    assert "今月の書かない窓口の利用: 1件" in start_page
    assert "の受付を再開する" not in start_page


def test_double_clicks_register_once_and_start_one_visit(town_a, clerk, moving_in):
    token = once.new_token()
    data = {"resident_name__family": "窓口", "resident_name__given": "次郎", "resident_kana__family": "マドグチ",
            "resident_kana__given": "ジロウ", "birthdate": "1950-01-02", "address": "下仁田町2", "_once": token}
    first, second = (clerk.post(url(town_a, "-register"), data) for _ in range(2))
    with scope(municipality=town_a):
        resident = Resident.objects.get(given_name="次郎")
    assert first["Location"] == second["Location"] == url(town_a, "-choose", resident.pk)

    choice = {"procedure": [p.pk for p in moving_in[1]], "_once": once.new_token()}
    first, second = (clerk.post(url(town_a, "-choose", resident.pk), choice) for _ in range(2))
    with scope(municipality=town_a):
        visit = CounterVisit.objects.get(resident=resident)
    assert visit.life_event is None
    assert first["Location"] == second["Location"] == url(town_a, "-fill", visit.public_id, 0)


def test_choosing_nothing_is_400(town_a, clerk, resident_a, moving_in):
    response = clerk.post(url(town_a, "-choose", resident_a.pk), {"life_event": "tennyu"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "受け付ける手続を1つ以上選んでください。" in page
    assert 'name="life_event" value="tennyu"' in page
    with scope(municipality=town_a):
        assert not CounterVisit.objects.exists()


def test_filing_before_the_identity_check_is_refused_clearly(town_a, clerk, resident_a, moving_in):
    visit = start_visit(clerk, town_a, resident_a, moving_in[1])
    fill_all(clerk, town_a, visit)
    screen = clerk.get(url(town_a, "-resident", visit.public_id)).content.decode()
    assert "職員がご本人であることの確認をしています。" in screen and "この内容で申請する" not in screen
    for body in ({}, {"screen": "resident"}):
        response = clerk.post(url(town_a, "-confirm", visit.public_id), {"_once": once.new_token(), **body})
        page = response.content.decode()
        assert response.status_code == 400
        assert "本人確認がまだです。確認した本人確認書類を記録してから申請してください。" in page
    with scope(municipality=town_a):
        assert not Submission.objects.exists()
        visit.refresh_from_db()
    assert visit.finished_at is None


def test_the_identity_check_needs_the_documents_name_for_other_and_keeps_no_number(town_a, clerk, staff_a,
                                                                                  resident_a, moving_in):
    visit = start_visit(clerk, town_a, resident_a, moving_in[1])
    response = clerk.post(url(town_a, "-identity", visit.public_id),
                          {"identity_document": "other", "identity_note": " ", "_once": once.new_token()})
    page = response.content.decode()
    assert response.status_code == 400
    assert "本人確認を記録できませんでした" in page and "確認した書類の名前を入力してください" in page
    assert 'value="other" aria-describedby="identity-hint" checked' in page  # the choice is kept
    response = clerk.post(url(town_a, "-identity", visit.public_id),
                          {"identity_document": "", "_once": once.new_token()})
    assert response.status_code == 400 and "確認した本人確認書類を選んでください。" in response.content.decode()

    check_identity(clerk, town_a, visit, "insurance_plus", "年金手帳")
    with scope(municipality=town_a):
        visit.refresh_from_db()
        entry = AuditEntry.objects.get(action="applications.counter.identity_checked")
    assert (visit.identity_document, visit.identity_note) == ("insurance_plus", "年金手帳")
    assert visit.identity_checked_by == staff_a and visit.identity_checked_at is not None
    assert entry.actor == staff_a.user and entry.data == {"document": "insurance_plus"}
    page = clerk.get(url(town_a, "-confirm", visit.public_id)).content.decode()
    assert "健康保険証＋もう1点（年金手帳）" in page and "確認済み" in page


def test_the_submissions_show_the_identity_check_to_staff(town_a, clerk, admin_a, resident_a, moving_in):
    visit = start_visit(clerk, town_a, resident_a, moving_in[1])
    fill_all(clerk, town_a, visit)
    check_identity(clerk, town_a, visit, "residence_card")
    clerk.post(url(town_a, "-confirm", visit.public_id), {"_once": once.new_token()})
    with scope(municipality=town_a):
        submission = Submission.objects.filter(counter_visit=visit).first()
        assert AuditEntry.objects.get(action="applications.counter.visit_filed").data["identity_document"] == (
            "residence_card")
    page = factories.staff_client(admin_a).get(
        town_a.path_prefix + reverse("staff:applications-detail", args=[submission.pk])).content.decode()
    assert "本人確認" in page and "在留カード" in page


def test_the_residents_screen_is_plain_without_staff_menu_and_adds_up_the_fees(town_a, clerk, resident_a):
    certificates = factories.make_procedure(
        town_a, title="住民票の写し等の交付", department="住民課",
        definition={"title": "証明書", "version": 1, "pages": [APPLICANT_PAGE, {"title": "証明書", "fields": [
            {"name": "certificates", "type": "multi_choice", "label": "必要な証明書",
             "options": [["juminhyo", "住民票の写し"], ["koseki", "戸籍謄本"]]},
            {"name": "count", "type": "number", "label": "通数（各）"}]}]},
        fee_schedule={"choice": "certificates", "per": "count", "yen": {"juminhyo": 300, "koseki": 450}})
    dog = factories.make_procedure(town_a, title="犬の登録", department="住民課", fee_schedule={"yen": 3000})
    unset = factories.make_procedure(town_a, title="施設の使用", department="住民課")
    visit = start_visit(clerk, town_a, resident_a, [certificates, dog, unset], event="")
    with scope(municipality=town_a):
        visit.answers = {**visit.answers, "certificates": ["juminhyo", "koseki"], "count": "2",
                         "dog_name": "ポチ", "breed": "shiba"}
        visit.save()
    screen = clerk.get(url(town_a, "-resident", visit.public_id)).content.decode()
    assert "職員メニュー" not in screen and "ログアウト" not in screen and "職員用サイト" not in screen
    assert "counter-screen--resident" in screen
    assert "1,500円" in screen and "3,000円" in screen  # (300 + 450) × 2, and the dog's registration
    assert "金額は職員がお知らせします" in screen  # the facility's fee is not set here
    assert re.search(r"<dt>合計</dt><dd>4,500円", screen)
    assert "このほかに、職員がお知らせする手数料があります。" in screen
    assert "手数料はかかりません" not in screen
    assert "職員用の画面に戻る" in screen


def test_only_the_visits_clerk_reaches_the_residents_screen_and_the_identity_record(town_a, clerk, staff_a_other,
                                                                                   resident_a, moving_in):
    visit = start_visit(clerk, town_a, resident_a, moving_in[1])
    other = factories.staff_client(staff_a_other)
    assert other.get(url(town_a, "-resident", visit.public_id)).status_code == 404
    assert other.get(url(town_a, "-resident-done", visit.public_id)).status_code == 404
    response = other.post(url(town_a, "-identity", visit.public_id),
                          {"identity_document": "passport", "_once": once.new_token()})
    assert response.status_code == 404
    with scope(municipality=town_a):
        visit.refresh_from_db()
    assert visit.identity_document == ""


def test_the_fee_set_in_the_catalogue_editor_is_what_the_counter_adds_up(town_a, admin_a):
    admin = factories.staff_client(admin_a)
    procedure = factories.make_procedure(town_a, slug="dog", department="総務課")
    edit = town_a.path_prefix + reverse("staff:applications-procedure", args=[procedure.pk])
    assert "手数料の決め方" in admin.get(edit).content.decode()
    entry = {"title": "犬の登録", "slug": "dog", "department": procedure.department_id, "sort_order": 0}
    response = admin.post(edit, {**entry, "fee_kind": "fixed", "fee_yen": "-1"})
    assert response.status_code == 400 and 'name="fee_yen" value="-1"' in response.content.decode()
    assert admin.post(edit, {**entry, "fee_kind": "fixed", "fee_yen": "3000"}).status_code == 302
    with scope(municipality=town_a):
        procedure.refresh_from_db()
        assert procedure.fee_schedule == {"yen": 3000}
    assert 'name="fee_yen" value="3000"' in admin.get(edit).content.decode()
    assert admin.post(edit, {**entry, "fee_kind": ""}).status_code == 302  # not set: staff tell the amount
    with scope(municipality=town_a):
        procedure.refresh_from_db()
        assert procedure.fee_schedule == {}

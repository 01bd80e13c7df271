"""Resident pages of 電子申請 over HTTP: catalogue, filling in page by page, submitting once, status, correction."""

from __future__ import annotations

import base64

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from tests import factories
from yakuba.applications import services
from yakuba.applications.models import (
    LifeEvent,
    LifeEventProcedure,
    Procedure,
    Status,
    Submission,
    SubmissionEvent,
)

pytestmark = pytest.mark.django_db

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJ"
                       "RU5ErkJggg==")  # a real 1×1 picture
TOKEN = "x" * 32
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                               "QUEUES": ["default", "mail"]}}


def url(name: str, *args: object, town_code: str = "10382") -> str:
    return f"/t/{town_code}{reverse(f'applications:{name}', args=args)}"


@pytest.fixture
def procedure(town_a):
    return factories.make_procedure(
        town_a, slug="dog", title="犬の登録", keywords="イヌ 畜犬", summary="犬を飼い始めたときの届出です。",
        documents="狂犬病予防注射済票\n・犬の写真", fee="3,000円", processing_days=7, category="pets")


@pytest.fixture
def resident_client(resident_a):
    client = Client()
    client.force_login(resident_a.user)
    return client


def draft_with(procedure, resident, answers=None) -> Submission:
    with scope(municipality=procedure.municipality):
        draft = services.start_draft(procedure, resident)
        draft.answers = {**draft.answers, **(answers if answers is not None else factories.SIMPLE_ANSWERS)}
        draft.save()
    return draft


# Catalogue ----------------------------------------------------------------------------------------------------

def test_catalogue_lists_published_procedures_and_finds_by_hiragana(client, town_a, procedure):
    factories.make_procedure(town_a, slug="hidden", title="非公開の手続", published=False)
    factories.make_procedure(town_a, slug="gomi", title="粗大ごみの収集", category="waste")
    body = client.get(url("catalogue")).content.decode()
    assert "犬の登録" in body and "粗大ごみの収集" in body and "非公開の手続" not in body
    assert "オンラインで申請できます" in body and "総務課" in body

    found = client.get(url("catalogue"), {"q": "いぬ"}).content.decode()  # hiragana finds the katakana keyword
    assert "犬の登録" in found and "粗大ごみの収集" not in found
    assert "1件の手続が見つかりました" in found
    assert 'value="いぬ"' in found

    by_category = client.get(url("catalogue"), {"category": "waste"}).content.decode()
    assert "粗大ごみの収集" in by_category and "犬の登録" not in by_category
    assert "見つかりませんでした" in client.get(url("catalogue"), {"q": "存在しない手続"}).content.decode()


def test_life_events_are_entry_points_with_their_procedures_in_order(client, town_a, procedure):
    gomi = factories.make_procedure(town_a, slug="gomi", title="粗大ごみの収集")
    with scope(municipality=town_a):
        event = LifeEvent.objects.create(municipality=town_a, slug="moving", name="引越し",
                                         description="転入・転出のときの手続")
        LifeEventProcedure.objects.create(life_event=event, procedure=gomi, sort_order=1, note="大きな家具を捨てるとき")
        LifeEventProcedure.objects.create(life_event=event, procedure=procedure, sort_order=2,
                                          note="犬を飼っている場合")
    catalogue = client.get(url("catalogue")).content.decode()
    assert "ライフイベントから探す" in catalogue and url("life-event", "moving") in catalogue
    body = client.get(url("life-event", "moving")).content.decode()
    assert body.index("粗大ごみの収集") < body.index("犬の登録")
    assert "大きな家具を捨てるとき" in body and "犬を飼っている場合" in body
    assert url("procedure", "dog") in body
    assert client.get(url("life-event", "nothing")).status_code == 404


def test_procedure_page_and_anonymous_start_goes_to_login(client, town_a, procedure):
    body = client.get(url("procedure", "dog")).content.decode()
    for text in ("必要なもの", "狂犬病予防注射済票", "犬の写真", "3,000円", "7日", "総務課", "0274-82-2111"):
        assert text in body
    assert "ログインして申請を始める" in body
    response = client.post(url("start", "dog"))
    assert response.status_code == 302
    assert response["Location"] == "/t/10382/accounts/login/?next=%2Ft%2F10382%2Fprocedures%2Fdog%2F"
    assert client.get(url("procedure", "hidden")).status_code == 404
    assert client.get(url("start", "dog")).status_code == 405


# The whole online journey -------------------------------------------------------------------------------------

def test_full_online_flow(town_a, procedure, resident_a, resident_client):
    client = resident_client
    response = client.post(url("start", "dog"))
    with scope(municipality=town_a):
        draft = Submission.objects.get(resident=resident_a, status=Status.DRAFT)
    assert response["Location"] == url("fill", draft.public_id, 0)

    page1 = client.get(url("fill", draft.public_id, 0)).content.decode()
    assert "1 / 2 ページ" in page1 and "申請者" in page1
    assert 'value="山田"' in page1  # prefilled from the profile
    assert "ここまで保存して、あとで続ける" in page1 and 'enctype="multipart/form-data"' not in page1
    response = client.post(url("fill", draft.public_id, 0), {
        "applicant_name__family": "山田", "applicant_name__given": "花子", "address": "下仁田町大字下仁田1",
        "phone": "", "action": "next"})
    assert response["Location"] == url("fill", draft.public_id, 1)

    # A mistake: the page comes back with 400, the summary, and what was typed.
    wrong = client.post(url("fill", draft.public_id, 1), {"dog_name": "", "breed": "other", "breed_other": "秋田犬",
                                                          "action": "next"})
    assert wrong.status_code == 400
    body = wrong.content.decode()
    assert "error-summary" in body and "2 / 2 ページ" in body
    assert 'value="秋田犬"' in body and 'value="other" checked' in body
    assert 'enctype="multipart/form-data"' in body

    # Save and leave, even though the page is incomplete; resuming comes back to that page.
    response = client.post(url("fill", draft.public_id, 1), {"dog_name": "", "breed": "shiba", "action": "save"})
    assert response["Location"] == url("mine")
    mine = client.get(url("mine")).content.decode()
    assert "入力途中の申請" in mine and "一時保存しました" in mine
    assert "途中まで入力した申請があります" in client.get(url("procedure", "dog")).content.decode()
    resumed = client.post(url("start", "dog"))
    assert resumed["Location"] == url("fill", draft.public_id, 1)
    assert 'value="shiba" checked' in client.get(resumed["Location"]).content.decode()

    # Uploads are judged by their bytes, not their name.
    fake = SimpleUploadedFile("dog.png", b"just some text, not a picture", content_type="image/png")
    rejected = client.post(url("fill", draft.public_id, 1), {"dog_name": "ポチ", "breed": "shiba", "photo": fake,
                                                             "action": "next"})
    assert rejected.status_code == 400
    assert "このファイルの種類は受け付けていません" in rejected.content.decode()
    assert 'value="ポチ"' in rejected.content.decode()
    photo = SimpleUploadedFile("pochi.png", PNG, content_type="image/png")
    response = client.post(url("fill", draft.public_id, 1), {"dog_name": "ポチ", "breed": "shiba", "photo": photo,
                                                             "action": "next"})
    assert response["Location"] == url("check", draft.public_id)

    check = client.get(url("check", draft.public_id)).content.decode()
    assert "柴犬" in check and "ポチ" in check and "pochi.png" in check
    assert url("fill", draft.public_id, 0) in check and "変更" in check
    assert "回答の控えをメールで受け取る" not in check  # address not confirmed
    assert "PDFでダウンロード" in check

    first = client.post(url("check", draft.public_id), {"_once": TOKEN})
    second = client.post(url("check", draft.public_id), {"_once": TOKEN})
    assert first["Location"] == second["Location"] == url("status", draft.public_id)
    with scope(municipality=town_a):
        filed = Submission.objects.get(pk=draft.pk)
        assert Submission.objects.filter(resident=resident_a).count() == 1
    assert filed.status == Status.RECEIVED and filed.reference

    status = client.get(url("status", draft.public_id)).content.decode()
    assert "申請を受け付けました" in status and filed.reference in status and "confirmation__reference" in status
    assert "お知らせのメールはお送りしていません" in status
    again = client.get(url("status", draft.public_id)).content.decode()
    assert "confirmation__reference" not in again and filed.reference in again  # the panel shows once
    assert "pochi.png" in again and "/files/" in again
    assert client.get(url("fill", draft.public_id, 0))["Location"] == url("status", draft.public_id)
    assert filed.reference in client.get(url("mine")).content.decode()


def test_fill_page_out_of_range_is_404_and_check_sends_back_to_the_first_incomplete_page(
        town_a, procedure, resident_a, resident_client):
    draft = draft_with(procedure, resident_a, {"dog_name": ""})
    assert resident_client.get(url("fill", draft.public_id, 2)).status_code == 404
    assert resident_client.get(url("fill", draft.public_id, 99)).status_code == 404
    response = resident_client.get(url("check", draft.public_id))
    assert response["Location"] == url("fill", draft.public_id, 1)


def test_invalid_answers_on_submit_go_back_to_the_page(town_a, procedure, resident_a, resident_client):
    draft = draft_with(procedure, resident_a)
    page = resident_client.get(url("check", draft.public_id))
    assert page.status_code == 200
    with scope(municipality=town_a):  # changed meanwhile in another tab
        Submission.objects.filter(pk=draft.pk).update(answers={**draft.answers, "dog_name": ""})
    response = resident_client.post(url("check", draft.public_id), {"_once": TOKEN}, follow=True)
    assert response.redirect_chain[-1][0] == url("fill", draft.public_id, 1)
    with scope(municipality=town_a):
        assert Submission.objects.get(pk=draft.pk).status == Status.DRAFT


@pytest.mark.parametrize("verified", [False, True])
def test_receipt_mail_only_to_a_confirmed_address(settings, django_capture_on_commit_callbacks, town_a, procedure,
                                                  resident_a, resident_client, verified):
    settings.TASKS = IMMEDIATE_TASKS
    if verified:
        resident_a.user.email_verified_at = timezone.now()
        resident_a.user.save()
    draft = draft_with(procedure, resident_a)
    check = resident_client.get(url("check", draft.public_id)).content.decode()
    assert ("回答の控えをメールで受け取る" in check) is verified
    assert ("マイページで確認メールを送り直す" in check) is not verified  # the kernel's mail rule: what to do
    with django_capture_on_commit_callbacks(execute=True):
        response = resident_client.post(url("check", draft.public_id), {"_once": TOKEN, "copy_by_email": "on"})
    assert response.status_code == 302
    with scope(municipality=town_a):
        filed = Submission.objects.get(pk=draft.pk)
    assert filed.copy_by_email is verified
    if not verified:
        assert mail.outbox == []
        status = resident_client.get(response["Location"]).content.decode()
        assert "お知らせのメールはお送りしていません" in status
        assert '<a href="/t/10382/accounts/profile/">マイページで確認メールを送り直す</a>' in status
        return
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [resident_a.user.email]
    assert filed.reference in message.subject and "ポチ" in message.body  # the copy of the answers
    status = resident_client.get(url("status", draft.public_id)).content.decode()
    assert "メールでお送りしました" in status


# After submitting ---------------------------------------------------------------------------------------------

def test_status_shows_messages_and_status_changes_but_never_internal_notes(town_a, procedure, resident_a,
                                                                           resident_client, staff_a):
    submission = factories.make_submission(procedure, resident_a)
    with scope(municipality=town_a):
        services.add_note(submission, "内部メモ：電話で確認済み", staff=staff_a, to_applicant=False)
        services.add_note(submission, "写真を確認しました", staff=staff_a, to_applicant=True)
        services.transition(submission, "start_review", staff=staff_a)
    body = resident_client.get(url("status", submission.public_id)).content.decode()
    assert submission.reference in body and "審査中" in body and "担当課が内容を確認しています" in body
    assert "写真を確認しました" in body and "「受付」になりました" in body
    assert "内部メモ" not in body
    assert "取り下げる" not in body  # reviewing: the applicant asks the office instead
    assert resident_client.get(url("withdraw", submission.public_id))["Location"] == url("status",
                                                                                         submission.public_id)


def test_pdf_copy(town_a, procedure, resident_a, resident_client):
    submission = factories.make_submission(procedure, resident_a)
    response = resident_client.get(url("pdf", submission.public_id))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f'filename="{submission.reference}.pdf"' in response["Content-Disposition"]


def test_correction_changes_only_the_flagged_fields(town_a, procedure, resident_a, resident_client):
    submission = factories.make_submission(procedure, resident_a, status=Status.CORRECTION)
    status = resident_client.get(url("status", submission.public_id)).content.decode()
    assert "申請内容を直す（補正）" in status and "確認してください" in status and "犬の名前" in status
    page = resident_client.get(url("correct", submission.public_id)).content.decode()
    assert 'name="dog_name"' in page and 'name="breed"' not in page and 'name="address"' not in page
    assert "柴犬" in page  # the other answers, read only

    too_long = "ポ" * 31
    wrong = resident_client.post(url("correct", submission.public_id), {"dog_name": too_long, "_once": TOKEN})
    assert wrong.status_code == 400
    assert "error-summary" in wrong.content.decode() and f'value="{too_long}"' in wrong.content.decode()

    response = resident_client.post(url("correct", submission.public_id),
                                    {"dog_name": "タロウ", "breed": "mixed", "address": "よそ", "_once": TOKEN})
    assert response["Location"] == url("status", submission.public_id)
    with scope(municipality=town_a):
        submission.refresh_from_db()
        assert submission.status == Status.REVIEWING
        assert submission.answers["dog_name"] == "タロウ"
        assert submission.answers["breed"] == "shiba"
        assert submission.answers["address"] == factories.SIMPLE_ANSWERS["address"]
        assert SubmissionEvent.objects.filter(submission=submission, kind="corrected").count() == 1
    again = resident_client.post(url("correct", submission.public_id), {"dog_name": "ジロウ", "_once": TOKEN})
    assert again["Location"] == url("status", submission.public_id)
    with scope(municipality=town_a):
        submission.refresh_from_db()
        assert submission.answers["dog_name"] == "タロウ"


def test_correction_form_drops_conditions_on_fields_not_asked_again(procedure):
    from yakuba.applications.views.public import correction_form

    form = procedure.current_form.form
    only = correction_form(form, ["breed_other", "dog_name"])
    assert [f.name for f in only.all_fields()] == ["dog_name", "breed_other"]
    assert only.all_fields()[1].condition is None
    both = correction_form(form, ["breed", "breed_other"])
    assert both.all_fields()[1].condition is not None


def test_withdraw_with_a_reason(town_a, procedure, resident_a, resident_client):
    submission = factories.make_submission(procedure, resident_a)
    status = resident_client.get(url("status", submission.public_id)).content.decode()
    assert url("withdraw", submission.public_id) in status
    confirm = resident_client.get(url("withdraw", submission.public_id)).content.decode()
    assert "取り下げの理由（任意）" in confirm and "元に戻せません" in confirm
    response = resident_client.post(url("withdraw", submission.public_id),
                                    {"reason": "別の方法で届け出ました", "_once": TOKEN})
    assert response["Location"] == url("status", submission.public_id)
    with scope(municipality=town_a):
        submission.refresh_from_db()
        assert submission.status == Status.WITHDRAWN
        assert submission.events.filter(to_status=Status.WITHDRAWN, text="別の方法で届け出ました").exists()
    again = resident_client.post(url("withdraw", submission.public_id), {"_once": TOKEN})
    assert again["Location"] == url("status", submission.public_id)
    assert "取り下げられました" in resident_client.get(url("status", submission.public_id)).content.decode()


def test_delete_a_draft(town_a, procedure, resident_a, resident_client):
    draft = draft_with(procedure, resident_a, {"dog_name": "ポ"})
    assert "削除すると元に戻せません" in resident_client.get(url("delete", draft.public_id)).content.decode()
    response = resident_client.post(url("delete", draft.public_id))
    assert response["Location"] == url("mine")
    with scope(municipality=town_a):
        assert not Submission.objects.filter(pk=draft.pk).exists()
    filed = factories.make_submission(procedure, resident_a)
    assert resident_client.post(url("delete", filed.public_id))["Location"] == url("status", filed.public_id)


def test_own_attachment_is_served_inline(town_a, procedure, resident_a, resident_client):
    draft = draft_with(procedure, resident_a)
    resident_client.post(url("fill", draft.public_id, 1), {
        "dog_name": "ポチ", "breed": "shiba", "photo": SimpleUploadedFile("pochi.png", PNG), "action": "next"})
    with scope(municipality=town_a):
        token = draft.attachments.get().token
    response = resident_client.get(url("file", draft.public_id, token))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == PNG
    assert resident_client.get(url("file", draft.public_id, "0" * 32)).status_code == 404


# Only one's own -----------------------------------------------------------------------------------------------

def test_other_residents_get_404_everywhere(town_a, town_b, procedure, resident_a, resident_b):
    submission = factories.make_submission(procedure, resident_a)
    draft_procedure = factories.make_procedure(town_a, slug="cat", title="猫の届出")
    draft = draft_with(draft_procedure, resident_a)
    resident_client = Client()
    resident_client.force_login(resident_a.user)
    resident_client.post(url("fill", draft.public_id, 1), {
        "dog_name": "タマ", "breed": "mixed", "photo": SimpleUploadedFile("tama.png", PNG), "action": "next"})
    with scope(municipality=town_a):
        token = draft.attachments.get().token
        neighbour = factories.make_resident(town_a, email="neighbour@example.jp")
    pages = [url("status", submission.public_id), url("pdf", submission.public_id),
             url("withdraw", submission.public_id), url("correct", submission.public_id),
             url("fill", draft.public_id, 0), url("check", draft.public_id), url("delete", draft.public_id),
             url("file", draft.public_id, token)]
    for user in (neighbour.user, resident_b.user):
        other = Client()
        other.force_login(user)
        for page in pages:
            for town_page in (page, page.replace("/t/10382/", "/t/10384/")):
                response = other.get(town_page)
                # A user with no profile in that town is first asked to start using its services: nothing shown.
                assert response.status_code == 404 or (
                    response.status_code == 302 and "/accounts/join/" in response["Location"]), town_page
        assert other.post(url("delete", draft.public_id)).status_code == 404
    assert resident_client.get(url("status", submission.public_id)).status_code == 200
    with scope(municipality=town_a):
        assert Submission.objects.filter(pk=draft.pk).exists()


def test_login_is_required_for_my_pages(client, town_a, procedure, resident_a):
    submission = factories.make_submission(procedure, resident_a)
    response = client.get(url("status", submission.public_id))
    assert response.status_code == 302 and response["Location"].startswith("/t/10382/accounts/login/?next=")
    assert client.get(url("mine"))["Location"].startswith("/t/10382/accounts/login/")


def test_a_procedure_without_an_online_form_cannot_be_started(town_a, procedure, resident_client):
    with scope(municipality=town_a):
        Procedure.objects.filter(pk=procedure.pk).update(current_form=None)
    body = resident_client.get(url("procedure", "dog")).content.decode()
    assert "オンラインでは申請できません" in body and "申請を始める" not in body
    response = resident_client.post(url("start", "dog"), follow=True)
    assert "現在オンラインで申請できません" in response.content.decode()
    with scope(municipality=town_a):
        assert not Submission.objects.exists()

"""Staff back office of 電子申請 through HTTP: queue, record, workflow, notes, files, PDF, CSV, figures."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from django_tasks_db.models import DBTaskResult

from tests import factories
from yakuba.applications import services
from yakuba.applications.models import CounterVisit, EventKind, Status, Submission, SubmissionEvent
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

# A 1x1 PNG: enough for the upload checks (magic bytes) and an inline preview.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f3d4d30000000049454e44ae426082")


def url(town, name, *args):
    return factories.town_url(town, reverse(f"staff:{name}", args=args))


@pytest.fixture
def procedure(town_a):
    return factories.make_procedure(town_a, slug="dog", title="犬の登録", department="総務課")


@pytest.fixture
def other_procedure(town_a):
    return factories.make_procedure(town_a, slug="seal", title="印鑑登録", department="住民課")


@pytest.fixture
def submission(procedure, resident_a):
    return factories.make_submission(procedure, resident_a)


@pytest.fixture
def client_a(staff_a):
    return factories.staff_client(staff_a)


def detail_post(client, town, submission, name, data):
    return client.post(url(town, name, submission.pk), data)


# Queue --------------------------------------------------------------------------------------------------------

def test_queue_shows_own_department_only_and_is_audited(town_a, staff_a, staff_a_other, submission, other_procedure,
                                                        resident_a):
    other = factories.make_submission(other_procedure, resident_a)
    page = factories.staff_client(staff_a).get(url(town_a, "applications-queue")).content.decode()
    assert submission.reference in page and other.reference not in page
    page = factories.staff_client(staff_a_other).get(url(town_a, "applications-queue")).content.decode()
    assert other.reference in page and submission.reference not in page
    with scope(municipality=town_a):
        entry = AuditEntry.objects.filter(action="applications.submission.listed").last()
        assert entry.data["count"] == 1


def test_shared_procedure_is_visible_to_the_other_department(town_a, staff_a_other, procedure, submission):
    with scope(municipality=town_a):
        procedure.shared_with.add(staff_a_other.department)
    page = factories.staff_client(staff_a_other).get(url(town_a, "applications-queue")).content.decode()
    assert submission.reference in page


def test_queue_counts_and_status_filter(town_a, client_a, procedure, resident_a):
    received = factories.make_submission(procedure, resident_a)
    second = factories.make_resident(town_a, email="second@example.jp", family_name="佐藤", family_name_kana="サトウ")
    done = factories.make_submission(procedure, second, status=Status.COMPLETED)
    response = client_a.get(url(town_a, "applications-queue"))
    page = response.content.decode()
    assert response.status_code == 200
    assert received.reference in page and done.reference not in page  # open ones by default
    assert '処理中 <span class="count">1</span>' in page
    assert '完了 <span class="count">1</span>' in page
    assert 'すべて <span class="count">2</span>' in page
    page = client_a.get(url(town_a, "applications-queue"), {"status": "completed"}).content.decode()
    assert done.reference in page and received.reference not in page


def test_queue_search_by_reference_and_kana(town_a, client_a, procedure, resident_a):
    first = factories.make_submission(procedure, resident_a)
    other = factories.make_resident(town_a, email="sato@example.jp", family_name="佐藤", family_name_kana="サトウ")
    second = factories.make_submission(procedure, other)
    page = client_a.get(url(town_a, "applications-queue"), {"q": second.reference}).content.decode()
    assert second.reference in page and first.reference not in page
    page = client_a.get(url(town_a, "applications-queue"), {"q": "さとう"}).content.decode()
    assert second.reference in page and first.reference not in page


def test_queue_filters_by_assignee_and_channel(town_a, staff_a, client_a, procedure, resident_a, submission):
    other = factories.make_resident(town_a, email="x@example.jp")
    mine = factories.make_submission(procedure, other)
    with scope(municipality=town_a):
        services.assign(mine, staff_a, staff=staff_a)
    page = client_a.get(url(town_a, "applications-queue"), {"assignee": "me"}).content.decode()
    assert mine.reference in page and submission.reference not in page
    page = client_a.get(url(town_a, "applications-queue"), {"assignee": "none"}).content.decode()
    assert submission.reference in page and mine.reference not in page
    page = client_a.get(url(town_a, "applications-queue"), {"channel": "counter"}).content.decode()
    assert submission.reference not in page and "該当する申請はありません" in page


# Detail -------------------------------------------------------------------------------------------------------

def test_detail_is_audited_and_shows_answers(town_a, client_a, submission):
    response = client_a.get(url(town_a, "applications-detail", submission.pk))
    page = response.content.decode()
    assert response.status_code == 200
    assert submission.reference in page and "ポチ" in page and "柴犬" in page and "第1版" in page
    with scope(municipality=town_a):
        entry = AuditEntry.objects.get(action__endswith=".viewed", object_id=str(submission.pk))
        assert entry.action == "applications.submission.viewed"


def test_detail_of_another_department_or_town_is_404(town_a, staff_a_other, staff_b, submission):
    assert factories.staff_client(staff_a_other).get(
        url(town_a, "applications-detail", submission.pk)).status_code == 404
    response = factories.staff_client(staff_b).get(url(town_a, "applications-detail", submission.pk))
    assert response.status_code == 403
    response = factories.staff_client(staff_b).get(
        factories.town_url(staff_b.municipality, reverse("staff:applications-detail", args=[submission.pk])))
    assert response.status_code == 404


def test_detail_renders_answers_of_an_old_form_version(town_a, client_a, procedure, submission, admin_a):
    with scope(municipality=town_a):
        version = services.draft_version(procedure, staff=admin_a)
        definition = {**version.definition}
        definition["pages"][1]["fields"][0]["label"] = "愛犬の呼び名"
        services.save_draft_definition(version, definition, staff=admin_a)
        services.publish_draft(procedure, staff=admin_a)
    page = client_a.get(url(town_a, "applications-detail", submission.pk)).content.decode()
    assert "犬の名前" in page and "愛犬の呼び名" not in page and "第1版" in page


def test_counter_submission_shows_the_counter_clerk(town_a, client_a, staff_a, procedure, resident_a):
    with scope(municipality=town_a):
        visit = services.start_visit(resident_a, [procedure], staff=staff_a)
        answers = {**factories.SIMPLE_ANSWERS, "photo": False}
        for page in range(len(services.combine_forms([procedure]).form.pages)):
            services.save_visit_page(visit, page, answers)
        services.record_identity_check(visit, "driving_licence", staff=staff_a)
        filed = services.file_visit(visit, staff=staff_a)[0]
    page = client_a.get(url(town_a, "applications-queue"), {"channel": "counter"}).content.decode()
    assert filed.reference in page
    page = client_a.get(url(town_a, "applications-detail", filed.pk)).content.decode()
    assert "窓口対応職員" in page and str(staff_a) in page


def test_post_only_endpoints_refuse_get(town_a, client_a, submission):
    for name in ("applications-assign", "applications-transition", "applications-note"):
        assert client_a.get(url(town_a, name, submission.pk)).status_code == 405


# Workflow -----------------------------------------------------------------------------------------------------

def test_correction_needs_a_field_and_a_message(town_a, client_a, submission):
    response = detail_post(client_a, town_a, submission, "applications-transition", {
        "transition": "request_correction", "request_correction-message": "写真を付け直してください"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "error-summary" in page and "補正してもらう項目を1つ以上選んでください" in page
    assert "写真を付け直してください" in page  # typed text kept
    response = detail_post(client_a, town_a, submission, "applications-transition", {
        "transition": "request_correction", "request_correction-flagged": ["dog_name"]})
    assert response.status_code == 400
    assert "申請者へのメッセージを入力してください" in response.content.decode()
    with scope(municipality=town_a):
        assert Submission.objects.get(pk=submission.pk).status == Status.RECEIVED


def test_correction_with_flagged_fields(town_a, client_a, staff_a, submission):
    response = detail_post(client_a, town_a, submission, "applications-transition", {
        "transition": "request_correction", "request_correction-flagged": ["dog_name", "breed"],
        "request_correction-message": "犬の名前と犬種を確認してください"})
    assert response.status_code == 302
    assert response["Location"] == url(town_a, "applications-detail", submission.pk)
    with scope(municipality=town_a):
        current = Submission.objects.get(pk=submission.pk)
        assert current.status == Status.CORRECTION
        assert current.correction_fields == ["dog_name", "breed"]
        assert current.assignee == staff_a  # the clerk who acted takes it on
        event = current.events.get(to_status=Status.CORRECTION)
        assert event.text == "犬の名前と犬種を確認してください" and event.fields == ["dog_name", "breed"]
    page = client_a.get(url(town_a, "applications-detail", submission.pk)).content.decode()
    assert "「補正を依頼する」を行いました" in page and "補正を依頼中の項目" in page


def test_reject_needs_a_message(town_a, client_a, submission):
    response = detail_post(client_a, town_a, submission, "applications-transition", {"transition": "reject"})
    assert response.status_code == 400
    response = detail_post(client_a, town_a, submission, "applications-transition", {
        "transition": "reject", "reject-message": "対象外のため却下します"})
    assert response.status_code == 302
    with scope(municipality=town_a):
        current = Submission.objects.get(pk=submission.pk)
        assert current.status == Status.REJECTED and current.decided_at is not None


def test_start_review_then_complete_without_message(town_a, client_a, submission):
    assert detail_post(client_a, town_a, submission, "applications-transition",
                       {"transition": "start_review"}).status_code == 302
    assert detail_post(client_a, town_a, submission, "applications-transition",
                       {"transition": "complete"}).status_code == 302
    with scope(municipality=town_a):
        assert Submission.objects.get(pk=submission.pk).status == Status.COMPLETED
    page = client_a.get(url(town_a, "applications-detail", submission.pk)).content.decode()
    assert "この申請の処理は終わっています" in page


def test_a_transition_not_allowed_now_is_400_with_the_reason(town_a, client_a, procedure, resident_a):
    done = factories.make_submission(procedure, resident_a, status=Status.COMPLETED)
    response = detail_post(client_a, town_a, done, "applications-transition", {"transition": "complete"})
    assert response.status_code == 400
    assert "その操作はできません" in response.content.decode()


def test_the_same_click_counts_once(town_a, client_a, submission):
    data = {"transition": "start_review", "_once": "o" * 32}
    assert detail_post(client_a, town_a, submission, "applications-transition", data).status_code == 302
    response = detail_post(client_a, town_a, submission, "applications-transition", data)
    assert response.status_code == 302
    with scope(municipality=town_a):
        assert SubmissionEvent.objects.filter(submission=submission, to_status=Status.REVIEWING).count() == 1


# Notes, messages, assignment ----------------------------------------------------------------------------------

def test_note_stays_internal_and_message_is_mailed(town_a, client_a, submission, resident_a,
                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = detail_post(client_a, town_a, submission, "applications-note",
                               {"note-kind": "note", "note-text": "電話で確認済み（内部）"})
    assert response.status_code == 302
    assert not DBTaskResult.objects.filter(task_path__endswith="send_update").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = detail_post(client_a, town_a, submission, "applications-note",
                               {"note-kind": "message", "note-text": "書類は郵送でも受け付けます"})
    assert response.status_code == 302
    assert DBTaskResult.objects.filter(task_path__endswith="send_update").count() == 1
    with scope(municipality=town_a):
        kinds = {e.text: e.kind for e in submission.events.all()}
    assert kinds == {"電話で確認済み（内部）": EventKind.NOTE, "書類は郵送でも受け付けます": EventKind.MESSAGE,
                     "": EventKind.STATUS}
    page = client_a.get(url(town_a, "applications-detail", submission.pk)).content.decode()
    assert "内部メモ（申請者には表示されません）" in page and "申請者へのメッセージ" in page
    try:
        get_template("applications/public/status.html")
    except TemplateDoesNotExist:
        return  # the resident's status page is not there yet; the event kinds above decide what it shows
    applicant = Client()
    applicant.force_login(resident_a.user)
    status_page = applicant.get(factories.town_url(town_a, reverse("applications:status",
                                                                   args=[submission.public_id])))
    assert status_page.status_code == 200
    text = status_page.content.decode()
    assert "書類は郵送でも受け付けます" in text and "電話で確認済み（内部）" not in text


def test_empty_note_is_400_with_kind_kept(town_a, client_a, submission):
    response = detail_post(client_a, town_a, submission, "applications-note", {"note-kind": "message", "note-text": ""})
    page = response.content.decode()
    assert response.status_code == 400 and "内容を入力してください" in page
    assert re.search(r'<input[^>]*value="message"[^>]*checked', page)


def test_assign_to_self_and_to_a_colleague(town_a, client_a, staff_a, staff_a_other, submission):
    colleague = factories.make_staff(town_a, department="総務課")
    assert detail_post(client_a, town_a, submission, "applications-assign",
                       {"assign-assignee": staff_a.pk}).status_code == 302
    with scope(municipality=town_a):
        assert Submission.objects.get(pk=submission.pk).assignee == staff_a
    assert detail_post(client_a, town_a, submission, "applications-assign",
                       {"assign-assignee": colleague.pk}).status_code == 302
    with scope(municipality=town_a):
        assert Submission.objects.get(pk=submission.pk).assignee == colleague
        assert submission.events.filter(kind=EventKind.ASSIGNED).count() == 2
    # Staff of a department that cannot see the submission are not offered, and refused if posted.
    response = detail_post(client_a, town_a, submission, "applications-assign", {"assign-assignee": staff_a_other.pk})
    assert response.status_code == 400 and "error-summary" in response.content.decode()


# Files and PDF ------------------------------------------------------------------------------------------------

def _with_photo(town, procedure, resident):
    with scope(municipality=town):
        draft = services.start_draft(procedure, resident)
        services.save_page(draft, 1, {**factories.SIMPLE_ANSWERS},
                           files={"photo": SimpleUploadedFile("pochi.png", PNG, content_type="image/png")})
        draft.refresh_from_db()
        draft.answers = {**draft.answers, **factories.SIMPLE_ANSWERS, "photo": draft.answers["photo"]}
        draft.save()
        submission = services.submit(draft, actor=resident.user)
        return submission, submission.attachments.get()


def test_attachment_preview_is_audited_and_must_belong_to_the_submission(town_a, client_a, procedure, resident_a):
    with_photo, attachment = _with_photo(town_a, procedure, resident_a)
    other = factories.make_submission(procedure, factories.make_resident(town_a, email="o@example.jp"))
    page = client_a.get(url(town_a, "applications-detail", with_photo.pk)).content.decode()
    assert "pochi.png" in page and '<img class="attachment-preview"' in page
    response = client_a.get(url(town_a, "applications-file", with_photo.pk, attachment.token))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline") and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    with scope(municipality=town_a):
        assert AuditEntry.objects.filter(action="applications.attachment.viewed").count() == 1
    assert client_a.get(url(town_a, "applications-file", other.pk, attachment.token)).status_code == 404


def test_pdf_for_staff(town_a, client_a, submission):
    response = client_a.get(url(town_a, "applications-pdf", submission.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    with scope(municipality=town_a):
        assert AuditEntry.objects.filter(action="applications.submission.printed").exists()


# Procedures, CSV, figures -------------------------------------------------------------------------------------

def test_procedures_list_counts_and_links(town_a, client_a, admin_a, procedure, other_procedure, submission):
    page = client_a.get(url(town_a, "applications-procedures")).content.decode()
    assert "犬の登録" in page and "印鑑登録" not in page
    assert url(town_a, "applications-csv", procedure.pk) in page
    assert "新しい手続" not in page and "様式を編集" not in page
    page = factories.staff_client(admin_a).get(url(town_a, "applications-procedures")).content.decode()
    assert "犬の登録" in page and "印鑑登録" in page


def test_editor_links_follow_who_may_edit(town_a, admin_a, procedure, other_procedure):
    approver = factories.make_staff(town_a, department="総務課", role=Role.APPROVER)
    page = factories.staff_client(approver).get(url(town_a, "applications-procedures")).content.decode()
    assert url(town_a, "applications-form", procedure.pk) in page and "新しい手続" not in page
    page = factories.staff_client(admin_a).get(url(town_a, "applications-procedures")).content.decode()
    assert url(town_a, "applications-form", other_procedure.pk) in page
    assert url(town_a, "applications-procedure-new") in page


def test_csv_export(town_a, client_a, procedure, resident_a):
    factories.make_submission(procedure, resident_a)
    other = factories.make_resident(town_a, email="formula@example.jp")
    factories.make_submission(procedure, other, answers={**factories.SIMPLE_ANSWERS, "dog_name": "=HYPERLINK(1)"})
    response = client_a.get(url(town_a, "applications-csv", procedure.pk))
    assert response.status_code == 200
    assert "dog-" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "受付番号" and "犬の名前 (dog_name)" in rows[0]
    assert len(rows) == 3
    column = rows[0].index("犬の名前 (dog_name)")
    assert [row[column] for row in rows[1:]] == ["ポチ", "'=HYPERLINK(1)"]
    with scope(municipality=town_a):
        assert AuditEntry.objects.get(action="applications.procedure.exported").data["count"] == 2
    for query in ({"status": "completed"}, {"since": "2999-01-01"}):
        filtered = client_a.get(url(town_a, "applications-csv", procedure.pk), query)
        assert len(list(csv.reader(io.StringIO(filtered.content.decode("utf-8-sig"))))) == 1  # the header only


def test_csv_of_another_departments_procedure_is_404(town_a, client_a, other_procedure):
    assert client_a.get(url(town_a, "applications-csv", other_procedure.pk)).status_code == 404


def test_stats_tables(town_a, client_a, submission):
    response = client_a.get(url(town_a, "applications-stats"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<caption>" in page and 'scope="col"' in page and "100%" in page
    assert "月平均10回以上" in page


def test_stats_show_counter_use_against_the_target(town_a, client_a, staff_a, resident_a):
    with scope(municipality=town_a):
        for _ in range(3):
            CounterVisit.objects.create(municipality=town_a, resident=resident_a, staff=staff_a,
                                        finished_at=timezone.now())
        CounterVisit.objects.create(municipality=town_a, resident=resident_a, staff=staff_a)  # not finished
    page = client_a.get(url(town_a, "applications-stats")).content.decode()
    assert "月別の書かない窓口の利用回数" in page and "<td>3</td><td>未達</td>" in page
    assert 'class="target"' in page and "この期間の月平均は 3.0 回です" in page


def test_town_b_staff_cannot_use_town_a_pages(town_a, staff_b, submission, procedure):
    client = factories.staff_client(staff_b)
    for name, args in (("applications-queue", ()), ("applications-detail", (submission.pk,)),
                       ("applications-csv", (procedure.pk,)), ("applications-stats", ())):
        assert client.get(url(town_a, name, *args)).status_code == 403
    with scopes_disabled():
        assert not AuditEntry.objects.filter(action="applications.submission.viewed").exists()


def test_csv_export_quotes_every_hostile_answer(town_a, client_a, procedure):
    from tests.kernel.files.test_tables import HOSTILE, assert_inert

    for number, text in enumerate(HOSTILE):
        resident = factories.make_resident(town_a, email=f"hostile{number}@example.jp")
        filed = factories.make_submission(procedure, resident)
        with scope(municipality=town_a):  # as stored, past the form's checks (a tab or CR is refused there)
            type(filed).objects.filter(pk=filed.pk).update(answers={**filed.answers, "dog_name": text})
    response = client_a.get(url(town_a, "applications-csv", procedure.pk))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    column = rows[0].index("犬の名前 (dog_name)")
    assert len(rows) == len(HOSTILE) + 1
    for row, text in zip(rows[1:], HOSTILE, strict=True):
        assert_inert(row[column], text)

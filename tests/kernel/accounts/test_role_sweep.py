"""Every staff URL refuses anonymous users, residents, staff of another town and staff without the role."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from tests import factories
from tests.sweep import routes
from tests.transport import sweep_transport
from tests.voice import sweep_opinions
from tests.voice.sweep_reports import route_objects as reports_route_objects
from tests.voice.sweep_surveys import role_sweep_objects as role_sweep_surveys
from yakuba.kernel.accounts.models import Role
from yakuba.plans.services.exchange import save_plan

# Pages that exist to get a staff member signed in: reachable before the checks by design.
SIGN_IN_ROUTES = {"staff:login", "staff:otp", "staff:otp-setup", "staff:logout"}


def staff_routes():
    return [r for r in routes() if r.is_staff and r.name not in SIGN_IN_ROUTES]


def test_every_staff_view_declares_its_role():
    for route in staff_routes():
        assert hasattr(route.callback, "staff_role"), f"{route.name} is not behind staff_required"


# A counter visit belongs to the clerk who started it (and 情報担当): other members get 404 by design, so
# these are checked for who may not enter here, and for who may in tests/applications/test_counter.py.
OWNED_ROUTES = {"staff:applications-counter-fill", "staff:applications-counter-confirm",
                "staff:applications-counter-done", "staff:applications-counter-copy",
                "staff:applications-counter-identity", "staff:applications-counter-resident",
                "staff:applications-counter-resident-done", "staff:applications-counter-pay"}
# A draft is changed only by its drafter (the others are sent back to the draft's page).
OWNED_ROUTES |= {"staff:approvals-draft-edit"}
# A staff member reports the 実績 of their own overtime only (others get 404): tests/attendance/test_views.py.
OWNED_ROUTES |= {"staff:attendance-overtime-record"}
# JSON APIs that answer a permitted GET without their query parameter with 400 and a message.
QUERY_ROUTES = {"staff:assistant-api-search"}


@pytest.fixture
def objects_a(town_a, resident_a):
    """For each staff URL with arguments, objects of town A it can show (the residents page by default)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_scopes import scope

    from tests.kernel.files.test_uploads import PNG
    from yakuba.applications import services

    form = {**factories.SIMPLE_FORM, "pages": [*factories.SIMPLE_FORM["pages"], {"title": "家族", "fields": [
        {"name": "family", "type": "group", "label": "家族", "required": False, "fields": [
            {"name": "relation", "type": "text", "label": "続柄"}]}]}]}
    procedure = factories.make_procedure(town_a, slug="sweep", department="総務課", definition=form)
    clerk = factories.make_staff(town_a, department="総務課")
    with scope(municipality=town_a):
        draft = services.start_draft(procedure, resident_a)
        services.save_page(draft, 1, {"dog_name": "ポチ", "breed": "shiba"},
                           files={"photo": SimpleUploadedFile("dog.png", PNG)})
        submission = services.submit(draft, actor=resident_a.user)
        token = submission.attachments.get().token
        open_visit = services.start_visit(resident_a, [procedure], staff=clerk)
        filed_visit = services.start_visit(resident_a, [procedure], staff=clerk)
        services.save_visit_page(filed_visit, 0, {"dog_name": "ポチ", "breed": "shiba"})
        services.record_identity_check(filed_visit, "mynumber_card", staff=clerk)
        (counter_submission,) = services.file_visit(filed_visit, staff=clerk)
    editor = {"pk": procedure.pk, "page": 0, "name": "family", "sub": "relation"}
    room = factories.make_room(town_a, department="総務課")
    reservation = factories.make_reservation(room, resident_a, datetime(2027, 3, 2, 10, tzinfo=ZoneInfo("Asia/Tokyo")))
    with scope(municipality=town_a):
        from yakuba.reservations.models import GroupCategory
        from yakuba.reservations.services import groups

        category = GroupCategory.objects.create(municipality=town_a, name="区分", reduction_percent=50)
        group = groups.apply(resident_a, groups.GroupDetails(name="団体", name_kana="", category=category,
                                                             members=5, activity="活動", phone="0274-82-2111"))
    from tests.reservations.test_courses_views import make_course
    from yakuba.reservations.services import courses
    from yakuba.reservations.services import lottery as lotteries

    session = make_course(town_a, clerk)
    with scope(municipality=town_a):
        enrolment = courses.enrol(session, resident_a)
        lottery = lotteries.create_lottery(staff=clerk, title="抽選", rooms=[room], period_start=date(2027, 6, 1),
                                           period_end=date(2027, 6, 30), opens_at=timezone.now() - timedelta(hours=1),
                                           closes_at=timezone.now() + timedelta(days=30))
    notice = factories.make_notice(town_a, published=False, department="総務課")
    with scope(municipality=town_a):
        from yakuba.notices.models import Shelter

        shelter = Shelter.objects.create(municipality=town_a, name="体育館")  # a status without its open data row
    plan_routes = _plan_objects(town_a, clerk)
    return {
        **plan_routes, **_opendata_objects(town_a, clerk), **_assistant_objects(town_a, clerk),
        **_filing_objects(town_a, clerk),
        **_approvals_decide_objects(town_a, clerk),
        **_payments_objects(town_a, resident_a),
        **_attendance_objects(town_a),
        **_meetings_pack_objects(town_a),
        **_minutes_objects(town_a),
        **_website_objects(town_a),
        **_website_import_objects(town_a),
        **sweep_opinions.role_objects(town_a),
        **role_sweep_surveys(town_a),
        **reports_route_objects(town_a),
        **sweep_transport.route_objects(town_a, resident_a),
        **{f"staff:notice-{n}": notice.pk for n in ("detail", "edit", "publish", "counts", "withdraw", "replies",
                                                    "replies-csv")},
        "staff:shelter-remove": shelter.pk,
        # 翻訳: the sweep's procedure belongs to 総務課, where every sweep member works (other 課: 403, by design:
        # tests/kernel/words/test_views_staff.py)
        **{f"staff:words-{n}": {"kind": "applications.procedure", "key": str(procedure.pk)}
           for n in ("record", "draft")},
        **{f"staff:reservations-{n}": lottery.pk for n in ("lottery", "lottery-draw", "lottery-cancel", "lottery-csv")},
        "staff:reservations-group": group.pk, "staff:reservations-group-category": category.pk,
        **{f"staff:reservations-{name}": session.course_id for name in ("course", "course-edit", "session-new")},
        **{f"staff:reservations-{name}": session.pk for name in ("session", "session-enrol")},
        **{f"staff:reservations-{name}": enrolment.pk for name in ("enrolment-attendance", "enrolment-cancel")},
        **{f"staff:reservations-{name}": reservation.pk for name in ("detail", "approve", "attendance", "cancel",
                                                                      "unblock")},
        None: resident_a.pk,
        "staff:member": factories.make_staff(town_a, department="企画課").pk,
        **{name: submission.pk for name in ("staff:applications-detail", "staff:applications-assign",
                                            "staff:applications-transition", "staff:applications-note",
                                            "staff:applications-pdf")},
        "staff:applications-file": {"pk": submission.pk, "token": token},
        **{f"staff:applications-{name}": editor for name in (
            "csv", "procedure", "form", "form-publish", "form-preview", "form-export", "form-import", "form-page-new",
            "form-page", "form-page-move", "form-page-delete", "form-field-new", "form-field", "form-field-move",
            "form-field-delete", "form-subfield-new", "form-subfield", "form-subfield-move",
            "form-subfield-delete")},
        "staff:applications-counter-fill": {"public_id": open_visit.public_id, "page": 0},
        "staff:applications-counter-confirm": {"public_id": open_visit.public_id},
        "staff:applications-counter-done": {"public_id": filed_visit.public_id},
        "staff:applications-counter-pay": {"public_id": filed_visit.public_id},
        "staff:applications-counter-identity": {"public_id": open_visit.public_id},
        "staff:applications-counter-resident": {"public_id": open_visit.public_id},
        "staff:applications-counter-resident-done": {"public_id": filed_visit.public_id},
        "staff:applications-counter-copy": {"public_id": filed_visit.public_id, "pk": counter_submission.pk},
    }


def _website_import_objects(town):
    """An import run of town A (移行), checked and waiting for the 情報担当: for the pages of one run."""
    from django_scopes import scope

    from tests.website.checks_support import make_zip, old_page
    from yakuba.website.services import importing

    admin = factories.make_staff(town, department="企画課", role=Role.ADMIN)
    with scope(municipality=town):
        run = importing.start(admin, make_zip({"a.html": old_page()}), department=admin.department, parent=None,
                              base_url="https://old.example.jp/")
    return {f"staff:website-import{n}": run.pk for n in ("-run", "-confirm", "-cancel")}


def _attendance_objects(town):
    """A 勤務パターン and a 休暇の種類 of town A: for the 総務課 pages that edit one (the closed day's delete is
    POST-only, answering 405 before it looks the row up)."""
    from datetime import time

    from django_scopes import scope

    from yakuba.attendance.models import LeaveType, WorkPattern

    with scope(municipality=town):
        pattern = WorkPattern.objects.create(municipality=town, name="標準", starts=time(8, 30), ends=time(17, 15))
        kind = LeaveType.objects.create(municipality=town, code="summer", name="夏季休暇")
    return {"staff:attendance-pattern-edit": pattern.pk, "staff:attendance-leave-type-edit": kind.pk}


def _meetings_pack_objects(town):
    """A 委員会 whose 事務局 is 総務課 (every role's sweep member is its clerk), with one document: for the pages of
    the 事務局 and of 会議資料 (staff of another 課 get 404 there, by design: tests/meetings/test_staff_views.py and
    test_pack_views.py)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_scopes import scope

    from tests.meetings.support import blank_pdf, make_committee
    from yakuba.meetings.services import pack

    committee = make_committee(town, department="総務課")
    with scope(municipality=town):
        document = pack.add_document(committee.meeting, None, "資料1", SimpleUploadedFile("a.pdf", blank_pdf(1)),
                                     committee.clerk.user)
    by_body = ("body", "body-change", "member-add", "meeting-add")
    by_meeting = ("meeting", "meeting-change", "item-add", "attendance", "close", "cancel", "publish")
    return {"staff:meetings-document-add": committee.meeting.uuid, "staff:meetings-document": document.pk,
            "staff:meetings-version-file": {"pk": document.current_id, "which": "pdf"},
            **{f"staff:meetings-{name}": committee.body.pk for name in by_body},
            **{f"staff:meetings-{name}": committee.meeting.uuid for name in by_meeting},
            "staff:meetings-item-change": committee.item.pk, "staff:meetings-member-active": committee.chair.pk}

def _minutes_objects(town):
    """A held meeting of a body whose 事務局 is 総務課 (the sweep's staff are clerks of it: others get 404 by design),
    with a transcribed recording and a segment: for the 会議録 pages."""
    from django.core.files.base import ContentFile
    from django_scopes import scope

    from yakuba.kernel.files.uploads import save_private
    from yakuba.meetings.models import Body, BodyKind, Meeting, Recording, RecordingState, Segment

    clerk = factories.make_staff(town, department="総務課")
    path = save_private(ContentFile(b"ID3" + bytes(64), name="r.mp3"), "meetings/recordings")
    with scope(municipality=town):
        body = Body.objects.create(municipality=town, name="庁議（定例）", kind=BodyKind.EXECUTIVE,
                                   department=clerk.department)
        meeting = Meeting.objects.create(municipality=town, body=body, title="第1回庁議", starts_at=timezone.now(),
                                         state="held", held_at=timezone.now())
        recording = Recording.objects.create(municipality=town, meeting=meeting, file=path, original_name="r.mp3",
                                             state=RecordingState.DONE, uploaded_by=clerk.user)
        segment = Segment.objects.create(municipality=town, recording=recording, chunk=0, position=0, start=0,
                                         end=1, text="開会します。")
    names = ("minutes", "minutes-suggestions", "minutes-summary", "minutes-publication", "recordings")
    return {**{f"staff:meetings-{name}": {"meeting": meeting.uuid} for name in names},
            "staff:meetings-recording": recording.pk, "staff:meetings-recording-retry": recording.pk,
            "staff:meetings-minutes-export": {"meeting": meeting.uuid, "fmt": "docx"},
            "staff:meetings-segment": segment.pk, "staff:meetings-segment-split": segment.pk,
            "staff:meetings-recording-audio": recording.pk}


def _website_objects(town):
    """A published page of 総務課 with a file and a second version waiting for approval: for every staff URL of
    ホームページ that names a page (a 所属長's decision page needs a waiting version)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_scopes import scope
    from PIL import Image

    from tests.website.support import data, published
    from yakuba.website.services import assets, pages

    clerk = factories.make_staff(town, department="総務課")
    page = published(town, clerk)
    png = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(png, "PNG")
    with scope(municipality=town):
        asset = assets.upload(clerk, page, SimpleUploadedFile("a.png", png.getvalue(), "image/png"))
        pages.save_draft(clerk, page, data(clerk, title="粗大ごみ（改）"), revision=None)
        pages.submit(clerk, page, revision=None)
    names = [r.name for r in routes() if r.name.startswith("staff:website-page")]
    return {**{name: page.pk for name in names}, "staff:website-page-restore": {"pk": page.pk, "number": 1},
            "staff:website-asset": {"uuid": asset.uuid}}


def _payments_objects(town, resident):
    """A paid payment with a refund of town A: for every staff URL of 収納・決済 that names one."""
    from django_scopes import scope

    from yakuba.payments.models import Payment, Refund

    with scope(municipality=town):
        paid = Payment.objects.create(
            municipality=town, payable_kind="reservations.reservation", payable_key="1", description="使用料",
            reference="R-1", revenue_code="13-01-05", amount=1000, status="success", provider="counter",
            method="cash", return_path="/", resident=resident, receipt_number=1, paid_at=timezone.now())
        refund = Refund.objects.create(municipality=town, payment=paid, amount=100, reason="一部", status="awaiting")
    return {**{f"staff:payments-{n}": paid.pk for n in ("detail", "counter", "refund", "receipt")},
            "staff:payments-refund-decide": refund.pk}


def _plan_objects(town, clerk):
    """A plan of town A with a status report carrying evidence, and a rendered council report."""
    from django.core.files.base import ContentFile
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_scopes import scope

    from tests.plans.conftest import small_plan_data
    from yakuba.kernel.files.uploads import save_private
    from yakuba.plans.models import Measure, Report, ReportFormat, ReportState
    from yakuba.plans.services import progress

    with scope(municipality=town):
        plan = save_plan(town, small_plan_data())
        measure = Measure.objects.filter(plan=plan, responsibilities__department=clerk.department).first()
        report = progress.report_status(clerk, measure, year=2026, status="in_progress", files=[
            SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")])
        stored = save_private(ContentFile(b"%PDF-1.4\n%%EOF\n"), "sweep")
        council = Report.objects.create(municipality=town, plan=plan, year=2026, format=ReportFormat.PDF,
                                        state=ReportState.READY, file=stored, size=14)
        indicator = measure.indicators.first()
        evidence = report.evidence.get()
    slug = {"slug": plan.slug}
    return {
        **{name: slug for name in ("staff:plan", "staff:plan-snapshot", "staff:plan-export", "staff:plan-report")},
        "staff:plan-measure": {**slug, "pk": measure.pk}, "staff:plan-bind": {**slug, "pk": indicator.pk},
        "staff:plan-evidence": evidence.pk, "staff:plan-report-file": council.pk,
    }


def _opendata_objects(town, clerk):
    """An AED dataset of 総務課 with a row and an import, and a map layer with a point: for every staff URL of
    オープンデータ and the map, the arguments naming them (each route takes the ones it has)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_scopes import scope

    from tests.opendata.conftest import csv_text, valid_row
    from yakuba.opendata.models import Dataset, Layer, Point
    from yakuba.opendata.services import editing

    with scope(municipality=town):
        dataset = Dataset.objects.create(municipality=town, kind="aed", title="AED設置箇所一覧",
                                         department=clerk.department)
        row = editing.save_row(clerk, dataset, None, valid_row("aed", town, ID="1"))
        upload = editing.receive(clerk, dataset, SimpleUploadedFile("aed.csv", csv_text("aed", [row.data]).encode()))
        layer = Layer.objects.create(municipality=town, slug="saigai", name="災害発生箇所", department=clerk.department)
        point = Point.objects.create(municipality=town, layer=layer, title="倒木", latitude=36.21, longitude=138.79)
    names = [r.name for r in routes() if r.name.startswith(("staff:opendata", "staff:map-"))]
    args = {"kind": "aed", "pk": row.pk, "public_id": upload.public_id, "slug": layer.slug}
    return {name: {**args, "public_id": point.public_id} if name.startswith("staff:map-") else args
            for name in names}


def _filing_objects(town, clerk):
    """A 分類 and a received letter with its scan, in a 簿冊 of 総務課: for every staff URL of 文書管理・収受."""
    from datetime import date

    from django_scopes import scope

    from yakuba.approvals.models import DocumentClass
    from yakuba.approvals.services import incoming

    with scope(municipality=town):
        document_class = DocumentClass.objects.create(municipality=town, code="01-05-03", major="総務",
                                                      name="要望・陳情", retention=5)
        arrival = incoming.Arrival(title="要望書", sender="区長会", received_on=date(2026, 5, 1),
                                   department=clerk.department, document_class=document_class)
        received = incoming.receive(town, arrival, actor=clerk.user,
                                    scan=incoming.Scanned(b"%PDF-1.4\n%%EOF\n", "application/pdf", "a.pdf"))
    record = received.record
    from yakuba.approvals.views import filing

    names = [f"staff:{pattern.name}" for pattern in filing.urlpatterns]
    return {name: {"pk": record.volume_id} if name.startswith("staff:approvals-volume")
            else {"pk": document_class.pk} if name.startswith("staff:approvals-class")
            else {"public_id": record.public_id} for name in names}


def _approvals_decide_objects(town, clerk):
    """A draft of 総務課 with an attachment, on its route, a 不在, a line of the 事務決裁規程 and a post: for every
    staff URL of 起案・回議・決裁."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_scopes import scope

    from tests.approvals.decide_factories import make_office
    from yakuba.approvals.models import DecisionRule

    office = make_office(town)
    with scope(municipality=town):
        draft = office.sent(500_000, attachments=[SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n")])
        attachment = draft.attachments.get()
        absence = office.away("副町長")
        rule = DecisionRule.objects.filter(matter="general").get()
    public = {"public_id": draft.public_id}
    return {
        **{f"staff:approvals-draft{n}": public for n in ("", "-send", "-act", "-pdf", "-edit")},
        **{f"staff:approvals-attachment{n}": {**public, "pk": attachment.pk} for n in ("", "-delete")},
        "staff:approvals-absence-delete": absence.pk,
        **{f"staff:approvals-rule{n}": rule.pk for n in ("-edit", "-delete")},
        **{f"staff:approvals-post{n}": office.posts["庶務係長"].pk for n in ("-edit", "-delete")},
    }


def _assistant_objects(town, clerk):
    """A document of 総務課, and a question residents asked linked to it: for every staff URL of AI問い合わせ that
    names one."""
    from django_scopes import scope

    from yakuba.assistant.models import Kind, Question
    from yakuba.assistant.services import ingest, learned

    with scope(municipality=town):
        document, _ = ingest.create(clerk, town, ingest.DocumentFields(kind=Kind.FAQ, title="犬の登録",
                                                                       department=clerk.department), text="登録します")
        question = Question.objects.create(municipality=town, text="犬を飼ったら", known=False)
        learned.link(clerk, question, document)
    return {**{r.name: document.public_id for r in routes() if r.name.startswith("staff:assistant-document")},
            "staff:assistant-question-link": question.pk}


def _path(route, objects):
    value = objects.get(route.name, objects[None])
    kwargs = value if isinstance(value, dict) else {name: value for name in route.converters}
    return route.path(**{name: kwargs[name] for name in route.converters})


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_the_staff_login(town_a, objects_a):
    client = Client()
    for route in staff_routes():
        url = town_a.path_prefix + _path(route, objects_a)
        response = client.get(url)
        assert response.status_code == 302, route.name
        assert response["Location"].startswith("/t/10382/staff/login/?next="), route.name


@pytest.mark.django_db
def test_residents_are_refused(town_a, resident_a, objects_a):
    client = Client()
    client.force_login(resident_a.user)
    for route in staff_routes():
        response = client.get(town_a.path_prefix + _path(route, objects_a))
        assert response.status_code == 403, route.name
        assert "権限がありません" in response.content.decode()


@pytest.mark.django_db
def test_staff_of_another_town_are_refused(town_a, staff_b, objects_a):
    client = factories.staff_client(staff_b)
    for route in staff_routes():
        assert client.get(town_a.path_prefix + _path(route, objects_a)).status_code == 403, route.name


@pytest.mark.django_db
def test_staff_without_second_factor_are_sent_to_totp(town_a, staff_a, objects_a):
    client = Client()
    client.force_login(staff_a.user)  # password step only
    for route in staff_routes():
        response = client.get(town_a.path_prefix + _path(route, objects_a))
        assert response.status_code == 302, route.name
        assert response["Location"].startswith("/t/10382/staff/login/otp/"), route.name


@pytest.mark.django_db
def test_each_view_needs_exactly_its_role(town_a, objects_a):
    members = {role: factories.make_staff(town_a, role=role) for role in Role.values}
    for route in staff_routes():
        if route.name in OWNED_ROUTES:
            continue
        for role, member in members.items():
            response = factories.staff_client(member).get(town_a.path_prefix + _path(route, objects_a))
            # POST-only actions answer a permitted GET with 405, after the role check.
            allowed = {400} if route.name in QUERY_ROUTES else {200, 405}
            expected = allowed if role >= route.callback.staff_role else {403}
            assert response.status_code in expected, (route.name, role, response.status_code)


@pytest.mark.django_db
def test_inactive_staff_are_refused(town_a, staff_a):
    staff_a.is_active = False
    staff_a.save()
    assert factories.staff_client(staff_a).get("/t/10382/staff/").status_code == 403

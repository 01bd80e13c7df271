"""A user of one town never sees or changes another town's rows: every URL, with another town's objects."""

from __future__ import annotations

import re
import uuid

import pytest
from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models
from django.test import Client
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tests import factories
from tests.kernel.accounts.test_role_sweep import SIGN_IN_ROUTES
from tests.sweep import routes
from tests.transport import sweep_transport
from tests.voice import sweep_opinions
from tests.voice.sweep_reports import reports_of_town_b
from tests.voice.sweep_surveys import surveys_of_town_b
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.tenancy.models import TenantModel
from yakuba.plans.services.exchange import save_plan

# Markers that only town B's data contains.
B_MARKERS = ["甘楽太郎", "甘楽 太郎", "kanra-only@example.jp", "甘楽町小幡1-99", "ｶﾝﾗ専用係", "甘楽専用ポチ",
             "甘楽専用の手続", "甘楽専用の会議室", "甘楽専用の用件", "甘楽専用のお知らせ", "甘楽専用の避難所",
             "kanra-sub@example.jp", "甘楽専用の計画", "甘楽専用の取組", "甘楽専用の報告", "甘楽専用のAED",
             "甘楽専用の地点", "甘楽専用のレイヤー", "甘楽専用の文書", "甘楽専用の質問", "甘楽専用の分類",
             "甘楽専用の出来事", "甘楽専用の相談", "甘楽専用の地区", "甘楽専用の翻訳", "甘楽専用の添付",
              "甘楽専用の緊急情報", "甘楽専用のすること", "0274-99-9999",
             "甘楽専用の支払い", "甘楽専用の還付"]
B_MARKERS += ["甘楽専用の起案"]  # 起案・回議・決裁
B_MARKERS += ["甘楽専用の勤怠"]  # 勤怠管理
B_MARKERS += ["甘楽専用の会議"]  # 会議・議事録
B_MARKERS += ["甘楽専用のページ", "甘楽専用のサイト"]  # 公式ホームページ
B_MARKERS += sweep_opinions.B_MARKERS  # ご意見箱
B_MARKERS += ["甘楽専用の通報"]  # 通報 (tests/voice/sweep_reports.py)
B_MARKERS += sweep_transport.B_MARKERS  # デマンド交通

# Town-owned models `two_towns` gives town B no row of, and why. The sweep fails for a town-owned model that has
# no row of town B and is not listed here, so a new system's model cannot go unswept.
UNSWEPT = {
    "tenancy.MunicipalityHost": "a host name is how a request finds its town (platform set-up, not the town's "
                                "data); the sweep reaches its towns by the /t/<code>/ prefix",
}
# Town-owned rows whose ids are not ids of the town's objects in URLs: the audit trail (its entries are counted
# in the snapshot, but its many primary keys would hide town B's rows behind town A's audit entries).
NOT_URL_IDS = {"audit.AuditEntry"}


def town_models():
    """Every concrete model that belongs to a town, found in the app registry: the TenantModels and any other
    model with a `municipality` foreign key (AI問い合わせ's documents, whose national ones have none; the audit)."""
    return [m for m in apps.get_models()
            if issubclass(m, TenantModel) or any(f.name == "municipality" and f.is_relation for f in m._meta.fields)]


def snapshot_of(town):
    with scopes_disabled():
        return {
            model._meta.label: sorted(map(repr, model._base_manager.filter(municipality=town).values()))
            for model in town_models()
        }


def pks_of(town):
    with scopes_disabled():
        return {pk for model in town_models() if model._meta.label not in NOT_URL_IDS
                for pk in model._base_manager.filter(municipality=town).values_list("pk", flat=True)
                if isinstance(pk, int)}  # UUID keys (anonymous survey answers) are swept with the other UUIDs


def unswept_models(town):
    """Town-owned models without a row of `town`."""
    with scopes_disabled():
        return {model._meta.label for model in town_models()
                if not model._base_manager.filter(municipality=town).exists()}


def _restart_id_sequences():
    """PostgreSQL does not roll sequences back with a test's transaction: late in a run town B's ids would be every
    id the run has handed out, not a handful, and the sweep would try thousands more URLs than on SQLite. Start
    each table's ids again after its highest row, as SQLite does."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), town_models()):
            cursor.execute(sql)


@pytest.fixture
def two_towns(town_a, town_b):
    _restart_id_sequences()
    # Town A's cast first, so town B's rows have primary keys no row of town A has.
    admin_a = factories.make_staff(town_a, role=Role.ADMIN)
    resident_a = factories.make_resident(town_a)
    staff_b = factories.make_staff(town_b, role=Role.ADMIN, email="kanra-only@example.jp")
    staff_b.family_name, staff_b.given_name = "甘楽", "太郎"
    staff_b.save()
    for index in range(3):
        factories.make_resident(town_b, family_name="甘楽", given_name="太郎", address="甘楽町小幡1-99",
                                email=f"kanra-res{index}@example.jp")
    from yakuba.kernel.accounts.models import Section
    from yakuba.kernel.audit.services import record

    with scopes_disabled():
        Section.objects.create(municipality=town_b, department=staff_b.department, name="ｶﾝﾗ専用係")
    record("accounts.resident.viewed", municipality=town_b, actor=staff_b.user, data={"note": "甘楽太郎"})
    _applications_of_town_b(town_b, staff_b)
    _reservations_of_town_b(town_b, staff_b)
    _notices_of_town_b(town_b, staff_b)
    _plans_of_town_b(town_b, staff_b)
    _opendata_of_town_b(town_b, staff_b)
    _assistant_of_town_b(town_b, staff_b)
    _approvals_of_town_b(town_b, staff_b)
    _payments_of_town_b(town_b, staff_b)
    _attendance_of_town_b(town_b, staff_b)
    _meetings_of_town_b(town_b, staff_b)
    _website_of_town_b(town_b, staff_b)
    sweep_opinions.rows_of_town_b(town_b, staff_b)
    surveys_of_town_b(town_b, staff_b)
    reports_of_town_b(town_b, staff_b)
    sweep_transport.rows_of_town_b(town_b, staff_b, town_a)
    _the_rest_of_town_b(town_b, staff_b)
    # admin_a's own resident profile, made now: a POST to a resident page during the sweep would make it then, with
    # the next id of the residents' table, which may be the id of one of town B's rows the sweep is trying.
    from yakuba.kernel.accounts.models import Resident

    with scopes_disabled():
        Resident.objects.get_or_create(municipality=town_a, user=admin_a.user)
    return admin_a, resident_a, staff_b


def _the_rest_of_town_b(town_b, staff_b):
    """A row of town B for each remaining town-owned model: an application category and life event, an
    appointment type, an area, a notice's translation and attachment, a broadcast of it with a delivery, and the
    status row of a transactional mail."""
    from yakuba.applications.models import Category, LifeEvent, Procedure
    from yakuba.kernel.messaging.models import Delivery, Mail, Subscriber
    from yakuba.kernel.scheduling.models import Resource
    from yakuba.notices.models import Area, Notice, NoticeAttachment, NoticeTranslation
    from yakuba.reservations.models import AppointmentType

    with scope(municipality=town_b):
        Category.objects.create(municipality=town_b, slug="kanra-only", name="甘楽専用の分類")
        event = LifeEvent.objects.create(municipality=town_b, slug="kanra-only", name="甘楽専用の出来事")
        event.procedures.set(Procedure.objects.all())
        resource = Resource.objects.create(municipality=town_b, key="appointment:kanra-only", name="甘楽専用の相談")
        AppointmentType.objects.create(municipality=town_b, slug="kanra-only", name="甘楽専用の相談",
                                       department=staff_b.department, resource=resource)
        Area.objects.create(municipality=town_b, name="甘楽専用の地区")
        notice = Notice.objects.get(title="甘楽専用のお知らせ")
        NoticeTranslation.objects.create(municipality=town_b, notice=notice, language="en", title="甘楽専用の翻訳",
                                         body="甘楽専用の翻訳の本文")
        NoticeAttachment.objects.create(municipality=town_b, notice=notice, title="甘楽専用の添付", path="x.jpg",
                                        original_name="x.jpg", content_type="image/jpeg")
        # 翻訳: a checked English name of town B's procedure (its staff page takes the kind and the record's key)
        from yakuba.kernel.words.models import Translation

        dog = Procedure.objects.get(slug="kanra-dog")
        Translation.objects.create(municipality=town_b, kind="applications.procedure", key=str(dog.pk),
                                   field="title", language="en", text="甘楽専用の翻訳 (dog)", source=dog.title,
                                   state="checked")
    broadcast = factories.start_notice_broadcast(town_b, notice)
    with scope(municipality=town_b):
        subscriber = Subscriber.objects.filter(endpoints__isnull=False).first()
        Delivery.objects.create(municipality=town_b, broadcast=broadcast, subscriber=subscriber,
                                endpoint=subscriber.endpoints.first(), channel="email")
        Mail.objects.create(municipality=town_b, key="tests.sweep:kanra-only", purpose="tests.sweep",
                            address="kanra-only@example.jp", subject="【甘楽町】甘楽専用のメール", template="x.txt")


def _website_of_town_b(town_b, staff_b):
    """公式ホームページ of town B: a section with a published 手続き案内 showing an image, an English version, a draft
    of its next version, a 棚卸し review, the site settings and an import run."""
    from django.core.files.base import ContentFile

    from tests.kernel.files.test_uploads import PNG
    from tests.website.public_support import make_page
    from yakuba.kernel.files.uploads import save_private
    from yakuba.website.models import Asset, ImportRun, PageKind, PageVersion, Review, Site

    section = make_page(town_b, "kanra-kurashi", kind=PageKind.SECTION, title="甘楽専用のページ（分類）",
                        author=staff_b, department=staff_b.department.name)
    page = make_page(town_b, "kanra-page", parent=section, kind=PageKind.PROCEDURE, title="甘楽専用のページ",
                     summary="甘楽専用のページの概要", title_en="甘楽専用のページ (English)", author=staff_b,
                     department=staff_b.department.name, details={"who": "甘楽専用のページの対象"})
    with scope(municipality=town_b):
        path = save_private(ContentFile(PNG, name="a.png"), "website/assets")
        asset = Asset.objects.create(municipality=town_b, page=page, path=path, original_name="甘楽専用のページ.png",
                                     content_type="image/png", size=len(PNG), uploaded_by=staff_b)
        live = page.live
        live.blocks = [{"type": "image", "asset": str(asset.uuid), "alt": "甘楽専用のページの画像"}]
        live.save()
        PageVersion.objects.create(municipality=town_b, page=page, number=2, title="甘楽専用のページ（下書き）",
                                   author=staff_b)
        Review.objects.create(municipality=town_b, page=page, outcome="confirmed", reviewed_by=staff_b,
                              reviewed_at=timezone.now(), note="甘楽専用のページの棚卸し")
        Site.objects.create(municipality=town_b, emblem=asset, tagline="甘楽専用のサイト")
        ImportRun.objects.create(municipality=town_b, started_by=staff_b, department=staff_b.department,
                                 parent=section, total=1, report=[{"url": "https://kanra.example.jp/甘楽専用のページ",
                                                                   "file": "a.html", "error": "", "page": page.pk}])


def _meetings_of_town_b(town_b, staff_b):
    """会議・議事録 of town B: a body (its 事務局 is staff B's 課) with a member, a public meeting with its agenda,
    attendance, a document in two versions with page texts and a member's note, a recording with a segment, and
    unpublished minutes. Its pack is published, so town A must not show it under its own address either."""
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from tests.meetings.support import pdf_bytes
    from yakuba.kernel.files.uploads import save_private
    from yakuba.meetings.models import (
        AgendaItem,
        Attendance,
        Body,
        BodyKind,
        Meeting,
        Member,
        Minutes,
        Note,
        Recording,
        RecordingState,
        Segment,
    )
    from yakuba.meetings.services import meetings, pack

    town, user = town_b, staff_b.user
    with scope(municipality=town_b):
        body = Body.objects.create(municipality=town, name="甘楽専用の会議体", kind=BodyKind.COMMITTEE,
                                   department=staff_b.department)
        member = Member.objects.create(municipality=town, body=body, name="甘楽専用の会議の委員",
                                       title="甘楽専用の会議の委員", user=user)
        meeting = Meeting.objects.create(municipality=town, body=body, title="甘楽専用の会議",
                                         starts_at=timezone.now() + timedelta(days=3), place="甘楽専用の会議場")
        item = AgendaItem.objects.create(municipality=town, meeting=meeting, number="甘楽専用の会議の議案",
                                         title="甘楽専用の会議の議題")
        Attendance.objects.create(municipality=town, meeting=meeting, member=member, presence="present")
        document = pack.add_document(meeting, item, "甘楽専用の会議の資料", SimpleUploadedFile(
            "a.pdf", pdf_bytes(2, texts=["甘楽専用の会議の資料 1", "甘楽専用の会議の資料 2"])), user)
        pack.replace_document(document, SimpleUploadedFile("b.pdf", pdf_bytes(
            2, texts=["甘楽専用の会議の資料 1", "甘楽専用の会議の資料 二"])), "甘楽専用の会議の差し替え", user)
        Note.objects.create(municipality=town, user=user, document=document, version_number=2, page=1,
                            text="甘楽専用の会議のメモ")
        meetings.publish_pack(staff_b, meeting)
        path = save_private(ContentFile(b"ID3" + bytes(64), name="r.mp3"), "meetings/recordings")
        recording = Recording.objects.create(municipality=town, meeting=meeting, file=path,
                                             original_name="甘楽専用の会議の録音.mp3", state=RecordingState.DONE,
                                             uploaded_by=user)
        Segment.objects.create(municipality=town, recording=recording, chunk=0, position=0, start=0, end=2,
                               text="甘楽専用の会議の発言")
        Minutes.objects.create(municipality=town, meeting=meeting, summary="甘楽専用の会議の要約")


def _attendance_of_town_b(town_b, staff_b):
    """勤怠 of town B: a pattern with its assignment and a shift, a closed day, a department option, leave types with
    a grant and a request, a closed month with a period, overtime, telework and a correction, a card and a tablet."""
    from datetime import date, time

    from tests.attendance.support import at
    from yakuba.attendance.models import (
        Assignment,
        ClosedDay,
        Correction,
        DepartmentOption,
        Device,
        LeaveGrant,
        LeaveRequest,
        LeaveType,
        MonthClose,
        Overtime,
        Shift,
        StaffCard,
        Telework,
        WorkPattern,
        WorkPeriod,
    )

    day, town, person = date(2026, 6, 1), town_b, staff_b
    with scope(municipality=town_b):
        pattern = WorkPattern.objects.create(municipality=town, name="甘楽専用の勤怠パターン", starts=time(8, 30),
                                             ends=time(17, 15), is_default=True)
        Assignment.objects.create(municipality=town, staff=person, pattern=pattern, valid_from=day)
        Shift.objects.create(municipality=town, staff=person, day=date(2026, 6, 6), pattern=pattern)
        ClosedDay.objects.create(municipality=town, day=date(2026, 6, 15), name="甘楽専用の勤怠の休日")
        DepartmentOption.objects.create(municipality=town, department=person.department, demanding=True)
        annual = LeaveType.objects.create(municipality=town, code="kanra-annual", name="甘楽専用の勤怠の年休",
                                          annual=True)
        LeaveGrant.objects.create(municipality=town, staff=person, valid_from=date(2026, 1, 1),
                                  valid_until=date(2027, 1, 1), days=20)
        LeaveRequest.objects.create(municipality=town, staff=person, leave_type=annual, first_day=date(2026, 6, 2),
                                    last_day=date(2026, 6, 2), minutes=465, reason="甘楽専用の勤怠の事由")
        period = WorkPeriod.objects.create(municipality=town, staff=person, day=day, started_at=at(day, 8, 30),
                                           ended_at=at(day, 20))
        Overtime.objects.create(municipality=town, staff=person, day=day, planned_start=at(day, 17, 15),
                                planned_end=at(day, 19), work="甘楽専用の勤怠の業務")
        Telework.objects.create(municipality=town, staff=person, day=date(2026, 6, 3), work="甘楽専用の勤怠の在宅業務")
        Correction.objects.create(municipality=town, staff=person, period=period, day=day,
                                  started_at=at(day, 8), ended_at=at(day, 17), reason="甘楽専用の勤怠の修正")
        MonthClose.objects.create(municipality=town, staff=person, month=day, state="closed",
                                  totals={"note": "甘楽専用の勤怠"})
        StaffCard.objects.create(municipality=town, staff=person, number="999001")
        Device.objects.create(municipality=town, name="甘楽専用の勤怠の端末")


def _payments_of_town_b(town_b, staff_b):
    """A paid payment of town B with a refund and the provider's notice about it, and a payment still due."""
    from yakuba.payments.models import Payment, Refund, WebhookEvent

    with scope(municipality=town_b):
        resident = factories.make_resident(town_b, family_name="甘楽", given_name="太郎")
        paid = Payment.objects.create(
            municipality=town_b, payable_kind="reservations.reservation", payable_key="kanra-1",
            description="甘楽専用の支払い", reference="KANRA-1", revenue_code="13-01-05", amount=1000,
            status="success", provider="fake", provider_id="fp_kanra_only", method="card", return_path="/",
            resident=resident, receipt_number=1, paid_at=timezone.now(), refunded_amount=100)
        Refund.objects.create(municipality=town_b, payment=paid, amount=100, reason="甘楽専用の還付", status="success",
                              requested_by=staff_b)
        WebhookEvent.objects.create(municipality=town_b, provider="fake", event_id="evt_kanra_only",
                                    event_type="payment.success", payment=paid)
        Payment.objects.create(
            municipality=town_b, payable_kind="reservations.reservation", payable_key="kanra-2",
            description="甘楽専用の支払い", reference="KANRA-2", revenue_code="13-01-05", amount=500,
            return_path="/", resident=resident)


def _approvals_of_town_b(town_b, staff_b):
    """A line of town B's 文書分類表 and a paper 決裁 kept in its 簿冊."""
    from datetime import date

    from django.db import transaction

    from yakuba.approvals.models import DocumentClass, DocumentKind
    from yakuba.approvals.services.filing import file_record

    with scope(municipality=town_b), transaction.atomic():
        document_class = DocumentClass.objects.create(municipality=town_b, code="KANRA-1", major="甘楽専用",
                                                      name="甘楽専用の分類", retention=5)
        paper = file_record(kind=DocumentKind.DECIDED_PAPER, title="甘楽専用の決裁", department=staff_b.department,
                            document_class=document_class, dated=date(2026, 5, 1), actor=staff_b.user,
                            number="甘総第1号", text="甘楽専用の本文")
    _filing_of_town_b(town_b, staff_b, document_class, paper)
    _drafts_of_town_b(town_b)


def _filing_of_town_b(town_b, staff_b, document_class, paper):
    """A 収受 with a scan waiting to be read, and an 延長 decided on the paper 決裁's 簿冊, of town B."""
    from datetime import date

    from yakuba.approvals.services import incoming, retention

    with scope(municipality=town_b):
        arrival = incoming.Arrival(title="甘楽専用の文書（収受）", sender="甘楽太郎", received_on=date(2026, 5, 2),
                                   department=staff_b.department, document_class=document_class,
                                   text="甘楽専用の本文")
        incoming.receive(town_b, arrival, actor=staff_b.user,
                         scan=incoming.Scanned(b"%PDF-1.4\n%%EOF\n", "application/pdf", "kanra.pdf"))
        retention.extend(staff_b, paper.volume, years=1, reason="甘楽専用の理由")


def _drafts_of_town_b(town_b):
    """起案・回議・決裁 of town B: posts, a 代決 order, a 不在, rules, a template, and a draft with an attachment
    decided by 代決 (steps, actions, its 後閲)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.approvals.decide_factories import make_office
    from yakuba.approvals.models import DraftTemplate
    from yakuba.approvals.services import decide

    office = make_office(town_b, prefix="甘楽専用の")
    with scope(municipality=town_b):
        DraftTemplate.objects.create(municipality=town_b, matter="general", name="甘楽専用の起案のひな形",
                                     body="甘楽専用の起案")
        draft = office.draft(3_000_000, title="甘楽専用の起案", body="甘楽専用の起案の本文",
                             attachments=[SimpleUploadedFile("甘楽専用の起案.pdf", b"%PDF-1.4\n%%EOF\n")])
        decide.send(office.clerk, draft)
        for person in (office.chief, office.director, office.accounting):
            decide.approve(person, draft)
        office.away("副町長")
        decide.decide_as_deputy(office.director, draft, "甘楽専用の起案の代決")


def _assistant_of_town_b(town_b, staff_b):
    """A public and a staff-only document (one typed, one with a failed file version), a question of town B and
    one staff linked to the public document."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from yakuba.assistant.models import Kind, Question
    from yakuba.assistant.services import ingest, learned

    with scope(municipality=town_b):
        public, _ = ingest.create(staff_b, town_b, ingest.DocumentFields(kind=Kind.FAQ, title="甘楽専用の文書"),
                                  text="甘楽専用の文書の本文です。ごみの出し方。")
        ingest.new_version(staff_b, public, upload=SimpleUploadedFile("v2.pdf", b"not a pdf"))
        ingest.create(staff_b, town_b, ingest.DocumentFields(kind=Kind.GUIDELINE, title="甘楽専用の文書（内部）",
                                                            is_public=False), text="第一条 甘楽専用の文書の条文")
        Question.objects.create(municipality=town_b, text="甘楽専用の質問", known=False)
        linked = Question.objects.create(municipality=town_b, text="甘楽専用の質問（リンク済み）", known=False)
        learned.link(staff_b, linked, public)


def _opendata_of_town_b(town_b, staff_b):
    """A published AED dataset with a row, a pending import, a public map layer with a point, and a facility's
    listing in a generated dataset, of town B."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.opendata.conftest import csv_text, valid_row
    from yakuba.opendata.models import Dataset, Layer, Listing, Point
    from yakuba.opendata.services import editing

    with scope(municipality=town_b):
        dataset = Dataset.objects.create(municipality=town_b, kind="aed", title="AED設置箇所一覧",
                                         department=staff_b.department)
        row = valid_row("aed", town_b, ID="1", 名称="甘楽専用のAED", 所在地_連結表記="甘楽町小幡1-99")
        editing.save_row(staff_b, dataset, None, row)
        editing.publish(staff_b, dataset)
        editing.receive(staff_b, dataset, SimpleUploadedFile("aed.csv", csv_text("aed", [row]).encode()))
        layer = Layer.objects.create(municipality=town_b, slug="sweep-plan", name="甘楽専用のレイヤー",
                                     for_disasters=True)
        Point.objects.create(municipality=town_b, layer=layer, title="甘楽専用の地点", latitude=36.2376,
                             longitude=138.9213)
        Listing.objects.create(municipality=town_b, source="reservations.facility", key="kanra-only",
                               dataset="public-facilities", remarks="甘楽専用の備考")


PLAN_SLUG = "sweep-plan"  # town B's plan: under town A the slug names nothing


def _plans_of_town_b(town_b, staff_b):
    """Town B's plan with a status report, a value, evidence and a council report. (Town A gets none: its rows
    would take the small primary keys the sweep needs to find town B's rows by.)"""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.plans.conftest import small_plan_data
    from yakuba.plans.models import Indicator, Measure, Report, ReportFormat
    from yakuba.plans.services import progress

    data = {**small_plan_data(), "slug": PLAN_SLUG, "title": "甘楽専用の計画"}
    data["policies"][0]["measures"][0]["title"] = "甘楽専用の取組"
    with scope(municipality=town_b):
        plan = save_plan(town_b, data)
        measure = Measure.objects.get(plan=plan, title="甘楽専用の取組")
        progress.report_status(staff_b, measure, year=2026, status="in_progress", comment="甘楽専用の報告",
                               files=[SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")])
        progress.record_value(staff_b, Indicator.objects.filter(measure=measure).first(),
                              progress.ValueInput(year=2026, value="10", note="甘楽専用の報告"))
        Report.objects.create(municipality=town_b, plan=plan, year=2026, format=ReportFormat.PDF)


def _notices_of_town_b(town_b, staff_b):
    """A published notice asking for replies with a reply, a shelter, a subscriber with a pending address, and the
    town in 災害モード with its settings."""
    from django_scopes import scope

    from yakuba.kernel.messaging import services as messaging
    from yakuba.notices.models import DisasterMode, DisasterSettings, Reply, Shelter

    notice = factories.make_notice(town_b, title="甘楽専用のお知らせ", body="甘楽専用のお知らせ本文",
                                   department=staff_b.department.name, reply_kind="yes_no",
                                   reply_choices=["出席", "欠席"])
    subscriber = factories.make_subscriber(town_b, email="kanra-sub@example.jp")
    factories.publish_shelters(town_b, {"ID": "000001", "名称": "甘楽専用の避難所"})
    with scope(municipality=town_b):
        Shelter.objects.create(municipality=town_b, site="000001", name="甘楽専用の避難所", status="open")
        Reply.objects.create(municipality=town_b, notice=notice, subscriber=subscriber, answer="出席",
                             name="甘楽太郎")
        # 災害モード in town B: its banner and light home must never show in town A.
        DisasterMode.objects.create(municipality=town_b, level=5, title="甘楽専用の緊急情報", cause=notice,
                                    notice=notice, started_by=staff_b.user)
        DisasterSettings.objects.create(municipality=town_b, guidance="甘楽専用のすること", radio_phone="0274-99-9999",
                                        department=staff_b.department)
        _endpoint, confirm_token = messaging.add_email(messaging.new_subscriber(town_b), "kanra-new@example.jp")
    _TOKENS_OF_B[:] = [subscriber.token, confirm_token]


_TOKENS_OF_B: list[str] = []


def _reservations_of_town_b(town_b, staff_b):
    """A room with a reservation and a blocked slot, in town B."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django_scopes import scope

    from yakuba.reservations import services

    room = factories.make_room(town_b, facility="甘楽町公民館", name="甘楽専用の会議室",
                               department=staff_b.department.name)
    applicant = factories.make_resident(town_b, family_name="甘楽", given_name="太郎")
    start = datetime(2027, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    factories.make_reservation(room, applicant, start, purpose="甘楽専用の用件")
    with scope(municipality=town_b):
        services.block(room.resource, start.replace(hour=14), start.replace(hour=15), reason="点検", staff=staff_b)
        _groups_and_series_of_town_b(town_b, staff_b, room, applicant)


def _groups_and_series_of_town_b(town_b, staff_b, room, applicant):
    """A category, an approved group and its weekly 定期予約 (inside town B's scope)."""
    from datetime import date, datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from yakuba.reservations.models import GroupCategory
    from yakuba.reservations.services import groups, series

    category = GroupCategory.objects.create(municipality=town_b, name="甘楽専用の区分", reduction_percent=50)
    group = groups.apply(applicant, groups.GroupDetails(name="甘楽専用の団体", name_kana="", category=category,
                                                        members=9, activity="甘楽専用の活動", phone="0274-74-3131"))
    group = groups.decide(group, approve=True, staff=staff_b)
    series.reserve(series.Request(room=room, resident=applicant, first_day=date(2027, 3, 9),
                                  last_day=date(2027, 3, 23), start=time(10), length=timedelta(hours=1),
                                  purpose="甘楽専用の定期利用", group=group),
                   now=datetime(2027, 2, 1, 9, tzinfo=ZoneInfo("Asia/Tokyo")))
    _lottery_and_course_of_town_b(town_b, staff_b, room, applicant)


def _lottery_and_course_of_town_b(town_b, staff_b, room, applicant):
    """A lottery with an entry, and a class session with an enrolment (inside town B's scope)."""
    from datetime import date, datetime, timedelta
    from zoneinfo import ZoneInfo

    import time_machine

    from yakuba.reservations.services import courses
    from yakuba.reservations.services import lottery as lotteries

    now = datetime(2027, 2, 1, 9, tzinfo=ZoneInfo("Asia/Tokyo"))
    with time_machine.travel(now, tick=False):
        lottery = lotteries.create_lottery(staff=staff_b, title="甘楽専用の抽選", rooms=[room],
                                           period_start=date(2027, 6, 1), period_end=date(2027, 6, 30),
                                           opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=30))
        starts_at = datetime(2027, 6, 8, 10, tzinfo=ZoneInfo("Asia/Tokyo"))
        lotteries.apply(lottery, applicant, room=room, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1),
                        purpose="甘楽専用の抽選申込")
        course = courses.create_course(town_b, staff=staff_b, title="甘楽専用の講座", department=staff_b.department)
        session = courses.add_session(course, staff=staff_b, starts_at=now + timedelta(days=7),
                                      ends_at=now + timedelta(days=7, hours=2), place="甘楽専用の会場", seats=5)
        courses.enrol(session, applicant)


def _applications_of_town_b(town_b, staff_b):
    """A procedure, a filed submission with an attachment and a 処理券番号, a draft and a counter visit, all of town
    B."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_scopes import scope

    from tests.kernel.files.test_uploads import PNG
    from yakuba.applications import services
    from yakuba.applications.models import Ticket

    procedure = factories.make_procedure(town_b, slug="kanra-dog", title="甘楽専用の手続",
                                         department=staff_b.department.name)
    with scope(municipality=town_b):
        applicant = factories.make_resident(town_b, family_name="甘楽", given_name="太郎", address="甘楽町小幡1-99")
        draft = services.start_draft(procedure, applicant)
        services.save_page(draft, 1, {"dog_name": "甘楽専用ポチ", "breed": "shiba"},
                           files={"photo": SimpleUploadedFile("dog.png", PNG)})
        filed = services.submit(draft, actor=applicant.user)
        Ticket.objects.create(municipality=town_b, submission=filed, position=1, number="KANRA-000001")  # 処理券番号
        services.start_draft(procedure, factories.make_resident(town_b, family_name="甘楽", given_name="太郎"))
        visit = services.start_visit(applicant, [procedure], staff=staff_b)
        services.save_visit_page(visit, 0, {"dog_name": "甘楽専用ポチ", "breed": "shiba"})


def _values_of(town, model, fields):
    return [value for name in fields
            for value in model._base_manager.filter(municipality=town).values_list(name, flat=True) if value]


def object_args_of(town, other):
    """For each kind of path argument, values naming town `town`'s objects, read from every town-owned model:
    every UUID (public ids); every stored token (file links, subscribers' links); and the string arguments, which
    are those tokens, the signed links, and every slug `other` has no row with."""
    uuids, tokens, slugs = [], [], set()
    with scopes_disabled():
        for model in town_models():
            fields = model._meta.fields
            uuids += _values_of(town, model, [f.name for f in fields if isinstance(f, models.UUIDField)])
            tokens += _values_of(town, model, [f.name for f in fields if isinstance(f, models.CharField)
                                               and (f.name == "token" or f.name.endswith("_token"))])
            slug_fields = [f.name for f in fields if isinstance(f, models.SlugField)]
            slugs |= set(_values_of(town, model, slug_fields)) - set(_values_of(other, model, slug_fields))
    signed = [token for token in _TOKENS_OF_B if token not in tokens]  # a confirmation link is signed, not stored
    return uuids, tokens, tokens + signed + sorted(slugs - {PLAN_SLUG}) + [PLAN_SLUG]


def clients_of_town_a(admin_a, resident_a):
    resident_client = Client()
    resident_client.force_login(resident_a.user)
    return {"admin_a": factories.staff_client(admin_a), "resident_a": resident_client, "anonymous": Client()}


@pytest.fixture
def plain_not_found(monkeypatch):
    """Town B's ids make nearly every request of the sweep a 404: answer it with the exception's message alone
    instead of the full page (whose markup the browser tests check), so the sweep spends its time on the views.
    The message is kept in the body, so a lookup that names town B's object in its message would still show."""
    from django.conf import urls
    from django.http import HttpResponseNotFound

    monkeypatch.setattr(urls, "handler404", lambda request, exception: HttpResponseNotFound(str(exception)))


PROBE_INT = 987_654_321  # an id no row has: the tables a view reads it from tell which of town B's ids to try
PROBE_UUID = uuid.UUID("0badc0de-5eed-4b1d-8e57-000000000001")
TABLE = re.compile(r'(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)
FROM = re.compile(r'FROM\s+"?(\w+)"?', re.IGNORECASE)


def _reads_with(client, url, probe):
    """The models whose tables the view at `url` queries with `probe` in the query's parameters (GET and POST):
    those it reads from, and every one it reads, with the models their foreign keys point to (a view may filter a
    child table by its parent's id)."""
    forms = {str(probe), probe.hex} if isinstance(probe, uuid.UUID) else {probe, str(probe)}
    tables: set[str] = set()
    queried: set[str] = set()  # the tables a query reads from (not those it joins for related rows)

    def watch(execute, sql, params, many, context):
        values = params.values() if isinstance(params, dict) else (params or ())
        if not many and any(value == probe or (isinstance(value, (str, int)) and value in forms)
                            for value in values):
            tables.update(TABLE.findall(sql))
            queried.update(FROM.findall(sql))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        for method in ("get", "post"):
            getattr(client, method)(url, follow=False)
    by_table = {m._meta.db_table: m for m in apps.get_models()}
    read = {by_table[t] for t in tables if t in by_table}
    direct = {by_table[t] for t in queried if t in by_table}
    return direct, read | {f.related_model for m in read for f in m._meta.fields if f.is_relation and f.related_model}


def _values_by_model(town, probe, every):
    """Town `town`'s values among `every`, by the town-owned model whose rows hold them: primary keys, or UUIDs."""
    wanted = {str(v) for v in every}
    found: dict[type[models.Model], list[str]] = {}
    with scopes_disabled():
        for model in town_models():
            if isinstance(probe, uuid.UUID):
                values = [str(v) for f in model._meta.fields if isinstance(f, models.UUIDField)
                          for v in model._base_manager.filter(municipality=town).values_list(f.name, flat=True)]
            else:
                values = [str(v) for v in model._base_manager.filter(municipality=town).values_list("pk", flat=True)]
            found[model] = [v for v in values if v in wanted]
    return found


def _ids_read_by(client, url, probe, by_model, every, town_a_ids=None):
    """The values among `every` that the view at `url` could look up: town B's ids of the models it queries with
    `probe`, less the ids town A has in those same tables (town A's own row would answer them, rightly). When the
    probe reaches no query (a sign-in redirect, a 403 before any lookup), the response cannot depend on which row an
    id names: a few ids (of the first, a middle and the last model that has some, none that town A has anywhere) are
    tried, in case a view uses it outside the database. Any id stands for every other there, and trying one of each
    of some 150 models on every signed-out route was most of the sweep's requests."""
    direct, read = _reads_with(client, url, probe)
    if town_a_ids is not None and read:
        own = {v for model, values in town_a_ids.items() if model in direct for v in values}
        chosen = {v for model, values in by_model.items() if model in read for v in values} - own
        return sorted(chosen, key=int)
    chosen = {v for model, values in by_model.items() if model in read for v in values}
    if not chosen:
        having = [[v for v in values if v in {str(e) for e in every}] for values in by_model.values()]
        having = [values for values in having if values]
        chosen = {having[i][0] for i in {0, len(having) // 2, len(having) - 1}} if having else set()
    return [value for value in every if str(value) in chosen]


@pytest.mark.django_db
@pytest.mark.usefixtures("plain_not_found")
@pytest.mark.parametrize("who", ["admin_a", "resident_a", "anonymous"])
def test_every_url_of_town_a_hides_and_protects_town_b(two_towns, town_a, town_b, who):
    admin_a, resident_a, staff_b = two_towns
    unswept = unswept_models(town_b)
    assert unswept == set(UNSWEPT), (
        f"give each town-owned model a row of town B in `two_towns` (or a reason in UNSWEPT): "
        f"no row of {sorted(unswept - set(UNSWEPT))}, listed but swept {sorted(set(UNSWEPT) - unswept)}")
    before = snapshot_of(town_b)
    # Primary keys of town B's rows that no row of town A has, in any tenant table.
    pks = sorted(pks_of(town_b) - pks_of(town_a))
    assert pks, "town B must have objects for the sweep to mean anything"
    uuids, stored, strings = object_args_of(town_b, town_a)
    assert uuids and stored
    checked = 0
    client = clients_of_town_a(admin_a, resident_a)[who]
    by_model = {PROBE_UUID: _values_by_model(town_b, PROBE_UUID, uuids),
                PROBE_INT: _values_by_model(town_b, PROBE_INT, pks_of(town_b))}
    town_a_ids = _values_by_model(town_a, PROBE_INT, pks_of(town_a))
    for route in routes():
        if route.name in {"staff:logout", "accounts:logout"}:
            continue  # would end the session the sweep is using
        kinds = {name: type(conv).__name__ for name, conv in route.converters.items()}
        int_args = [name for name, kind in kinds.items() if kind == "IntConverter"]
        object_args = [name for name, kind in kinds.items() if kind == "UUIDConverter"]
        if object_args or int_args:
            # Town B's ids (pks, or UUIDs) of every model the view reads its id from, each stored token beside
            # them; a page number stays 0.
            beside = stored if "StringConverter" in kinds.values() else [None]

            def path_of(pk, public_id, token, kinds=kinds, route=route):
                return route.path(**{a: (0 if a == "page" else public_id if kind == "UUIDConverter"
                                         else pk if kind == "IntConverter"
                                         else PLAN_SLUG if kind == "SlugConverter" else token)
                                     for a, kind in kinds.items()})

            probe = PROBE_UUID if object_args else PROBE_INT
            tried = _ids_read_by(client, town_a.path_prefix + path_of(PROBE_INT, PROBE_UUID, beside[0]), probe,
                                 by_model[probe], uuids if object_args else pks,
                                 None if object_args else town_a_ids)
            ids = [(None, value) for value in tried] if object_args else [(value, None) for value in tried]
            paths = [path_of(pk, public_id, token) for pk, public_id in ids for token in beside]
        elif route.converters:
            # Only string arguments (slugs, subscriber tokens, signed links): each of town B's.
            paths = [route.path(**{a: string for a in kinds}) for string in strings]
        else:
            paths = [route.path()]
        for path in paths:
            url = town_a.path_prefix + path
            for method in ("get", "post"):
                response = getattr(client, method)(url, follow=False)
                body = response.content.decode(errors="replace")
                for marker in B_MARKERS:
                    assert marker not in body, f"{who} {method.upper()} {url} showed town B's {marker!r}"
                by_token = bool(route.converters) and not (int_args or object_args) and route.name.startswith(
                    ("messaging:", "notices:"))
                if (int_args or object_args) and who != "anonymous" or by_token:
                    # 405: a POST-only action refuses the GET before it looks anything up.
                    # 400: a link token that is not this town's is refused as an invalid link.
                    allowed = (403, 404, 405) if (int_args or object_args) else (400, 403, 404, 405)
                    assert response.status_code in allowed, f"{who} {method} {url}: {response.status_code}"
                checked += 1
    assert snapshot_of(town_b) == before, "a request to town A changed town B's rows"
    assert checked > 50


@pytest.mark.django_db
def test_staff_of_town_b_cannot_use_town_a_staff_site(two_towns, town_a):
    _, _, staff_b = two_towns
    client = factories.staff_client(staff_b)
    for route in routes():
        if not route.is_staff or route.converters or route.name in SIGN_IN_ROUTES:
            continue
        response = client.get(town_a.path_prefix + route.path())
        assert response.status_code == 403, route.name

"""Staff pages of 起案・回議・決裁: drafting, the route preview, approving from the page, refusals with their status,
bulk approval with one confirmation, 不在, the CSV; who may see and do what."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from tests import factories
from tests.approvals.decide_factories import make_office
from yakuba.approvals.models import Absence, Draft, DraftStatus, Matter
from yakuba.approvals.services import decide
from yakuba.kernel.scheduling.fiscal import fiscal_year

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(town_a):
    return make_office(town_a)


def url(town, path):
    return factories.town_url(town, path)


def _post(client, path, data, **extra):
    return client.post(path, {"_once": uuid.uuid4().hex, **data}, **extra)


def test_draft_preview_send_and_approve_from_the_pages(office, town_a):
    clerk = factories.staff_client(office.clerk)
    with scope(municipality=town_a):
        class_pk = office.document_class.pk
    response = _post(clerk, url(town_a, "/staff/approvals/drafts/new/"), {
        "matter": Matter.EXPENDITURE, "document_class": class_pk, "title": "コピー用紙の購入", "body": "購入します。",
        "amount": "500000", "delivery": "none",
        "attachment": SimpleUploadedFile("見積書.pdf", b"%PDF-1.4\n%%EOF\n")})
    assert response.status_code == 302
    with scope(municipality=town_a):
        draft = Draft.objects.get(title="コピー用紙の購入")
    page = clerk.get(url(town_a, f"/staff/approvals/drafts/{draft.public_id}/")).content.decode()
    assert "回議ルートの確認" in page and page.index("庶務係長") < page.index("総務課長") and "専決" in page
    assert _post(clerk, url(town_a, f"/staff/approvals/drafts/{draft.public_id}/send/"), {}).status_code == 302
    chief = factories.staff_client(office.chief)
    assert "コピー用紙の購入" in chief.get(url(town_a, "/staff/approvals/")).content.decode()
    director = factories.staff_client(office.director)
    early = _post(director, url(town_a, f"/staff/approvals/drafts/{draft.public_id}/act/"), {"action": "approve"})
    assert early.status_code == 400 and "順番ではありません" in early.content.decode()
    assert _post(chief, url(town_a, f"/staff/approvals/drafts/{draft.public_id}/act/"),
                 {"action": "approve"}).status_code == 302
    done = _post(director, url(town_a, f"/staff/approvals/drafts/{draft.public_id}/act/"), {"action": "approve"})
    assert done.status_code == 302
    page = director.get(url(town_a, f"/staff/approvals/drafts/{draft.public_id}/")).content.decode()
    assert "下総第1号" in page
    edit = _post(clerk, url(town_a, f"/staff/approvals/drafts/{draft.public_id}/send/"), {})
    assert edit.status_code == 400 and "決裁済の起案は変更できません" in edit.content.decode()


def test_a_return_without_a_reason_keeps_the_typing_and_says_why(office, town_a):
    with scope(municipality=town_a):
        draft = office.sent(500_000)
    chief = factories.staff_client(office.chief)
    response = _post(chief, url(town_a, f"/staff/approvals/drafts/{draft.public_id}/act/"),
                     {"action": "return", "to_sequence": "0", "comment": ""})
    assert response.status_code == 400 and "差し戻す理由を入力してください" in response.content.decode()
    unknown = _post(chief, url(town_a, f"/staff/approvals/drafts/{draft.public_id}/act/"), {"action": "explode"})
    assert unknown.status_code == 400


def test_staff_without_a_post_cannot_approve_and_other_departments_cannot_see(office, town_a, staff_a_other):
    with scope(municipality=town_a):
        draft = office.sent(500_000)
    outsider = factories.staff_client(office.outsider)
    response = _post(outsider, url(town_a, f"/staff/approvals/drafts/{draft.public_id}/act/"), {"action": "approve"})
    assert response.status_code == 400 and "回議先ではありません" in response.content.decode()
    other = factories.staff_client(staff_a_other)
    assert other.get(url(town_a, f"/staff/approvals/drafts/{draft.public_id}/")).status_code == 404
    accounting = factories.staff_client(office.accounting)  # another 課, but not on this route
    assert accounting.get(url(town_a, f"/staff/approvals/drafts/{draft.public_id}/")).status_code == 404


def test_bulk_approval_asks_once_then_approves(office, town_a):
    with scope(municipality=town_a):
        first, second = office.sent(500_000, title="一件目"), office.sent(500_000, title="二件目")
    chief = factories.staff_client(office.chief)
    confirm = chief.post(url(town_a, "/staff/approvals/bulk/"),
                         {"draft": [str(first.public_id), str(second.public_id)]})
    assert confirm.status_code == 200 and "2件を承認します" in confirm.content.decode()
    done = _post(chief, url(town_a, "/staff/approvals/bulk/"),
                 {"draft": [str(first.public_id), str(second.public_id)], "confirm": "1"})
    assert done.status_code == 302
    with scope(municipality=town_a):
        assert list(Draft.objects.filter(current_sequence=2).order_by("pk")) == [first, second]


def test_absence_for_my_post_and_refused_dates(office, town_a):
    client = factories.staff_client(office.deputy_mayor)
    with scope(municipality=town_a):
        post = office.posts["副町長"].pk
    bad = _post(client, url(town_a, "/staff/approvals/absences/"),
                {"post": post, "starts_on": "2026-12-10", "ends_on": "2026-12-01", "reason": "出張"})
    assert bad.status_code == 400 and "終了日は開始日と同じか" in bad.content.decode()
    assert 'value="出張"' in bad.content.decode()
    ok = _post(client, url(town_a, "/staff/approvals/absences/"),
               {"post": post, "starts_on": "2026-12-01", "ends_on": "2026-12-10", "reason": "出張"})
    assert ok.status_code == 302
    with scope(municipality=town_a):
        assert Absence.objects.filter(post_id=post).count() == 1
    clerk = factories.staff_client(office.clerk)  # holds no post: cannot set the 副町長's
    page = _post(clerk, url(town_a, "/staff/approvals/absences/"),
                 {"post": post, "starts_on": "2026-12-01", "ends_on": "2026-12-10"})
    assert page.status_code == 400


def test_csv_of_decided_expenditures_and_the_layout_page(office, town_a):
    with scope(municipality=town_a):
        draft = office.sent(500_000, payee="=HYPERLINK(1)")
        decide.approve(office.chief, draft)
        decide.approve(office.director, draft)
        draft.refresh_from_db()
        year = fiscal_year(draft.decided_at.date())
    client = factories.staff_client(office.clerk)
    assert "予算科目" in client.get(url(town_a, "/staff/approvals/export/")).content.decode()
    body = client.get(url(town_a, f"/staff/approvals/export/?year={year}")).content.decode("utf-8-sig")
    header, row = body.splitlines()[:2]
    assert header.startswith("文書番号,決裁日,年度,課,件名,相手方,予算科目,金額")
    assert row.startswith("下総第1号,") and ",'=HYPERLINK(1)," in row and ",500000," in row
    assert client.get(url(town_a, "/staff/approvals/export/?year=abc")).status_code == 302


def test_preview_pdf_opens_for_a_draft(office, town_a):
    with scope(municipality=town_a):
        draft = office.draft(500_000)
    response = factories.staff_client(office.clerk).get(url(town_a, f"/staff/approvals/drafts/{draft.public_id}/pdf/"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response).startswith(b"%PDF")
    assert DraftStatus.DRAFT == draft.status


def test_the_staff_header_counts_what_waits_for_an_approver(office, town_a, django_assert_num_queries):
    chief = factories.staff_client(office.chief)
    assert "決裁待ち" not in _header(chief.get(url(town_a, "/staff/")))
    with scope(municipality=town_a):
        office.sent(500_000)
        office.sent(600_000)
        with django_assert_num_queries(1):
            assert decide.waiting_count(office.chief) == 2
        assert decide.waiting_count(office.director) == 0
    header = _header(chief.get(url(town_a, "/staff/approvals/absences/")))
    assert "決裁待ち" in header and "2件" in header and 'href="/t/10382/staff/approvals/"' in header
    assert "決裁待ち" not in _header(factories.staff_client(office.director).get(url(town_a, "/staff/")))


def _header(response):
    page = response.content.decode()
    return page[page.index("<header"):page.index("</header>")]

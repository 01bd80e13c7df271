"""会議資料: adding and replacing documents (差し替え), refused files, changed pages, members told once, page images
made only for the pages asked for, search, and notes only their author reads."""

from __future__ import annotations

import io
import threading
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope
from pypdf import PdfReader, PdfWriter

from tests.meetings.support import blank_pdf, make_committee, pdf_bytes
from yakuba.kernel.accounts.models import User
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.messaging.models import Mail
from yakuba.kernel.refusal import Refused
from yakuba.meetings import tasks_pack
from yakuba.meetings.models import Document, MeetingState, Note, Page, Version
from yakuba.meetings.services import notes, pack, pages, search

pytestmark = pytest.mark.django_db
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                               "QUEUES": ["default", "mail"]}}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def upload(data: bytes, name: str = "資料1.pdf", content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def texts(n: int, changed: dict[int, str] | None = None) -> list[str]:
    return [(changed or {}).get(i + 1, f"ページ {i + 1} 予算の説明") for i in range(n)]


def encrypted(data: bytes, password: str = "") -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=password, owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types '
                         'xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.fixture
def committee(town_a):
    committee = make_committee(town_a)
    User.objects.filter(pk__in=[u.pk for u in committee.users()]).update(email_verified_at=timezone.now())
    with scope(municipality=town_a):
        yield committee


@pytest.fixture
def document(committee):
    return pack.add_document(committee.meeting, committee.item, "資料1 補正予算書", upload(pdf_bytes(texts=texts(10))),
                             committee.clerk.user)


def test_adding_a_pdf_keeps_every_page_text_and_audits(committee, document):
    version = document.current
    assert version.number == 1 and version.pages == 10 and version.pdf == version.original
    assert list(Page.objects.filter(version=version).values_list("number", flat=True)) == list(range(1, 11))
    assert "ページ 3 予算の説明" in Page.objects.get(version=version, number=3).text
    assert AuditEntry.objects.filter(action="meetings.document.added", object_id=str(document.pk)).exists()


def test_replacing_marks_the_changed_pages_keeps_the_old_version_and_mails_members_once(
        committee, document, mailoutbox, settings, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE_TASKS
    new = texts(11, {3: "ページ 3 金額を訂正", 7: "七", 8: "八", 9: "九"})
    with django_capture_on_commit_callbacks(execute=True):
        version = pack.replace_document(document, upload(pdf_bytes(texts=new)), "数値の誤りを訂正",
                                        committee.clerk.user)
    assert version.number == 2 and version.changed_pages == [3, 7, 8, 9, 11]
    assert pack.describe_changes(version) == "変更箇所：3, 7–9, 11ページ"
    assert Version.objects.filter(document=document).count() == 2
    assert Document.objects.get(pk=document.pk).current == version
    assert Page.objects.filter(version__number=1, version__document=document).count() == 10  # the old one kept
    assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in committee.users())
    assert all("差し替え" in m.subject and "3, 7–9, 11ページ" in m.body and "数値の誤りを訂正" in m.body
               for m in mailoutbox)
    entry = AuditEntry.objects.get(action="meetings.document.replaced")
    assert entry.data["changed_pages"] == [3, 7, 8, 9, 11] and entry.data["reason"] == "数値の誤りを訂正"
    # The task run again (a retry) sends nothing more.
    tasks_pack.tell_members.call(version.pk)
    assert len(mailoutbox) == len(committee.users())
    assert Mail.objects.filter(purpose="meetings.replaced").count() == len(committee.users())


def test_a_member_without_a_confirmed_address_is_not_mailed(committee, document, mailoutbox, settings,
                                                            django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE_TASKS
    User.objects.filter(pk=committee.chair.user.pk).update(email_verified_at=None)
    committee.members[1].active = False
    committee.members[1].save()
    with django_capture_on_commit_callbacks(execute=True):
        pack.replace_document(document, upload(pdf_bytes(texts=texts(10, {1: "表紙"}))), "表紙", committee.clerk.user)
    assert [m.to[0] for m in mailoutbox] == [committee.members[2].user.email]


def test_same_content_replaced_shows_no_changed_pages(committee, document):
    version = pack.replace_document(document, upload(pdf_bytes(texts=texts(10))), "体裁の修正", committee.clerk.user)
    assert version.changed_pages == [] and "なし" in pack.describe_changes(version)


@pytest.mark.parametrize("case", ["encrypted", "encrypted_empty_password", "broken", "pdf_named_docx", "oversize",
                                  "empty", "text"])
def test_refused_files_save_nothing(committee, case, settings):
    data, name = pdf_bytes(2), "資料.pdf"
    expected = ""
    if case == "encrypted":
        data, expected = encrypted(data, "secret"), "パスワードで保護されたPDF"
    elif case == "encrypted_empty_password":
        data, expected = encrypted(data, ""), "パスワードで保護されたPDF"
    elif case == "broken":
        data, expected = data[: len(data) // 3], "壊れている"
    elif case == "pdf_named_docx":
        name, expected = "資料.docx", "拡張子と合いません"
    elif case == "oversize":
        settings.DEBUG = False
        data, expected = b"%PDF-1.7\n" + b"0" * (pack.MAX_SIZE + 1), "大きすぎます"
    elif case == "empty":
        data, expected = b"", "空です"
    elif case == "text":
        data, name, expected = "議案の説明".encode(), "資料.txt", "種類は受け付けていません"
    with pytest.raises(Refused, match=expected) as refusal:
        pack.add_document(committee.meeting, None, "資料", upload(data, name), committee.clerk.user)
    assert "upload" in refusal.value.errors
    assert not Document.objects.exists() and not Version.objects.exists()


def test_an_office_file_is_kept_as_it_is_when_it_cannot_be_converted(committee, monkeypatch):
    monkeypatch.setattr("yakuba.kernel.files.office.binary", lambda: None)
    document = pack.add_document(committee.meeting, None, "説明資料", upload(docx_bytes(), "説明.docx", DOCX),
                                 committee.clerk.user)
    assert document.current.pdf == "" and document.current.pages == 0 and document.current.original_type == DOCX


def test_an_office_file_is_converted_where_the_machine_can(committee, monkeypatch):
    monkeypatch.setattr("yakuba.kernel.files.office.to_pdf", lambda data, kind: pdf_bytes(2))
    document = pack.add_document(committee.meeting, None, "説明資料", upload(docx_bytes(), "説明.docx", DOCX),
                                 committee.clerk.user)
    assert document.current.pages == 2 and document.current.pdf != document.current.original


def test_replacement_during_the_meeting_needs_confirmation_and_a_reason(committee, document, mailoutbox, settings,
                                                                         django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE_TASKS
    meeting = committee.meeting
    meeting.starts_at = timezone.now() - timedelta(minutes=30)
    meeting.ends_at = timezone.now() + timedelta(hours=1)
    meeting.save()
    document.refresh_from_db()
    new = upload(pdf_bytes(texts=texts(10, {5: "訂正"})))
    with pytest.raises(Refused) as refusal:
        pack.replace_document(document, new, "", committee.clerk.user)
    assert set(refusal.value.errors) == {"confirm", "reason"}
    with pytest.raises(Refused, match="会議中の差し替え"):
        pack.replace_document(document, new, "訂正", committee.clerk.user)
    assert Version.objects.filter(document=document).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        version = pack.replace_document(document, new, "5ページの訂正", committee.clerk.user,
                                        during_meeting_confirmed=True)
    assert version.during_meeting and version.changed_pages == [5]
    assert len(mailoutbox) == 3 and "会議中の差し替え" in mailoutbox[0].body


def test_a_meeting_past_its_end_but_not_recorded_as_held_still_counts_as_in_session(committee):
    committee.meeting.starts_at = timezone.now() - timedelta(hours=3)
    committee.meeting.ends_at = timezone.now() - timedelta(hours=1)
    assert pack.in_session(committee.meeting)


@pytest.mark.parametrize("state", [MeetingState.HELD, MeetingState.CANCELLED])
def test_replacement_after_the_meeting_is_refused(committee, document, state):
    meeting = committee.meeting
    meeting.state, meeting.held_at = state, timezone.now()
    meeting.save()
    document.refresh_from_db()
    with pytest.raises(Refused, match="会議後の資料は確定しています"):
        pack.replace_document(document, upload(pdf_bytes(2)), "訂正", committee.clerk.user,
                              during_meeting_confirmed=True)
    with pytest.raises(Refused, match="会議後の資料は確定しています"):
        pack.add_document(meeting, None, "追加資料", upload(pdf_bytes(2)), committee.clerk.user)


def test_only_the_clerk_may_add_or_replace(committee, document):
    for user in (committee.other.user, committee.chair.user):
        with pytest.raises(Refused, match="事務局"):
            pack.add_document(committee.meeting, None, "資料", upload(pdf_bytes(1)), user)
        with pytest.raises(Refused, match="事務局"):
            pack.replace_document(document, upload(pdf_bytes(1)), "訂正", user)


def test_search_finds_the_page(committee, document):
    pack.add_document(committee.meeting, None, "資料2", upload(pdf_bytes(texts=["総務費", "下水道事業の繰出金"])),
                      committee.clerk.user)
    hits = search.search(committee.meeting, "下水道")
    assert [(hit.document.title, hit.page) for hit in hits] == [("資料2", 2)]
    assert hits[0].match == "下水道"
    assert search.search(committee.meeting, "存在しない言葉") == []


def test_page_250_of_300_renders_that_page_only(committee):
    document = pack.add_document(committee.meeting, None, "予算書", upload(blank_pdf(300)), committee.clerk.user)
    version = document.current
    assert version.pages == 300
    data = pages.image(version, 250, pages.SIZES["page"])
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP" and pages.complete(data)
    assert pages.rendered_pages(version, pages.SIZES["page"]) == [250]
    assert pages.rendered_pages(version, pages.SIZES["thumb"]) == []
    assert pages.image(version, 250, pages.SIZES["page"]) == data  # the second request reads the stored image
    with pytest.raises(ValueError):
        pages.image(version, 301, pages.SIZES["page"])


def test_two_requests_for_the_same_page_both_get_it(committee, document):
    version = document.current
    results: list[bytes] = []
    errors: list[BaseException] = []

    def fetch() -> None:
        try:
            results.append(pages.image(version, 2, pages.SIZES["thumb"]))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=fetch) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(results) == 4 and all(pages.complete(r) for r in results)
    assert pages.rendered_pages(version, pages.SIZES["thumb"]) == [2]


def test_notes_are_the_authors_own(committee, document):
    chair, other = committee.chair.user, committee.members[1].user
    notes.save_note(chair, document, 3, text="質問する", marks=[{"x": 0.1, "y": 0.2, "w": 0.5, "h": 0.1}])
    assert notes.note_of(chair, document, 3).text == "質問する"
    assert notes.note_of(other, document, 3) is None
    assert notes.note_of(committee.clerk.user, document, 3) is None
    notes.save_note(other, document, 3, text="別のメモ", marks=[])
    assert notes.note_of(chair, document, 3).text == "質問する"
    with pytest.raises(Refused, match="ページの中"):
        notes.save_note(chair, document, 3, text="", marks=[{"x": 0.8, "y": 0, "w": 0.5, "h": 0.1}])
    with pytest.raises(Refused, match="メモを残せる"):
        notes.save_note(committee.other.user, document, 3, text="x", marks=[])
    notes.save_note(chair, document, 3, text="", marks=[])  # emptied: removed
    assert Note.objects.filter(user=chair).count() == 0


def test_describe_pages():
    assert pack.describe_pages([3, 7, 8, 9]) == "3, 7–9"
    assert pack.describe_pages([1, 2]) == "1–2"
    assert pack.describe_pages([5]) == "5"


def test_a_member_with_a_staff_account_is_told_on_their_subscribed_browsers(committee, document, monkeypatch):
    from tests import factories

    told = []
    executive = factories.make_staff(committee.town, department="企画課")
    committee.members[2].user = executive.user
    committee.members[2].save()
    monkeypatch.setattr(tasks_pack, "push_to_staff", lambda staff, **kw: told.append((staff, kw)) or object())
    version = pack.replace_document(document, upload(pdf_bytes(texts=texts(10, {2: "訂正"}))), "2ページの訂正",
                                    committee.clerk.user)
    result = tasks_pack.tell_members.call(version.pk)
    assert [staff for staff, _kw in told] == [executive]
    assert told[0][1]["once"] == f"meetings.replaced:{version.pk}:{committee.members[2].pk}"
    assert "2ページの訂正" in told[0][1]["body"] and told[0][1]["url"].endswith("?page=2")
    assert result["push"] == 1

"""起案・回議・決裁 through the services: routes from the rules, every refusal, 代決 and 後閲, numbering."""

from __future__ import annotations

import pytest
from django.db import transaction
from django_scopes import scope

from tests import factories
from tests.approvals.decide_factories import fiscal_today, make_office
from tests.support.push_service import push_service  # noqa: F401 - fixture
from yakuba.approvals.models import (
    Action,
    ActionKind,
    Draft,
    DraftStatus,
    LateReview,
    Matter,
    Record,
    Step,
    StepState,
)
from yakuba.approvals.services import decide, drafts, routes
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(town_a):
    office = make_office(town_a)
    with scope(municipality=town_a):
        yield office


def _route(office, amount, **fields):
    draft = office.draft(amount, **fields)
    return [(step.sequence, step.kind, step.post.title) for step in
            routes.build_route(decide._matter_of(draft)).steps]


def test_routes_follow_the_amount_thresholds_and_consult(office):
    assert _route(office, 500_000) == [(1, "review", "庶務係長"), (2, "decide", "総務課長")]
    assert _route(office, 1_000_000) == [(1, "review", "庶務係長"), (2, "decide", "総務課長")]
    assert _route(office, 3_000_000) == [(1, "review", "庶務係長"), (2, "review", "総務課長"),
                                         (3, "consult", "会計課長"), (4, "decide", "副町長")]
    big = routes.build_route(decide._matter_of(office.draft(20_000_000)))
    assert big.decider.post.title == "町長" and big.important
    assert [s.post.title for s in big.steps] == ["庶務係長", "総務課長", "副町長", "会計課長", "町長"]


def test_a_chief_drafting_skips_their_own_seat(office):
    draft = office.draft(500_000, drafter=office.chief)
    assert [s.post.title for s in routes.build_route(decide._matter_of(draft)).steps] == ["総務課長"]


def test_any_one_consult_is_enough_and_all_means_all(office, town_a):
    from yakuba.approvals.models import ConsultMode, DecisionRule, Post, Rank
    from yakuba.kernel.accounts.models import Department

    extra = Department.objects.create(municipality=town_a, name="企画課")
    planner = factories.make_staff(town_a, department="企画課")
    Post.objects.create(municipality=town_a, title="企画課長", rank=Rank.DIRECTOR, department=extra, holder=planner)
    rule = DecisionRule.objects.get(matter=Matter.EXPENDITURE, amount_up_to=10_000_000)
    rule.consult.add(extra)
    rule.consult_mode = ConsultMode.ANY
    rule.save()
    draft = office.sent(3_000_000)
    decide.approve(office.chief, draft)
    decide.approve(office.director, draft)
    group = decide.current_steps(Draft.objects.get(pk=draft.pk))
    assert {s.post.title for s in group} == {"会計課長", "企画課長"}
    decide.approve(planner, draft)
    draft.refresh_from_db()
    assert draft.current_sequence == 4  # the 副町長: one of the 合議 was enough
    assert Step.objects.get(draft=draft, post__title="会計課長", state=StepState.SKIPPED)
    rule.consult_mode = ConsultMode.ALL
    rule.save()
    second = office.sent(3_000_000, title="二件目")
    decide.approve(office.chief, second)
    decide.approve(office.director, second)
    decide.approve(planner, second)
    second.refresh_from_db()
    assert second.current_sequence == 3  # 会計課長 still has to approve
    decide.approve(office.accounting, second)
    second.refresh_from_db()
    assert second.current_sequence == 4


def test_the_done_when_path_50man_chief_then_director_decides_with_a_number(office, town_a):
    draft = office.sent(500_000)
    assert draft.status == DraftStatus.CIRCULATING
    decide.approve(office.chief, draft)
    decided = decide.approve(office.director, draft, "了")
    decided.refresh_from_db()
    assert decided.status == DraftStatus.DECIDED
    assert decided.number == "下総第1号"
    assert decided.record.kind == "decided" and decided.record.number == "下総第1号"
    assert decided.record.volume.document_class == office.document_class
    assert "本文です" in decided.record.text
    assert set(Action.objects.filter(draft=draft).values_list("kind", flat=True)) == {
        ActionKind.SENT, ActionKind.APPROVED, ActionKind.DECIDED}
    assert AuditEntry.objects.filter(action="approvals.draft.decided", object_id=str(draft.pk)).exists()
    numbered = AuditEntry.objects.get(action="approvals.draft.numbered", object_id=str(draft.pk))
    assert numbered.data["number"] == "下総第1号"
    second = office.sent(500_000, title="二件目")
    decide.approve(office.chief, second)
    decide.approve(office.director, second)
    second.refresh_from_db()
    assert second.number == "下総第2号"


def test_number_format_is_a_town_setting(office, town_a):
    town_a.settings = {"approvals": {"number_format": "{prefix}{department}発第{n}号", "number_prefix": "下仁田",
                                     "department_short": {"総務課": "総務"}}}
    town_a.save()
    draft = office.sent(500_000)
    decide.approve(office.chief, draft)
    decide.approve(office.director, draft)
    draft.refresh_from_db()
    assert draft.number == "下仁田総務発第1号"


def test_refusals_of_who_and_when(office):
    draft = office.sent(500_000)
    with pytest.raises(Refused, match="順番ではありません"):
        decide.approve(office.director, draft)  # on the route, not yet
    with pytest.raises(Refused, match="回議先ではありません"):
        decide.approve(office.outsider, draft)
    with pytest.raises(Refused, match="回議先ではありません"):
        decide.approve(office.mayor, draft)
    decide.approve(office.chief, draft)
    with pytest.raises(Refused, match="順番ではありません"):
        decide.approve(office.chief, draft)  # no longer the current step: twice from two tabs
    with pytest.raises(Refused, match="引き上げできません"):
        decide.pull_back(office.clerk, draft)  # the 係長 acted
    with pytest.raises(Refused, match="変更できません"):
        drafts.update_draft(office.clerk, draft, drafts.DraftData(title="x", body="y",
                                                                  document_class=office.document_class))
    decide.approve(office.director, draft)
    draft.refresh_from_db()
    with pytest.raises(Refused, match="決裁済の起案は変更できません"):
        drafts.update_draft(office.clerk, draft, drafts.DraftData(title="x", body="y",
                                                                  document_class=office.document_class))
    with pytest.raises(Refused, match="すでに決裁されています"):
        decide.approve(office.director, draft)


def test_a_second_decision_of_one_step_is_refused_by_the_database(office):
    draft = office.sent(500_000)
    step = decide.current_steps(draft)[0]
    Action.objects.create(municipality=office.town, draft=draft, step=step, kind=ActionKind.APPROVED,
                          actor=office.chief)
    with pytest.raises(Refused, match="すでに処理されています"):
        decide._act(draft, office.chief, ActionKind.APPROVED, step=step)


def test_money_matters_need_an_amount_and_a_rule(office):
    with pytest.raises(Refused) as refused:
        office.draft(None)
    assert "amount" in refused.value.errors
    draft = office.draft(500_000, matter=Matter.CONTRACT)  # no 契約 rule in this town
    with pytest.raises(Refused, match="決裁規程がありません"):
        decide.send(office.clerk, draft)
    assert Draft.objects.get(pk=draft.pk).status == DraftStatus.DRAFT  # nothing half-done


def test_send_back_to_the_drafter_then_resend(office):
    draft = office.sent(500_000)
    with pytest.raises(Refused) as refused:
        decide.send_back(office.chief, draft, to_sequence=0, comment=" ")
    assert "comment" in refused.value.errors
    decide.send_back(office.chief, draft, to_sequence=0, comment="金額を確認してください")
    draft.refresh_from_db()
    assert draft.status == DraftStatus.RETURNED and draft.current_sequence is None
    drafts.update_draft(office.clerk, draft, drafts.DraftData(title="用紙の購入（修正）", body="直しました",
                                                              document_class=office.document_class,
                                                              matter=Matter.EXPENDITURE, amount=400_000))
    decide.send(office.clerk, draft)
    decide.approve(office.chief, draft)
    decide.approve(office.director, draft)
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DECIDED
    assert Step.objects.filter(draft=draft, state=StepState.RETURNED).count() == 1


def test_send_back_to_a_chosen_step_makes_it_act_again(office):
    draft = office.sent(3_000_000)
    decide.approve(office.chief, draft)
    decide.approve(office.director, draft)
    with pytest.raises(Refused) as refused:
        decide.send_back(office.accounting, draft, to_sequence=7, comment="x")
    assert "to_sequence" in refused.value.errors
    decide.send_back(office.accounting, draft, to_sequence=2, comment="予算科目を確認")
    draft.refresh_from_db()
    assert draft.current_sequence == 2
    with pytest.raises(Refused, match="順番ではありません"):
        decide.approve(office.accounting, draft)
    decide.approve(office.director, draft)
    decide.approve(office.accounting, draft)
    draft.refresh_from_db()
    assert draft.current_sequence == 4
    assert Step.objects.get(draft=draft, sequence=1, state=StepState.APPROVED)  # the 係長 is not asked again


def test_pull_back_only_before_the_next_step_acts_and_only_by_the_drafter(office):
    draft = office.sent(500_000)
    with pytest.raises(Refused, match="起案者だけ"):
        decide.pull_back(office.chief, draft)
    decide.pull_back(office.clerk, draft)
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DRAFT
    with pytest.raises(Refused, match="回議中ではありません"):
        decide.approve(office.chief, draft)
    decide.send(office.clerk, draft)
    decide.approve(office.chief, draft)
    draft.refresh_from_db()
    assert draft.status == DraftStatus.CIRCULATING


def _to_the_deputy_mayor(office, amount=3_000_000, **fields):
    draft = office.sent(amount, **fields)
    for person in (office.chief, office.director, office.accounting):
        decide.approve(person, draft)
    draft.refresh_from_db()
    return draft


def test_deputy_decision_only_while_absent_by_the_next_in_order_and_late_review(office):
    draft = _to_the_deputy_mayor(office)
    with pytest.raises(Refused, match="不在ではないため"):
        decide.decide_as_deputy(office.director, draft)
    office.away("副町長")
    with pytest.raises(Refused, match="代決順位の総務課長"):
        decide.decide_as_deputy(office.mayor, draft)
    assert [s.pk for s in decide.deputising_for(office.director)] == [decide.current_steps(draft)[0].pk]
    decide.decide_as_deputy(office.director, draft, "急ぎのため代決")
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DECIDED
    step = Step.objects.get(draft=draft, kind="decide", state=StepState.APPROVED)
    assert step.by_deputy and step.decided_by == office.director
    review = LateReview.objects.get(draft=draft)
    assert list(decide.late_reviews_for(office.deputy_mayor)) == [review]
    with pytest.raises(Refused, match="後閲できるのは副町長"):
        decide.finish_late_review(office.director, draft)
    decide.finish_late_review(office.deputy_mayor, draft)
    with pytest.raises(Refused, match="すでに済んでいます"):
        decide.finish_late_review(office.deputy_mayor, draft)


def test_no_deputy_for_an_important_matter_nor_before_the_decider(office):
    office.away("副町長")
    draft = office.sent(3_000_000, important=True)
    with pytest.raises(Refused, match="決裁権者の段階だけ"):
        decide.decide_as_deputy(office.director, draft)
    for person in (office.chief, office.director, office.accounting):
        decide.approve(person, draft)
    with pytest.raises(Refused, match="重要・異例"):
        decide.decide_as_deputy(office.director, draft)
    assert decide.deputising_for(office.director) == []


def test_deputy_order_skips_an_absent_deputy(office):
    draft = office.sent(20_000_000)  # 町長's, 重要 by the rule
    for person in (office.chief, office.director, office.deputy_mayor, office.accounting):
        decide.approve(person, draft)
    office.away("町長")
    office.away("副町長")
    with pytest.raises(Refused, match="重要・異例"):
        decide.decide_as_deputy(office.director, draft)


def test_bulk_approval_is_all_or_nothing(office):
    first, second = office.sent(500_000, title="一件目"), office.sent(500_000, title="二件目")
    decide.approve(office.chief, second)
    with pytest.raises(Refused, match="二件目"):
        decide.approve_many(office.chief, [Draft.objects.get(pk=first.pk), Draft.objects.get(pk=second.pk)])
    assert Draft.objects.get(pk=first.pk).current_sequence == 1  # rolled back
    decide.approve_many(office.chief, [Draft.objects.get(pk=first.pk)])
    assert Draft.objects.get(pk=first.pk).current_sequence == 2


def test_a_correction_links_a_decided_draft(office):
    draft = office.sent(500_000)
    correction = drafts.DraftData(title="訂正", body="x", document_class=office.document_class)
    with pytest.raises(Refused) as refused:
        drafts.create_draft(office.clerk, correction, corrects=draft)
    assert "corrects" in refused.value.errors
    decide.approve(office.chief, draft)
    decide.approve(office.director, draft)
    draft.refresh_from_db()
    made = drafts.create_draft(office.clerk, correction, corrects=draft)
    assert list(draft.corrections.all()) == [made]


def test_body_is_sanitised_and_plain_text_becomes_paragraphs(office):
    draft = office.draft(500_000, body='<p onclick="x()">a<script>alert(1)</script><img src=x></p><strong>b</strong>')
    assert draft.body == "<p>a</p><strong>b</strong>"
    assert office.draft(500_000, body="一行目\n二行目\n\n次の段落").body == "<p>一行目<br>二行目</p><p>次の段落</p>"


def test_the_rich_body_keeps_headings_lists_tables_and_safe_links_into_the_pdf(office):
    from pypdf import PdfReader

    from yakuba.approvals.services import sheet

    body = ('<h2>購入の理由</h2><ul><li><strong>在庫</strong>がない</li></ul>'
            '<table><tr><th>品名</th><td colspan="2" style="color:red">用紙</td></tr></table>'
            '<a href="https://www.town.shimonita.lg.jp/a.html" target="_blank">仕様書</a>'
            '<a href="javascript:alert(1)">悪い</a><a href="mailto:soumu@example.jp">総務課</a>')
    draft = office.draft(500_000, body=body)
    assert draft.body == (
        '<h2>購入の理由</h2><ul><li><strong>在庫</strong>がない</li></ul>'
        '<table><tbody><tr><th>品名</th><td colspan="2">用紙</td></tr></tbody></table>'
        '<a href="https://www.town.shimonita.lg.jp/a.html" rel="noopener noreferrer nofollow">仕様書</a>'
        '<a rel="noopener noreferrer nofollow">悪い</a>'
        '<a href="mailto:soumu@example.jp" rel="noopener noreferrer nofollow">総務課</a>')
    import io

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(sheet.render(draft))).pages)
    assert "購入の理由" in text and "在庫" in text and "用紙" in text
    assert "https://www.town.shimonita.lg.jp/a.html" in text.replace("\n", "")


def test_numbers_restart_per_department_and_year(office):
    from yakuba.kernel.numbering.services import last

    draft = office.sent(500_000)
    decide.approve(office.chief, draft)
    decide.approve(office.director, draft)
    assert last(office.town, decide.series(office.clerk.department), fiscal_today()) == 1
    assert last(office.town, decide.series(office.accounting.department), fiscal_today()) == 0


def test_disposal_empties_the_draft_but_keeps_its_record(office, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from yakuba.approvals.signals import record_disposed

    upload = SimpleUploadedFile("見積書.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    draft = office.draft(500_000, attachments=[upload])
    decide.send(office.clerk, draft)
    decide.approve(office.chief, draft)
    decide.approve(office.director, draft)
    draft.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        record_disposed.send(sender=Record, record=draft.record)
    draft.refresh_from_db()
    assert draft.body == "" and draft.disposed_at is not None and draft.number == "下総第1号"
    assert list(draft.attachments.values_list("path", flat=True)) == [""]


def test_an_attachment_that_is_not_what_its_extension_says_is_refused(office):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(Refused) as refused:
        office.draft(500_000, attachments=[SimpleUploadedFile("見積書.pdf", b"MZ\x90\x00 not a pdf at all")])
    assert "attachments" in refused.value.errors
    assert not Draft.objects.filter(title="用紙の購入").exists()  # nothing half-saved


def test_two_departments_starting_alike_never_write_the_same_number(office, town_a):
    from yakuba.kernel.accounts.models import Department

    assert decide.department_short(office.clerk.department) == "総"
    Department.objects.create(municipality=town_a, name="総合政策課")
    assert decide.department_short(office.clerk.department) == "総務"
    assert decide.format_number(office.clerk.department, 7, 2026) == "下総務第7号"


def test_reminder_after_the_towns_days_once_and_mail_to_the_drafter_when_sent_back(office, town_a):
    from datetime import timedelta

    from django.core import mail
    from django.utils import timezone

    from yakuba.approvals import tasks_decide

    town_a.settings = {"approvals": {"remind_after_days": 2}}
    town_a.save()
    draft = office.sent(500_000)
    step = decide.current_steps(draft)[0]
    assert tasks_decide.remind_waiting.call(step.pk) is False  # not due yet
    Step.objects.filter(pk=step.pk).update(arrived_at=timezone.now() - timedelta(days=2, minutes=1))
    assert tasks_decide.remind_waiting.call(step.pk) is True
    assert tasks_decide.remind_waiting.call(step.pk) is False  # once per arrival
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([office.chief.user.email], "【下仁田町】決裁をお待ちの起案があります（再通知）")]
    decide.send_back(office.chief, draft, to_sequence=0, comment="金額の根拠を添付してください")
    assert tasks_decide.notify_returned.call(draft.pk) is True
    assert "金額の根拠を添付してください" in mail.outbox[-1].body
    assert mail.outbox[-1].to == [office.clerk.user.email]


@pytest.mark.django_db(transaction=True)
def test_the_approver_is_told_by_web_push_on_a_subscribed_browser(push_service):  # noqa: F811
    from tests.support.tasks import run_worker
    from yakuba.approvals.tasks_decide import notify_waiting
    from yakuba.kernel.messaging import staff as staff_push

    town = factories.make_town()
    office = make_office(town)
    info = push_service.subscription()
    with scope(municipality=town):
        staff_push.subscribe_browser(office.chief, info["endpoint"], info["keys"])
        with transaction.atomic():
            draft = office.sent(500_000, title="会議用消耗品の購入")
    run_worker()
    [message] = push_service.received
    assert message["payload"]["title"] == "決裁をお待ちの起案があります"
    assert message["payload"]["body"].startswith("会議用消耗品の購入（総務課")
    assert f"/staff/approvals/drafts/{draft.public_id}/" in message["payload"]["url"]
    with scope(municipality=town):
        step = decide.current_steps(draft)[0]
    notify_waiting.call(step.pk)  # a retried task: mail and push at most once
    run_worker()
    assert len(push_service.received) == 1


def _docx() -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def test_an_office_attachment_without_libreoffice_is_embedded_and_listed_as_the_original(office, settings,
                                                                                        monkeypatch):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from pypdf import PdfReader

    from yakuba.approvals.services import sheet

    settings.OFFICE_BINARY = ""
    monkeypatch.setenv("PATH", "/nonexistent")
    original = _docx()
    draft = office.draft(500_000, attachments=[SimpleUploadedFile("仕様書.docx", original)])
    reader = PdfReader(io.BytesIO(sheet.render(draft, convert_office=True)))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "仕様書.docx" in text and "原本を添付（PDF変換なし）" in text
    assert reader.attachments["仕様書.docx"] == [original]


def test_an_office_attachment_is_converted_into_pages_where_libreoffice_is(office, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from pypdf import PdfReader, PdfWriter

    from yakuba.approvals.services import sheet

    writer = PdfWriter()
    for _page in range(2):
        writer.add_blank_page(width=595, height=842)
    made = tmp_path / "made.pdf"
    with made.open("wb") as handle:
        writer.write(handle)
    program = tmp_path / "soffice"
    program.write_text(f'#!/bin/sh\nwhile [ $# -gt 0 ]; do [ "$1" = "--outdir" ] && out="$2"; shift; done\n'
                       f'cp {made} "$out/document.pdf"\n')
    program.chmod(0o755)
    settings.OFFICE_BINARY = str(program)
    draft = office.draft(500_000, attachments=[SimpleUploadedFile("仕様書.docx", _docx())])
    alone = len(PdfReader(io.BytesIO(sheet.render(draft))).pages)  # the preview does not convert
    reader = PdfReader(io.BytesIO(sheet.render(draft, convert_office=True)))
    assert len(reader.pages) == alone + 2
    text = "".join(page.extract_text() for page in reader.pages)
    assert "この後に綴じています" in text and "原本を添付" not in text
    assert not reader.attachments

"""Every write of 電子申請 and 書かない窓口: drafts, submission, the staff workflow, forms, counter visits.

Views, the API, commands and tasks call these verbs; nothing else writes these models. Each verb checks its
invariants, writes in one transaction with its audit entry, and enqueues mail only after commit.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Department, Resident, Role, Staff, User
from yakuba.kernel.audit.services import record
from yakuba.kernel.files.uploads import UploadRejected, check_upload, save_private
from yakuba.kernel.forms.definition import DefinitionError, Field, FormDefinition
from yakuba.kernel.forms.normalise import katakana, scrub
from yakuba.kernel.forms.validate import Result, applicable, validate
from yakuba.kernel.numbering import services as numbering
from yakuba.kernel.refusal import Refused
from yakuba.kernel.scheduling.calendar import add_office_days
from yakuba.kernel.tenancy.models import Municipality
from yakuba.kernel.workflow import Transition, TransitionError, Workflow

from . import fees
from .models import (
    OPEN_STATUSES,
    Attachment,
    Channel,
    CounterVisit,
    EventKind,
    FormVersion,
    IdentityDocument,
    LifeEvent,
    Procedure,
    Status,
    Submission,
    SubmissionEvent,
    Ticket,
)

WORKFLOW = Workflow([
    Transition("start_review", frozenset({Status.RECEIVED}), Status.REVIEWING, "staff", "審査を始める"),
    Transition("request_correction", frozenset({Status.RECEIVED, Status.REVIEWING}), Status.CORRECTION, "staff",
               "補正を依頼する"),
    Transition("complete", frozenset({Status.RECEIVED, Status.REVIEWING}), Status.COMPLETED, "staff", "完了にする"),
    Transition("reject", frozenset({Status.RECEIVED, Status.REVIEWING, Status.CORRECTION}), Status.REJECTED, "staff",
               "却下する"),
    Transition("resubmit", frozenset({Status.CORRECTION}), Status.REVIEWING, "applicant", "補正して再提出する"),
    # 「処理前なら取り下げられる」: once staff start reviewing, the applicant asks them instead.
    Transition("withdraw", frozenset({Status.RECEIVED, Status.CORRECTION}), Status.WITHDRAWN, "applicant",
               "取り下げる"),
])
# What each staff transition needs the clerk to write.
NEEDS_MESSAGE = frozenset({"request_correction", "reject"})
DECIDED = frozenset({Status.COMPLETED, Status.REJECTED, Status.WITHDRAWN})


class Invalid(Refused):
    """The answers do not pass the form's checks; `result.errors` says where."""

    def __init__(self, result: Result) -> None:
        super().__init__(_("入力内容に問題があります。"))
        self.result = result


class IdentityNotChecked(Refused):
    """書かない窓口: filing before the clerk recorded the 本人確認."""


# Catalogue ----------------------------------------------------------------------------------------------------

def normalise_query(text: str) -> str:
    """NFKC, and hiragana folded to katakana so 「じどう」 and 「ジドウ」 find the same."""
    return katakana(text)


def catalogue(*, query: str = "", category: str = "") -> QuerySet[Procedure]:
    """Published procedures of the current town, matching every word of `query` in title, summary or keywords."""
    procedures = Procedure.objects.filter(is_published=True).select_related("category", "department")
    if category:
        procedures = procedures.filter(category__slug=category)
    for word in query.split()[:8]:
        variants = {word, normalise_query(word)}
        condition = Q()
        for variant in variants:
            condition |= Q(title__icontains=variant) | Q(summary__icontains=variant) | Q(keywords__icontains=variant)
        procedures = procedures.filter(condition)
    return procedures


# Prefill (once-only) ------------------------------------------------------------------------------------------

def profile_values(resident: Resident) -> dict[str, Any]:
    """What the town knows about the resident, keyed by the form engine's prefill sources."""
    values: dict[str, Any] = {}
    if resident.family_name or resident.given_name:
        values["name"] = {"family": resident.family_name, "given": resident.given_name}
    if resident.family_name_kana or resident.given_name_kana:
        values["name_kana"] = {"family": resident.family_name_kana, "given": resident.given_name_kana}
    if resident.birthdate:
        values["birthdate"] = resident.birthdate.isoformat()
    for key in ("postal_code", "address", "phone"):
        if getattr(resident, key):
            values[key] = getattr(resident, key)
    if resident.user is not None and resident.user.email:
        values["email"] = resident.user.email
    return values


VERIFIED_SOURCES = {"name": {"family_name", "given_name"}, "name_kana": {"family_name_kana", "given_name_kana"},
                    "birthdate": {"birthdate"}, "postal_code": {"postal_code"}, "address": {"address"}}


def prefill(form: FormDefinition, resident: Resident) -> dict[str, Any]:
    """Answers filled from the profile for fields that ask for it."""
    known = profile_values(resident)
    return {f.name: copy.deepcopy(known[f.prefill]) for f in form.all_fields() if f.prefill and f.prefill in known}


def locked_values(form: FormDefinition, resident: Resident) -> dict[str, Any]:
    """Prefilled answers the town has verified (マイナンバーカード): shown, never asked, never overwritten."""
    verified = set(resident.verified_fields or [])
    known = profile_values(resident)
    return {f.name: copy.deepcopy(known[f.prefill]) for f in form.all_fields()
            if f.prefill in VERIFIED_SOURCES and VERIFIED_SOURCES[f.prefill] <= verified and f.prefill in known}


# Resident: drafts -------------------------------------------------------------------------------------------

def start_draft(procedure: Procedure, resident: Resident, *, request: HttpRequest | None = None) -> Submission:
    """The resident's draft of `procedure` (resumed if one exists), prefilled from their profile."""
    if not procedure.online or procedure.current_form is None:
        raise Refused(_("この手続は現在オンラインで申請できません。"))
    existing = Submission.objects.filter(procedure=procedure, resident=resident, status=Status.DRAFT,
                                         channel=Channel.ONLINE).first()
    if existing is not None:
        return existing
    version = procedure.current_form
    try:
        with transaction.atomic():
            draft = Submission.objects.create(
                municipality=procedure.municipality, procedure=procedure, form_version=version, resident=resident,
                department=procedure.department, answers=prefill(version.form, resident),
            )
            record("applications.submission.draft_started", municipality=procedure.municipality,
                   actor=resident.user, obj=draft, request=request)
    except IntegrityError:  # a second tab started the same draft at the same moment
        return Submission.objects.get(procedure=procedure, resident=resident, status=Status.DRAFT,
                                      channel=Channel.ONLINE)
    return draft


def current_draft(procedure: Procedure, resident: Resident | None) -> Submission | None:
    """The resident's unfinished online draft of `procedure`, if any (「途中まで入力した申請があります」)."""
    if resident is None:
        return None
    return Submission.objects.filter(procedure=procedure, resident=resident, status=Status.DRAFT,
                                     channel=Channel.ONLINE).first()


def save_page(submission: Submission, page: int, answers: dict[str, Any], *,
              files: Mapping[str, UploadedFile[bytes]] | None = None, actor: User | None = None) -> Result:
    """Keep what was typed on `page` (even if invalid, so nothing is lost) and return the page's check."""
    answers = scrub(answers)  # NUL cannot be stored (PostgreSQL) and is never meant
    form = submission.form_version.form
    if submission.status != Status.DRAFT:
        raise Refused(_("提出済みの申請は変更できません。"))
    if not 0 <= page < len(form.pages):
        raise Refused(_("このページはありません。"))
    with transaction.atomic():
        locked_submission = _locked(submission)
        upload_errors = attach_files(locked_submission, form.pages[page].fields, answers, files or {})
        # What was typed for a question its condition no longer calls for is dropped, not kept in the draft.
        merged = applicable(form, {**locked_submission.answers, **answers,
                                   **locked_values(form, locked_submission.resident)})
        locked_submission.answers = merged
        locked_submission.save(update_fields=["answers", "updated_at"])
    submission.answers = merged
    result = validate(form, merged, page=page)
    for key, messages in upload_errors.items():
        result.errors[key] = messages
    return result


def attach_files(submission: Submission, fields: Iterable[Field], answers: dict[str, Any],
                 files: Mapping[str, UploadedFile[bytes]]) -> dict[str, list[str]]:
    """Store each uploaded file of `fields` and put its token in `answers`; return errors per input name."""
    errors: dict[str, list[str]] = {}
    for item in fields:
        targets: list[tuple[str, Field, dict[str, Any], str]] = []
        if item.type == "file":
            targets.append((item.name, item, answers, item.name))
        elif item.type == "group":
            for index, entry in enumerate(answers.get(item.name) or []):
                targets += [(f"{item.name}.{index}.{sub.name}", sub, entry, sub.name)
                            for sub in item.fields if sub.type == "file" and isinstance(entry, dict)]
        for input_name, field_def, holder, key in targets:
            upload = files.get(input_name)
            if upload is None:
                # The page carries an earlier upload's token back; anything else posted there is not a file.
                if holder.get(key) and holder[key] not in known_tokens(submission):
                    holder.pop(key)
                continue
            try:
                checked = check_upload(upload, accept=field_def.accept, max_size=field_def.max_size)
            except UploadRejected as error:
                errors[input_name] = [str(error)]
                continue
            path = save_private(upload, f"{submission.municipality.code}/applications/{submission.public_id}")
            attachment = Attachment.objects.create(
                municipality=submission.municipality, submission=submission, field_name=input_name,
                token=uuid.uuid4().hex, path=path, original_name=checked.name, content_type=checked.content_type,
                size=checked.size, sha256=checked.sha256,
            )
            holder[key] = attachment.token
    return errors


def known_tokens(submission: Submission) -> set[str]:
    return set(submission.attachments.values_list("token", flat=True))


def file_names(submission: Submission) -> dict[str, str]:
    """token → original file name, for showing answers."""
    return {a.token: a.original_name for a in submission.attachments.all()}


def first_incomplete_page(submission: Submission) -> int | None:
    """The first page whose answers do not pass yet (where "continue" takes the resident), or None."""
    form = submission.form_version.form
    answers = {**submission.answers, **locked_values(form, submission.resident)}
    for index in range(len(form.pages)):
        if validate(form, answers, page=index).errors:
            return index
    return None


def delete_draft(submission: Submission, *, actor: User | None, request: HttpRequest | None = None) -> None:
    if submission.status != Status.DRAFT:
        raise Refused(_("提出済みの申請は削除できません。取り下げをご利用ください。"))
    with transaction.atomic():
        record("applications.submission.draft_deleted", municipality=submission.municipality, actor=actor,
               obj=submission, request=request)
        submission.delete()


# Submitting ---------------------------------------------------------------------------------------------------

def _locked(submission: Submission) -> Submission:
    """The submission's row, locked for this transaction, with what the verbs read loaded in the same query."""
    related = ("municipality", "resident__user", "procedure", "form_version")
    return Submission.objects.select_for_update(of=("self",)).select_related(*related).get(pk=submission.pk)


REFERENCE_SERIES = "applications.reference"  # 受付番号, per calendar year


def next_reference(municipality: Municipality) -> str:
    """受付番号 such as 2026-000123: gapless per town and year (kernel.numbering; call in the transaction)."""
    year = timezone.localdate().year
    return f"{year}-{numbering.take(municipality, REFERENCE_SERIES, year):06d}"


def submit(submission: Submission, *, actor: User | None, request: HttpRequest | None = None,
           copy_by_email: bool = False) -> Submission:
    """File a draft: validate every page, give it a 受付番号, and send the receipt after commit.

    Raises Invalid (answers) or Refused (no longer a draft). A view deduplicates clicks around it (kernel.ui.actions).
    """
    form = submission.form_version.form
    with transaction.atomic():
        current = _locked(submission)
        if current.status != Status.DRAFT:
            raise Refused(_("この申請はすでに提出されています。"))
        result = validate(form, {**current.answers, **locked_values(form, current.resident)})
        if not result.is_valid:
            raise Invalid(result)
        _file(current, result.cleaned, channel=Channel.ONLINE, actor=actor, request=request,
              copy_by_email=copy_by_email)
        from . import payments

        payments.ask_for_fee(current)
    _after_commit_receipt(current)
    return current


TICKET_SERIES = "applications.ticket"  # 処理券番号, per calendar year, one series per town
MAX_TICKETS = 100


def _ticket_units(submission: Submission, schedule: dict[str, Any]) -> list[tuple[str, int]]:
    """(what it is for, its price) per 処理券 to issue: 「自転車」 500 once per bicycle, so that each number goes on an
    item of its price; a fee that is not per option gives each unit the procedure's title and its share."""
    from . import fee_editor

    chosen = fees.items(schedule, submission.answers)
    if chosen:
        names = fee_editor.labels(fee_editor.questions([submission.form_version.definition]))
        group = f"{schedule['group']}." if isinstance(schedule.get("group"), str) else ""
        key = group + schedule["choice"]
        return [(names.get(f"{key}={value}", value), yen // count) for value, count, yen in chosen
                for _unit in range(count)]
    count = fees.units(schedule, submission.answers)
    total = fees.amount(schedule, submission.answers) or 0
    share = (total - fees.postage(schedule)) // count if count else 0
    return [(submission.procedure.title, share)] * count


def issue_tickets(submission: Submission) -> list[Ticket]:
    """The fee was paid: give the submission its 処理券番号, one per unit, if its schedule issues tickets (none
    while its payment is not a success).

    Idempotent (a second payment_changed finds them given and returns them); gapless, since the numbers are taken
    from kernel.numbering in the transaction that stores them."""
    with transaction.atomic():
        current = _locked(submission)
        given = list(current.tickets.all())
        schedule = current.procedure.fee_schedule or {}
        if given or not schedule.get("tickets") or current.status == Status.DRAFT:
            return given
        from . import payments

        paid = payments.submission_summary(current)
        if paid is None or not paid.paid:  # a number stands for a paid 処理券, never for one still owed
            return []
        units = _ticket_units(current, schedule)[:MAX_TICKETS]
        year = timezone.localdate().year
        tickets = [Ticket.objects.create(
            municipality=current.municipality, submission=current, position=position, item=item[:100], yen=yen,
            number=f"{year}-{numbering.take(current.municipality, TICKET_SERIES, year):06d}")
            for position, (item, yen) in enumerate(units, start=1)]
        if tickets:
            record("applications.submission.tickets_issued", municipality=current.municipality, obj=current,
                   data={"numbers": [ticket.number for ticket in tickets]})
    return tickets


def _file(submission: Submission, cleaned: dict[str, Any], *, channel: str, actor: User | None,
          request: HttpRequest | None, copy_by_email: bool = False, counter_staff: Staff | None = None) -> None:
    now = timezone.now()
    submission.reference = next_reference(submission.municipality)
    submission.answers = cleaned
    submission.status = Status.RECEIVED
    submission.channel = channel
    submission.submitted_at = now
    submission.copy_by_email = copy_by_email
    submission.counter_staff = counter_staff
    submission.save()
    SubmissionEvent.objects.create(municipality=submission.municipality, submission=submission,
                                   kind=EventKind.STATUS, from_status=Status.DRAFT, to_status=Status.RECEIVED,
                                   actor=actor, actor_label=str(actor or ""), created_at=now)
    record("applications.submission.submitted", municipality=submission.municipality, actor=actor, obj=submission,
           request=request, data={"reference": submission.reference, "channel": channel,
                                  "procedure": submission.procedure.slug})


def _after_commit_receipt(submission: Submission) -> None:
    from . import tasks

    pk = submission.pk
    transaction.on_commit(lambda: tasks.send_receipt.enqueue(pk))


# Applicant after submitting -----------------------------------------------------------------------------------

def withdraw(submission: Submission, *, actor: User | None, request: HttpRequest | None = None,
             reason: str = "") -> None:
    reason = scrub(reason)
    with transaction.atomic():
        current = _locked(submission)
        _change(current, "withdraw", actor=actor, actor_kind="applicant", text=reason.strip()[:1000],
                request=request)
    submission.refresh_from_db()


def resubmit(submission: Submission, answers: dict[str, Any], *, actor: User | None,
             files: Mapping[str, UploadedFile[bytes]] | None = None, request: HttpRequest | None = None
             ) -> Submission:
    """Answer a 補正依頼: only the flagged fields change; the whole form is checked again."""
    answers = scrub(answers)
    form = submission.form_version.form
    with transaction.atomic():
        current = _locked(submission)
        if current.status != Status.CORRECTION:
            raise Refused(_("補正を依頼されていない申請は変更できません。"))
        flagged = set(current.correction_fields)
        changes = {k: v for k, v in answers.items() if k in flagged}
        fields = [f for f in form.all_fields() if f.name in flagged]
        upload_errors = attach_files(current, fields, changes, files or {})
        merged = {**current.answers, **changes}
        result = validate(form, merged)
        result.errors.update(upload_errors)
        if not result.is_valid:
            raise Invalid(result)
        current.answers = result.cleaned
        current.correction_fields = []
        _change(current, "resubmit", actor=actor, actor_kind="applicant", request=request, kind=EventKind.CORRECTED,
                fields=sorted(flagged))
    return current


# Staff ------------------------------------------------------------------------------------------------------

def visible_submissions(staff: Staff) -> QuerySet[Submission]:
    """Filed submissions this staff member may see: their department's and those shared with it; all for 情報担当."""
    submissions = Submission.objects.exclude(status=Status.DRAFT).select_related(
        "procedure", "resident", "assignee", "department")
    if staff.has_role(Role.ADMIN):
        return submissions
    return submissions.filter(Q(department=staff.department_id)
                              | Q(procedure__shared_with=staff.department_id)).distinct()


def visible_procedures(staff: Staff) -> QuerySet[Procedure]:
    procedures = Procedure.objects.select_related("department", "category")
    if staff.has_role(Role.ADMIN):
        return procedures
    return procedures.filter(Q(department=staff.department_id) | Q(shared_with=staff.department_id)).distinct()


def may_handle(staff: Staff, submission: Submission) -> bool:
    return visible_submissions(staff).filter(pk=submission.pk).exists()


def assignable_staff(submission: Submission) -> QuerySet[Staff]:
    """Active staff who may handle `submission` (the same rule as visible_submissions), for the 担当者 choice."""
    shared = submission.procedure.shared_with.values("pk")
    return Staff.objects.filter(is_active=True).filter(
        Q(department=submission.department_id) | Q(department__in=shared) | Q(role__gte=Role.ADMIN)
    ).select_related("department").order_by("department__sort_order", "family_name", "given_name")


def colleagues(staff: Staff) -> QuerySet[Staff]:
    """Whom `staff` may give submissions to in the queue: active staff of their department and 情報担当; every
    active staff member for 情報担当 (the service still checks each submission against the assignee)."""
    people = Staff.objects.filter(is_active=True).select_related("department")
    if not staff.has_role(Role.ADMIN):
        people = people.filter(Q(department=staff.department_id) | Q(role__gte=Role.ADMIN))
    return people.order_by("department__sort_order", "family_name", "given_name")


def may_edit_procedure(staff: Staff, procedure: Procedure) -> bool:
    """Form editing: 情報担当 anywhere, 所属長 of the owning department."""
    return staff.has_role(Role.ADMIN) or (staff.has_role(Role.APPROVER)
                                          and staff.department_id == procedure.department_id)


def queue_counts(submissions: QuerySet[Submission]) -> dict[str, int]:
    rows = submissions.order_by().values("status").annotate(n=Count("pk", distinct=True))
    return {row["status"]: row["n"] for row in rows}


def assign(submission: Submission, assignee: Staff | None, *, staff: Staff, request: HttpRequest | None = None) -> None:
    if assignee is not None and not may_handle(assignee, submission):
        raise Refused(_("この職員はこの申請を担当できません。"))
    with transaction.atomic():
        current = _locked(submission)
        current.assignee = assignee
        current.save(update_fields=["assignee", "updated_at"])
        SubmissionEvent.objects.create(municipality=current.municipality, submission=current,
                                       kind=EventKind.ASSIGNED, text=str(assignee or _("未割当")),
                                       actor=staff.user, actor_label=str(staff))
        record("applications.submission.assigned", municipality=current.municipality, actor=staff.user,
               obj=current, request=request, data={"assignee": assignee.pk if assignee else None})
    submission.refresh_from_db()


def transition(submission: Submission, name: str, *, staff: Staff, message: str = "",
               fields: Iterable[str] = (), request: HttpRequest | None = None) -> None:
    """Move a submission through the staff workflow. 補正依頼 needs the fields to correct and a message."""
    message = scrub(message)
    message = message.strip()
    flagged = [f for f in dict.fromkeys(fields)]
    if name in NEEDS_MESSAGE and not message:
        raise Refused(_("申請者へのメッセージを入力してください。"))
    if name == "request_correction":
        known = {f.name for f in submission.form_version.form.all_fields()}
        if not flagged or not set(flagged) <= known:
            raise Refused(_("補正してもらう項目を1つ以上選んでください。"))
    with transaction.atomic():
        current = _locked(submission)
        if name == "request_correction":
            current.correction_fields = flagged
        _change(current, name, actor=staff.user, actor_kind="staff", text=message, fields=flagged, request=request,
                actor_label=str(staff))
        if current.assignee_id is None:
            Submission.objects.filter(pk=current.pk).update(assignee=staff)
    submission.refresh_from_db()


# Deadlines and work on many at once ----------------------------------------------------------------------------

BULK_LIMIT = 200  # submissions one bulk action may handle (a page of the queue is 50)


def due_date(submission: Submission) -> date | None:
    """The end of the procedure's 標準処理期間: the 受付 day plus that many 開庁日 (weekends, holidays and the
    年末年始 not counted; the day of receipt not counted). None for a procedure without one."""
    days = submission.procedure.processing_days
    if not days or submission.submitted_at is None:
        return None
    return add_office_days(timezone.localdate(submission.submitted_at), days)


def is_overdue(submission: Submission, today: date | None = None) -> bool:
    """Open and past its 標準処理期間 (a 補正依頼 counts: the period is not suspended here)."""
    due = due_date(submission)
    return submission.status in OPEN_STATUSES and due is not None and due < (today or timezone.localdate())


def deadlines(submissions: QuerySet[Submission]) -> dict[int, date]:
    """期限 of each open submission among `submissions` that has a 標準処理期間, in one query."""
    rows = (submissions.filter(status__in=OPEN_STATUSES, procedure__processing_days__isnull=False)
            .order_by().values_list("pk", "submitted_at", "procedure__processing_days").distinct())
    return {pk: add_office_days(timezone.localdate(submitted), days)
            for pk, submitted, days in rows if submitted is not None and days}


def overdue_ids(submissions: QuerySet[Submission], today: date | None = None) -> list[int]:
    today = today or timezone.localdate()
    return [pk for pk, due in deadlines(submissions).items() if due < today]


def _chosen(staff: Staff, ids: Iterable[int | str]) -> list[Submission]:
    """The chosen submissions, locked for this transaction, in 受付番号 order; refused if any is not one this staff
    member may handle (or does not exist)."""
    wanted: list[int] = []
    for raw in ids:
        text = str(raw).strip()
        if not text.isdigit():
            raise Refused(_("選んだ申請を読み取れませんでした。一覧を開き直して選び直してください。"))
        if int(text) not in wanted:
            wanted.append(int(text))
    if not wanted:
        raise Refused(_("申請を1件以上選んでください。"))
    if len(wanted) > BULK_LIMIT:
        raise Refused(_("一度に処理できるのは%(limit)d件までです。") % {"limit": BULK_LIMIT})
    visible = set(visible_submissions(staff).filter(pk__in=wanted).values_list("pk", flat=True))
    if len(visible) != len(wanted):
        raise Refused(_("選んだ申請の中に、あなたが扱えない申請があります。一覧を開き直して選び直してください。"))
    related = ("municipality", "resident__user", "procedure", "form_version")
    return list(Submission.objects.select_for_update(of=("self",)).select_related(*related)
                .filter(pk__in=wanted).order_by("reference"))


def _refuse_listing(message: str, submissions: list[Submission], **values: Any) -> None:
    if submissions:
        raise Refused(message % {**values, "references": "、".join(s.reference or "" for s in submissions)})


def assign_many(ids: Iterable[int | str], assignee: Staff | None, *, staff: Staff,
                request: HttpRequest | None = None) -> list[Submission]:
    """Give the chosen submissions to `assignee` (None: 未割当), all or none; one audit entry each."""
    with transaction.atomic():
        chosen = _chosen(staff, ids)
        if assignee is not None:
            allowed = set(visible_submissions(assignee).filter(pk__in=[s.pk for s in chosen])
                          .values_list("pk", flat=True)) if assignee.is_active else set()
            _refuse_listing(_("%(name)s さんは次の申請を担当できません: %(references)s"),
                            [s for s in chosen if s.pk not in allowed], name=str(assignee))
        _refuse_listing(_("処理が終わった申請は担当者を変えられません: %(references)s"),
                        [s for s in chosen if s.status not in OPEN_STATUSES])
        for current in chosen:
            current.assignee = assignee
            current.save(update_fields=["assignee", "updated_at"])
            SubmissionEvent.objects.create(municipality=current.municipality, submission=current,
                                           kind=EventKind.ASSIGNED, text=str(assignee or _("未割当")),
                                           actor=staff.user, actor_label=str(staff))
            record("applications.submission.assigned", municipality=current.municipality, actor=staff.user,
                   obj=current, request=request,
                   data={"assignee": assignee.pk if assignee else None, "bulk": len(chosen)})
    return chosen


def start_review_many(ids: Iterable[int | str], *, staff: Staff, request: HttpRequest | None = None
                      ) -> list[Submission]:
    """受付処理 of the chosen submissions: each 受付 one goes to 審査中 (the applicant is told), all or none; one
    with any other status refuses the whole action, naming it. One audit entry each."""
    with transaction.atomic():
        chosen = _chosen(staff, ids)
        _refuse_listing(_("「受付」の状態ではない申請があるため、どれも処理していません: %(references)s"),
                        [s for s in chosen if s.status != Status.RECEIVED])
        for current in chosen:
            _change(current, "start_review", actor=staff.user, actor_kind="staff", request=request,
                    actor_label=str(staff))
            if current.assignee_id is None:
                Submission.objects.filter(pk=current.pk).update(assignee=staff)
    return chosen


def _change(submission: Submission, name: str, *, actor: User | None, actor_kind: str, text: str = "",
            fields: list[str] | None = None, request: HttpRequest | None = None, kind: str = EventKind.STATUS,
            actor_label: str = "") -> None:
    try:
        step = WORKFLOW.check(submission.status, name, actor_kind)
    except TransitionError as error:
        raise Refused(_("この申請の今の状態（%(status)s）ではその操作はできません。")
                               % {"status": submission.get_status_display()}) from error
    before = submission.status
    submission.status = step.target
    if step.target in DECIDED:
        submission.decided_at = timezone.now()
    submission.save()
    event = SubmissionEvent.objects.create(
        municipality=submission.municipality, submission=submission, kind=kind, from_status=before,
        to_status=step.target, text=text, fields=fields or [], actor=actor, actor_label=actor_label or str(actor or ""))
    record(f"applications.submission.{name}", municipality=submission.municipality, actor=actor, obj=submission,
           request=request, data={"from": before, "to": step.target})
    if actor_kind == "staff":
        from . import tasks

        event_pk = event.pk
        transaction.on_commit(lambda: tasks.send_update.enqueue(event_pk))


def add_note(submission: Submission, text: str, *, staff: Staff, to_applicant: bool,
             request: HttpRequest | None = None) -> SubmissionEvent:
    """An internal note (staff only) or a message the applicant sees (and is told about by mail)."""
    text = scrub(text)
    text = text.strip()
    if not text:
        raise Refused(_("内容を入力してください。"))
    if len(text) > 4000:
        raise Refused(_("4000文字以内で入力してください。"))
    kind = EventKind.MESSAGE if to_applicant else EventKind.NOTE
    with transaction.atomic():
        event = SubmissionEvent.objects.create(municipality=submission.municipality, submission=submission,
                                               kind=kind, text=text, actor=staff.user, actor_label=str(staff))
        record(f"applications.submission.{kind}", municipality=submission.municipality, actor=staff.user,
               obj=submission, request=request)
        if to_applicant:
            from . import tasks

            event_pk = event.pk
            transaction.on_commit(lambda: tasks.send_update.enqueue(event_pk))
    return event


# Procedures and their forms (no-code editor) ------------------------------------------------------------------

def save_procedure(procedure: Procedure, *, staff: Staff, request: HttpRequest | None = None) -> Procedure:
    """Create or update a procedure's catalogue entry (the form is edited separately)."""
    if procedure.pk is not None and not may_edit_procedure(staff, Procedure.objects.get(pk=procedure.pk)):
        raise Refused(_("この手続を編集する権限がありません。"))
    if not may_edit_procedure(staff, procedure):
        raise Refused(_("この手続を編集する権限がありません。"))
    created = procedure.pk is None
    with transaction.atomic():
        before = None if created else Procedure.objects.select_for_update().values_list(
            "fee_schedule", flat=True).get(pk=procedure.pk)
        procedure.save()
        record("applications.procedure.created" if created else "applications.procedure.updated",
               municipality=procedure.municipality, actor=staff.user, obj=procedure, request=request)
        if (before or {}) != (procedure.fee_schedule or {}):
            record("applications.procedure.fee_changed", municipality=procedure.municipality, actor=staff.user,
                   obj=procedure, request=request, data={"from": before or {}, "to": procedure.fee_schedule or {}})
    return procedure


def save_catalogue_entry(procedure: Procedure, shared_with: Iterable[Department], *, staff: Staff,
                         request: HttpRequest | None = None) -> Procedure:
    """`save_procedure` together with the departments it is shared with, in one transaction."""
    with transaction.atomic():
        save_procedure(procedure, staff=staff, request=request)
        procedure.shared_with.set(list(shared_with))
    return procedure


def edit_draft(procedure: Procedure, change: Callable[[dict[str, Any]], dict[str, Any]], *, staff: Staff,
               request: HttpRequest | None = None) -> FormVersion:
    """Apply one editor operation (a function of the definition) to the draft, with the draft row locked so
    two editors never overwrite each other's change. The operation's own errors roll everything back."""
    if not may_edit_procedure(staff, procedure):
        raise Refused(_("この手続を編集する権限がありません。"))
    draft_version(procedure, staff=staff)
    with transaction.atomic():
        version = procedure.versions.select_for_update().get(published_at__isnull=True)
        return save_draft_definition(version, change(copy.deepcopy(version.definition)), staff=staff,
                                     request=request)


def draft_version(procedure: Procedure, *, staff: Staff) -> FormVersion:
    """The editor's working copy: the existing draft, or a new one copied from the current form."""
    existing = procedure.versions.filter(published_at__isnull=True).first()
    if existing is not None:
        return existing
    latest = procedure.versions.order_by("-version").first()
    number = (latest.version + 1) if latest else 1
    if procedure.current_form is not None:
        definition = copy.deepcopy(procedure.current_form.definition)
    else:
        definition = {"title": procedure.title, "version": number,
                      "pages": [{"title": _("申請内容"), "fields": [
                          {"name": "applicant_name", "type": "name", "label": _("申請者の氏名"), "prefill": "name"}]}]}
    definition["version"] = number
    try:
        with transaction.atomic():
            return FormVersion.objects.create(municipality=procedure.municipality, procedure=procedure,
                                              version=number, definition=definition, created_by=staff.user)
    except IntegrityError:
        return procedure.versions.get(published_at__isnull=True)


def save_draft_definition(version: FormVersion, data: Any, *, staff: Staff,
                          request: HttpRequest | None = None) -> FormVersion:
    """Replace the draft's definition after checking it; published versions never change."""
    if version.published_at is not None:
        raise Refused(_("公開済みの版は変更できません。"))
    if not may_edit_procedure(staff, version.procedure):
        raise Refused(_("この手続を編集する権限がありません。"))
    if isinstance(data, dict):
        data = {**data, "version": version.version}
    try:
        form = FormDefinition.from_dict(data)
    except DefinitionError as error:
        raise Refused(_("様式の定義に誤りがあります: %(detail)s") % {"detail": error}) from error
    with transaction.atomic():
        version.definition = form.to_dict()
        version.save(update_fields=["definition"])
        record("applications.form.edited", municipality=version.municipality, actor=staff.user, obj=version,
               request=request)
    version._form = form
    return version


def import_definition(procedure: Procedure, text: str, *, staff: Staff,
                      request: HttpRequest | None = None) -> FormVersion:
    """Load a JSON export into the procedure's draft."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise Refused(_("JSONとして読み取れません: %(detail)s") % {"detail": error}) from error
    return save_draft_definition(draft_version(procedure, staff=staff), data, staff=staff, request=request)


def export_definition(version: FormVersion) -> str:
    return json.dumps(version.definition, ensure_ascii=False, indent=2)


def publish_draft(procedure: Procedure, *, staff: Staff, request: HttpRequest | None = None) -> FormVersion:
    """Make the draft the form residents fill from now on. Submissions keep the version they were made with."""
    if not may_edit_procedure(staff, procedure):
        raise Refused(_("この手続を編集する権限がありません。"))
    with transaction.atomic():
        version = procedure.versions.select_for_update().filter(published_at__isnull=True).first()
        if version is None:
            raise Refused(_("公開する下書きがありません。"))
        FormDefinition.from_dict(version.definition)
        version.published_at = timezone.now()
        version.save(update_fields=["published_at"])
        Procedure.objects.filter(pk=procedure.pk).update(current_form=version, updated_at=timezone.now())
        record("applications.form.published", municipality=procedure.municipality, actor=staff.user, obj=version,
               request=request, data={"version": version.version})
    procedure.refresh_from_db()
    return version


# 書かない窓口 ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CombinedForm:
    """Several procedures' forms as one: fields with the same name and type are asked once."""

    form: FormDefinition
    shared: frozenset[str]  # field names used by more than one procedure


def combine_forms(procedures: list[Procedure]) -> CombinedForm:
    """One definition for a counter visit: a first page of the questions the forms share, then each form's rest."""
    ready = [p for p in procedures if p.current_form is not None]
    forms = [p.current_form.form for p in ready if p.current_form is not None]
    first, shared = _first_fields(forms)
    common = [first[name] for name in first if name in shared]
    # Shared declarations (「誤りがないことを確認しました」) belong after everything else, not first.
    closing = [f for f in common if f.type == "consent" and f.condition is None]
    common = [f for f in common if f not in closing]
    pages: list[dict[str, Any]] = []
    if common:
        pages.append({"title": _("共通事項"), "fields": [_independent(f, shared, set()) for f in common]})
    placed = set(shared)
    for procedure, form in zip(ready, forms, strict=True):
        for page in form.pages:
            fields = [_independent(item, shared, placed) for item in _unplaced(page.fields, placed)]
            if fields:
                pages.append({"title": f"{procedure.title}: {page.title}", "fields": fields})
    if closing:
        pages.append({"title": _("最後の確認"), "fields": [_independent(f, shared, placed) for f in closing]})
    data = {"title": "・".join(p.title for p in procedures), "version": 1, "pages": pages}
    return CombinedForm(form=FormDefinition.from_dict(data), shared=shared)


def _first_fields(forms: list[FormDefinition]) -> tuple[dict[str, Field], frozenset[str]]:
    """Each field name's first definition, and the names several forms ask with the same type."""
    first: dict[str, Field] = {}
    shared: set[str] = set()
    for form in forms:
        for item in form.all_fields():
            if item.name not in first:
                first[item.name] = item
            elif first[item.name].type == item.type:
                shared.add(item.name)
    return first, frozenset(shared)


def _unplaced(fields: Iterable[Field], placed: set[str]) -> Iterator[Field]:
    """Fields not asked yet, marking each as asked (its condition may then refer to earlier ones)."""
    for item in fields:
        if item.name not in placed:
            placed.add(item.name)
            yield item


COUNTER_CHECKED = "窓口で原本確認済み"


def _independent(item: Field, shared: frozenset[str], placed: set[str]) -> dict[str, Any]:
    """A field's dict, dropping a condition whose source is not placed before it in the combined form.

    At the counter the clerk sees the original document, so a file question becomes 「原本を確認した」.
    """
    data = item.to_dict()
    if item.type == "file":
        data = {key: value for key, value in data.items() if key in ("name", "required", "condition")}
        data.update(type="consent", label=_("%(label)s（窓口で原本を確認）") % {"label": item.label})
    condition = data.get("condition")
    if condition and condition["field"] not in placed and condition["field"] not in shared:
        data.pop("condition")
    if condition and item.name in shared and condition["field"] not in shared:
        data.pop("condition", None)
    return data


def register_resident_at_counter(municipality: Municipality, data: dict[str, Any], *, staff: Staff,
                                 request: HttpRequest | None = None) -> Resident:
    """A resident without an online account, registered by counter staff from what they state (and show)."""
    with transaction.atomic():
        resident = Resident.objects.create(municipality=municipality, user=None, **data)
        record("applications.counter.resident_registered", municipality=municipality, actor=staff.user,
               obj=resident, request=request)
    return resident


def start_visit(resident: Resident, procedures: list[Procedure], *, staff: Staff, life_event: LifeEvent | None = None,
                request: HttpRequest | None = None) -> CounterVisit:
    ready = [p for p in procedures if p.current_form is not None]
    if not ready:
        raise Refused(_("受け付ける手続を1つ以上選んでください。"))
    with transaction.atomic():
        visit = CounterVisit.objects.create(municipality=staff.municipality, resident=resident, staff=staff,
                                            life_event=life_event)
        visit.procedures.set(ready)
        combined = combine_forms(ready)
        visit.answers = prefill(combined.form, resident)
        visit.save(update_fields=["answers"])
        record("applications.counter.visit_started", municipality=staff.municipality, actor=staff.user, obj=visit,
               request=request, data={"procedures": [p.slug for p in ready]})
    return visit


def visit_procedures(visit: CounterVisit) -> list[Procedure]:
    return list(visit.procedures.select_related("current_form").order_by("sort_order", "title"))


def may_use_visit(staff: Staff, visit: CounterVisit) -> bool:
    """A visit is the clerk's who started it (the resident's answers are on it); 情報担当 may step in."""
    return visit.staff_id == staff.pk or staff.has_role(Role.ADMIN)


def visit_answers(visit: CounterVisit, form: FormDefinition) -> dict[str, Any]:
    """The visit's answers with the resident's verified values over them, as they will be filed."""
    return {**visit.answers, **locked_values(form, visit.resident)}


def first_incomplete_visit_page(visit: CounterVisit) -> tuple[int, Result] | None:
    """The first page of the combined form whose answers do not pass yet, with its check; None when all pass."""
    form = combine_forms(visit_procedures(visit)).form
    answers = visit_answers(visit, form)
    for index in range(len(form.pages)):
        result = validate(form, answers, page=index)
        if not result.is_valid:
            return index, result
    return None


def visit_review(visit: CounterVisit) -> list[tuple[Procedure, Result]]:
    """Each procedure of the visit with its own form's check of the visit's answers: what 申請 would file."""
    procedures = visit_procedures(visit)
    answers = visit_answers(visit, combine_forms(procedures).form)
    return [(p, validate(p.current_form.form, _procedure_answers(p.current_form.form, answers)))
            for p in procedures if p.current_form is not None]


def _procedure_answers(form: FormDefinition, answers: dict[str, Any]) -> dict[str, Any]:
    """One form's answers from the visit's: a ticked 原本確認 stands in for the file the form asks for."""
    uploads = {f.name for f in form.all_fields() if f.type == "file"}
    own = {k: v for k, v in answers.items() if k not in uploads}
    own.update({name: COUNTER_CHECKED for name in uploads if answers.get(name) is True})
    return own


def save_visit_page(visit: CounterVisit, page: int, answers: dict[str, Any]) -> Result:
    answers = scrub(answers)
    if visit.finished_at is not None:
        raise Refused(_("この受付は完了しています。"))
    form = combine_forms(visit_procedures(visit)).form
    if not 0 <= page < len(form.pages):
        raise Refused(_("このページはありません。"))
    with transaction.atomic():
        current = CounterVisit.objects.select_for_update().get(pk=visit.pk)
        current.answers = applicable(form, {**current.answers, **answers, **locked_values(form, current.resident)})
        current.save(update_fields=["answers"])
    visit.answers = current.answers
    return validate(form, visit.answers, page=page)


@dataclass(frozen=True)
class VisitFee:
    """One procedure's 手数料 for the visit's answers; `yen` None when staff must tell the amount."""

    procedure: Procedure
    yen: int | None


def visit_fees(review: list[tuple[Procedure, Result]]) -> tuple[list[VisitFee], fees.Total]:
    """The fee of each procedure of a visit_review, and their total."""
    items = [VisitFee(procedure, fees.amount(procedure.fee_schedule, result.cleaned)) for procedure, result in review]
    return items, fees.total(item.yen for item in items)


# Documents for which the clerk writes what they saw: the second document with a 健康保険証, or what その他 was.
IDENTITY_NEEDS_NOTE = frozenset({IdentityDocument.INSURANCE_PLUS, IdentityDocument.OTHER})
IDENTITY_NOTE_MAX = 100


def record_identity_check(visit: CounterVisit, document: str, note: str = "", *, staff: Staff,
                          request: HttpRequest | None = None) -> CounterVisit:
    """本人確認: the clerk saw the resident's document. Only its kind (and a few words) is kept, never its number."""
    note = scrub(note).strip() if note else ""
    if document not in IdentityDocument.values:
        raise Refused(_("確認した本人確認書類を選んでください。"))
    if document in IDENTITY_NEEDS_NOTE and not note:
        raise Refused(_("健康保険証と一緒に確認した書類、または「その他」の書類の名前を入力してください。")
                      if document == IdentityDocument.INSURANCE_PLUS else
                      _("「その他」の場合は、確認した書類の名前を入力してください。"))
    if len(note) > IDENTITY_NOTE_MAX:
        raise Refused(_("書類の名前は%(max)d文字以内で入力してください。") % {"max": IDENTITY_NOTE_MAX})
    if document not in IDENTITY_NEEDS_NOTE:
        note = ""
    with transaction.atomic():
        current = CounterVisit.objects.select_for_update().get(pk=visit.pk)
        if current.finished_at is not None:
            raise Refused(_("この受付はすでに申請済みです。"))
        current.identity_document = document
        current.identity_note = note
        current.identity_checked_by = staff
        current.identity_checked_at = timezone.now()
        current.save(update_fields=["identity_document", "identity_note", "identity_checked_by",
                                    "identity_checked_at"])
        # The note is kept on the visit only: the audit says what kind was checked and by whom.
        record("applications.counter.identity_checked", municipality=current.municipality, actor=staff.user,
               obj=current, request=request, data={"document": document})
    return current


def file_visit(visit: CounterVisit, *, staff: Staff, request: HttpRequest | None = None) -> list[Submission]:
    """The resident confirmed on screen: file one submission per procedure, channel 窓口, all or none.

    Refused until the clerk has recorded the 本人確認 (record_identity_check).
    """
    procedures = visit_procedures(visit)
    combined = combine_forms(procedures).form
    with transaction.atomic():
        current = CounterVisit.objects.select_for_update().select_related("resident").get(pk=visit.pk)
        if current.finished_at is not None:
            raise Refused(_("この受付はすでに申請済みです。"))
        answers = {**current.answers, **locked_values(combined, current.resident)}
        overall = validate(combined, answers)
        if not overall.is_valid:
            raise Invalid(overall)
        if not current.identity_document:
            raise IdentityNotChecked(_("本人確認がまだです。確認した本人確認書類を記録してから申請してください。"))
        filed = []
        for procedure in procedures:
            assert procedure.current_form is not None
            form = procedure.current_form.form
            result = validate(form, _procedure_answers(form, answers))
            if not result.is_valid:
                raise Invalid(result)
            submission = Submission.objects.create(
                municipality=current.municipality, procedure=procedure, form_version=procedure.current_form,
                resident=current.resident, department=procedure.department, counter_visit=current,
                counter_staff=staff, channel=Channel.COUNTER)
            _file(submission, result.cleaned, channel=Channel.COUNTER, actor=staff.user, request=request,
                  counter_staff=staff)
            filed.append(submission)
        current.finished_at = timezone.now()
        current.save(update_fields=["finished_at"])
        record("applications.counter.visit_filed", municipality=current.municipality, actor=staff.user, obj=current,
               request=request, data={"references": [s.reference for s in filed],
                                      "identity_document": current.identity_document})
    for submission in filed:
        _after_commit_receipt(submission)
    return filed

"""Resident pages of 電子申請: find a procedure, fill its form page by page, submit, follow and correct it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yakuba.kernel.accounts.models import Resident
from yakuba.kernel.accounts.permissions import resident_required
from yakuba.kernel.files.http import bytes_response, private_file_response
from yakuba.kernel.forms.definition import Field, FormDefinition, Page
from yakuba.kernel.forms.render import answers_from_post, render_answers, render_page
from yakuba.kernel.forms.validate import validate
from yakuba.kernel.http import TownRequest
from yakuba.kernel.refusal import Refused
from yakuba.kernel.ui.actions import attempt
from yakuba.kernel.ui.pagecache import DEPARTMENTS, cacheable_public
from yakuba.kernel.words import display as words

from .. import exports, fee_editor, fees, payments, records, services
from ..models import Category, LifeEvent, Procedure, Status, Submission
from ..words import KIND as WORDS_KIND

JUST_SUBMITTED = "applications.just_submitted"  # session key: show the confirmation panel once


# Catalogue ----------------------------------------------------------------------------------------------------

@require_GET
@cacheable_public(kinds=(records.KIND, records.PAGES, DEPARTMENTS))
def catalogue(request: TownRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    category = request.GET.get("category", "").strip()[:50]
    procedures = services.catalogue(query=query, category=category)
    page = Paginator(procedures, 30).get_page(request.GET.get("page"))
    return render(request, "applications/public/catalogue.html", {
        "query": query, "category": category, "categories": Category.objects.all(), "page": page,
        "searching": bool(query or category), "life_events": LifeEvent.objects.all(),
    })


@require_GET
@cacheable_public(kinds=(records.KIND, records.PAGES, DEPARTMENTS))
def life_event(request: TownRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(LifeEvent, slug=slug)
    entries = event.entries.filter(procedure__is_published=True).select_related("procedure__department")
    return render(request, "applications/public/life_event.html", {"event": event, "entries": entries})


@require_GET
@cacheable_public(kinds=(records.KIND, records.PAGES, DEPARTMENTS))
def procedure(request: TownRequest, slug: str) -> HttpResponse:
    item = get_object_or_404(_published(), slug=slug)
    resident = None
    if request.user.is_authenticated:
        resident = Resident.objects.filter(user=request.user).first()
    shown = words.translate(request, WORDS_KIND, item.pk, "documents", item.documents)
    # Each line keeps the mark of Japanese shown to an English reader (kernel.words), as the whole text had it.
    kind = type(shown)
    documents = [kind(line.strip().lstrip("・-*　 ")) for line in shown.splitlines() if line.strip()]
    known = fee_editor.questions([item.current_form.definition] if item.current_form else [])
    return render(request, "applications/public/procedure.html", {
        "procedure": item, "documents": documents, "draft": services.current_draft(item, resident),
        "fee_lines": fees.describe(item.fee_schedule or {}, fee_editor.labels(known)),
        "login_url": _login_url(reverse("applications:procedure", args=[slug])),
    })


@require_POST
def start(request: TownRequest, slug: str) -> HttpResponse:
    item = get_object_or_404(_published(), slug=slug)
    if not request.user.is_authenticated:
        # Back to the procedure page after login: the start URL itself only takes a POST.
        return HttpResponseRedirect(_login_url(reverse("applications:procedure", args=[slug])))
    return _begin(request, item)


@resident_required
def _begin(request: TownRequest, item: Procedure) -> HttpResponse:
    resuming = services.current_draft(item, request.resident) is not None
    try:
        draft = services.start_draft(item, request.resident, request=request)
    except Refused as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(reverse("applications:procedure", args=[item.slug]))
    if resuming:
        return HttpResponseRedirect(_continue_url(draft))
    return HttpResponseRedirect(_fill_url(draft, 0))


def _published() -> Any:
    return Procedure.objects.filter(is_published=True).select_related("department", "category", "current_form")


def _login_url(next_url: str) -> str:
    return reverse("accounts:login") + "?" + urlencode({"next": next_url})


# Filling in ---------------------------------------------------------------------------------------------------

@resident_required
@require_http_methods(["GET", "POST"])
def fill(request: TownRequest, public_id: UUID, page: int) -> HttpResponse:
    submission = _own(request, public_id)
    if submission.status != Status.DRAFT:
        return _to_status(submission)
    form = _form(request, submission)
    if not 0 <= page < len(form.pages):
        raise Http404
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        answers = answers_from_post(form, request.POST, page=page)
        try:
            result = services.save_page(submission, page, answers, files=request.FILES,
                                        actor=request.resident.user)
        except Refused as error:  # filed from another tab meanwhile
            messages.error(request, error.message)
            return _to_status(submission)
        if request.POST.get("action") == "save":
            messages.success(request, _("入力した内容を一時保存しました。「申請の状況」から続きを入力できます。"))
            return HttpResponseRedirect(reverse("applications:mine"))
        if result.is_valid:
            return HttpResponseRedirect(_fill_url(submission, page + 1) if page + 1 < len(form.pages)
                                        else reverse("applications:check", args=[submission.public_id]))
        errors = result.errors
        if errors and form is not submission.form_version.form:
            # Checked again against the form as the resident reads it, so each message names the label they see.
            shown = validate(form, submission.answers, page=page).errors
            errors = {**errors, **{key: value for key, value in shown.items() if key in errors}}
    current = form.pages[page]
    html = render_page(form, submission.answers, errors, page=page,
                       locked=services.locked_values(form, submission.resident),
                       files=services.file_names(submission))
    back = (_fill_url(submission, page - 1) if page > 0
            else reverse("applications:procedure", args=[submission.procedure.slug]))
    return render(request, "applications/public/fill.html", {
        "submission": submission, "procedure": submission.procedure, "page": current, "number": page + 1,
        "total": len(form.pages), "form_html": html, "has_errors": bool(errors), "back_url": back,
        "multipart": _has_file(current.fields),
    }, status=400 if errors else 200)


@resident_required
@require_http_methods(["GET", "POST"])
def check(request: TownRequest, public_id: UUID) -> HttpResponse:
    submission = _own(request, public_id)
    if submission.status != Status.DRAFT:
        return _to_status(submission)
    form = _form(request, submission)
    result = validate(form, {**submission.answers, **services.locked_values(form, submission.resident)})
    if not result.is_valid:
        messages.error(request, _("まだ入力されていない項目か、直していただく項目があります。"))
        return HttpResponseRedirect(_continue_url(submission))
    if request.method == "POST":
        return _submit(request, submission)
    return render(request, "applications/public/check.html", {
        "submission": submission, "procedure": submission.procedure, "resident": request.resident,
        "sections": _sections(form, result.cleaned, services.file_names(submission)),
        "fee": fees.amount(submission.procedure.fee_schedule or {}, result.cleaned),
        "postage": fees.postage(submission.procedure.fee_schedule or {}),
    })


def _submit(request: TownRequest, submission: Submission) -> HttpResponse:
    copy = request.POST.get("copy_by_email") == "on" and bool(request.resident.verified_email)
    outcome = attempt(request, lambda: services.submit(submission, actor=request.resident.user, request=request,
                                                       copy_by_email=copy))
    if outcome.repeated:
        return _to_status(submission)
    if isinstance(outcome.refused, services.Invalid):
        messages.error(request, _("入力内容に問題があります。表示された項目を直してください。"))
        return HttpResponseRedirect(_continue_url(submission))
    if outcome.refused is not None:
        messages.error(request, outcome.refused.message)
        return _to_status(submission)
    request.session[JUST_SUBMITTED] = str(submission.public_id)
    return _to_status(submission)


# My applications ----------------------------------------------------------------------------------------------

@resident_required
@require_GET
def mine(request: TownRequest) -> HttpResponse:
    own = Submission.objects.filter(resident=request.resident).select_related("procedure")
    drafts = [{"submission": draft, "continue_url": _continue_url(draft)}
              for draft in own.filter(status=Status.DRAFT).select_related("form_version").order_by("-updated_at")]
    filed = own.exclude(status=Status.DRAFT).order_by("-submitted_at", "-pk")
    return render(request, "applications/public/mine.html", {"drafts": drafts, "filed": filed})


@resident_required
@require_GET
def status(request: TownRequest, public_id: UUID) -> HttpResponse:
    submission = _own(request, public_id)
    if submission.status == Status.DRAFT:
        return HttpResponseRedirect(_continue_url(submission))
    form = _form(request, submission)
    names = services.file_names(submission)
    just_submitted = request.session.pop(JUST_SUBMITTED, None) == str(submission.public_id)
    events = [event for event in submission.events.all() if event.visible_to_applicant]
    actions = {step.name for step in services.WORKFLOW.available(submission.status, "applicant")}
    return render(request, "applications/public/status.html", {
        "submission": submission, "procedure": submission.procedure, "resident": request.resident,
        "explanation": _explain(submission.status), "events": events, "just_submitted": just_submitted,
        "sections": _sections(form, submission.answers, names), "attachments": _attachments(submission),
        "can_withdraw": "withdraw" in actions, "correction": _correction_request(submission, events, form),
        "payment": payments.submission_summary(submission), "tickets": submission.tickets.all(),
    })


@resident_required
@require_http_methods(["GET", "POST"])
def correct(request: TownRequest, public_id: UUID) -> HttpResponse:
    submission = _own(request, public_id)
    if submission.status != Status.CORRECTION:
        return _to_status(submission)
    form = _form(request, submission)
    flagged = correction_form(form, submission.correction_fields)
    answers, errors = submission.answers, {}
    if request.method == "POST":
        posted = answers_from_post(flagged, request.POST)
        outcome = attempt(request, lambda: services.resubmit(submission, posted, actor=request.resident.user,
                                                             files=request.FILES, request=request))
        if outcome.repeated:
            return _to_status(submission)
        if isinstance(outcome.refused, services.Invalid):
            answers, errors = {**submission.answers, **posted}, outcome.refused.result.errors
            if form is not submission.form_version.form:
                # Each message as the resident reads it (naming the translated label), checked again on this form.
                shown = validate(form, {**answers, **services.locked_values(form, submission.resident)}).errors
                errors = {**errors, **{key: value for key, value in shown.items() if key in errors}}
        elif outcome.refused is not None:
            messages.error(request, outcome.refused.message)
            return _to_status(submission)
        else:
            messages.success(request, _("直した内容を提出しました。担当課がもう一度確認します。"))
            return _to_status(submission)
    names = services.file_names(submission)
    flagged_names = {item.name for item in flagged.all_fields()}
    others = {key: value for key, value in submission.answers.items() if key not in flagged_names}
    return render(request, "applications/public/correct.html", {
        "submission": submission, "procedure": submission.procedure, "has_errors": bool(errors),
        "form_html": render_page(flagged, answers, errors, page=0,
                                 locked=services.locked_values(flagged, submission.resident), files=names),
        "multipart": _has_file(flagged.all_fields()),
        "other_errors": [message for key, values in errors.items() if key.split(".")[0] not in flagged_names
                         for message in values],
        "others": render_answers(form, others, names),
        "correction": _correction_request(submission, list(submission.events.all()), form),
    }, status=400 if errors else 200)


@resident_required
@require_http_methods(["GET", "POST"])
def withdraw(request: TownRequest, public_id: UUID) -> HttpResponse:
    submission = _own(request, public_id)
    allowed = {step.name for step in services.WORKFLOW.available(submission.status, "applicant")}
    if "withdraw" not in allowed:
        messages.error(request, _("この申請は今の状態では取り下げられません。担当課にお問い合わせください。"))
        return _to_status(submission)
    if request.method == "POST":
        outcome = attempt(request, lambda: services.withdraw(submission, actor=request.resident.user, request=request,
                                                             reason=request.POST.get("reason", "")))
        if outcome.repeated:
            return _to_status(submission)
        if outcome.refused is not None:
            messages.error(request, outcome.refused.message)
            return _to_status(submission)
        messages.success(request, _("申請を取り下げました。"))
        return _to_status(submission)
    return render(request, "applications/public/withdraw.html", {
        "submission": submission, "procedure": submission.procedure})


@resident_required
@require_http_methods(["GET", "POST"])
def delete(request: TownRequest, public_id: UUID) -> HttpResponse:
    submission = _own(request, public_id)
    if submission.status != Status.DRAFT:
        return _to_status(submission)
    if request.method == "POST":
        services.delete_draft(submission, actor=request.resident.user, request=request)
        messages.success(request, _("入力途中の申請を削除しました。"))
        return HttpResponseRedirect(reverse("applications:mine"))
    return render(request, "applications/public/delete.html", {
        "submission": submission, "procedure": submission.procedure})


@resident_required
@require_GET
def pdf(request: TownRequest, public_id: UUID) -> HttpResponse:
    submission = _own(request, public_id)
    if submission.status == Status.DRAFT:
        raise Http404
    return bytes_response(exports.submission_pdf(submission), content_type="application/pdf",
                          filename=f"{submission.reference}.pdf")


@resident_required
@require_GET
def attachment(request: TownRequest, public_id: UUID, token: str) -> HttpResponseBase:
    submission = _own(request, public_id)
    stored = get_object_or_404(submission.attachments, token=token)
    return private_file_response(stored.path, content_type=stored.content_type, filename=stored.original_name,
                                 inline=True)


# Helpers ------------------------------------------------------------------------------------------------------

def _own(request: TownRequest, public_id: UUID) -> Submission:
    """The signed-in resident's own submission in this town; anyone else's is simply not found."""
    submissions = Submission.objects.select_related("procedure__department", "form_version", "resident__user")
    return get_object_or_404(submissions, public_id=public_id, resident=request.resident)


def _fill_url(submission: Submission, page: int) -> str:
    """A form page by its index from 0, as the counter's pages (the screen says 「1 / 2 ページ」)."""
    return reverse("applications:fill", args=[submission.public_id, page])


def _continue_url(submission: Submission) -> str:
    """Where "continue" takes the resident: the first page still to answer, else the check page."""
    index = services.first_incomplete_page(submission)
    if index is None:
        return reverse("applications:check", args=[submission.public_id])
    return _fill_url(submission, index)


def _to_status(submission: Submission) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("applications:status", args=[submission.public_id]))


def _form(request: TownRequest, submission: Submission) -> FormDefinition:
    """The submission's form as this resident reads it (English or やさしい日本語 where staff checked a translation)."""
    return words.form(request, WORDS_KIND, submission.procedure_id, submission.form_version.form)


def _has_file(fields: Iterable[Field]) -> bool:
    return any(item.type == "file" or any(sub.type == "file" for sub in item.fields) for item in fields)


def _sections(form: FormDefinition, answers: dict[str, Any], files: dict[str, str]) -> list[dict[str, Any]]:
    """The answers as 「確認」 shows them: one table per page, with the page to go back to."""
    sections = []
    for index, current in enumerate(form.pages):
        rows = render_answers(FormDefinition(title=form.title, version=form.version, pages=(current,)), answers,
                              files)
        if rows:
            sections.append({"title": current.title, "rows": rows, "index": index})
    return sections


def correction_form(form: FormDefinition, flagged: Iterable[str]) -> FormDefinition:
    """One page with only the fields staff asked to correct. A condition on a field not asked again is dropped:
    the page cannot show its source, and the whole form is checked again on resubmitting anyway."""
    names = set(flagged)
    fields: list[Field] = []
    for item in form.all_fields():
        if item.name not in names:
            continue
        if item.condition is not None and item.condition.field not in {f.name for f in fields}:
            item = dataclasses.replace(item, condition=None)
        fields.append(item)
    return FormDefinition(title=form.title, version=form.version,
                          pages=(Page(title=_("直していただく項目"), fields=tuple(fields)),))


def _correction_request(submission: Submission, events: list[Any], form: FormDefinition) -> dict[str, Any] | None:
    """What staff asked to correct: the fields' labels (as the resident reads them) and their message."""
    if submission.status != Status.CORRECTION:
        return None
    flagged = set(submission.correction_fields)
    labels = [item.label for item in form.all_fields() if item.name in flagged]
    asked = [event for event in events if event.to_status == Status.CORRECTION]
    return {"labels": labels, "message": asked[-1].text if asked else ""}


def _attachments(submission: Submission) -> list[Any]:
    """The files the answers point to (a replaced upload is kept on record but no longer part of the answers)."""
    used: set[str] = set()

    def collect(value: Any) -> None:
        if isinstance(value, str):
            used.add(value)
        elif isinstance(value, list):
            for entry in value:
                collect(entry)
        elif isinstance(value, dict):
            for entry in value.values():
                collect(entry)

    collect(submission.answers)
    return [stored for stored in submission.attachments.all() if stored.token in used]


def _explain(status: str) -> str:
    """The status in plain words: what it means and what happens next."""
    explanations: dict[str, str] = {
        Status.RECEIVED: _("役場で申請を受け付けました。これから担当課が内容を確認します。"
                           "確認が始まる前であれば、この画面から取り下げることができます。"),
        Status.REVIEWING: _("担当課が内容を確認しています。結果が出たらお知らせします。"),
        Status.CORRECTION: _("申請の内容に、直していただきたい点があります。"
                             "「申請内容を直す（補正）」から直して、もう一度提出してください。"),
        Status.COMPLETED: _("手続が完了しました。"),
        Status.REJECTED: _("申請は受理されませんでした。理由は下の経過をご覧ください。"
                           "わからないことは担当課にお問い合わせください。"),
        Status.WITHDRAWN: _("この申請は取り下げられました。"),
    }
    return explanations.get(status, "")


urlpatterns = [
    path("procedures/", catalogue, name="catalogue"),
    path("procedures/life/<slug:slug>/", life_event, name="life-event"),
    path("procedures/<slug:slug>/", procedure, name="procedure"),
    path("procedures/<slug:slug>/start/", start, name="start"),
    path("my/applications/", mine, name="mine"),
    path("my/applications/<uuid:public_id>/", status, name="status"),
    path("my/applications/<uuid:public_id>/page/<int:page>/", fill, name="fill"),
    path("my/applications/<uuid:public_id>/check/", check, name="check"),
    path("my/applications/<uuid:public_id>/correct/", correct, name="correct"),
    path("my/applications/<uuid:public_id>/withdraw/", withdraw, name="withdraw"),
    path("my/applications/<uuid:public_id>/delete/", delete, name="delete"),
    path("my/applications/<uuid:public_id>/pdf/", pdf, name="pdf"),
    path("my/applications/<uuid:public_id>/files/<str:token>/", attachment, name="file"),
]

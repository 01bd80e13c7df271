"""書かない窓口: the clerk finds or registers a resident, fills several procedures at once, the resident confirms."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django import forms
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from yakuba.kernel.accounts.models import Resident
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.accounts.services import search_residents
from yakuba.kernel.audit import services as audit
from yakuba.kernel.files.http import bytes_response
from yakuba.kernel.forms.definition import FormDefinition
from yakuba.kernel.forms.normalise import era_year, parse_date, whole_number
from yakuba.kernel.forms.render import answers_from_post, render_answers, render_page
from yakuba.kernel.forms.validate import validate
from yakuba.kernel.http import TownRequest
from yakuba.kernel.refusal import Refused
from yakuba.kernel.ui.actions import act_once, attempt, error_summary

from .. import exports, metrics, payments, services
from ..models import CounterVisit, IdentityDocument, LifeEvent, LifeEventProcedure, Procedure

SEARCH_LIMIT = 50
MONTHLY_TARGET = 10  # plan 000: 窓口入力支援 月平均10回以上


def _url(name: str, *args: Any) -> str:
    return reverse(f"staff:applications-counter{name}", args=args)


# Start: this month's figure, resident search, visits to resume ---------------------------------------------

@staff_required()
@require_http_methods(["GET", "POST"])
def start(request: TownRequest) -> HttpResponse:
    # The search is POSTed so names and phone numbers stay out of URLs, browser history and access logs.
    context = _search(request, request.POST.get("q", "").strip()[:100]) if request.method == "POST" else {}
    today = timezone.localdate()
    context |= dict(
        month_count=sum(row["count"] for row in metrics.counter_visits_by_month(since=today.replace(day=1))),
        target=MONTHLY_TARGET,
        open_visits=CounterVisit.objects.filter(staff=request.staff, finished_at__isnull=True,
                                                started_at__date=today)
        .select_related("resident").prefetch_related("procedures").order_by("started_at"),
    )
    return render(request, "applications/staff/counter/start.html", context,
                  status=400 if context.get("error") else 200)


def _search(request: TownRequest, query: str) -> dict[str, Any]:
    if not query:
        return {"error": _("氏名・フリガナ・電話番号・生年月日のどれかを入力してください。")}
    birthdate = parse_date(query)  # 「昭和19年5月12日」 as well as 1944-05-12
    found = list(search_residents(birthdate.isoformat() if birthdate else query)[:SEARCH_LIMIT + 1])
    shown = found[:SEARCH_LIMIT]
    # The query itself is personal data: the audit keeps only its length and how many were shown.
    audit.record("applications.counter.resident_searched", municipality=request.municipality, actor=request.user,
                 request=request, data={"query_length": len(query), "count": len(shown)})
    return {"query": query, "results": shown, "more": len(found) > SEARCH_LIMIT, "limit": SEARCH_LIMIT}


# Register a resident without an account ---------------------------------------------------------------------

def _register_form() -> FormDefinition:
    title = _("住民の登録")
    return FormDefinition.from_dict({"title": title, "version": 1, "pages": [{"title": title, "fields": [
        {"name": "resident_name", "type": "name", "label": _("氏名"), "max_length": 50},
        {"name": "resident_kana", "type": "name_kana", "label": _("フリガナ"), "max_length": 50},
        {"name": "birthdate", "type": "date", "label": _("生年月日"),
         "help_text": _("和暦（昭和19年5月12日、S19.5.12）でも入力できます。")},
        {"name": "postal_code", "type": "postal_code", "label": _("郵便番号"), "required": False},
        {"name": "address", "type": "address", "label": _("住所"), "max_length": 200},
        {"name": "phone", "type": "phone", "label": _("電話番号"), "required": False, "max_length": 20},
    ]}]})


def _resident_data(cleaned: dict[str, Any]) -> dict[str, Any]:
    """The register form's cleaned answers as Resident fields."""
    return {
        "family_name": cleaned["resident_name"]["family"], "given_name": cleaned["resident_name"]["given"],
        "family_name_kana": cleaned["resident_kana"]["family"], "given_name_kana": cleaned["resident_kana"]["given"],
        "birthdate": date.fromisoformat(cleaned["birthdate"]), "postal_code": cleaned["postal_code"] or "",
        "address": cleaned["address"], "phone": cleaned["phone"] or "",
    }


@staff_required()
@require_http_methods(["GET", "POST"])
def register(request: TownRequest) -> HttpResponse:
    form = _register_form()
    answers: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        answers = answers_from_post(form, request.POST)
        result = validate(form, answers)
        if result.is_valid:
            data = _resident_data(result.cleaned)
            outcome = attempt(request, lambda: services.register_resident_at_counter(
                request.municipality, data, staff=request.staff, request=request))
            resident = outcome.result
            if outcome.repeated:  # a double click: go on with the resident the first click registered
                resident = Resident.objects.filter(user=None, **data).order_by("-created_at").first()
            return HttpResponseRedirect(_url("-choose", resident.pk) if resident else _url(""))
        errors = result.errors
    return render(request, "applications/staff/counter/register.html",
                  {"form_html": render_page(form, answers, errors)}, status=400 if errors else 200)


# Choose the procedures --------------------------------------------------------------------------------------

def _online_procedures() -> list[Procedure]:
    return list(Procedure.objects.filter(is_published=True, current_form__isnull=False).select_related("category")
                .order_by("category__sort_order", "category__name", "sort_order", "title"))


def _bundles(online: list[Procedure]) -> list[dict[str, Any]]:
    """Life events with the procedures of theirs that can be filed now; events with none are left out."""
    ready = {p.pk: p for p in online}
    entries = LifeEventProcedure.objects.order_by("sort_order", "pk")
    bundles = []
    for event in LifeEvent.objects.prefetch_related(Prefetch("entries", queryset=entries)):
        procedures = [ready[e.procedure_id] for e in event.entries.all() if e.procedure_id in ready]
        if procedures:
            bundles.append({"event": event, "procedures": procedures})
    return bundles


@staff_required()
@require_http_methods(["GET", "POST"])
def choose(request: TownRequest, pk: int) -> HttpResponse:
    resident: Resident = get_object_or_404(Resident.objects.select_related("user"), pk=pk)
    online = _online_procedures()
    bundles = _bundles(online)
    chosen_event = next((b for b in bundles if b["event"].slug == request.GET.get("event")), None)
    ticked = {p.pk for p in chosen_event["procedures"]} if chosen_event else set()
    error = ""
    if request.method == "POST":
        ids = {number for v in request.POST.getlist("procedure") if (number := whole_number(v)) is not None}
        life_event = LifeEvent.objects.filter(slug=request.POST.get("life_event", "")).first()
        outcome = attempt(request, lambda: services.start_visit(
            resident, [p for p in online if p.pk in ids], staff=request.staff, life_event=life_event,
            request=request))
        if outcome.repeated:  # a double click: go on with the visit the first click started
            started = CounterVisit.objects.filter(resident=resident, staff=request.staff,
                                                  finished_at__isnull=True).order_by("-started_at").first()
            return HttpResponseRedirect(_url("-fill", started.public_id, 0) if started else _url(""))
        if outcome.refused is not None:
            error = outcome.refused.message
            ticked = ids
            chosen_event = next((b for b in bundles if life_event and b["event"].pk == life_event.pk), None)
        elif (visit := outcome.result) is not None:
            return HttpResponseRedirect(_url("-fill", visit.public_id, 0))
    audit.record_read(request, resident)
    return render(request, "applications/staff/counter/choose.html", {
        "resident": resident, "birthdate_era": era_year(resident.birthdate) if resident.birthdate else "",
        "bundles": bundles, "chosen_event": chosen_event, "online": online, "ticked": ticked, "error": error,
    }, status=400 if error else 200)


# Fill, confirm, done -----------------------------------------------------------------------------------------

def _visit(request: TownRequest, public_id: UUID) -> CounterVisit:
    visit: CounterVisit = get_object_or_404(CounterVisit.objects.select_related("resident", "staff"),
                                            public_id=public_id)
    if not services.may_use_visit(request.staff, visit):
        raise Http404
    return visit


def _fill_page(request: TownRequest, visit: CounterVisit, page: int, errors: dict[str, list[str]],
               status: int = 200, notice: str = "") -> HttpResponse:
    procedures = services.visit_procedures(visit)
    combined = services.combine_forms(procedures)
    form = combined.form
    if not 0 <= page < len(form.pages):
        raise Http404
    return render(request, "applications/staff/counter/fill.html", {
        "visit": visit, "procedures": procedures, "page": page, "page_number": page + 1,
        "page_count": len(form.pages), "title": form.pages[page].title,
        "shared_page": {f.name for f in form.pages[page].fields} <= combined.shared, "notice": notice,
        "form_html": render_page(form, visit.answers, errors, page=page,
                                 locked=services.locked_values(form, visit.resident)),
    }, status=status)


@staff_required()
@require_http_methods(["GET", "POST"])
def fill(request: TownRequest, public_id: UUID, page: int) -> HttpResponse:
    visit = _visit(request, public_id)
    if visit.finished_at is not None:
        return HttpResponseRedirect(_url("-done", visit.public_id))
    if request.method == "GET":
        return _fill_page(request, visit, page, {})
    form = services.combine_forms(services.visit_procedures(visit)).form
    if not 0 <= page < len(form.pages):
        raise Http404
    try:
        result = services.save_visit_page(visit, page, answers_from_post(form, request.POST, page=page))
    except Refused:  # filed from another tab meanwhile
        return HttpResponseRedirect(_url("-done", visit.public_id))
    if request.POST.get("action") == "back":
        return HttpResponseRedirect(_url("-fill", visit.public_id, max(page - 1, 0)))
    if not result.is_valid:
        return _fill_page(request, visit, page, result.errors, status=400)
    if page + 1 < len(form.pages):
        return HttpResponseRedirect(_url("-fill", visit.public_id, page + 1))
    return HttpResponseRedirect(_url("-confirm", visit.public_id))


RESIDENT = "resident"  # the posted `screen` of the resident's screen: after filing it shows the resident's result


@staff_required()
@require_http_methods(["GET", "POST"])
def confirm(request: TownRequest, public_id: UUID) -> HttpResponse:
    """The clerk's check before filing: 本人確認, the answers, the fees; from here the resident's screen opens."""
    visit = _visit(request, public_id)
    resident_screen = request.POST.get("screen") == RESIDENT
    if visit.finished_at is not None:
        return HttpResponseRedirect(_url("-resident-done" if resident_screen else "-done", visit.public_id))
    incomplete = services.first_incomplete_visit_page(visit)
    if request.method == "POST":
        outcome = attempt(request, lambda: services.file_visit(visit, staff=request.staff, request=request))
        if isinstance(outcome.refused, services.IdentityNotChecked):
            return _confirm_page(request, visit, incomplete[0] if incomplete else None, status=400,
                                 resident_screen=resident_screen, error=outcome.refused.message)
        # A second click, or another tab filed it first (a refusal): the result is on the done page either way.
        if isinstance(outcome.refused, services.Invalid):
            if incomplete is None:  # only a procedure's own check failed: the review below says which
                return _confirm_page(request, visit, None, status=400, resident_screen=resident_screen)
            return _fill_page(request, visit, incomplete[0], incomplete[1].errors, status=400,
                              notice=_("入力が済んでいない項目があります。確認してから、もう一度お進みください。"))
        return HttpResponseRedirect(_url("-resident-done" if resident_screen else "-done", visit.public_id))
    return _confirm_page(request, visit, incomplete[0] if incomplete else None)


@staff_required()
def resident_confirm(request: TownRequest, public_id: UUID) -> HttpResponse:
    """The same review for the resident to read on the turned screen: large, plain, no staff menu or details."""
    visit = _visit(request, public_id)
    if visit.finished_at is not None:
        return HttpResponseRedirect(_url("-resident-done", visit.public_id))
    incomplete = services.first_incomplete_visit_page(visit)
    return _confirm_page(request, visit, incomplete[0] if incomplete else None, resident_screen=True)


@staff_required()
@require_http_methods(["POST"])
def identity(request: TownRequest, public_id: UUID) -> HttpResponse:
    """本人確認: the clerk records which document they checked; filing waits for it."""
    visit = _visit(request, public_id)
    if visit.finished_at is not None:
        return HttpResponseRedirect(_url("-done", visit.public_id))
    document = request.POST.get("identity_document", "")
    note = request.POST.get("identity_note", "")[:500]
    outcome = attempt(request, lambda: services.record_identity_check(visit, document, note, staff=request.staff,
                                                                      request=request))
    if outcome.refused is not None:
        incomplete = services.first_incomplete_visit_page(visit)
        return _confirm_page(request, visit, incomplete[0] if incomplete else None, status=400,
                             identity_error=outcome.refused.message, typed={"document": document, "note": note})
    return HttpResponseRedirect(_url("-confirm", visit.public_id) + "#identity")


def _review(visit: CounterVisit) -> dict[str, Any]:
    """The answers as 申請 would file them: what all procedures share once, then each procedure's own, and fees."""
    review = services.visit_review(visit)
    shared = services.combine_forms([procedure for procedure, _result in review]).shared
    common: list[tuple[str, str]] = []
    shown: set[str] = set()
    sections = []
    for procedure, result in review:
        form = procedure.current_form.form  # type: ignore[union-attr]  # visit_review keeps only those with one
        # What several procedures share is shown once, as it was asked once.
        own_shared = {k: v for k, v in result.cleaned.items() if k in shared and k not in shown}
        common += render_answers(form, own_shared)
        shown |= own_shared.keys()
        labels = {f.name: f.label for f in form.all_fields()}
        sections.append({
            "procedure": procedure,
            "rows": render_answers(form, {k: v for k, v in result.cleaned.items() if k not in shared}),
            "problems": [f"{labels.get(key, key)}: {message}" for key, found in result.errors.items()
                         for message in found],
        })
    fee_items, fee_total = services.visit_fees(review)
    return {"common": common, "sections": sections, "fee_items": fee_items, "fee_total": fee_total}


def _confirm_page(request: TownRequest, visit: CounterVisit, incomplete_page: int | None, status: int = 200, *,
                  resident_screen: bool = False, error: str = "", identity_error: str = "",
                  typed: dict[str, str] | None = None) -> HttpResponse:
    audit.record_read(request, visit)
    context = _review(visit)
    ready = incomplete_page is None and not any(section["problems"] for section in context["sections"])
    template = "resident_confirm.html" if resident_screen else "confirm.html"
    recorded = {"document": visit.identity_document, "note": visit.identity_note}
    return render(request, f"applications/staff/counter/{template}", context | {
        "visit": visit, "incomplete_page": incomplete_page, "ready": ready, "error": error,
        "identity_error": identity_error, "identity_documents": IdentityDocument.choices,
        "note_max": services.IDENTITY_NOTE_MAX, "typed": typed or recorded,
        # Both refusals are about the record below: the summary links to its first choice.
        "error_list": [{"id": "id_identity_document-1", "label": _("本人確認の記録"), "message": error}]
        if error else [],
        "identity_errors": [{"id": "id_identity_document-1", "label": _("本人確認書類"), "message": identity_error}]
        if identity_error else [],
        "resident_errors": [error] if error else [],
    }, status=status)


@staff_required()
def done(request: TownRequest, public_id: UUID) -> HttpResponse:
    visit = _visit(request, public_id)
    if visit.finished_at is None:
        return HttpResponseRedirect(_url("-confirm", visit.public_id))
    return _done(request, visit)


def _done(request: TownRequest, visit: CounterVisit, pay_form: forms.Form | None = None) -> HttpResponse:
    submissions = visit.submissions.select_related("procedure", "department").order_by("reference")
    # Filing crosses departments; handling does not: the detail link is there only for those who may open it.
    rows = [{"submission": s, "may_handle": services.may_handle(request.staff, s)} for s in submissions]
    fee_lines = payments.visit_fee_lines(visit)
    return render(request, "applications/staff/counter/done.html", {
        "visit": visit, "rows": rows, "fee_lines": fee_lines, "fee_total": sum(yen or 0 for _t, yen in fee_lines),
        "fee_unknown": any(yen is None for _t, yen in fee_lines), "payment": payments.visit_summary(visit),
        "pay_form": pay_form or VisitPaymentForm(), "errors": error_summary(pay_form) if pay_form else [],
    }, status=400 if pay_form is not None else 200)


class VisitPaymentForm(forms.Form):
    method = forms.ChoiceField(label=gettext_lazy("受け取った方法"), widget=forms.RadioSelect, initial="cash",
                               choices=[("cash", gettext_lazy("現金")), ("qr", gettext_lazy("QRコード決済")),
                                        ("terminal", gettext_lazy("カード端末"))],
                               error_messages={"required": gettext_lazy("受け取った方法を選んでください。")})
    received = forms.IntegerField(label=gettext_lazy("お預かりした金額（円・現金のとき）"), required=False,
                                  min_value=0, error_messages={
                                      "invalid": gettext_lazy("金額は数字で入力してください。"),
                                      "min_value": gettext_lazy("金額は0円以上で入力してください。")})


@staff_required()
@require_POST
def pay(request: TownRequest, public_id: UUID) -> HttpResponse:
    """The clerk took the visit's fees: one counter payment for all its procedures, with its 領収書."""
    visit = _visit(request, public_id)
    if visit.finished_at is None:
        return HttpResponseRedirect(_url("-confirm", visit.public_id))
    form = VisitPaymentForm(request.POST)
    if form.is_valid():
        def done(paid: Any) -> str:
            received = form.cleaned_data["received"]
            change = _("おつり %(yen)s円。") % {"yen": f"{received - paid.amount:,}"} if received else ""
            return _("手数料 %(yen)s円を受け取りました。") % {"yen": f"{paid.amount:,}"} + change

        response = act_once(request, lambda: payments.take_visit_fees(
            request.staff, visit, method=form.cleaned_data["method"], received=form.cleaned_data["received"]),
            done=done, back=_url("-done", visit.public_id), form=form)
        if response is not None:
            return response
    return _done(request, visit, pay_form=form)


@staff_required()
def resident_done(request: TownRequest, public_id: UUID) -> HttpResponse:
    """What the resident sees once filed: the 受付番号 of each procedure, in plain words, without staff links."""
    visit = _visit(request, public_id)
    if visit.finished_at is None:
        return HttpResponseRedirect(_url("-resident", visit.public_id))
    submissions = list(visit.submissions.select_related("procedure").order_by("reference"))
    return render(request, "applications/staff/counter/resident_done.html",
                  {"visit": visit, "submissions": submissions})


@staff_required()
def resident_copy(request: TownRequest, public_id: UUID, pk: int) -> HttpResponse:
    """申請者控え of one submission of the visit, for the clerk to print and hand over, whatever its department."""
    visit = _visit(request, public_id)
    submission = get_object_or_404(visit.submissions.select_related("procedure", "form_version"), pk=pk)
    audit.record("applications.submission.printed", municipality=request.municipality, actor=request.user,
                 obj=submission, request=request, data={"copy": "applicant"})
    return bytes_response(exports.submission_pdf(submission), content_type="application/pdf",
                          filename=f"{submission.reference}.pdf", inline=True)


urlpatterns = [
    path("applications/counter/", start, name="applications-counter"),
    path("applications/counter/residents/new/", register, name="applications-counter-register"),
    path("applications/counter/residents/<int:pk>/", choose, name="applications-counter-choose"),
    path("applications/counter/visits/<uuid:public_id>/page/<int:page>/", fill, name="applications-counter-fill"),
    path("applications/counter/visits/<uuid:public_id>/confirm/", confirm, name="applications-counter-confirm"),
    path("applications/counter/visits/<uuid:public_id>/identity/", identity, name="applications-counter-identity"),
    path("applications/counter/visits/<uuid:public_id>/resident/", resident_confirm,
         name="applications-counter-resident"),
    path("applications/counter/visits/<uuid:public_id>/done/", done, name="applications-counter-done"),
    path("applications/counter/visits/<uuid:public_id>/pay/", pay, name="applications-counter-pay"),
    path("applications/counter/visits/<uuid:public_id>/resident/done/", resident_done,
         name="applications-counter-resident-done"),
    path("applications/counter/visits/<uuid:public_id>/copy/<int:pk>/", resident_copy,
         name="applications-counter-copy"),
]

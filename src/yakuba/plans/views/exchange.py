"""Staff pages that move a plan in and out as files: .xlsx import (情報担当; a new plan, or replacing one after a
confirmation showing what changes), .xlsx export and the empty template, and the council reports (request, list,
download)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.audit import services as audit
from yakuba.kernel.files.http import bytes_response, private_file_response
from yakuba.kernel.files.uploads import private_storage
from yakuba.kernel.http import TownRequest
from yakuba.kernel.refusal import Refused
from yakuba.kernel.ui.actions import act_once, attempt, error_summary

from .. import interchange, spreadsheet
from .. import report as council_report
from ..models import Plan, Report, ReportFormat, ReportState
from ..periods import fiscal_year, wareki
from ..services import exchange, reports
from ..spreadsheet import CellProblem, SpreadsheetRejected

PENDING_KEY = "plans.import.pending"
REPORT_LIST_LIMIT = 50


# Import ---------------------------------------------------------------------------------------------------------

def _grouped(problems: list[CellProblem]) -> list[tuple[str, list[CellProblem]]]:
    groups: dict[str, list[CellProblem]] = {}
    for problem in problems:
        groups.setdefault(problem.sheet or _("ファイル"), []).append(problem)
    return list(groups.items())


def _import_page(request: TownRequest, *, problems: list[CellProblem] | None = None,
                 error: str = "", status: int = 200) -> HttpResponse:
    errors = [{"id": "id_file", "label": _("ファイル"), "message": error}] if error else []
    if problems:
        errors = [{"id": "problems", "label": _("ファイルの内容"),
                   "message": _("%(n)d 件の問題があります。下の一覧を直してから、もう一度選んでください。")
                   % {"n": len(problems)}}]
    return render(request, "plans/staff/import.html", {
        "errors": errors, "file_error": error, "groups": _grouped(problems or []),
        "problem_count": len(problems or []), "plans": Plan.objects.all(),
    }, status=status)


@staff_required(role=Role.ADMIN)
def plan_import(request: TownRequest) -> HttpResponse:
    if request.method != "POST":
        return _import_page(request)
    if request.POST.get("step") == "confirm":
        return _confirm(request)
    upload = request.FILES.get("file")
    if upload is None:
        return _import_page(request, error=_("取り込む Excel ファイル（.xlsx）を選んでください。"), status=400)
    if (upload.size or 0) > spreadsheet.MAX_BYTES:
        return _import_page(request, error=_("ファイルが大きすぎます（上限 5MB）。"), status=400)
    try:
        data = spreadsheet.read(upload)
    except SpreadsheetRejected as rejected:
        return _import_page(request, problems=rejected.problems, status=400)
    existing = Plan.objects.filter(slug=data["slug"]).first()
    if existing is None:
        return _save_new(request, data)
    stored = exchange.hold_upload(request.municipality, upload.read())
    request.session[PENDING_KEY] = {"file": stored, "slug": existing.slug, "name": upload.name or ""}
    return _confirm_page(request, existing, data)


def _refused_page(request: TownRequest, refusal: Refused) -> HttpResponse:
    if isinstance(refusal, SpreadsheetRejected):
        return _import_page(request, problems=refusal.problems, status=400)
    return _import_page(request, error=refusal.message, status=400)


def _save_new(request: TownRequest, data: dict[str, Any]) -> HttpResponse:
    # A second click comes back to this page (the import's own URL) saying it was already done.
    response = act_once(request, lambda: exchange.import_plan(request.staff, data, request=request),
                        done=lambda plan: _("「%(title)s」を取り込みました。") % {"title": plan.title},
                        back=lambda plan: reverse("staff:plan-report", args=[plan.slug]),
                        refused=lambda refusal: _refused_page(request, refusal))
    assert response is not None  # without a form, act_once always answers
    return response


def _change_rows(existing: Plan, data: dict[str, Any]) -> list[dict[str, Any]]:
    before = spreadsheet.counts(interchange.dump(existing))
    after = spreadsheet.counts(data)
    return [{"label": _(label), "before": before[key], "after": after[key], "changed": before[key] != after[key]}
            for key, label in spreadsheet.COUNT_LABELS.items()]


def _confirm_page(request: TownRequest, existing: Plan, data: dict[str, Any]) -> HttpResponse:
    return render(request, "plans/staff/import_confirm.html", {
        "plan": existing, "data": data, "rows": _change_rows(existing, data),
        "name": request.session.get(PENDING_KEY, {}).get("name", ""),
    })


def _confirm(request: TownRequest) -> HttpResponse:
    pending = request.session.get(PENDING_KEY)
    plan = Plan.objects.filter(slug=pending["slug"]).first() if pending else None
    if not pending or plan is None or request.POST.get("slug") != plan.slug:
        messages.error(request, _("置き換えるファイルが見つかりません。もう一度ファイルを選んでください。"))
        return HttpResponseRedirect(reverse("staff:plan-import"))
    try:
        with private_storage().open(pending["file"], "rb") as stored:
            content = stored.read()
    except OSError:
        return _cannot_import(request)
    outcome = attempt(request, lambda: exchange.import_plan(request.staff, spreadsheet.read(content), replace=plan,
                                                             request=request))
    if outcome.repeated:
        messages.info(request, _("この操作はすでに受け付けています。"))
        return HttpResponseRedirect(reverse("staff:plan-import"))
    if outcome.result is None:
        return _cannot_import(request)
    _drop_pending(request)
    messages.success(request, _("「%(title)s」を置き換えました。") % {"title": outcome.result.title})
    return HttpResponseRedirect(reverse("staff:plan-report", args=[outcome.result.slug]))


def _cannot_import(request: TownRequest) -> HttpResponse:
    messages.error(request, _("ファイルを取り込めませんでした。もう一度ファイルを選んでください。"))
    return HttpResponseRedirect(reverse("staff:plan-import"))


def _drop_pending(request: TownRequest) -> None:
    pending = request.session.pop(PENDING_KEY, None)
    if pending:
        exchange.release_upload(pending["file"])


@staff_required(role=Role.ADMIN)
@require_GET
def plan_template(request: TownRequest) -> HttpResponse:
    return bytes_response(spreadsheet.template(), content_type=spreadsheet.CONTENT_TYPE,
                          filename=_("DX推進計画_ひな形.xlsx"))


# Export ---------------------------------------------------------------------------------------------------------

@staff_required(role=Role.STAFF)
@require_GET
def plan_export(request: TownRequest, slug: str) -> HttpResponse:
    plan = get_object_or_404(Plan, slug=slug)
    content = spreadsheet.export(plan)
    audit.record("plans.exported", municipality=request.municipality, actor=request.user, obj=plan,
                 request=request, data={"size": len(content)})
    return bytes_response(content, content_type=spreadsheet.CONTENT_TYPE, filename=f"{plan.slug}.xlsx")


# Council reports ------------------------------------------------------------------------------------------------

class ReportForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("年度"), coerce=int, error_messages={
        "required": gettext_lazy("年度を選んでください。"),
        "invalid_choice": gettext_lazy("年度を選び直してください。")})
    format = forms.ChoiceField(label=gettext_lazy("形式"), choices=ReportFormat.choices, widget=forms.RadioSelect,
                               initial=ReportFormat.PDF, error_messages={
                                   "required": gettext_lazy("形式を選んでください。"),
                                   "invalid_choice": gettext_lazy("形式を選び直してください。")})

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["year"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(year, f"{wareki(year)}（{year}）") for year in plan.years]
        current = fiscal_year(timezone.localdate())
        self.initial.setdefault("year", min(max(current - 1, plan.start_year), plan.end_year))


@staff_required(role=Role.STAFF)
def plan_report(request: TownRequest, slug: str) -> HttpResponse:
    plan = get_object_or_404(Plan, slug=slug)
    form = ReportForm(request.POST if request.method == "POST" else None, plan=plan)
    if request.method == "POST" and form.is_valid():
        year, fmt = form.cleaned_data["year"], form.cleaned_data["format"]
        done = act_once(request, lambda: reports.request_report(request.staff, plan, year, fmt),
                        done=_("報告書の作成を始めました。数十秒ほどで下の一覧からダウンロードできます。"),
                        back=reverse("staff:plan-report", args=[plan.slug]), form=form)
        if done is not None:
            return done
    errors = error_summary(form)
    rows = list(Report.objects.filter(plan=plan).select_related("requested_by__user")[:REPORT_LIST_LIMIT])
    return render(request, "plans/staff/report.html", {
        "plan": plan, "form": form, "errors": errors, "reports": rows,
        "pending": any(r.state == ReportState.PENDING for r in rows),
    }, status=400 if form.is_bound else 200)


@staff_required(role=Role.STAFF)
@require_GET
def plan_report_file(request: TownRequest, pk: int) -> HttpResponseBase:
    row: Report = get_object_or_404(Report.objects.select_related("plan"), pk=pk, state=ReportState.READY)
    audit.record("plans.report_downloaded", municipality=request.municipality, actor=request.user, obj=row,
                 request=request, data={"plan": row.plan.slug, "year": row.year, "format": row.format})
    return private_file_response(row.file, content_type=council_report.CONTENT_TYPES[ReportFormat(row.format)],
                                 filename=council_report.filename(row))


urlpatterns = [
    path("plans/import/", plan_import, name="plan-import"),
    path("plans/import/template.xlsx", plan_template, name="plan-template"),
    path("plans/<slug:slug>/export.xlsx", plan_export, name="plan-export"),
    path("plans/<slug:slug>/report/", plan_report, name="plan-report"),
    path("plans/reports/<int:pk>/", plan_report_file, name="plan-report-file"),
]

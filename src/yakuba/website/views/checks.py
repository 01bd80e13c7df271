"""Staff pages of アクセシビリティ点検 and 移行: the town's report (every public page's live version checked, by
page and 課, with the counts per rule), and the import of an old site's saved pages (upload, the check of every file,
the clerk's confirmation, the progress and the result)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, URLPattern, URLResolver, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yakuba.kernel.accounts.models import Department, Role
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.http import TownRequest
from yakuba.kernel.refusal import Refused
from yakuba.kernel.ui.actions import act_once, add_refusal, attempt, error_summary

from ..models import ImportRun, Page
from ..services import checks, importing

PER_PAGE = 50


# アクセシビリティ点検 ----------------------------------------------------------------------------------------

def _page_link(page: Page) -> str:
    """The page's editor (the lead's `staff:website-page-edit`), else its public page, else nothing."""
    for name, value in (("staff:website-page-edit", page.pk), ("website:page", page.path)):
        try:
            return reverse(name, args=[value])
        except NoReverseMatch:
            continue
    return ""


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@staff_required(role=Role.STAFF)
def report(request: TownRequest) -> HttpResponse:
    """アクセシビリティ点検: the pages of the staff member's 課 (every 課 for 情報担当) with what to fix."""
    staff = request.staff
    everyone = staff.role >= Role.ADMIN
    department = _int(request.GET.get("department")) if everyone else None
    severity = request.GET.get("severity", "")
    severity = severity if severity in (checks.ERROR, checks.WARNING) else ""
    drafts = request.GET.get("drafts") == "1"
    result = checks.report(staff, department=department, severity=severity, drafts=drafts)
    page = Paginator(result.rows, PER_PAGE).get_page(request.GET.get("page"))
    for row in page.object_list:
        row.link = _page_link(row.page)  # type: ignore[attr-defined]
    return render(request, "website/staff/checks_report.html", {
        "report": result, "page": page, "everyone": everyone, "department": department, "severity": severity,
        "drafts": drafts, "departments": Department.objects.all() if everyone else [staff.department],
        "with_errors": sum(1 for row in result.rows if row.errors)})


# 移行 --------------------------------------------------------------------------------------------------------------

class ImportForm(forms.Form):
    archive = forms.FileField(label=gettext_lazy("保存したページのZIPファイル"), error_messages={
        "required": gettext_lazy("ZIPファイルを選んでください。")},
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}))
    listing = forms.FileField(label=gettext_lazy("URLの一覧（CSV、任意）"), required=False, help_text=gettext_lazy(
        "1行目を「url,file」とし、各ページの元のURLとZIPの中のファイル名を書きます。ZIPの中に urls.csv として"
        "入れても構いません。"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}))
    base_url = forms.URLField(label=gettext_lazy("元のサイトのアドレス"), required=False, max_length=300,
                              assume_scheme="https", help_text=gettext_lazy(
                                  "一覧がないときは、ZIPの中のファイルの場所をこのアドレスの下のURLとみなします"
                                  "（例：https://www.town.example.lg.jp/）。"),
                              error_messages={"invalid": gettext_lazy("https:// で始まるアドレスを入力してください。")})
    department: forms.ModelChoiceField[Department] = forms.ModelChoiceField(
        label=gettext_lazy("担当課"), queryset=Department.objects.none(),
        empty_label=gettext_lazy("（選んでください）"),
        help_text=gettext_lazy("取り込んだページを受け持つ課です。あとでページごとに変えられます。"),
        error_messages={"required": gettext_lazy("担当課を選んでください。"),
                        "invalid_choice": gettext_lazy("担当課を選び直してください。")})
    parent: forms.ModelChoiceField[Page] = forms.ModelChoiceField(
        label=gettext_lazy("取り込む場所（親ページ）"), queryset=Page.objects.none(), required=False,
        empty_label=gettext_lazy("（いちばん上）"),
        error_messages={"invalid_choice": gettext_lazy("親ページを選び直してください。")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.all()  # type: ignore[attr-defined]
        self.fields["parent"].queryset = Page.objects.filter(  # type: ignore[attr-defined]
            retired_at__isnull=True).order_by("path")
        self.fields["parent"].label_from_instance = lambda page: page.path  # type: ignore[attr-defined]


def _import_page(request: TownRequest, form: ImportForm, *, status: int = 200) -> HttpResponse:
    return render(request, "website/staff/import_form.html", {
        "form": form, "errors": error_summary(form), "runs": ImportRun.objects.select_related(
            "started_by", "department")[:20], "max_mb": importing.max_bytes() // (1024 * 1024),
        "max_files": importing.MAX_FILES}, status=status)


@staff_required(role=Role.ADMIN)
def import_start(request: TownRequest) -> HttpResponse:
    """移行: the upload form; a posted ZIP is checked as a whole, then each page is read (now, or by a task)."""
    if request.method != "POST":
        return _import_page(request, ImportForm(initial={"department": request.staff.department_id}))
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, form, status=400)
    data = form.cleaned_data
    listing = data["listing"].read() if data["listing"] else None
    outcome = attempt(request, lambda: _started(request, data, listing))
    if outcome.refused is not None:
        add_refusal(form, outcome.refused)
        return _import_page(request, form, status=400)
    if outcome.repeated or outcome.result is None:
        return HttpResponseRedirect(reverse("staff:website-import"))
    return HttpResponseRedirect(reverse("staff:website-import-run", args=[outcome.result.pk]))


def _started(request: TownRequest, data: dict[str, Any], listing: bytes | None) -> ImportRun:
    run = importing.start(request.staff, data["archive"], department=data["department"], parent=data["parent"],
                          base_url=data["base_url"] or "", listing=listing)
    importing.start_checking(run)
    return run


def _run(pk: int) -> ImportRun:
    run: ImportRun = get_object_or_404(ImportRun.objects.select_related("started_by", "department", "parent"), pk=pk)
    return run


@staff_required(role=Role.ADMIN)
def import_run(request: TownRequest, pk: int) -> HttpResponse:
    """One run: its progress while pages are read or created; then what is ready and what is refused (and the
    button that imports the ready ones), or what was imported."""
    run = _run(pk)
    phase = importing.phase(run)
    entries = run.report
    shown = request.GET.get("show", "")
    if shown in ("ready", "refused", "imported"):
        states = {"ready": ("ready", "queued", "imported"), "refused": ("refused",), "imported": ("imported",)}[shown]
        entries = [entry for entry in entries if entry.get("state") in states]
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    return render(request, "website/staff/import_run.html", {
        "run": run, "phase": phase, "counts": importing.counts(run), "page": page, "show": shown,
        "pending": phase in ("checking", "importing")})


@staff_required(role=Role.ADMIN)
@require_POST
def import_confirm(request: TownRequest, pk: int) -> HttpResponse:
    """「問題のないN件を取り込む」."""
    run = _run(pk)
    back = reverse("staff:website-import-run", args=[run.pk])

    def confirmed() -> int:
        queued = importing.confirm(request.staff, run)
        importing.start_importing(run, queued)
        return queued

    return act_once(request, confirmed, back=back, done=lambda n: _("%(n)s件の取り込みを始めました。") % {"n": n},
                    refused=lambda error: _refused(request, run, error))


def _refused(request: TownRequest, run: ImportRun, error: Refused) -> HttpResponse:
    run.refresh_from_db()
    return render(request, "website/staff/import_run.html", {
        "run": run, "phase": importing.phase(run), "counts": importing.counts(run), "show": "",
        "page": Paginator(run.report, 100).get_page(1), "errors": error_summary(refused=error)}, status=400)


@staff_required(role=Role.ADMIN)
@require_POST
def import_cancel(request: TownRequest, pk: int) -> HttpResponse:
    """取り込まずに終える: the checked run ends and its ZIP is deleted."""
    run = _run(pk)
    return act_once(request, lambda: importing.cancel(request.staff, run), back=reverse("staff:website-import"),
                    done=_("取り込まずに終えました。"), refused=lambda error: _refused(request, run, error))


staff_urlpatterns: list[URLPattern | URLResolver] = [
    path("website/checks/", report, name="website-checks"),
    path("website/import/", import_start, name="website-import"),
    path("website/import/<int:pk>/", import_run, name="website-import-run"),
    path("website/import/<int:pk>/confirm/", import_confirm, name="website-import-confirm"),
    path("website/import/<int:pk>/cancel/", import_cancel, name="website-import-cancel"),
]

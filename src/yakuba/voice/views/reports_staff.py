"""The staff's pages of 通報: the triage list of the 課 (by status and category), a report with its photos and the
private contact (an audited read), and its actions (accept and assign, 対応中 / 対応済 with the public answer and an
after-photo, merge into another report, hide from the public); the categories; the Open311 clients (情報担当)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django import forms
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yakuba.kernel.accounts.models import Department, Role, Staff
from yakuba.kernel.accounts.permissions import can, staff_required
from yakuba.kernel.audit.services import record_read
from yakuba.kernel.files.http import private_file_response
from yakuba.kernel.forms.render import render_answers
from yakuba.kernel.http import TownRequest
from yakuba.kernel.refusal import Refused
from yakuba.kernel.ui.actions import act_once, attempt, error_summary

from ..models import Open311Client, Report, ReportCategory, ReportPhoto, ReportStatus
from ..services import reports as services


def _report(request: TownRequest, uuid: UUID) -> Report:
    report = services.visible(request.staff).filter(uuid=uuid).first()
    if report is None:
        raise Http404
    return report


@staff_required(role=Role.STAFF)
def inbox(request: TownRequest) -> HttpResponse:
    rows = services.visible(request.staff).filter(duplicate_of__isnull=True)
    status, code = request.GET.get("status", "open"), request.GET.get("category", "")
    if status == "open":
        rows = rows.exclude(status=ReportStatus.DONE)
    elif status in ReportStatus.values:
        rows = rows.filter(status=status)
    if code:
        rows = rows.filter(category__code=code)
    return render(request, "voice/staff/reports/inbox.html", {
        "reports": rows[:200], "status": status, "category": code,
        "statuses": [("open", _("未完了")), *ReportStatus.choices, ("all", _("すべて"))],
        "categories": ReportCategory.objects.all(), "new": services.new_count(request.staff)})


class AcceptForm(forms.Form):
    department: forms.ModelChoiceField[Department] = forms.ModelChoiceField(
        label=gettext_lazy("担当課"), queryset=Department.objects.none())
    assignee: forms.ModelChoiceField[Staff] = forms.ModelChoiceField(
        label=gettext_lazy("担当者（任意）"), queryset=Staff.objects.none(), required=False)
    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.all()  # type: ignore[attr-defined]
        self.fields["assignee"].queryset = Staff.objects.filter(is_active=True)  # type: ignore[attr-defined]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("状況"), choices=[
        (ReportStatus.IN_PROGRESS.value, ReportStatus.IN_PROGRESS.label),
        (ReportStatus.DONE.value, ReportStatus.DONE.label)], widget=forms.RadioSelect)
    answer = forms.CharField(label=gettext_lazy("住民への回答（公開されます）"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=gettext_lazy("対応済にするときは必須です。個人の情報は書かないでください。"))
    after_photo = forms.FileField(label=gettext_lazy("対応後の写真（任意）"), required=False)
    revision = forms.IntegerField(widget=forms.HiddenInput)


class MergeForm(forms.Form):
    original = forms.CharField(label=gettext_lazy("統合先の受付番号"), max_length=20,
                               help_text=gettext_lazy("例：2026-00012"))
    revision = forms.IntegerField(widget=forms.HiddenInput)


class HideForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("非公開にする理由"), max_length=200, required=False)
    hidden = forms.BooleanField(required=False, widget=forms.HiddenInput)
    revision = forms.IntegerField(widget=forms.HiddenInput)


def _detail(request: TownRequest, report: Report, *, status: int = 200, **forms_: Any) -> HttpResponse:
    record_read(request, report, fields=["name", "email", "phone"])
    initial = {"revision": report.revision}
    definition = report.category.form
    context = {
        "report": report, "photos": list(report.photos.all()),
        "rows": render_answers(definition, report.answers) if definition else [],
        "events": report.events.select_related("by"), "duplicates": report.duplicates.all(),
        "accept_form": forms_.get("accept_form") or AcceptForm(initial={
            **initial, "department": report.department_id, "assignee": report.assignee_id}),
        "status_form": forms_.get("status_form") or StatusForm(initial={
            **initial, "status": ReportStatus.IN_PROGRESS if report.status == ReportStatus.RECEIVED else
            ReportStatus.DONE, "answer": report.public_answer}),
        "merge_form": forms_.get("merge_form") or MergeForm(initial=initial),
        "hide_form": forms_.get("hide_form") or HideForm(initial={**initial, "hidden": not report.hidden}),
    }
    bound = next((f for f in forms_.values() if f is not None and f.is_bound), None)
    context["errors"] = error_summary(bound) if bound is not None else []
    return render(request, "voice/staff/reports/detail.html", context, status=status)


@staff_required(role=Role.STAFF)
def detail(request: TownRequest, uuid: UUID) -> HttpResponse:
    return _detail(request, _report(request, uuid))


def _back(report: Report) -> str:
    return reverse("staff:voice-report", args=[report.uuid])


@staff_required(role=Role.STAFF)
@require_POST
def accept(request: TownRequest, uuid: UUID) -> HttpResponse:
    report = _report(request, uuid)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        return _detail(request, report, accept_form=form, status=400)
    data = form.cleaned_data
    return act_once(request, lambda: services.accept(request.staff, report, revision=data["revision"],
                                                     department=data["department"], assignee=data["assignee"]),
                    done=_("担当を決めました。"), back=_back(report), form=form) or _detail(
        request, report, accept_form=form, status=400)


@staff_required(role=Role.STAFF)
@require_POST
def set_status(request: TownRequest, uuid: UUID) -> HttpResponse:
    report = _report(request, uuid)
    form = StatusForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, report, status_form=form, status=400)
    data = form.cleaned_data

    def act() -> Report:
        photo = services.stash_photo(request.municipality, data["after_photo"]) if data["after_photo"] else None
        try:
            return services.set_status(request.staff, report, data["status"], answer=data["answer"],
                                       revision=data["revision"], after_photo=photo)
        except Refused:
            if photo is not None:
                services.drop_stashed([photo.path])
            raise

    return act_once(request, act, done=_("状況を更新しました。"), back=_back(report), form=form) or _detail(
        request, report, status_form=form, status=400)


@staff_required(role=Role.STAFF)
@require_POST
def merge(request: TownRequest, uuid: UUID) -> HttpResponse:
    report = _report(request, uuid)
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _detail(request, report, merge_form=form, status=400)
    data = form.cleaned_data
    original = Report.objects.filter(number=data["original"].strip()).first()
    if original is None:
        form.add_error("original", _("その受付番号の通報はありません。"))
        return _detail(request, report, merge_form=form, status=400)
    return act_once(request, lambda: services.merge(request.staff, report, original, revision=data["revision"]),
                    done=_("通報を統合しました。"), back=_back(report), form=form) or _detail(
        request, report, merge_form=form, status=400)


@staff_required(role=Role.STAFF)
@require_POST
def hide(request: TownRequest, uuid: UUID) -> HttpResponse:
    report = _report(request, uuid)
    form = HideForm(request.POST)
    if not form.is_valid():
        return _detail(request, report, hide_form=form, status=400)
    data = form.cleaned_data
    return act_once(request, lambda: services.hide(request.staff, report, data["reason"], hidden=data["hidden"],
                                                   revision=data["revision"]),
                    done=_("公開の設定を変えました。"), back=_back(report), form=form) or _detail(
        request, report, hide_form=form, status=400)


@staff_required(role=Role.STAFF)
def photo(request: TownRequest, uuid: UUID) -> HttpResponseBase:
    row = ReportPhoto.objects.select_related("report").filter(uuid=uuid).first()
    if row is None or not services.visible(request.staff).filter(pk=row.report_id).exists():
        raise Http404
    return private_file_response(row.path, content_type=row.content_type, filename=f"{row.uuid}.jpg", inline=True)


# Categories -------------------------------------------------------------------------------------------------------

class CategoryForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("コード"), max_length=40,
                           help_text=gettext_lazy("半角英数字。Open311 の service_code になります。例：streetlight"))
    name = forms.CharField(label=gettext_lazy("名前"), max_length=60)
    name_en = forms.CharField(label=gettext_lazy("英語名"), max_length=100, required=False)
    description = forms.CharField(label=gettext_lazy("説明"), max_length=300, required=False)
    department: forms.ModelChoiceField[Department] = forms.ModelChoiceField(
        label=gettext_lazy("担当課"), queryset=Department.objects.none())
    definition = forms.CharField(label=gettext_lazy("質問（フォームの定義 JSON）"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 10}))
    active = forms.BooleanField(label=gettext_lazy("受付中"), required=False, initial=True)
    sort_order = forms.IntegerField(label=gettext_lazy("表示順"), min_value=0, max_value=999, initial=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.all()  # type: ignore[attr-defined]

    def clean_definition(self) -> Any:
        raw = self.cleaned_data.get("definition", "").strip()
        if not raw:
            return {}
        try:
            return json.loads(raw)
        except ValueError:
            raise forms.ValidationError(_("JSON として読めません。")) from None


@staff_required(role=Role.STAFF)
def categories(request: TownRequest) -> HttpResponse:
    return render(request, "voice/staff/reports/categories.html",
                  {"categories": ReportCategory.objects.select_related("department"),
                   "can_add": can(request.staff, Role.ADMIN)})


@staff_required(role=Role.STAFF)
def category_edit(request: TownRequest, pk: int | None = None) -> HttpResponse:
    category = ReportCategory.objects.filter(pk=pk).first() if pk is not None else None
    if pk is not None and category is None:
        raise Http404
    initial = {} if category is None else {
        "code": category.code, "name": category.name, "name_en": category.name_en,
        "description": category.description, "department": category.department_id,
        "definition": json.dumps(category.definition, ensure_ascii=False, indent=2) if category.definition else "",
        "active": category.active, "sort_order": category.sort_order}
    form = CategoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = act_once(request, lambda: services.save_category(request.staff, category, **data),
                            done=_("通報の種類を保存しました。"), back=reverse("staff:voice-report-categories"),
                            form=form)
        if response is not None:
            return response
    return render(request, "voice/staff/reports/category_form.html",
                  {"form": form, "category": category, "errors": error_summary(form)},
                  status=400 if form.is_bound else 200)


# Open311 clients --------------------------------------------------------------------------------------------------

class ClientForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("クライアント名"), max_length=100,
                           help_text=gettext_lazy("例：〇〇市民アプリ、集約サイト"))


@staff_required(role=Role.ADMIN)
def clients(request: TownRequest) -> HttpResponse:
    form = ClientForm(request.POST or None)
    key = ""
    status = 200
    if request.method == "POST" and "toggle" in request.POST:
        toggle = request.POST.get("toggle", "")
        client = Open311Client.objects.filter(pk=int(toggle)).first() if toggle.isdigit() else None
        if client is None:
            raise Http404
        return act_once(request, lambda: services.set_client_active(request.staff, client, not client.active),
                        done=_("クライアントの設定を変えました。"), back=reverse("staff:voice-open311-clients"))
    if request.method == "POST" and form.is_valid():
        outcome = attempt(request, lambda: services.create_client(request.staff, form.cleaned_data["name"]))
        if outcome.result is not None:
            key = outcome.result[1]  # shown once, on this response only
            form = ClientForm()
        elif outcome.refused is not None:
            form.add_error("name", outcome.refused.message)
            status = 400
    elif request.method == "POST":
        status = 400
    response = render(request, "voice/staff/reports/clients.html", {
        "form": form, "errors": error_summary(form), "key": key,
        "clients": Open311Client.objects.all(),
        "endpoint": request.municipality.absolute_url(reverse("voice:open311-services", kwargs={"fmt": "json"})),
    }, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("voice/reports/", inbox, name="voice-reports"),
    path("voice/reports/categories/", categories, name="voice-report-categories"),
    path("voice/reports/categories/new/", category_edit, name="voice-report-category-new"),
    path("voice/reports/categories/<int:pk>/", category_edit, name="voice-report-category"),
    path("voice/reports/open311/", clients, name="voice-open311-clients"),
    path("voice/reports/photos/<uuid:uuid>/", photo, name="voice-report-photo"),
    path("voice/reports/<uuid:uuid>/", detail, name="voice-report"),
    path("voice/reports/<uuid:uuid>/accept/", accept, name="voice-report-accept"),
    path("voice/reports/<uuid:uuid>/status/", set_status, name="voice-report-status"),
    path("voice/reports/<uuid:uuid>/merge/", merge, name="voice-report-merge"),
    path("voice/reports/<uuid:uuid>/hide/", hide, name="voice-report-hide"),
]

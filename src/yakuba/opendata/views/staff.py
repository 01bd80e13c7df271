"""Staff pages of オープンデータ: the town's datasets, a dataset's working rows (a form per row, made from its schema),
importing a CSV/XLSX file, publishing, a dataset's settings (情報担当) and refreshing the generated datasets."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import escape
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yakuba.kernel.accounts.models import Department, Role
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.http import TownRequest
from yakuba.kernel.refusal import Refused
from yakuba.kernel.ui.actions import act_once, add_refusal, attempt, error_summary

from .. import definitions, worklist
from ..definitions import LATITUDE, LONGITUDE, TOWN_CODE, TOWN_NAME, Column, Definition
from ..models import Dataset, Licence, Row, Upload, UploadState
from ..services import catalogue, editing
from ..services.tables import Problem
from .public import formats

PAGE_SIZE = 50
HIDDEN = (TOWN_CODE, TOWN_NAME)  # filled in for the town; the form never asks
ADDRESS_COLUMNS = ("所在地_連結表記", "住所", "所在地")
PLACE = ("町字ID", "建物名等(方書)", LATITUDE, LONGITUDE, "郵便番号", "標高", "場所名称", "高度の種別", "高度の値")
CONTACT = ("電話番号", "内線番号", "FAX番号")
LONG_TEXT = ("説明", "概要", "備考", "説明_英語", "概要_英語", "データ概要")
HELP_LENGTH = 80
ALREADY = gettext_lazy("この操作はすでに受け付けています。")
SAVED = gettext_lazy("「%(key)s」を保存しました。「公開する」を押すまで住民向けのデータは変わりません。")
DELETED = gettext_lazy("「%(key)s」を削除しました。「公開する」を押すと住民向けのデータからも消えます。")


# Lookups ----------------------------------------------------------------------------------------------------------

def _dataset(request: TownRequest, kind: str) -> tuple[Dataset, Definition]:
    """The town's dataset of `kind` (made if the town lacks it) and its definition; 404 for unknown kinds."""
    defn = definitions.get(kind)
    if defn is None:
        raise Http404
    found = Dataset.objects.select_related("department").filter(kind=kind).first()
    if found is None:
        catalogue.ensure_datasets(request.municipality)
        found = Dataset.objects.select_related("department").get(kind=kind)
    return found, defn


def _editable(request: TownRequest, dataset: Dataset, defn: Definition) -> None:
    if editing.may_edit(request.staff, dataset):
        return
    if defn.generated:
        raise PermissionDenied(_("このデータセットは町のシステムから自動で作られるため、画面からは編集できません。"))
    raise PermissionDenied(_("このデータセットを編集できるのは担当課の職員と情報担当です。"))


def _dataset_url(kind: str, anchor: str = "") -> str:
    return reverse("staff:opendata-dataset", args=[kind]) + (f"#{anchor}" if anchor else "")


def _address_column(defn: Definition) -> str | None:
    return next((c for c in ADDRESS_COLUMNS if c in defn.names), None)


# The row form -----------------------------------------------------------------------------------------------------

def _group(column: Column) -> str:
    name = column.name
    if name.startswith("所在地") or name in PLACE:
        return "place"
    if name.startswith("連絡先") or name in CONTACT:
        return "contact"
    return "other"


GROUP_TITLES = {"basic": gettext_lazy("基本の情報"), "place": gettext_lazy("所在地と位置（緯度・経度）"),
                "contact": gettext_lazy("連絡先"), "other": gettext_lazy("その他の情報")}


class RowForm(forms.Form):
    """One field per column of the dataset's schema (except the town's own code and name); each field is named
    `c<index of the column>` so that ids stay plain ASCII."""

    def __init__(self, data: Any = None, *, definition: Definition, municipality: Any,
                 values: dict[str, str] | None = None) -> None:
        self.definition = definition
        self.columns: dict[str, str] = {}  # field name → column name
        self.groups_of: dict[str, str] = {}
        seen_place = False
        initial = {}
        fields: dict[str, forms.Field] = {}
        for index, column in enumerate(definition.columns):
            if column.name in HIDDEN:
                continue
            name = f"c{index}"
            self.columns[name] = column.name
            group = _group(column)
            seen_place = seen_place or group == "place"
            self.groups_of[name] = group if group != "other" else ("other" if seen_place else "basic")
            fields[name] = _field(column, municipality)
            if values is not None:
                initial[name] = values.get(column.name, "")
        super().__init__(data, initial=initial)
        self.fields.update(fields)

    def values(self) -> dict[str, str]:
        return {column: self.cleaned_data.get(name, "") for name, column in self.columns.items()}

    def groups(self) -> list[dict[str, Any]]:
        order = ("basic", "place", "contact", "other")
        found = [{"key": key, "title": GROUP_TITLES[key],
                  "fields": [self[name] for name in self.columns if self.groups_of[name] == key]} for key in order]
        return [group for group in found if group["fields"]]


def _help(column: Column, municipality: Any) -> str:
    parts = []
    if column.name in editing.AUTOMATIC:
        parts.append(_("空欄なら%(town)sのコード（%(code)s）が入ります。") % {
            "town": municipality.name, "code": municipality.code})
    elif column.description:
        parts.append(Truncator(column.description).chars(HELP_LENGTH))
    if column.example and column.name not in editing.AUTOMATIC:
        parts.append(_("例: %(example)s") % {"example": column.example})
    return escape(" ".join(parts))  # the kernel's field template shows help text unescaped


_OPTIONS = re.compile(r"\(([^()\[\]{}*+?.\\]+)\)\?")  # a pattern such as "(1)?" or "(有|無)?": a few fixed values


def _choices(column: Column) -> list[tuple[str, str]]:
    """For a column that takes one of a few fixed values or nothing (災害種別 flags, 有/無), the choices of a select."""
    found = _OPTIONS.fullmatch(str(column.constraints.get("pattern", "")))
    if found is None:
        return []
    options = found.group(1).split("|")
    labels = {"1": _("該当する")}
    return [("", _("該当しない・空欄")), *[(option, labels.get(option, option)) for option in options]]


def _field(column: Column, municipality: Any) -> forms.CharField:
    attrs = {"autocomplete": "off"}
    if column.type == "number":
        attrs["inputmode"] = "decimal"
    elif column.type in ("integer", "year"):
        attrs["inputmode"] = "numeric"
    choices = _choices(column)
    widget: forms.Widget = (forms.Select(choices=choices) if choices
                            else forms.Textarea(attrs={**attrs, "rows": 3}) if column.name in LONG_TEXT
                            else forms.TextInput(attrs=attrs))
    return forms.CharField(
        label=column.name, required=column.required and column.name not in editing.AUTOMATIC,
        help_text=_help(column, municipality), widget=widget,
        error_messages={"required": _("「%(col)s」を入力してください。") % {"col": column.name}})


class SettingsForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("データセット名"), max_length=100, error_messages={
        "required": gettext_lazy("データセット名を入力してください。"),
        "max_length": gettext_lazy("データセット名は100文字以内で入力してください。")})
    description = forms.CharField(label=gettext_lazy("説明"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    licence = forms.ChoiceField(label=gettext_lazy("ライセンス"), choices=Licence.choices, error_messages={
        "required": gettext_lazy("ライセンスを選んでください。"),
        "invalid_choice": gettext_lazy("ライセンスを選び直してください。")})
    department = forms.TypedChoiceField(label=gettext_lazy("担当課"), coerce=int, required=False, empty_value=None,
                                        help_text=gettext_lazy("この課の職員と情報担当が編集できます。"),
                                        error_messages={"invalid_choice": gettext_lazy("担当課を選び直してください。")})

    def __init__(self, data: Any = None, *, dataset: Dataset) -> None:
        super().__init__(data, initial={"title": dataset.title, "description": dataset.description,
                                        "licence": dataset.licence, "department": dataset.department_id})
        self.departments = {d.pk: d for d in Department.objects.order_by("sort_order", "name")}
        field = self.fields["department"]
        assert isinstance(field, forms.TypedChoiceField)
        none = ("", _("指定なし（情報担当だけが編集）"))
        field.choices = [none, *[(pk, d.name) for pk, d in self.departments.items()]]

    def apply(self, dataset: Dataset) -> list[str]:
        """Put the cleaned values on the dataset; the names of the fields that changed."""
        data = self.cleaned_data
        dataset.title, dataset.description, dataset.licence = data["title"], data["description"], data["licence"]
        dataset.department = self.departments.get(data["department"] or 0)
        return self.changed_data


# The list ---------------------------------------------------------------------------------------------------------

@staff_required()
def index(request: TownRequest) -> HttpResponse:
    catalogue.ensure_datasets(request.municipality)
    counts = dict(Row.objects.values_list("dataset").annotate(n=Count("pk")).values_list("dataset", "n"))
    items = [{"entry": entry, "generated": entry.definition.generated,
              "rows": (entry.version.row_count if entry.version else 0) if entry.definition.generated
              else counts.get(entry.dataset.pk, 0)}
             for entry in catalogue.entries(published_only=False)]
    failed = (worklist.failed_uploads(request.staff) if request.GET.get("uploads") == worklist.FAILED_FILTER
              else None)
    return render(request, "opendata/staff/datasets.html", {
        "items": items, "may_refresh": request.staff.has_role(Role.ADMIN), "failed": failed})


@staff_required(role=Role.ADMIN)
@require_POST
def refresh(request: TownRequest) -> HttpResponse:
    """Publish the generated datasets again now (a change to a facility or a 講座 queues this by itself)."""
    return act_once(request, lambda: editing.refresh_generated(request.staff),
                    done=lambda made: _("自動生成のデータを更新しました（新しい版: %(n)d 件）。") % {"n": len(made)}
                    if made else _("自動生成のデータに変更はありませんでした（新しい版は作っていません）。"),
                    back=reverse("staff:opendata"), repeated=str(ALREADY))


# A dataset --------------------------------------------------------------------------------------------------------

def _problem_items(dataset: Dataset, problems: list[Problem]) -> list[dict[str, Any]]:
    """Problems of the working copy, each with the row it is on (line 2 is the first row) and its edit link."""
    rows = list(Row.objects.filter(dataset=dataset).order_by("position", "pk").values_list("pk", "key"))
    items = []
    for problem in problems:
        found = rows[problem.row - 2] if problem.row and 2 <= problem.row < len(rows) + 2 else None
        items.append({"line": problem.row, "column": problem.column, "message": problem.message,
                      "key": found[1] if found else "",
                      "url": reverse("staff:opendata-row", args=[dataset.kind, found[0]]) if found else ""})
    return items


def _dataset_page(request: TownRequest, dataset: Dataset, defn: Definition, *, errors: list[str] | None = None,
                  problems: list[Problem] | None = None, note: str = "") -> HttpResponse:
    page = Paginator(Row.objects.filter(dataset=dataset).order_by("position", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    address = _address_column(defn)
    rows = [{"row": row, "name": row.data.get(defn.name_column or "", ""),
             "address": row.data.get(address or "", ""),
             "url": reverse("staff:opendata-row", args=[dataset.kind, row.pk])} for row in page]
    versions = list(dataset.versions.select_related("published_by").order_by("-number"))
    summary = [{"id": "problems" if problems else "", "label": _("公開"), "message": message}
               for message in errors or []]
    return render(request, "opendata/staff/dataset.html", {
        "dataset": dataset, "definition": defn, "page": page, "rows": rows, "address_column": address,
        "versions": versions, "current": versions[0] if versions else None, "formats": formats(defn),
        "uploads": list(dataset.uploads.order_by("-created_at")[:5]),
        "may_edit": editing.may_edit(request.staff, dataset),
        "may_configure": request.staff.has_role(Role.ADMIN), "errors": summary,
        "problems": _problem_items(dataset, problems or []), "problem_count": len(problems or []), "note": note,
    }, status=400 if errors else 200)


@staff_required()
def dataset_page(request: TownRequest, kind: str) -> HttpResponse:
    dataset, defn = _dataset(request, kind)
    return _dataset_page(request, dataset, defn)


def _problems_of(refused: Refused) -> list[Problem] | None:
    return refused.problems if isinstance(refused, editing.NotPublishable) else None


@staff_required()
@require_POST
def publish(request: TownRequest, kind: str) -> HttpResponse:
    dataset, defn = _dataset(request, kind)
    _editable(request, dataset, defn)
    note = request.POST.get("note", "").strip()
    return act_once(request, lambda: editing.publish(request.staff, dataset, note=note),
                    done=lambda version: _("第%(n)d版として公開しました（%(rows)d 件）。") % {
                        "n": version.number, "rows": version.row_count},
                    back=_dataset_url(kind, "versions"), repeated=str(ALREADY),
                    refused=lambda refused: _dataset_page(request, dataset, defn, errors=refused.messages,
                                                          problems=_problems_of(refused), note=note))


# Rows -------------------------------------------------------------------------------------------------------------

def _row_page(request: TownRequest, kind: str, pk: int | None) -> HttpResponse:
    dataset, defn = _dataset(request, kind)
    row = get_object_or_404(Row, dataset=dataset, pk=pk) if pk is not None else None
    _editable(request, dataset, defn)
    form = RowForm(request.POST if request.method == "POST" else None, definition=defn,
                   municipality=request.municipality, values=row.data if row is not None else None)
    if request.method == "POST" and form.is_valid():
        outcome = attempt(request, lambda: editing.save_row(request.staff, dataset, row, form.values()))
        if outcome.repeated:
            messages.info(request, ALREADY)
            return HttpResponseRedirect(_dataset_url(kind))
        if outcome.refused is not None:
            add_refusal(form, outcome.refused, field_of={column: name for name, column in form.columns.items()}.get)
        elif (saved := outcome.result) is not None:
            messages.success(request, SAVED % {"key": saved.data.get(defn.name_column or "", "") or saved.key})
            return HttpResponseRedirect(_dataset_url(kind, "rows"))
    return render(request, "opendata/staff/row.html", {
        "dataset": dataset, "definition": defn, "row": row, "form": form,
        "errors": error_summary(form, labels=form.columns),
    }, status=400 if form.is_bound else 200)


@staff_required()
def row_new(request: TownRequest, kind: str) -> HttpResponse:
    return _row_page(request, kind, None)


@staff_required()
def row_edit(request: TownRequest, kind: str, pk: int) -> HttpResponse:
    return _row_page(request, kind, pk)


@staff_required()
def row_delete(request: TownRequest, kind: str, pk: int) -> HttpResponse:
    dataset, defn = _dataset(request, kind)
    row = get_object_or_404(Row, dataset=dataset, pk=pk)
    _editable(request, dataset, defn)
    if request.method == "POST":
        return act_once(request, lambda: editing.delete_row(request.staff, row), done=DELETED % {"key": row.key},
                        back=_dataset_url(kind, "rows"), repeated=str(ALREADY))
    return render(request, "opendata/staff/row_delete.html", {
        "dataset": dataset, "definition": defn, "row": row, "name": row.data.get(defn.name_column or "", "")})


# Files ------------------------------------------------------------------------------------------------------------

@staff_required()
def import_file(request: TownRequest, kind: str) -> HttpResponse:
    dataset, defn = _dataset(request, kind)
    _editable(request, dataset, defn)
    errors: dict[str, str] = {}
    note = request.POST.get("note", "").strip() if request.method == "POST" else ""
    if request.method == "POST":
        outcome = attempt(request, lambda: editing.receive(request.staff, dataset, request.FILES.get("file"),
                                                           note=note))
        if outcome.repeated:
            messages.info(request, ALREADY)
            return HttpResponseRedirect(_dataset_url(kind))
        if outcome.refused is not None:
            errors = outcome.refused.errors
        elif (item := outcome.result) is not None:
            return HttpResponseRedirect(reverse("staff:opendata-upload", args=[item.public_id]))
    summary = [{"id": "id_file" if key == "file" else "", "label": _("ファイル") if key == "file" else "",
                "message": message} for key, message in errors.items()]
    return render(request, "opendata/staff/import.html", {
        "dataset": dataset, "definition": defn, "errors": summary, "file_error": errors.get("file", ""),
        "note": note, "max_mb": editing.MAX_UPLOAD // (1024 * 1024),
    }, status=400 if errors else 200)


@staff_required()
def upload_page(request: TownRequest, public_id: UUID) -> HttpResponse:
    uploads = Upload.objects.select_related("dataset", "version", "created_by")
    item: Upload = get_object_or_404(uploads, public_id=public_id)
    defn = definitions.get(item.dataset.kind)
    if defn is None:
        raise Http404
    return render(request, "opendata/staff/upload.html", {
        "item": item, "dataset": item.dataset, "definition": defn, "pending": item.state == UploadState.PENDING,
        "invalid": item.state == UploadState.INVALID, "published": item.state == UploadState.PUBLISHED,
        "failed": item.state == UploadState.FAILED, "problems": item.errors,
        "hidden_problems": max(item.error_count - len(item.errors), 0),
    })


@staff_required()
def template_csv(request: TownRequest, kind: str) -> HttpResponse:
    """An empty CSV with the definition's header (UTF-8 with BOM, so that Excel opens it as such)."""
    dataset, defn = _dataset(request, kind)
    response = HttpResponse(editing.template_csv(dataset), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{request.municipality.code}_{defn.kind}_template.csv"'
    return response


# Settings ---------------------------------------------------------------------------------------------------------

@staff_required(role=Role.ADMIN)
def dataset_settings(request: TownRequest, kind: str) -> HttpResponse:
    dataset, defn = _dataset(request, kind)
    form = SettingsForm(request.POST if request.method == "POST" else None, dataset=dataset)
    if request.method == "POST" and form.is_valid():
        return act_once(request, lambda: editing.save_settings(request.staff, dataset, form.apply(dataset)),
                        done=_("データセットの設定を保存しました。"), back=_dataset_url(kind), repeated=str(ALREADY))
    return render(request, "opendata/staff/settings.html", {
        "dataset": dataset, "definition": defn, "form": form, "errors": bool(form.errors),
    }, status=400 if form.is_bound else 200)


urlpatterns = [
    path("opendata/", index, name="opendata"),
    path("opendata/refresh/", refresh, name="opendata-refresh"),
    path("opendata/uploads/<uuid:public_id>/", upload_page, name="opendata-upload"),
    path("opendata/<slug:kind>/", dataset_page, name="opendata-dataset"),
    path("opendata/<slug:kind>/publish/", publish, name="opendata-publish"),
    path("opendata/<slug:kind>/rows/new/", row_new, name="opendata-row-new"),
    path("opendata/<slug:kind>/rows/<int:pk>/", row_edit, name="opendata-row"),
    path("opendata/<slug:kind>/rows/<int:pk>/delete/", row_delete, name="opendata-row-delete"),
    path("opendata/<slug:kind>/import/", import_file, name="opendata-import"),
    path("opendata/<slug:kind>/template.csv", template_csv, name="opendata-template"),
    path("opendata/<slug:kind>/settings/", dataset_settings, name="opendata-settings"),
]

"""The no-code form editor and the catalogue entry of a procedure, for 情報担当 and the owning department's 所属長."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from yakuba.kernel import payments
from yakuba.kernel.accounts.models import Department, Role, Staff
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.files.http import bytes_response
from yakuba.kernel.forms.render import answers_from_post, render_page
from yakuba.kernel.forms.validate import validate
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.actions import Attempt, act_once, add_refusal, attempt

from .. import editor, fee_editor, services
from ..models import Category, FormVersion, Procedure

MB = 1024 * 1024
MAX_IMPORT_BYTES = 1024 * 1024
Change = Callable[[dict[str, Any]], dict[str, Any]]


# Forms --------------------------------------------------------------------------------------------------------

class ProcedureForm(forms.ModelForm):  # type: ignore[type-arg]
    # Querysets are set per request: the town's scope is only open inside it.
    category: forms.ModelChoiceField[Category] = forms.ModelChoiceField(
        label=gettext_lazy("分類"), queryset=Category.objects.none(), required=False)
    department: forms.ModelChoiceField[Department] = forms.ModelChoiceField(
        label=gettext_lazy("担当課"), queryset=Department.objects.none())
    shared_with: forms.ModelMultipleChoiceField[Department] = forms.ModelMultipleChoiceField(
        label=gettext_lazy("閲覧を許可する課"), queryset=Department.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("担当課のほかに、この手続の申請を見て処理できる課です。"))
    # 手数料: the fee schedule (applications/fees.py), built from these inputs by fee_editor.
    fee_kind = forms.ChoiceField(label=gettext_lazy("手数料の決め方"), choices=fee_editor.KINDS, required=False,
                                 widget=forms.RadioSelect)
    fee_yen = forms.IntegerField(
        label=gettext_lazy("金額（円）"), required=False, min_value=0, max_value=fee_editor.MAX_YEN,
        help_text=gettext_lazy("「1件あたり定額」はその額、「数に応じて」は1つあたりの額です。"))
    fee_per = forms.ChoiceField(
        label=gettext_lazy("掛ける数の質問"), required=False,
        help_text=gettext_lazy("「数に応じて」で額に掛ける数（通数・点数など）の質問です。"
                               "「選択肢に応じて」でも、選ぶと選択肢の額に掛けます。"))
    fee_choice = forms.ChoiceField(label=gettext_lazy("金額を決める選択肢の質問"), required=False)
    fee_prices = forms.CharField(
        label=gettext_lazy("選択肢ごとの金額（円）"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("1行に1つ「選択肢:金額」の形で。例: 自転車:500"))
    fee_postage = forms.IntegerField(
        label=gettext_lazy("郵送料（円）"), required=False, min_value=0, max_value=100_000,
        help_text=gettext_lazy("郵送で請求する手続のとき、1件ごとに手数料に加えます。"))
    fee_online = forms.BooleanField(
        label=gettext_lazy("オンラインで支払える"), required=False,
        help_text=gettext_lazy("申請のあと、住民が手数料をオンラインで支払えます（町がオンライン決済を使っている場合）。"))
    fee_tickets = forms.BooleanField(
        label=gettext_lazy("処理券を発行する"), required=False,
        help_text=gettext_lazy("支払いが済むと、1つごとに処理券番号を表示します（粗大ごみなど）。"))
    fee_revenue = forms.ChoiceField(
        label=gettext_lazy("歳入科目"), required=False,
        help_text=gettext_lazy("収納日報でこの手続の手数料を計上する科目です。空欄なら申請の手数料の科目です。"))
    FEE_FIELDS = ("fee", "fee_kind", "fee_yen", "fee_per", "fee_choice", "fee_prices", "fee_postage", "fee_online",
                  "fee_tickets", "fee_revenue")

    class Meta:
        model = Procedure
        fields = ["title", "slug", "summary", "keywords", "category", "department", "shared_with", "fee",
                  "processing_days", "documents", "is_published", "sort_order"]
        labels = {"slug": gettext_lazy("URL名（半角英数字とハイフン）"), "sort_order": gettext_lazy("表示順"),
                  "is_published": gettext_lazy("手続の一覧に公開する")}
        help_texts = {
            "slug": gettext_lazy("手続のページのアドレスに使います。例: dog-registration"),
            "keywords": gettext_lazy("検索で見つかるようにする言葉を空白で区切って。例: いぬ 犬 狂犬病"),
            "documents": gettext_lazy("申請に必要な書類や持ち物を、1行に1つずつ。"),
            "is_published": gettext_lazy("申請様式を公開するまでは、オンラインでの申請は受け付けません。"),
            "sort_order": gettext_lazy("小さい数ほど一覧の上に表示します。"),
        }
        widgets = {"summary": forms.Textarea(attrs={"rows": 4}), "documents": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, staff: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.all()  # type: ignore[attr-defined]
        self.fields["shared_with"].queryset = Department.objects.all()  # type: ignore[attr-defined]
        # A 所属長 keeps the procedure in their own department.
        departments = Department.objects.all() if staff.has_role(Role.ADMIN) else Department.objects.filter(
            pk=staff.department_id)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        self.fee_schedule: dict[str, Any] = dict(self.instance.fee_schedule or {})
        self.questions = fee_editor.questions(_definitions(self.instance))
        blank = [("", "―")]
        self.fields["fee_per"].choices = blank + [  # type: ignore[attr-defined]
            (q.key, q.label) for q in self.questions.values() if q.kind == "number"]
        self.fields["fee_choice"].choices = blank + [  # type: ignore[attr-defined]
            (q.key, q.label) for q in self.questions.values() if q.kind != "number"]
        self.fields["fee_revenue"].choices = blank + [  # type: ignore[attr-defined]
            (code, f"{code} {label}") for code, label in payments.revenue_codes()]
        for name, value in fee_editor.initial(self.instance.fee_schedule or {}, self.questions).items():
            self.fields[name].initial = value
        self.order_fields([name for name in self.fields if name not in self.FEE_FIELDS] + list(self.FEE_FIELDS))

    @property
    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.FEE_FIELDS]

    @property
    def fee_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.FEE_FIELDS]

    @property
    def error_list(self) -> list[dict[str, str]]:
        """For the page's error summary, each error linked to its input."""
        return [{"message": str(error)} for error in self.non_field_errors()] + [
            {"id": self[name].auto_id, "label": str(self[name].label), "message": str(error)}
            for name, errors in self.errors.items() if name != NON_FIELD_ERRORS for error in errors]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if not any(name in self.errors for name in self.FEE_FIELDS):
            try:
                self.fee_schedule = fee_editor.schedule(cleaned, self.questions)
            except editor.EditorError as error:
                self.add_error(error.field, error.message)
        return cleaned

    def save(self, commit: bool = True) -> Procedure:
        self.instance.fee_schedule = self.fee_schedule
        procedure: Procedure = super().save(commit=commit)
        return procedure

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        if Procedure.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("このURL名はすでにほかの手続で使われています。"))
        return slug


class FieldForm(forms.Form):
    """The settings of one question, with the inputs its type has."""

    label = forms.CharField(label=gettext_lazy("質問文"), max_length=editor.MAX_LABEL)
    help_text = forms.CharField(label=gettext_lazy("補足説明"), required=False, max_length=editor.MAX_HELP,
                                widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=gettext_lazy("質問のすぐ下に表示されます。書き方の例などを書きます。"))
    required = forms.BooleanField(label=gettext_lazy("回答を必須にする"), required=False)

    def __init__(self, data: Any, *, definition: dict[str, Any], name: str, sub: str | None = None) -> None:
        self.item = editor.find_field(definition, name, sub=sub)
        keys = editor.editable_keys(self.item["type"], in_group=sub is not None)
        sources = editor.condition_sources(definition, name, sub=sub)
        super().__init__(data, initial=self._initial(sources))
        if "options" in keys:
            self.fields["options"] = forms.CharField(
                label=gettext_lazy("選択肢"), widget=forms.Textarea(attrs={"rows": 6}),
                help_text=gettext_lazy("1行に1つ。「値:表示名」の「値」は申請データやCSVに残る名前です。"
                                       "すでに申請がある選択肢の値は変えないでください。表示名だけを書くと値は自動で付きます。"))
        self._add_limits(keys)
        if "prefill" in keys:
            self.fields["prefill"] = forms.ChoiceField(
                label=gettext_lazy("住民の登録情報から自動で入れる"), required=False,
                choices=[("", _("入れない"))] + [(source, editor.PREFILL_LABELS[source])
                                               for source in editor.prefill_choices(self.item["type"])],
                help_text=gettext_lazy("ログインした住民の登録情報を最初から入れておきます（書かない申請）。"))
        self.fields["condition_field"] = forms.ChoiceField(
            label=gettext_lazy("表示する条件"), required=False,
            choices=[("", _("いつも表示する"))] + [(f["name"], f["label"]) for f in sources],
            help_text=gettext_lazy("前の質問の答えによって、この質問を表示するかどうかを決めます。"))
        self.fields["condition_equals"] = forms.CharField(
            label=gettext_lazy("表示するときの答え"), required=False, max_length=500,
            help_text=gettext_lazy("選んだ質問の答えがこれと同じときに表示します。選択肢は表示名で、複数なら「、」で区切ります。"
                                   "同意のチェックは「同意する」か「同意しない」。"))

    def _add_limits(self, keys: frozenset[str]) -> None:
        if "min" in keys:
            self.fields["min"] = forms.IntegerField(label=gettext_lazy("最小値"), required=False)
            self.fields["max"] = forms.IntegerField(label=gettext_lazy("最大値"), required=False)
        if "max_length" in keys:
            self.fields["max_length"] = forms.IntegerField(label=gettext_lazy("最大文字数"), min_value=1,
                                                           max_value=100_000, required=False)
        if "digits" in keys:
            self.fields["digits"] = forms.IntegerField(
                label=gettext_lazy("桁数"), min_value=1, max_value=editor.INT_LIMITS["digits"][1], required=False,
                help_text=gettext_lazy("この桁数ちょうどの数字だけを受け付けます（口座番号は7、金融機関コードは4、"
                                       "支店コードは3）。空欄なら桁数を問いません。"))
        if "min_items" in keys:
            self.fields["min_items"] = forms.IntegerField(label=gettext_lazy("最少の件数"), min_value=0,
                                                          max_value=50, required=False)
            self.fields["max_items"] = forms.IntegerField(label=gettext_lazy("最多の件数"), min_value=1,
                                                          max_value=50, required=False)
            self.fields["item_label"] = forms.CharField(
                label=gettext_lazy("1件ごとの見出し"), max_length=editor.MAX_LABEL, required=False,
                help_text=gettext_lazy("{n} が番号になります。例: {n}人目（「家族 1人目」のように表示）"))
        if "accept" in keys:
            self.fields["accept"] = forms.CharField(
                label=gettext_lazy("受け付けるファイルの種類"), max_length=500, required=False,
                help_text=gettext_lazy("MIMEタイプか拡張子を「,」で区切って。例: application/pdf, image/jpeg, .png"
                                       "（空欄なら町の標準の種類）"))
            self.fields["max_size"] = forms.IntegerField(
                label=gettext_lazy("最大サイズ（MB）"), min_value=1, max_value=100, required=False,
                help_text=gettext_lazy("空欄なら町の標準の上限です。"))

    def _initial(self, sources: list[dict[str, Any]]) -> dict[str, Any]:
        item = self.item
        condition = item.get("condition") or {}
        source = next((f for f in sources if f["name"] == condition.get("field")), None)
        initial = {key: item.get(key) for key in ("label", "help_text", "min", "max", "max_length", "digits",
                                                  "min_items", "max_items", "item_label", "prefill")}
        initial.update(
            required=item.get("required", True), options=editor.options_text(item),
            accept=", ".join(item.get("accept", [])),
            max_size=math.ceil(item["max_size"] / MB) if item.get("max_size") else None,
            condition_field=condition.get("field", ""),
            condition_equals=editor.equals_text(source, condition.get("equals")) if condition else "",
        )
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("condition_field") and not (data.get("condition_equals") or "").strip():
            self.add_error("condition_equals", _("表示するときの答えを入力してください。"))
        return data

    def changes(self) -> dict[str, Any]:
        """Only what was changed, so a setting the form cannot show exactly (a size in bytes) is left alone."""
        data = self.cleaned_data
        changed = set(self.changed_data)
        result = {key: data[key] for key in changed - {"condition_field", "condition_equals", "max_size"}}
        if "max_size" in changed:
            result["max_size"] = data["max_size"] * MB if data["max_size"] else None
        if changed & {"condition_field", "condition_equals"}:
            result["condition"] = ({"field": data["condition_field"], "equals": data["condition_equals"]}
                                   if data["condition_field"] else None)
        return result


class TitleForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("ページの名前"), max_length=editor.MAX_LABEL)


class ImportForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("様式のJSON"), required=False, widget=forms.Textarea(attrs={"rows": 12}),
                           help_text=gettext_lazy("「JSONで書き出す」で保存した内容を貼り付けるか、ファイルを選んでください。"))
    file = forms.FileField(label=gettext_lazy("JSONファイル"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload:
            if upload.size > MAX_IMPORT_BYTES:
                self.add_error("file", _("ファイルが大きすぎます（1MBまで）。"))
                return data
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", _("UTF-8のテキストファイルを選んでください。"))
                return data
            if isinstance(self.data, QueryDict):  # show the file's text, so it can be corrected in place
                shown = self.data.copy()
                shown["text"] = data["text"]
                self.data = shown
        if not (data.get("text") or "").strip():
            self.add_error("text", _("JSONを貼り付けるか、ファイルを選んでください。"))
        return data


# Helpers ------------------------------------------------------------------------------------------------------

def _procedure(request: TownRequest, pk: int) -> Procedure:
    procedure: Procedure = get_object_or_404(Procedure.objects.select_related("department", "current_form"), pk=pk)
    if not services.may_edit_procedure(request.staff, procedure):
        raise PermissionDenied(_("この手続を編集する権限がありません。"))
    return procedure


def _editor_url(procedure: Procedure, anchor: str = "") -> str:
    return reverse("staff:applications-form", args=[procedure.pk]) + (f"#{anchor}" if anchor else "")


def _field_url(procedure: Procedure, name: str, sub: str | None = None) -> str:
    if sub is None:
        return reverse("staff:applications-form-field", args=[procedure.pk, name])
    return reverse("staff:applications-form-subfield", args=[procedure.pk, name, sub])


def _definitions(procedure: Procedure) -> list[dict[str, Any]]:
    """The forms a fee may read: the current one and the editor's draft (which may add the question it needs)."""
    if procedure.pk is None:
        return []
    current = [procedure.current_form.definition] if procedure.current_form is not None else []
    draft = procedure.versions.filter(published_at__isnull=True).first()
    return current + ([draft.definition] if draft is not None else [])


def _posted(request: TownRequest) -> QueryDict | None:
    """The POST data, even when empty (an empty POST is still a submission with every field missing)."""
    return request.POST if request.method == "POST" else None


def _number(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _edit(request: TownRequest, procedure: Procedure, change: Change) -> Attempt[FormVersion]:
    """One editor operation, once per click (kernel.ui.actions)."""
    return attempt(request, lambda: services.edit_draft(procedure, change, staff=request.staff, request=request))


def _apply(request: TownRequest, procedure: Procedure, change: Change, success: str, target: str,
           on_error: Callable[[str], HttpResponse]) -> HttpResponse:
    """Run one button's edit; redirect with a message, or show the refusal (400) where the button was."""
    return act_once(request, lambda: services.edit_draft(procedure, change, staff=request.staff, request=request),
                    done=success, back=target, refused=lambda error: on_error(error.message))


def _without_version(definition: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in definition.items() if key != "version"}


def _rows(definition: dict[str, Any], fields: list[dict[str, Any]], *, group: str | None = None,
          first: bool = True, last: bool = True) -> list[dict[str, Any]]:
    """What the editor lists for each question: type, condition, and which moves are possible."""
    return [{
        "item": item, "type_label": editor.type_label(item["type"]),
        "condition": editor.condition_summary(definition, item, group=group),
        "options": "、".join(label for _value, label in item.get("options", [])),
        "can_up": index > 0 or not first, "can_down": index < len(fields) - 1 or not last,
    } for index, item in enumerate(fields)]


# The editor page ----------------------------------------------------------------------------------------------

def _editor(request: TownRequest, procedure: Procedure, *, error: str = "", status: int = 200,
            page_title: str = "", page_error: bool = False) -> HttpResponse:
    draft = services.draft_version(procedure, staff=request.staff)
    definition = draft.definition
    count = len(definition["pages"])
    pages = [{
        "index": index, "number": index + 1, "title": page["title"],
        "fields": [{**row, "items": _rows(definition, row["item"].get("fields", []), group=row["item"]["name"])}
                   for row in _rows(definition, page["fields"], first=index == 0, last=index == count - 1)],
    } for index, page in enumerate(definition["pages"])]
    current = procedure.current_form
    return render(request, "applications/staff/editor/editor.html", {
        "procedure": procedure, "draft": draft, "pages": pages, "current": current,
        "changed": current is None or _without_version(current.definition) != _without_version(definition),
        "versions": procedure.versions.filter(published_at__isnull=False).order_by("-version"),
        "type_choices": [(kind, str(label)) for kind, label in editor.TYPE_LABELS.items()],
        "error": error, "page_title": page_title, "page_error": page_error,
    }, status=status)


@staff_required(role=Role.APPROVER)
@require_http_methods(["GET"])
def form_editor(request: TownRequest, pk: int) -> HttpResponse:
    return _editor(request, _procedure(request, pk))


@staff_required(role=Role.APPROVER)
@require_POST
def publish(request: TownRequest, pk: int) -> HttpResponse:
    procedure = _procedure(request, pk)
    return act_once(request, lambda: services.publish_draft(procedure, staff=request.staff, request=request),
                    done=lambda version: _("第%(version)s版を公開しました。これまでに届いた申請は、"
                                           "申請したときの版のまま表示されます。") % {"version": version.version},
                    back=_editor_url(procedure),
                    refused=lambda error: _editor(request, procedure, error=error.message, status=400))


# Pages --------------------------------------------------------------------------------------------------------

@staff_required(role=Role.APPROVER)
@require_POST
def page_new(request: TownRequest, pk: int) -> HttpResponse:
    procedure = _procedure(request, pk)
    title = request.POST.get("title", "")

    def change(definition: dict[str, Any]) -> dict[str, Any]:
        return editor.add_page(definition, title)[0]

    def refused(message: str) -> HttpResponse:
        return _editor(request, procedure, error=message, status=400, page_title=title, page_error=True)

    return _apply(request, procedure, change, _("ページ「%(title)s」を追加しました。最初の質問を編集してください。")
                  % {"title": title.strip()}, _editor_url(procedure, f"page-{len(_draft(request, procedure))}"),
                  refused)


def _draft(request: TownRequest, procedure: Procedure) -> list[Any]:
    pages: list[Any] = services.draft_version(procedure, staff=request.staff).definition["pages"]
    return pages


@staff_required(role=Role.APPROVER)
@require_http_methods(["GET", "POST"])
def page_edit(request: TownRequest, pk: int, page: int) -> HttpResponse:
    procedure = _procedure(request, pk)
    pages = _draft(request, procedure)
    if not 0 <= page < len(pages):
        raise Http404
    form = TitleForm(_posted(request), initial={"title": pages[page]["title"]})
    context = {"procedure": procedure, "page": page, "number": page + 1, "title": pages[page]["title"], "form": form}
    if request.method == "POST":
        if form.is_valid():
            outcome = _edit(request, procedure, lambda d: editor.rename_page(d, page, form.cleaned_data["title"]))
            if outcome.repeated:
                return HttpResponseRedirect(_editor_url(procedure, f"page-{page}"))
            if outcome.refused is not None:
                add_refusal(form, outcome.refused)
            else:
                messages.success(request, _("ページの名前を変更しました。"))
                return HttpResponseRedirect(_editor_url(procedure, f"page-{page}"))
        return render(request, "applications/staff/editor/page.html", context, status=400)
    return render(request, "applications/staff/editor/page.html", context)


@staff_required(role=Role.APPROVER)
@require_POST
def page_move(request: TownRequest, pk: int, page: int) -> HttpResponse:
    procedure = _procedure(request, pk)
    step = _number(request.POST.get("step"))
    return _apply(request, procedure, lambda d: editor.move_page(d, page, step), _("ページを移動しました。"),
                  _editor_url(procedure, f"page-{page + step}"),
                  lambda message: _editor(request, procedure, error=message, status=400))


@staff_required(role=Role.APPROVER)
@require_http_methods(["GET", "POST"])
def page_delete(request: TownRequest, pk: int, page: int) -> HttpResponse:
    procedure = _procedure(request, pk)
    pages = _draft(request, procedure)
    if not 0 <= page < len(pages):
        raise Http404
    context = {"procedure": procedure, "page": page, "number": page + 1, "title": pages[page]["title"],
               "fields": pages[page]["fields"]}

    def refused(message: str) -> HttpResponse:
        return render(request, "applications/staff/editor/page_delete.html", {**context, "error": message},
                      status=400)

    if request.method == "POST":
        return _apply(request, procedure, lambda d: editor.delete_page(d, page),
                      _("ページ「%(title)s」を削除しました。") % {"title": pages[page]["title"]},
                      _editor_url(procedure), refused)
    return render(request, "applications/staff/editor/page_delete.html", context)


# Questions ----------------------------------------------------------------------------------------------------

@staff_required(role=Role.APPROVER)
@require_POST
def field_new(request: TownRequest, pk: int, page: int) -> HttpResponse:
    procedure = _procedure(request, pk)
    kind, label = request.POST.get("type", ""), request.POST.get("label", "")
    return _add(request, procedure, lambda d: editor.add_field(d, page, kind, label),
                _("質問を追加しました。質問文などを設定してください。"), _editor_url(procedure, f"page-{page}"),
                lambda message: _editor(request, procedure, error=message, status=400),
                lambda new: _field_url(procedure, new))


@staff_required(role=Role.APPROVER)
@require_POST
def subfield_new(request: TownRequest, pk: int, name: str) -> HttpResponse:
    procedure = _procedure(request, pk)
    kind, label = request.POST.get("type", ""), request.POST.get("label", "")
    return _add(request, procedure, lambda d: editor.add_subfield(d, name, kind, label),
                _("項目を追加しました。質問文などを設定してください。"), _field_url(procedure, name),
                lambda message: _field_page(request, procedure, name, None, error=message, status=400),
                lambda new: _field_url(procedure, name, new))


def _add(request: TownRequest, procedure: Procedure, add: Callable[[dict[str, Any]], tuple[dict[str, Any], str]],
         success: str, target: str, on_error: Callable[[str], HttpResponse],
         url_of: Callable[[str], str]) -> HttpResponse:
    """Add a question (or a group's item) with `_apply`; when it was added, go on to its own page to set it up."""
    created: dict[str, str] = {}

    def change(definition: dict[str, Any]) -> dict[str, Any]:
        result, created["name"] = add(definition)
        return result

    response = _apply(request, procedure, change, success, target, on_error)
    if "name" in created and response.status_code == 302:
        return HttpResponseRedirect(url_of(created["name"]))
    return response


def _field_page(request: TownRequest, procedure: Procedure, name: str, sub: str | None, *,
                form: FieldForm | None = None, error: str = "", status: int = 200) -> HttpResponse:
    definition = services.draft_version(procedure, staff=request.staff).definition
    try:
        form = form if form is not None else FieldForm(None, definition=definition, name=name, sub=sub)
        group = editor.find_field(definition, name) if sub is not None else form.item
    except editor.EditorError as missing:
        raise Http404 from missing
    page = editor.page_of(definition, name)
    return render(request, "applications/staff/editor/field.html", {
        "procedure": procedure, "form": form, "item": form.item, "sub": sub, "group": group, "page": page,
        "type_label": editor.type_label(form.item["type"]),
        "pages": [(index, p["title"]) for index, p in enumerate(definition["pages"]) if index != page],
        "items": _rows(definition, group.get("fields", []), group=name) if sub is None else [],
        "item_types": [(kind, str(label)) for kind, label in editor.TYPE_LABELS.items() if kind != "group"],
        "error": error,
    }, status=status)


@staff_required(role=Role.APPROVER)
@require_http_methods(["GET", "POST"])
def field_edit(request: TownRequest, pk: int, name: str, sub: str | None = None) -> HttpResponse:
    procedure = _procedure(request, pk)
    if request.method != "POST":
        return _field_page(request, procedure, name, sub)
    definition = services.draft_version(procedure, staff=request.staff).definition
    try:
        form = FieldForm(request.POST, definition=definition, name=name, sub=sub)
    except editor.EditorError as missing:
        raise Http404 from missing
    back = _field_url(procedure, name) if sub else _editor_url(procedure, f"field-{name}")
    if form.is_valid():
        changes = form.changes()
        outcome = _edit(request, procedure, lambda d: editor.update_field(d, name, changes, sub=sub))
        if outcome.repeated:
            return HttpResponseRedirect(back)
        if outcome.refused is not None:
            add_refusal(form, outcome.refused)
        else:
            messages.success(request, _("「%(label)s」を保存しました。") % {"label": form.cleaned_data["label"]})
            return HttpResponseRedirect(back)
    return _field_page(request, procedure, name, sub, form=form, status=400)


@staff_required(role=Role.APPROVER)
@require_POST
def field_move(request: TownRequest, pk: int, name: str, sub: str | None = None) -> HttpResponse:
    procedure = _procedure(request, pk)
    target_page = request.POST.get("page", "")
    if target_page != "" and sub is None:
        number = _number(target_page)

        def change(d: dict[str, Any]) -> dict[str, Any]:
            return editor.move_field_to_page(d, name, number)

        return _apply(request, procedure, change, _("質問を別のページへ移動しました。"),
                      _editor_url(procedure, f"field-{name}"),
                      lambda message: _field_page(request, procedure, name, None, error=message, status=400))
    step = _number(request.POST.get("step"))
    if sub is not None:
        return _apply(request, procedure, lambda d: editor.move_field(d, name, step, sub=sub),
                      _("項目を移動しました。"), _field_url(procedure, name),
                      lambda message: _field_page(request, procedure, name, None, error=message, status=400))
    return _apply(request, procedure, lambda d: editor.move_field(d, name, step), _("質問を移動しました。"),
                  _editor_url(procedure, f"field-{name}"),
                  lambda message: _editor(request, procedure, error=message, status=400))


@staff_required(role=Role.APPROVER)
@require_http_methods(["GET", "POST"])
def field_delete(request: TownRequest, pk: int, name: str, sub: str | None = None) -> HttpResponse:
    procedure = _procedure(request, pk)
    definition = services.draft_version(procedure, staff=request.staff).definition
    try:
        item = editor.find_field(definition, name, sub=sub)
    except editor.EditorError as missing:
        raise Http404 from missing
    back = _field_url(procedure, name) if sub else _editor_url(procedure)
    context = {"procedure": procedure, "item": item, "sub": sub, "name": name, "back": back,
               "type_label": editor.type_label(item["type"])}

    def refused(message: str) -> HttpResponse:
        return render(request, "applications/staff/editor/field_delete.html", {**context, "error": message},
                      status=400)

    if request.method == "POST":
        return _apply(request, procedure, lambda d: editor.delete_field(d, name, sub=sub),
                      _("「%(label)s」を削除しました。") % {"label": item["label"]}, back, refused)
    return render(request, "applications/staff/editor/field_delete.html", context)


# Preview, export, import --------------------------------------------------------------------------------------

@staff_required(role=Role.APPROVER)
@require_http_methods(["GET", "POST"])
def preview(request: TownRequest, pk: int, page: int) -> HttpResponse:
    """A page exactly as residents see it; posting checks the answers and saves nothing."""
    procedure = _procedure(request, pk)
    form = services.draft_version(procedure, staff=request.staff).form
    if not 0 <= page < len(form.pages):
        raise Http404
    answers: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        answers = answers_from_post(form, request.POST, page=page)
        for item in form.pages[page].fields:
            upload = request.FILES.get(item.name) if item.type == "file" else None
            if upload is not None:
                answers[item.name] = upload.name
        errors = validate(form, answers, page=page).errors
    return render(request, "applications/staff/editor/preview.html", {
        "procedure": procedure, "page": page, "number": page + 1, "count": len(form.pages),
        "page_title": form.pages[page].title, "html": render_page(form, answers, errors, page=page),
        "pages": [(index, p.title) for index, p in enumerate(form.pages)],
        "checked": request.method == "POST", "errors": errors,
    }, status=400 if errors else 200)


@staff_required(role=Role.APPROVER)
@require_http_methods(["GET"])
def export(request: TownRequest, pk: int) -> HttpResponse:
    """The draft's definition as JSON, or a published version's with ?version=N."""
    procedure = _procedure(request, pk)
    number = request.GET.get("version", "")
    if number:
        version = get_object_or_404(procedure.versions, version=_number(number))
    else:
        version = services.draft_version(procedure, staff=request.staff)
    return bytes_response(services.export_definition(version).encode(), content_type="application/json",
                          filename=f"{procedure.slug}-v{version.version}.json")


@staff_required(role=Role.APPROVER)
@require_http_methods(["GET", "POST"])
def import_json(request: TownRequest, pk: int) -> HttpResponse:
    procedure = _procedure(request, pk)
    form = ImportForm(_posted(request), request.FILES or None)
    context = {"procedure": procedure, "form": form}
    if request.method == "POST":
        if form.is_valid():
            outcome = attempt(request, lambda: services.import_definition(
                procedure, form.cleaned_data["text"], staff=request.staff, request=request))
            if outcome.refused is not None:
                add_refusal(form, outcome.refused, field_of=lambda _name: "text")  # every reason is about the JSON
            else:
                if outcome.done:
                    messages.success(request, _("様式を読み込みました。プレビューで確かめてから公開してください。"))
                return HttpResponseRedirect(_editor_url(procedure))
        return render(request, "applications/staff/editor/import.html", context, status=400)
    return render(request, "applications/staff/editor/import.html", context)


# The catalogue entry ------------------------------------------------------------------------------------------

def _save_procedure(request: TownRequest, form: ProcedureForm, template: str, context: dict[str, Any],
                    success: str, next_url: Callable[[Procedure], str]) -> HttpResponse:
    if request.method == "POST":
        if form.is_valid():
            procedure = form.save(commit=False)
            response = act_once(request, lambda: services.save_catalogue_entry(
                procedure, form.cleaned_data["shared_with"], staff=request.staff, request=request),
                done=success, back=next_url, form=form, again=reverse("staff:applications-procedures"))
            if response is not None:
                return response
        return render(request, template, context, status=400)
    return render(request, template, context)


@staff_required(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def procedure_new(request: TownRequest) -> HttpResponse:
    form = ProcedureForm(_posted(request), instance=Procedure(municipality=request.municipality),
                         staff=request.staff)
    return _save_procedure(request, form, "applications/staff/editor/procedure.html", {"form": form},
                           _("手続を作りました。続けて申請様式を作ってください。"), _editor_url)


@staff_required(role=Role.APPROVER)
@require_http_methods(["GET", "POST"])
def procedure_edit(request: TownRequest, pk: int) -> HttpResponse:
    procedure = _procedure(request, pk)
    form = ProcedureForm(_posted(request), instance=procedure, staff=request.staff)
    return _save_procedure(request, form, "applications/staff/editor/procedure.html",
                           {"form": form, "procedure": procedure}, _("手続の説明を保存しました。"),
                           lambda saved: reverse("staff:applications-procedure", args=[saved.pk]))


_FORM = "applications/procedures/<int:pk>/form/"
urlpatterns = [
    path("applications/procedures/new/", procedure_new, name="applications-procedure-new"),
    path("applications/procedures/<int:pk>/", procedure_edit, name="applications-procedure"),
    path(_FORM, form_editor, name="applications-form"),
    path(f"{_FORM}publish/", publish, name="applications-form-publish"),
    path(f"{_FORM}preview/<int:page>/", preview, name="applications-form-preview"),
    path(f"{_FORM}export/", export, name="applications-form-export"),
    path(f"{_FORM}import/", import_json, name="applications-form-import"),
    path(f"{_FORM}pages/new/", page_new, name="applications-form-page-new"),
    path(f"{_FORM}pages/<int:page>/", page_edit, name="applications-form-page"),
    path(f"{_FORM}pages/<int:page>/move/", page_move, name="applications-form-page-move"),
    path(f"{_FORM}pages/<int:page>/delete/", page_delete, name="applications-form-page-delete"),
    path(f"{_FORM}pages/<int:page>/fields/new/", field_new, name="applications-form-field-new"),
    path(f"{_FORM}fields/<slug:name>/", field_edit, name="applications-form-field"),
    path(f"{_FORM}fields/<slug:name>/move/", field_move, name="applications-form-field-move"),
    path(f"{_FORM}fields/<slug:name>/delete/", field_delete, name="applications-form-field-delete"),
    path(f"{_FORM}fields/<slug:name>/items/new/", subfield_new, name="applications-form-subfield-new"),
    path(f"{_FORM}fields/<slug:name>/items/<slug:sub>/", field_edit, name="applications-form-subfield"),
    path(f"{_FORM}fields/<slug:name>/items/<slug:sub>/move/", field_move, name="applications-form-subfield-move"),
    path(f"{_FORM}fields/<slug:name>/items/<slug:sub>/delete/", field_delete,
         name="applications-form-subfield-delete"),
]

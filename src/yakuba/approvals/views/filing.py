"""Staff pages of 文書管理・収受: the 文書分類表 (list, edit, Excel import with a preview), 簿冊 per 課 and 年度, the
収受簿 (register a scanned letter or a pasted mail, the document page with its scan and OCR text), paper 決裁
registration, search, and the 保存期間満了 list with 廃棄・延長・移管 behind a confirmation."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from yakuba.kernel.accounts.models import Department, Role
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.audit import services as audit
from yakuba.kernel.files.http import bytes_response
from yakuba.kernel.http import TownRequest
from yakuba.kernel.refusal import Refused
from yakuba.kernel.scheduling.fiscal import fiscal_year, wareki
from yakuba.kernel.ui.actions import act_once, add_refusal, attempt, error_summary

from ..models import (
    Channel,
    DocumentClass,
    DocumentKind,
    Incoming,
    Record,
    Retention,
    Scan,
    ScanState,
    Volume,
    VolumeAction,
    VolumeDecision,
)
from ..services import classes, incoming, retention, search

PER_PAGE = 30
IMPORT_KEY = "approvals.classes.import"
BAD_DATE = gettext_lazy("日付を 2026-04-01 の形で入力してください。")
ALREADY = gettext_lazy("この操作はすでに受け付けています。")


def _date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, help_text=help_text,
                           widget=forms.DateInput(attrs={"type": "date"}),
                           error_messages={"invalid": BAD_DATE, "required": gettext_lazy("日付を入力してください。")})


def _department_field(label: Any, *, required: bool = True) -> forms.ModelChoiceField[Department]:
    return forms.ModelChoiceField(label=label, queryset=Department.objects.none(), required=required,
                                  empty_label=_("（選んでください）") if required else _("（なし）"),
                                  error_messages={"required": gettext_lazy("課を選んでください。"),
                                                  "invalid_choice": gettext_lazy("課を選び直してください。")})


def _class_field() -> forms.ModelChoiceField[DocumentClass]:
    return forms.ModelChoiceField(label=gettext_lazy("文書分類"), queryset=DocumentClass.objects.none(),
                                  empty_label=_("（選んでください）"),
                                  help_text=gettext_lazy("簿冊と保存期間は分類で決まります。"),
                                  error_messages={"required": gettext_lazy("文書分類を選んでください。"),
                                                  "invalid_choice": gettext_lazy("文書分類を選び直してください。")})


def _scoped(form: forms.BaseForm, request: TownRequest) -> None:
    """Fill the choice fields with this town's rows (the form is built before the queries may run)."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            model = field.queryset.model  # type: ignore[union-attr]
            rows = model.objects.filter(municipality=request.municipality)
            field.queryset = rows.filter(is_active=True) if model is DocumentClass else rows


def _page(request: TownRequest, rows: Any) -> Any:
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


# 文書分類表 ----------------------------------------------------------------------------------------------------------

@staff_required()
@require_GET
def class_list(request: TownRequest) -> HttpResponse:
    rows = DocumentClass.objects.filter(municipality=request.municipality).select_related("department")
    words = request.GET.get("q", "").strip()
    if words:
        rows = rows.filter(name__icontains=words) | rows.filter(major__icontains=words) | rows.filter(
            code__icontains=words)
    return render(request, "approvals/staff/class_list.html", {
        "page": _page(request, rows.order_by("code")), "q": words, "may_manage": classes.may_manage(request.staff),
    })


class ClassForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("分類記号"), max_length=30, error_messages={
        "required": gettext_lazy("分類記号を入力してください。")})
    major = forms.CharField(label=gettext_lazy("大分類"), max_length=60, error_messages={
        "required": gettext_lazy("大分類を入力してください。")})
    middle = forms.CharField(label=gettext_lazy("中分類"), max_length=60, required=False)
    name = forms.CharField(label=gettext_lazy("小分類"), max_length=100, error_messages={
        "required": gettext_lazy("小分類を入力してください。")})
    department = _department_field(gettext_lazy("主管課"), required=False)
    retention = forms.TypedChoiceField(label=gettext_lazy("保存期間"), coerce=int, choices=[
        ("", gettext_lazy("（選んでください）")), *Retention.choices], error_messages={
        "required": gettext_lazy("保存期間を選んでください。保存期間のない分類は登録できません。"),
        "invalid_choice": gettext_lazy("保存期間を選び直してください。")})
    historical = forms.BooleanField(label=gettext_lazy("歴史公文書の候補（満了時は廃棄せず移管）"), required=False)
    is_active = forms.BooleanField(label=gettext_lazy("使用中（新しい文書に選べる）"), required=False, initial=True)

    def fields_value(self) -> classes.ClassFields:
        data = self.cleaned_data
        return classes.ClassFields(code=data["code"].strip(), major=data["major"].strip(),
                                   middle=data["middle"].strip(), name=data["name"].strip(),
                                   department=data["department"], retention=data["retention"],
                                   historical=data["historical"], is_active=data["is_active"])


def _managing(request: TownRequest) -> None:
    if not classes.may_manage(request.staff):
        raise PermissionDenied(_("文書分類表を変更できるのは情報担当と文書主管課の所属長です。"))


@staff_required(role=Role.APPROVER)
def class_edit(request: TownRequest, pk: int | None = None) -> HttpResponse:
    _managing(request)
    found = get_object_or_404(DocumentClass, pk=pk) if pk is not None else None
    initial = {} if found is None else {
        "code": found.code, "major": found.major, "middle": found.middle, "name": found.name,
        "department": found.department_id, "retention": found.retention, "historical": found.historical,
        "is_active": found.is_active}
    form = ClassForm(request.POST if request.method == "POST" else None, initial=initial)
    _scoped(form, request)
    if request.method == "POST" and form.is_valid():
        done = act_once(request, lambda: classes.save_class(request.staff, found, form.fields_value(),
                                                            request=request),
                        done=lambda saved: _("「%(name)s」を保存しました。") % {"name": saved},
                        back=reverse("staff:approvals-classes"), form=form)
        if done is not None:
            return done
    return render(request, "approvals/staff/class_form.html", {
        "form": form, "found": found, "errors": error_summary(form),
    }, status=400 if form.is_bound else 200)


@staff_required()
@require_GET
def class_export(request: TownRequest) -> HttpResponse:
    content = classes.export_table(request.municipality)
    return bytes_response(content, content_type=classes.XLSX, filename=_("文書分類表.xlsx"))


def _import_page(request: TownRequest, *, table: classes.ClassTable | None = None, error: str = "",
                 status: int = 200) -> HttpResponse:
    errors = [{"id": "id_file", "label": _("ファイル"), "message": error}] if error else []
    if table is not None and not table.ok:
        errors = [{"id": "problems", "label": _("ファイルの内容"),
                   "message": _("%(n)d 件の問題があります。直してから、もう一度選んでください。"
                                "何も取り込んでいません。")
                   % {"n": table.problem_count}}]
    return render(request, "approvals/staff/class_import.html", {
        "errors": errors, "file_error": error, "table": table,
        "bad_rows": [row for row in table.rows if row.problems] if table else [],
        "counts": _counts(table) if table else {}, "headings": classes.HEADINGS,
    }, status=status)


def _counts(table: classes.ClassTable) -> dict[str, int]:
    return {key: sum(1 for row in table.rows if row.change == key) for key in ("new", "changed", "same")}


@staff_required(role=Role.APPROVER)
def class_import(request: TownRequest) -> HttpResponse:
    _managing(request)
    if request.method != "POST":
        return _import_page(request)
    if request.POST.get("step") == "confirm":
        return _import_confirmed(request)
    upload = request.FILES.get("file")
    if upload is None:
        return _import_page(request, error=_("取り込む Excel ファイル（.xlsx）を選んでください。"), status=400)
    if (upload.size or 0) > classes.MAX_BYTES:
        return _import_page(request, error=_("ファイルが大きすぎます（上限 5MB）。"), status=400)
    table = classes.read_table(request.municipality, upload.read())
    if not table.ok:
        return _import_page(request, table=table, status=400)
    request.session[IMPORT_KEY] = {"rows": table.plain(), "name": upload.name or ""}
    return _import_page(request, table=table)


def _import_confirmed(request: TownRequest) -> HttpResponse:
    held = request.session.get(IMPORT_KEY)
    if not held:
        messages.error(request, _("取り込む内容が見つかりません。もう一度ファイルを選んでください。"))
        return HttpResponseRedirect(reverse("staff:approvals-classes-import"))
    outcome = attempt(request, lambda: classes.import_table(request.staff, held["rows"], request=request))
    if outcome.repeated:
        messages.info(request, ALREADY)
    elif outcome.refused is not None:
        for message in outcome.refused.messages:
            messages.error(request, message)
        messages.error(request, _("何も取り込んでいません。ファイルを直して、もう一度選んでください。"))
        request.session.pop(IMPORT_KEY, None)
        return HttpResponseRedirect(reverse("staff:approvals-classes-import"))
    elif outcome.result is not None:
        summary = outcome.result
        messages.success(request, _("文書分類表を取り込みました（追加 %(created)d 件、変更 %(updated)d 件、変更なし "
                                    "%(same)d 件）。") % {"created": summary.created, "updated": summary.updated,
                                                         "same": summary.unchanged})
    request.session.pop(IMPORT_KEY, None)
    return HttpResponseRedirect(reverse("staff:approvals-classes"))


# 簿冊 ----------------------------------------------------------------------------------------------------------------

def _year(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and 1990 <= int(value) <= 2200 else None


def _department(request: TownRequest, value: str | None) -> Department | None:
    if not value or not value.isdigit():
        return None
    return Department.objects.filter(municipality=request.municipality, pk=int(value)).first()


@staff_required()
@require_GET
def volume_list(request: TownRequest) -> HttpResponse:
    year = _year(request.GET.get("year"))
    department = _department(request, request.GET.get("department")) if "department" in request.GET \
        else request.staff.department
    rows = Volume.objects.filter(municipality=request.municipality).select_related("document_class", "department")
    if department is not None:
        rows = rows.filter(department=department)
    if year is not None:
        rows = rows.filter(fiscal_year=year)
    years = sorted(set(Volume.objects.filter(municipality=request.municipality).values_list(
        "fiscal_year", flat=True)), reverse=True)
    return render(request, "approvals/staff/filing_volumes.html", {
        "page": _page(request, rows.order_by("-fiscal_year", "document_class__code")),
        "departments": Department.objects.filter(municipality=request.municipality),
        "department": department, "year": year, "years": [(y, wareki(y)) for y in years],
    })


@staff_required()
@require_GET
def volume_detail(request: TownRequest, pk: int) -> HttpResponse:
    volume: Volume = get_object_or_404(Volume.objects.select_related("document_class", "department"), pk=pk)
    return render(request, "approvals/staff/filing_volume.html", {
        "volume": volume, "records": volume.records.select_related("department").order_by("dated", "pk"),
        "decisions": VolumeDecision.objects.filter(volume=volume).select_related("decided_by"),
        "may_decide": retention.may_decide(request.staff, volume),
        "due": volume.status in retention.LIVE and volume.expires_on is not None
        and volume.expires_on <= retention.list_end(),
    })


# 収受 ----------------------------------------------------------------------------------------------------------------

class IncomingForm(forms.Form):
    channel = forms.ChoiceField(label=gettext_lazy("収受の方法"), choices=Channel.choices, initial=Channel.PAPER,
                                widget=forms.RadioSelect, error_messages={
                                    "required": gettext_lazy("収受の方法を選んでください。"),
                                    "invalid_choice": gettext_lazy("収受の方法を選び直してください。")})
    title = forms.CharField(label=gettext_lazy("件名"), max_length=200, error_messages={
        "required": gettext_lazy("件名を入力してください。"),
        "max_length": gettext_lazy("件名は200文字以内にしてください。")})
    sender = forms.CharField(label=gettext_lazy("差出人"), max_length=200, error_messages={
        "required": gettext_lazy("差出人を入力してください。")})
    sender_address = forms.CharField(label=gettext_lazy("差出人のメールアドレス・連絡先（任意）"), max_length=254,
                                     required=False)
    received_on = _date_field(gettext_lazy("収受日"))
    department = _department_field(gettext_lazy("担当課"))
    document_class = _class_field()
    needs_answer = forms.BooleanField(label=gettext_lazy("回答が必要"), required=False)
    answer_by = _date_field(gettext_lazy("回答期限（任意）"), required=False)
    scan = forms.FileField(label=gettext_lazy("スキャン（PDF・JPEG・PNG・HEIC）"), required=False,
                           help_text=gettext_lazy("紙の文書はスキャンして添えます。文字は自動で読み取り、検索できるように"
                                                  "なります（数十秒かかります）。"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.heic"}))
    text = forms.CharField(label=gettext_lazy("本文（メールや電子申請の内容を貼り付け）"), required=False,
                           widget=forms.Textarea(attrs={"rows": 8}), max_length=100_000)
    note = forms.CharField(label=gettext_lazy("メモ（任意）"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           max_length=2000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("scan") and not (data.get("text") or "").strip():
            self.add_error("scan", _("スキャンを添えるか、本文を貼り付けてください。"))
        return data


@staff_required()
def incoming_new(request: TownRequest) -> HttpResponse:
    posted = request.method == "POST"
    form = IncomingForm(request.POST if posted else None, request.FILES if posted else None,
                        initial={"received_on": timezone.localdate(), "department": request.staff.department_id})
    _scoped(form, request)
    if posted and form.is_valid():
        data = form.cleaned_data

        def register() -> Incoming:
            scan = incoming.check_scan(data["scan"]) if data["scan"] else None
            arrival = incoming.Arrival(
                title=data["title"], sender=data["sender"], received_on=data["received_on"],
                department=data["department"], document_class=data["document_class"], channel=data["channel"],
                sender_address=data["sender_address"], needs_answer=data["needs_answer"],
                answer_by=data["answer_by"], text=data["text"], note=data["note"])
            return incoming.receive(request.municipality, arrival, actor=request.staff.user, scan=scan,
                                    request=request)

        done = act_once(request, register,
                        done=lambda row: _("%(number)s として収受しました。") % {"number": row.record.number},
                        back=lambda row: reverse("staff:approvals-record", args=[row.record.public_id]), form=form)
        if done is not None:
            return done
    return render(request, "approvals/staff/incoming_form.html", {
        "form": form, "errors": error_summary(form),
    }, status=400 if form.is_bound else 200)


@staff_required()
@require_GET
def incoming_list(request: TownRequest) -> HttpResponse:
    rows = Incoming.objects.filter(municipality=request.municipality).select_related(
        "record__department", "record__scan")
    department = _department(request, request.GET.get("department"))
    channel = request.GET.get("channel", "")
    state = request.GET.get("state", "")
    if department is not None:
        rows = rows.filter(record__department=department)
    if channel in Channel.values:
        rows = rows.filter(channel=channel)
    if state == "answer":
        rows = rows.filter(needs_answer=True)
    elif state in (ScanState.UNREADABLE, ScanState.NO_TEXT, ScanState.PENDING):
        rows = rows.filter(record__scan__state=state)
    year = _year(request.GET.get("year"))
    if year is not None:
        rows = rows.filter(record__volume__fiscal_year=year)
    return render(request, "approvals/staff/incoming_list.html", {
        "page": _page(request, rows.order_by("-record__dated", "-pk")),
        "departments": Department.objects.filter(municipality=request.municipality),
        "department": department, "channels": Channel.choices, "channel": channel, "state": state, "year": year,
        "current_year": fiscal_year(timezone.localdate()),
    })


def _record(public_id: UUID) -> Record:
    return get_object_or_404(Record.objects.select_related("department", "volume__document_class"),
                             public_id=public_id)


def _answer_url(record: Record) -> str | None:
    """The drafting side's new-draft page for an answer to `record` (None until that side is installed)."""
    try:
        return reverse("staff:approvals-draft-new") + f"?reply_to={record.public_id}"
    except NoReverseMatch:
        return None


@staff_required()
@require_GET
def record_detail(request: TownRequest, public_id: UUID) -> HttpResponse:
    record = _record(public_id)
    audit.record_read(request, record, fields=["text", "file"])
    received = Incoming.objects.filter(record=record).first()
    scan = Scan.objects.filter(record=record).first()
    return render(request, "approvals/staff/incoming_detail.html", {
        "record": record, "incoming": received, "scan": scan,
        "answer_url": _answer_url(record) if record.kind == DocumentKind.RECEIVED and record.status == "kept"
        else None,
        "may_retry": scan is not None and scan.state in (ScanState.UNREADABLE, ScanState.NO_TEXT)
        and record.status == "kept" and bool(record.file),
        "inline": record.content_type in ("application/pdf", "image/jpeg", "image/png"),
    })


@staff_required()
@require_GET
def record_file(request: TownRequest, public_id: UUID) -> HttpResponse:
    record = _record(public_id)
    if not record.file:
        raise PermissionDenied(_("この文書のファイルはありません（廃棄済みか、登録されていません）。"))
    with record.file.open("rb") as stored:
        content = stored.read()
    audit.record("approvals.record.file_viewed", municipality=request.municipality, actor=request.user, obj=record,
                 request=request)
    name = record.file.name or ""
    extension = name.rsplit(".", 1)[-1] if "." in name else "bin"
    return bytes_response(content, content_type=record.content_type or "application/octet-stream",
                          filename=f"{record.number or record.public_id}.{extension}",
                          inline=request.GET.get("inline") == "1")


@staff_required()
@require_POST
def record_retry(request: TownRequest, public_id: UUID) -> HttpResponse:
    record = _record(public_id)
    back = reverse("staff:approvals-record", args=[record.public_id])
    return act_once(request, lambda: incoming.retry_reading(request.staff, record, request=request),
                    done=_("もう一度読み取ります。しばらくしてから画面を更新してください。"), back=back)


# 紙決裁の登録 ------------------------------------------------------------------------------------------------------

class PaperForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("文書番号"), max_length=40, help_text=gettext_lazy("例: 下総第45号"),
                             error_messages={"required": gettext_lazy("文書番号を入力してください。")})
    title = forms.CharField(label=gettext_lazy("件名"), max_length=200, error_messages={
        "required": gettext_lazy("件名を入力してください。")})
    department = _department_field(gettext_lazy("課"))
    document_class = _class_field()
    decided_on = _date_field(gettext_lazy("決裁日"))
    scan = forms.FileField(label=gettext_lazy("スキャン（任意: PDF・JPEG・PNG・HEIC）"), required=False,
                           widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.heic"}))


@staff_required()
def paper_new(request: TownRequest) -> HttpResponse:
    posted = request.method == "POST"
    form = PaperForm(request.POST if posted else None, request.FILES if posted else None,
                     initial={"department": request.staff.department_id})
    _scoped(form, request)
    if posted and form.is_valid():
        data = form.cleaned_data

        def register() -> Record:
            scan = incoming.check_scan(data["scan"]) if data["scan"] else None
            paper = incoming.PaperDecision(number=data["number"], title=data["title"],
                                           department=data["department"], document_class=data["document_class"],
                                           decided_on=data["decided_on"])
            return incoming.register_paper_decision(request.staff, paper, scan=scan, request=request)

        done = act_once(request, register, form=form,
                        done=lambda row: _("紙の決裁 %(number)s を登録しました。") % {"number": row.number},
                        back=lambda row: reverse("staff:approvals-record", args=[row.public_id]))
        if done is not None:
            return done
    return render(request, "approvals/staff/filing_paper.html", {
        "form": form, "errors": error_summary(form),
    }, status=400 if form.is_bound else 200)


# 検索 ----------------------------------------------------------------------------------------------------------------

class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("番号・件名・本文の言葉"), required=False, max_length=200)
    department = _department_field(gettext_lazy("課"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("種別"), required=False,
                             choices=[("", gettext_lazy("すべて")), *DocumentKind.choices])
    date_from = _date_field(gettext_lazy("日付（から）"), required=False)
    date_to = _date_field(gettext_lazy("日付（まで）"), required=False)


@staff_required()
@require_GET
def search_page(request: TownRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    _scoped(form, request)
    page, words = None, ""
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        words = data["q"]
        query = search.Query(words=words, department=data["department"], kind=data["kind"],
                             date_from=data["date_from"], date_to=data["date_to"])
        page = _page(request, search.find(request.municipality, query))
        for record in page.object_list:
            record.snippet = search.snippet(record, words)
    return render(request, "approvals/staff/filing_search.html", {
        "form": form, "page": page, "words": words, "errors": error_summary(form),
    }, status=400 if form.is_bound and form.errors else 200)


# 保存期間満了 --------------------------------------------------------------------------------------------------------

@staff_required()
@require_GET
def retention_list(request: TownRequest) -> HttpResponse:
    department = _department(request, request.GET.get("department")) if "department" in request.GET \
        else request.staff.department
    today = timezone.localdate()
    volumes = list(retention.due_volumes(request.municipality, department=department, today=today))
    for volume in volumes:
        volume.expired = volume.expires_on is not None and volume.expires_on < today  # type: ignore[attr-defined]
        volume.may_decide = retention.may_decide(request.staff, volume)  # type: ignore[attr-defined]
    return render(request, "approvals/staff/retention_list.html", {
        "volumes": volumes, "department": department, "list_end": retention.list_end(today),
        "departments": Department.objects.filter(municipality=request.municipality),
        "year_label": wareki(fiscal_year(today)),
    })


class DecisionForm(forms.Form):
    confirm = forms.BooleanField(label=gettext_lazy("内容を確かめました"), error_messages={
        "required": gettext_lazy("内容を確かめたら、チェックを入れてください。")})
    reason = forms.CharField(label=gettext_lazy("理由・メモ"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ExtendForm(DecisionForm):
    years = forms.TypedChoiceField(label=gettext_lazy("延長する年数"), coerce=int,
                                   choices=[(n, _("%(n)d年") % {"n": n}) for n in retention.EXTENSION_YEARS],
                                   error_messages={"required": gettext_lazy("延長する年数を選んでください。"),
                                                   "invalid_choice": gettext_lazy("年数を選び直してください。")})
    reason = forms.CharField(label=gettext_lazy("延長する理由"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": gettext_lazy("延長する理由を入力してください。")})


ACTIONS: dict[str, tuple[type[DecisionForm], Any, Any]] = {
    VolumeAction.DISPOSE: (DecisionForm, retention.dispose, gettext_lazy("「%(title)s」を廃棄しました。")),
    VolumeAction.EXTEND: (ExtendForm, retention.extend, gettext_lazy("「%(title)s」の保存期間を延長しました。")),
    VolumeAction.TRANSFER: (DecisionForm, retention.transfer, gettext_lazy("「%(title)s」を移管済みにしました。")),
}


@staff_required(role=Role.APPROVER)
def volume_decide(request: TownRequest, pk: int, action: str) -> HttpResponse:
    volume: Volume = get_object_or_404(Volume.objects.select_related("document_class", "department"), pk=pk)
    if not retention.may_decide(request.staff, volume):
        raise PermissionDenied(retention.NOT_YOURS)
    form_class, verb, done_text = ACTIONS[VolumeAction(action)]
    form = form_class(request.POST if request.method == "POST" else None)
    refusal: Refused | None = None
    if request.method == "POST" and form.is_valid():
        extra = {"years": form.cleaned_data["years"]} if action == VolumeAction.EXTEND else {}
        outcome = attempt(request, lambda: verb(request.staff, volume, reason=form.cleaned_data["reason"],
                                                request=request, **extra))
        if outcome.repeated:
            messages.info(request, ALREADY)
            return HttpResponseRedirect(reverse("staff:approvals-volume", args=[volume.pk]))
        if outcome.refused is not None:
            refusal = outcome.refused
            add_refusal(form, refusal)
        else:
            messages.success(request, str(done_text) % {"title": volume.title})
            return HttpResponseRedirect(reverse("staff:approvals-volume", args=[volume.pk]))
    records = volume.records.order_by("dated", "pk")
    return render(request, "approvals/staff/retention_confirm.html", {
        "volume": volume, "form": form, "action": action, "action_label": VolumeAction(action).label,
        "records": records, "files": sum(1 for r in records if r.file), "errors": error_summary(form),
        "blockers": retention.blockers(volume) if action == VolumeAction.DISPOSE else [],
        "expired": volume.expires_on is not None and volume.expires_on < timezone.localdate(),
    }, status=400 if form.is_bound else 200)


@staff_required(role=Role.APPROVER)
@require_GET
def volume_package(request: TownRequest, pk: int) -> HttpResponse:
    volume: Volume = get_object_or_404(Volume.objects.select_related("document_class", "department"), pk=pk)
    if not retention.may_decide(request.staff, volume):
        raise PermissionDenied(retention.NOT_YOURS)
    content = retention.archive_package(volume)
    audit.record("approvals.volume.packaged", municipality=request.municipality, actor=request.user, obj=volume,
                 request=request, data={"size": len(content)})
    return bytes_response(content, content_type="application/zip", filename=f"{volume.title}.zip")


urlpatterns = [
    path("approvals/classes/", class_list, name="approvals-classes"),
    path("approvals/classes/new/", class_edit, name="approvals-class-new"),
    path("approvals/classes/<int:pk>/", class_edit, name="approvals-class-edit"),
    path("approvals/classes/import/", class_import, name="approvals-classes-import"),
    path("approvals/classes/export.xlsx", class_export, name="approvals-classes-export"),
    path("approvals/volumes/", volume_list, name="approvals-volumes"),
    path("approvals/volumes/<int:pk>/", volume_detail, name="approvals-volume"),
    path("approvals/volumes/<int:pk>/package.zip", volume_package, name="approvals-volume-package"),
    *[path(f"approvals/volumes/<int:pk>/{action}/", volume_decide, {"action": action},
           name=f"approvals-volume-{action}") for action in VolumeAction.values],
    path("approvals/incoming/", incoming_list, name="approvals-incoming"),
    path("approvals/incoming/new/", incoming_new, name="approvals-incoming-new"),
    path("approvals/records/<uuid:public_id>/", record_detail, name="approvals-record"),
    path("approvals/records/<uuid:public_id>/file/", record_file, name="approvals-record-file"),
    path("approvals/records/<uuid:public_id>/retry/", record_retry, name="approvals-record-retry"),
    path("approvals/paper/new/", paper_new, name="approvals-paper-new"),
    path("approvals/search/", search_page, name="approvals-search"),
    path("approvals/retention/", retention_list, name="approvals-retention"),
]

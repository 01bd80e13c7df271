"""The staff pages of ご意見箱: the inbox of the 課 (the 情報担当 sees every one), an opinion with its actions
(振り分け, 回答, 回答不要, よくある質問として公開), and the categories the 情報担当 keeps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yakuba.kernel.accounts.models import Department, Role
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.actions import act_once, error_summary

from ..models.opinions import Opinion, OpinionCategory, OpinionStatus
from ..services import opinions as services

STATUSES = [("new", gettext_lazy("未対応")), ("answered", gettext_lazy("回答済")),
            ("published", gettext_lazy("公開済")), ("closed", gettext_lazy("回答不要"))]


def _departments() -> Any:
    return Department.objects.order_by("sort_order", "pk")


class RouteForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    department: forms.ModelChoiceField[Department] = forms.ModelChoiceField(
        label=gettext_lazy("振り分け先の課"), queryset=Department.objects.none(),
        error_messages={"required": gettext_lazy("振り分け先の課を選んでください。")})
    note = forms.CharField(label=gettext_lazy("申し送り（任意）"), required=False, max_length=services.NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        department: Any = self.fields["department"]
        department.queryset = _departments()


class AnswerForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.CharField(label=gettext_lazy("回答"), widget=forms.Textarea(attrs={"rows": 8}),
                             help_text=gettext_lazy("メールアドレスのある方には、このままメールでお送りします。"),
                             error_messages={"required": gettext_lazy("回答を入力してください。")})


class PublishForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    faq_question = forms.CharField(label=gettext_lazy("公開する質問"), widget=forms.Textarea(attrs={"rows": 4}),
                                   help_text=gettext_lazy("個人が分かる言葉（お名前・住所・電話番号・メールアドレス）は"
                                                          "［氏名］などに置き換えてあります。読みやすく書き直してください。"),
                                   error_messages={"required": gettext_lazy("公開する質問を入力してください。")})
    faq_answer = forms.CharField(label=gettext_lazy("公開する回答"), widget=forms.Textarea(attrs={"rows": 6}),
                                 error_messages={"required": gettext_lazy("公開する回答を入力してください。")})


class RevisionForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)


class CategoryForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("分類の名前"), max_length=40)
    description = forms.CharField(label=gettext_lazy("説明（任意）"), max_length=200, required=False)
    department: forms.ModelChoiceField[Department] = forms.ModelChoiceField(
        label=gettext_lazy("最初に受け付ける課"), queryset=Department.objects.none())
    active = forms.BooleanField(label=gettext_lazy("住民が選べる（受付中）"), required=False)
    sort_order = forms.IntegerField(label=gettext_lazy("並び順"), min_value=0, max_value=999, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        department: Any = self.fields["department"]
        department.queryset = _departments()

    def fields_of(self) -> services.CategoryFields:
        data = self.cleaned_data
        return services.CategoryFields(name=data["name"], description=data["description"] or "",
                                       department=data["department"], active=data["active"],
                                       sort_order=data["sort_order"] or 0)


# The inbox ------------------------------------------------------------------------------------------------------------

@staff_required(role=Role.STAFF)
def inbox(request: TownRequest) -> HttpResponse:
    """ご意見箱: 未対応 first by default; filters by state, category and (for the 情報担当) 課."""
    staff = request.staff
    rows = services.inbox(staff)
    status = request.GET.get("status", "new")
    category = request.GET.get("category", "")
    department = request.GET.get("department", "")
    shown = services.status_filter(rows, status)
    if category.isdigit():
        shown = shown.filter(category_id=int(category))
    if department.isdigit() and staff.role >= Role.ADMIN:
        shown = shown.filter(department_id=int(department))
    page = Paginator(shown.order_by("-received_at", "-pk"), 50).get_page(request.GET.get("page"))
    counts = (rows.values("category__name").annotate(total=Count("pk"))
              .order_by("category__sort_order", "category__name"))
    return render(request, "voice/staff/opinions/inbox.html", {
        "page": page, "status": status, "statuses": [("", _("すべて")), *STATUSES], "category": category,
        "department": department, "categories": OpinionCategory.objects.all(),
        "departments": _departments() if staff.role >= Role.ADMIN else None, "counts": counts,
        "is_admin": staff.role >= Role.ADMIN})


def _opinion(request: TownRequest, pk: int) -> Opinion:
    found: Opinion = get_object_or_404(services.inbox(request.staff).select_related("resident__user", "answered_by"),
                                       pk=pk)
    return found


def _detail(request: TownRequest, opinion: Opinion, *, route: RouteForm | None = None,
            answer: AnswerForm | None = None, publish: PublishForm | None = None,
            refused: list[str] | None = None, status: int = 200) -> HttpResponse:
    revision = {"revision": opinion.revision}
    if publish is None:
        question, draft = (opinion.faq_question, opinion.faq_answer) if opinion.faq_question else \
            services.faq_draft(opinion)
        publish = PublishForm(initial={**revision, "faq_question": question, "faq_answer": draft})
    forms_ = {"route": route or RouteForm(initial=revision),
              "answer": answer or AnswerForm(initial={**revision, "answer": opinion.answer}),
              "publish": publish}
    errors = [item for form in forms_.values() if form.is_bound for item in error_summary(form)]
    errors += [{"id": "", "label": "", "message": message} for message in refused or []]
    services.note_contact_read(request.staff, opinion, request)
    return render(request, "voice/staff/opinions/detail.html", {
        "opinion": opinion, **forms_, "revision": opinion.revision, "errors": errors,
        "routings": opinion.routings.select_related("from_department", "to_department", "routed_by"),
        "Status": OpinionStatus}, status=status if not errors else max(status, 400))


@staff_required(role=Role.STAFF)
def detail(request: TownRequest, pk: int) -> HttpResponse:
    return _detail(request, _opinion(request, pk))


def _act(request: TownRequest, pk: int, form: forms.Form, name: str, action: Callable[[Opinion, Any], Any],
         done: str) -> HttpResponse:
    """Run a staff action on the opinion; a refusal (another staff member came first) keeps the typing."""
    opinion = _opinion(request, pk)
    back = reverse("staff:voice-opinion", args=[opinion.pk])
    if form.is_valid():
        response = act_once(request, lambda: action(opinion, form.cleaned_data), done=done, back=back, form=form)
        if response is not None:
            return response
        opinion.refresh_from_db()
    chosen: dict[str, Any] = {name: form}
    return _detail(request, opinion, status=400, **chosen)


@staff_required(role=Role.STAFF)
@require_POST
def route(request: TownRequest, pk: int) -> HttpResponse:
    return _act(request, pk, RouteForm(request.POST), "route", lambda opinion, data: services.route(
        request.staff, opinion.pk, data["department"], data["note"], revision=data["revision"], request=request),
        _("担当課を変えました。"))


@staff_required(role=Role.STAFF)
@require_POST
def answer(request: TownRequest, pk: int) -> HttpResponse:
    return _act(request, pk, AnswerForm(request.POST), "answer", lambda opinion, data: services.answer(
        request.staff, opinion.pk, data["answer"], revision=data["revision"], request=request),
        _("回答を保存しました。メールアドレスのある方には回答をお送りします。"))


@staff_required(role=Role.STAFF)
@require_POST
def publish(request: TownRequest, pk: int) -> HttpResponse:
    return _act(request, pk, PublishForm(request.POST), "publish", lambda opinion, data: services.publish(
        request.staff, opinion.pk, data["faq_question"], data["faq_answer"], revision=data["revision"],
        request=request), _("よくある質問として公開しました。"))


def _simple(request: TownRequest, pk: int, verb: Callable[..., Opinion], done: str) -> HttpResponse:
    opinion = _opinion(request, pk)
    form = RevisionForm(request.POST)
    revision = form.cleaned_data["revision"] if form.is_valid() else -1
    back = reverse("staff:voice-opinion", args=[opinion.pk])
    return act_once(request, lambda: verb(request.staff, opinion.pk, revision=revision, request=request), done=done,
                    back=back, refused=lambda error: _detail(request, opinion, refused=error.messages, status=400))


@staff_required(role=Role.STAFF)
@require_POST
def close(request: TownRequest, pk: int) -> HttpResponse:
    return _simple(request, pk, services.close, _("「回答不要」にしました。"))


@staff_required(role=Role.STAFF)
@require_POST
def unpublish(request: TownRequest, pk: int) -> HttpResponse:
    return _simple(request, pk, services.unpublish, _("よくある質問の公開をやめました。"))


# Categories (情報担当) -----------------------------------------------------------------------------------------------

def _categories_page(request: TownRequest, form: CategoryForm, *, status: int = 200) -> HttpResponse:
    return render(request, "voice/staff/opinions/categories.html", {
        "categories": OpinionCategory.objects.select_related("department"), "form": form,
        "errors": error_summary(form)}, status=status)


@staff_required(role=Role.ADMIN)
def categories(request: TownRequest) -> HttpResponse:
    """ご意見箱の分類: each with the 課 that receives it first; add one, or the standard ones."""
    if request.method == "POST":
        form = CategoryForm(request.POST)
        if form.is_valid():
            response = act_once(request, lambda: services.save_category(request.staff, form.fields_of(),
                                                                        request=request),
                                form=form, done=_("分類を追加しました。"),
                                back=reverse("staff:voice-opinion-categories"))
            if response is not None:
                return response
        return _categories_page(request, form, status=400)
    return _categories_page(request, CategoryForm(initial={"active": True}))


@staff_required(role=Role.ADMIN)
def category(request: TownRequest, pk: int) -> HttpResponse:
    found: OpinionCategory = get_object_or_404(OpinionCategory, pk=pk)
    if request.method == "POST":
        form = CategoryForm(request.POST)
        if form.is_valid():
            response = act_once(request, lambda: services.save_category(request.staff, form.fields_of(), found.pk,
                                                                        request=request),
                                form=form, done=_("分類を保存しました。"),
                                back=reverse("staff:voice-opinion-categories"))
            if response is not None:
                return response
        status = 400
    else:
        form = CategoryForm(initial={"name": found.name, "description": found.description,
                                     "department": found.department_id, "active": found.active,
                                     "sort_order": found.sort_order})
        status = 200
    return render(request, "voice/staff/opinions/category.html", {"category": found, "form": form,
                                                                  "errors": error_summary(form)}, status=status)


@staff_required(role=Role.ADMIN)
@require_POST
def install_defaults(request: TownRequest) -> HttpResponse:
    return act_once(request, lambda: services.install_defaults(request.municipality, request.staff),
                    done=lambda added: _("標準の分類を%(count)s件追加しました。") % {"count": added},
                    back=reverse("staff:voice-opinion-categories"))

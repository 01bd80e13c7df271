"""Staff pages for the town's rules of 決裁: the 事務決裁規程 (a line per matter and amount band: 専決 level, 合議,
重要・異例) and the 職位 (who holds which post, and the 代決 order of each). Everyone reads them; the keepers of the
文書分類表 change them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from yakuba.kernel.accounts.models import Department, Role, Section, Staff
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.actions import act_once, error_summary

from ..models import ConsultMode, DecisionRule, Deputy, DocumentClass, Matter, Post, Rank
from ..services import classes, rules

RANK_CHOICES = [("", gettext_lazy("（選んでください）")), *Rank.choices]


def _managing(request: TownRequest) -> None:
    if not classes.may_manage(request.staff):
        raise PermissionDenied(_("事務決裁規程と職位を変更できるのは情報担当と文書主管課の所属長です。"))


class _HolderField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj}（{obj.department.name}）"


class _PostField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title}（{obj.holder or _('空席')}）"


class RuleForm(forms.Form):
    matter = forms.ChoiceField(label=gettext_lazy("事項"), choices=[("", gettext_lazy("（選んでください）")),
                                                                     *Matter.choices],
                               error_messages={"required": gettext_lazy("事項を選んでください。"),
                                               "invalid_choice": gettext_lazy("事項を選び直してください。")})
    document_class: forms.ModelChoiceField[DocumentClass] = forms.ModelChoiceField(
        label=gettext_lazy("文書分類（この分類だけに使う行）"), queryset=DocumentClass.objects.none(), required=False,
        empty_label=gettext_lazy("（すべての分類）"),
        error_messages={"invalid_choice": gettext_lazy("文書分類を選び直してください。")})
    amount_up_to = forms.IntegerField(
        label=gettext_lazy("金額の上限（円）"), required=False, min_value=1, max_value=10**15,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=gettext_lazy("支出負担行為と契約だけ。この金額以下がこの行の区分です（前の行の上限を超える金額から）。"
                               "空欄は上限なし。"),
        error_messages={"invalid": gettext_lazy("金額の上限は半角数字（円）で入力してください。"),
                        "min_value": gettext_lazy("金額の上限は1円以上で入力してください。"),
                        "max_value": gettext_lazy("金額の上限が大きすぎます。")})
    decider_rank = forms.TypedChoiceField(
        label=gettext_lazy("決裁権者（専決の職位）"), coerce=int, choices=RANK_CHOICES,
        error_messages={"required": gettext_lazy("決裁権者（専決の職位）を選んでください。"),
                        "invalid_choice": gettext_lazy("決裁権者（専決の職位）を選び直してください。")})
    consult: forms.ModelMultipleChoiceField[Department] = forms.ModelMultipleChoiceField(
        label=gettext_lazy("合議先の課"), queryset=Department.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": gettext_lazy("合議先の課を選び直してください。"),
                        "invalid_pk_value": gettext_lazy("合議先の課を選び直してください。")})
    consult_mode = forms.ChoiceField(label=gettext_lazy("合議の方法"), choices=ConsultMode.choices,
                                     initial=ConsultMode.ALL, widget=forms.RadioSelect,
                                     error_messages={
                                         "required": gettext_lazy("合議の方法を選んでください。"),
                                         "invalid_choice": gettext_lazy("合議の方法を選び直してください。")})
    important = forms.BooleanField(label=gettext_lazy("重要・異例（代決できない）"), required=False)

    def __init__(self, *args: Any, town: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document_class"].queryset = DocumentClass.objects.filter(  # type: ignore[attr-defined]
            municipality=town, is_active=True).order_by("code")
        self.fields["consult"].queryset = Department.objects.filter(municipality=town)  # type: ignore[attr-defined]

    def value(self) -> rules.RuleFields:
        data = self.cleaned_data
        return rules.RuleFields(matter=data["matter"], document_class=data["document_class"],
                                amount_up_to=data["amount_up_to"], decider_rank=data["decider_rank"],
                                consult=list(data["consult"]), consult_mode=data["consult_mode"],
                                important=data["important"])


@staff_required()
@require_GET
def rule_list(request: TownRequest) -> HttpResponse:
    return render(request, "approvals/staff/rules_list.html", {
        "rows": rules.table(), "may_manage": classes.may_manage(request.staff)})


@staff_required(role=Role.APPROVER)
def rule_edit(request: TownRequest, pk: int | None = None) -> HttpResponse:
    _managing(request)
    found = get_object_or_404(DecisionRule, pk=pk) if pk is not None else None
    initial = {} if found is None else {
        "matter": found.matter, "document_class": found.document_class_id, "amount_up_to": found.amount_up_to,
        "decider_rank": found.decider_rank, "consult": [d.pk for d in found.consult.all()],
        "consult_mode": found.consult_mode, "important": found.important}
    bound = request.method == "POST"
    form = RuleForm(request.POST if bound else None, initial=initial, town=request.municipality)
    if bound and form.is_valid():
        done = act_once(request, lambda: rules.save_rule(request.staff, found, form.value(), request=request),
                        done=_("事務決裁規程を保存しました。"), back=reverse("staff:approvals-rules"), form=form)
        if done is not None:
            return done
    return render(request, "approvals/staff/rules_form.html", {
        "form": form, "found": found, "errors": error_summary(form)}, status=400 if bound else 200)


@staff_required(role=Role.APPROVER)
@require_POST
def rule_delete(request: TownRequest, pk: int) -> HttpResponse:
    _managing(request)
    rule = get_object_or_404(DecisionRule, pk=pk)
    return act_once(request, lambda: rules.delete_rule(request.staff, rule, request=request),
                    done=_("事務決裁規程の行を削除しました。"), back=reverse("staff:approvals-rules"))


class PostForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("職名"), max_length=60,
                            help_text=gettext_lazy("例: 総務課長、庶務係長、副町長"),
                            error_messages={"required": gettext_lazy("職名を入力してください。"),
                                            "max_length": gettext_lazy("職名は60文字以内で入力してください。")})
    rank = forms.TypedChoiceField(label=gettext_lazy("職位の段階"), coerce=int, choices=RANK_CHOICES,
                                  error_messages={"required": gettext_lazy("職位の段階を選んでください。"),
                                                  "invalid_choice": gettext_lazy("職位の段階を選び直してください。")})
    department: forms.ModelChoiceField[Department] = forms.ModelChoiceField(
        label=gettext_lazy("職位の課"), queryset=Department.objects.none(), required=False,
        empty_label=gettext_lazy("（町全体: 教育長・副町長・町長）"),
        error_messages={"invalid_choice": gettext_lazy("課を選び直してください。")})
    section: forms.ModelChoiceField[Section] = forms.ModelChoiceField(
        label=gettext_lazy("職位の係（係長のとき）"), queryset=Section.objects.none(), required=False,
        empty_label=gettext_lazy("（なし）"),
        error_messages={"invalid_choice": gettext_lazy("係を選び直してください。")})
    holder = _HolderField(label=gettext_lazy("在職者"), queryset=Staff.objects.none(), required=False,
                          empty_label=gettext_lazy("（空席）"),
                          error_messages={"invalid_choice": gettext_lazy("在職者を選び直してください。")})

    def __init__(self, *args: Any, town: Any, post: Post | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(  # type: ignore[attr-defined]
            municipality=town)
        self.fields["section"].queryset = Section.objects.filter(  # type: ignore[attr-defined]
            municipality=town).select_related("department")
        self.fields["holder"].queryset = Staff.objects.filter(  # type: ignore[attr-defined]
            municipality=town, is_active=True).select_related("department")
        others = Post.objects.filter(municipality=town).select_related("holder")
        if post is not None:
            others = others.exclude(pk=post.pk)
        for order in range(1, rules.MAX_DEPUTIES + 1):
            self.fields[f"deputy_{order}"] = _PostField(
                label=_("代決 第%(n)d順位") % {"n": order}, queryset=others, required=False,
                empty_label=_("（なし）"), error_messages={"invalid_choice": _("代決者を選び直してください。")})

    def value(self) -> rules.PostFields:
        data = self.cleaned_data
        return rules.PostFields(title=data["title"], rank=data["rank"], department=data["department"],
                                section=data["section"], holder=data["holder"],
                                deputies=[data[f"deputy_{n}"] for n in range(1, rules.MAX_DEPUTIES + 1)])


@staff_required()
@require_GET
def post_list(request: TownRequest) -> HttpResponse:
    posts = Post.objects.select_related("holder", "department", "section").order_by(
        "-rank", "department__sort_order", "title")
    deputies: dict[int, list[Post]] = {}
    for line in Deputy.objects.select_related("deputy").order_by("order"):
        deputies.setdefault(line.post_id, []).append(line.deputy)
    return render(request, "approvals/staff/posts_list.html", {
        "posts": [(post, deputies.get(post.pk, [])) for post in posts],
        "may_manage": classes.may_manage(request.staff)})


@staff_required(role=Role.APPROVER)
def post_edit(request: TownRequest, pk: int | None = None) -> HttpResponse:
    _managing(request)
    found = get_object_or_404(Post, pk=pk) if pk is not None else None
    initial: dict[str, Any] = {}
    if found is not None:
        initial = {"title": found.title, "rank": found.rank, "department": found.department_id,
                   "section": found.section_id, "holder": found.holder_id}
        for line in Deputy.objects.filter(post=found).order_by("order")[:rules.MAX_DEPUTIES]:
            initial[f"deputy_{line.order}"] = line.deputy_id
    bound = request.method == "POST"
    form = PostForm(request.POST if bound else None, initial=initial, town=request.municipality, post=found)
    if bound and form.is_valid():
        done = act_once(request, lambda: rules.save_post(request.staff, found, form.value(), request=request),
                        done=lambda saved: _("職位「%(title)s」を保存しました。") % {"title": saved.title},
                        back=reverse("staff:approvals-posts"), form=form)
        if done is not None:
            return done
    return render(request, "approvals/staff/posts_form.html", {
        "form": form, "found": found, "errors": error_summary(form),
        "deputy_fields": [form[f"deputy_{n}"] for n in range(1, rules.MAX_DEPUTIES + 1)]},
        status=400 if bound else 200)


@staff_required(role=Role.APPROVER)
@require_POST
def post_delete(request: TownRequest, pk: int) -> HttpResponse:
    _managing(request)
    post = get_object_or_404(Post, pk=pk)
    return act_once(request, lambda: rules.delete_post(request.staff, post, request=request),
                    done=_("職位を削除しました。"), back=reverse("staff:approvals-posts"))


urlpatterns = [
    path("approvals/rules/", rule_list, name="approvals-rules"),
    path("approvals/rules/new/", rule_edit, name="approvals-rule-new"),
    path("approvals/rules/<int:pk>/", rule_edit, name="approvals-rule-edit"),
    path("approvals/rules/<int:pk>/delete/", rule_delete, name="approvals-rule-delete"),
    path("approvals/posts/", post_list, name="approvals-posts"),
    path("approvals/posts/new/", post_edit, name="approvals-post-new"),
    path("approvals/posts/<int:pk>/", post_edit, name="approvals-post-edit"),
    path("approvals/posts/<int:pk>/delete/", post_delete, name="approvals-post-delete"),
]

"""Staff pages for 団体登録: review applications (approve into a category, or refuse with a reason) and keep the
town's categories and their 減免 rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.audit import services as audit
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.actions import act_once, attempt

from ..models import Group, GroupCategory, GroupStatus
from ..services import groups as groups_service

STATUS_ORDER = [GroupStatus.PENDING, GroupStatus.APPROVED, GroupStatus.REJECTED, GroupStatus.WITHDRAWN]


def _reviewer(request: TownRequest) -> None:
    if not groups_service.may_decide(request.staff):
        raise PermissionDenied(_("団体登録を審査する権限がありません。"))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("審査の結果"), widget=forms.RadioSelect,
        choices=[("approve", gettext_lazy("承認する")), ("reject", gettext_lazy("登録できない"))],
        error_messages={"required": gettext_lazy("審査の結果を選んでください。")})
    category: forms.ModelChoiceField[GroupCategory] = forms.ModelChoiceField(
        label=gettext_lazy("区分（承認するとき）"), queryset=GroupCategory.objects.none(), required=False,
        error_messages={"invalid_choice": gettext_lazy("区分を選び直してください。")})
    valid_until = forms.DateField(
        label=gettext_lazy("有効期限（空欄なら年度末）"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": gettext_lazy("有効期限は 2027-03-31 のように入力してください。")})
    note = forms.CharField(
        label=gettext_lazy("理由・連絡事項"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("登録できないときは理由を必ず入力してください。申請者にメールでお知らせします。"),
        error_messages={"max_length": gettext_lazy("500文字以内で入力してください。")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category: Any = self.fields["category"]
        category.queryset = GroupCategory.objects.all()


@staff_required(role=Role.STAFF)
def groups(request: TownRequest) -> HttpResponse:
    _reviewer(request)
    status = request.GET.get("status", GroupStatus.PENDING)
    if status not in GroupStatus.values:
        status = GroupStatus.PENDING
    listed = Group.objects.filter(status=status).select_related("category", "representative").order_by("applied_at")
    counts = {value: Group.objects.filter(status=value).count() for value in GroupStatus.values}
    return render(request, "reservations/staff/groups.html", {
        "groups": listed, "status": status,
        "tabs": [{"value": value, "label": GroupStatus(value).label, "count": counts[value]} for value in STATUS_ORDER],
    })


@staff_required(role=Role.STAFF)
@require_http_methods(["GET", "POST"])
def group(request: TownRequest, pk: int) -> HttpResponse:
    _reviewer(request)
    item: Group = get_object_or_404(Group.objects.select_related("category", "representative", "decided_by"), pk=pk)
    form = DecisionForm(request.POST if request.method == "POST" else None, initial={"category": item.category_id})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = act_once(request, lambda: groups_service.decide(
            item, approve=data["decision"] == "approve", staff=request.staff, note=data["note"],
            category=data["category"], valid_until=data["valid_until"], request=request),
            done=_("審査の結果を記録しました。申請者にお知らせします。"),
            back=reverse("staff:reservations-group", args=[pk]), form=form)
        if response is not None:
            return response
    audit.record_read(request, item)
    bookings = item.reservations.select_related("room__facility").order_by("-starts_at")[:20]
    return render(request, "reservations/staff/group.html", {"group": item, "form": form, "bookings": bookings},
                  status=400 if form.errors else 200)


class CategoryForm(forms.ModelForm[GroupCategory]):
    class Meta:
        model = GroupCategory
        fields = ["name", "description", "reduction_percent", "extra_window_days", "sort_order"]
        labels = {"sort_order": gettext_lazy("表示順")}
        error_messages = {
            "name": {"required": gettext_lazy("区分の名前を入力してください。")},
            "reduction_percent": {"required": gettext_lazy("減免率を入力してください（なければ0）。"),
                                  "invalid": gettext_lazy("減免率は0から100の数字で入力してください。")},
            "extra_window_days": {"required": gettext_lazy("日数を入力してください（なければ0）。"),
                                  "invalid": gettext_lazy("日数は数字で入力してください。")},
        }

    def clean_reduction_percent(self) -> int:
        value: int = self.cleaned_data["reduction_percent"]
        if value > 100:
            raise forms.ValidationError(_("減免率は0から100の数字で入力してください。"))
        return value

    def clean_extra_window_days(self) -> int:
        value: int = self.cleaned_data["extra_window_days"]
        if value > 365:
            raise forms.ValidationError(_("早める日数は365日までです。"))
        return value


@staff_required(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def categories(request: TownRequest, pk: int | None = None) -> HttpResponse:
    """The categories and their rules; 情報担当 (admin) keeps them, as they decide fees."""
    item = get_object_or_404(GroupCategory, pk=pk) if pk is not None else None
    form = CategoryForm(request.POST if request.method == "POST" else None, instance=item)
    if request.method == "POST" and form.is_valid():
        outcome = attempt(request, lambda: groups_service.save_category(form.save(commit=False), staff=request.staff,
                                                                        request=request))
        if outcome.repeated:
            return HttpResponseRedirect(reverse("staff:reservations-group-categories"))
        if outcome.refused is not None:
            for message in outcome.refused.messages:
                form.add_error("name", message)
        elif (category := outcome.result) is not None:
            messages.success(request, _("区分「%(name)s」を保存しました。") % {"name": category.name})
            return HttpResponseRedirect(reverse("staff:reservations-group-categories"))
    return render(request, "reservations/staff/group_categories.html", {
        "categories": GroupCategory.objects.all(), "form": form, "editing": item,
    }, status=400 if form.errors else 200)


urlpatterns = [
    path("reservations/groups/", groups, name="reservations-groups"),
    path("reservations/groups/<int:pk>/", group, name="reservations-group"),
    path("reservations/group-categories/", categories, name="reservations-group-categories"),
    path("reservations/group-categories/<int:pk>/", categories, name="reservations-group-category"),
]

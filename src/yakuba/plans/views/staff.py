"""Staff pages of DX推進計画: the plans, a department's to-do for a 年度, the plan tree with 「進捗を記録」, recording a
measure's status and its indicators' actuals (with evidence), evidence downloads, and (情報担当) binding an
indicator to a live metric and fixing the live values of a year."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yakuba.kernel import metrics
from yakuba.kernel.accounts.models import Department, Role
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.audit.services import record
from yakuba.kernel.files.http import private_file_response
from yakuba.kernel.forms.normalise import whole_number
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.actions import act_once, add_refusal, attempt, error_summary

from ..models import Comparator, Evidence, Indicator, Measure, Plan, Status
from ..pages import (
    measure_context,
    plan_period,
    plan_state,
    plan_tree,
    progress_summary,
    shown_year,
    tabs,
    today,
    town_measure,
    town_plan,
)
from ..periods import fiscal_year, wareki
from ..services import kpis, todo
from ..services.progress import EVIDENCE_MAX_FILES, ValueInput, may_record, record_value, report_status

# Forms ----------------------------------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several evidence files; the service checks each one (type, size, count)."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        return [item for item in (data if isinstance(data, list | tuple) else [data]) if item]


FILES_HELP = gettext_lazy("PDF・画像（JPEG・PNG）・Excel・Word、%(n)d 件まで。職員だけが見られます。") % {
    "n": EVIDENCE_MAX_FILES}


def _year_field(plan: Plan) -> forms.IntegerField:
    # The choices are the plan's years; anything else reaches the service, which says why it is refused.
    return forms.IntegerField(label=gettext_lazy("年度"), widget=forms.Select(
        choices=[(year, wareki(year)) for year in plan.years]),
        error_messages={"required": gettext_lazy("年度を選んでください。"),
                        "invalid": gettext_lazy("年度を選び直してください。")})


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("進捗状況"), choices=Status.choices, widget=forms.RadioSelect,
                               error_messages={"required": gettext_lazy("進捗状況を選んでください。"),
                                               "invalid_choice": gettext_lazy("進捗状況を選び直してください。")})
    comment = forms.CharField(label=gettext_lazy("実績・課題・次年度の予定"), required=False,
                              widget=forms.Textarea(attrs={"rows": 5}), help_text=gettext_lazy("4000文字まで"))
    evidence = MultipleFileField(label=gettext_lazy("根拠資料"), required=False, help_text=FILES_HELP)

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        kwargs["prefix"] = "status"
        super().__init__(*args, **kwargs)
        self.fields = {"year": _year_field(plan), **self.fields}


class ValueForm(forms.Form):
    value = forms.CharField(label=gettext_lazy("実績値"), required=False,
                            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    unit = forms.CharField(required=False, widget=forms.HiddenInput)
    achieved = forms.BooleanField(label=gettext_lazy("実施・達成した"), required=False)
    note = forms.CharField(label=gettext_lazy("根拠・説明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = MultipleFileField(label=gettext_lazy("根拠資料"), required=False, help_text=FILES_HELP)

    def __init__(self, *args: Any, plan: Plan, indicator: Indicator, **kwargs: Any) -> None:
        kwargs["prefix"] = f"value-{indicator.pk}"
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.fields = {"year": _year_field(plan), **self.fields}
        self.fields["unit"].initial = indicator.unit
        if indicator.comparator == Comparator.DONE:
            del self.fields["value"]
        else:
            del self.fields["achieved"]

    def to_input(self) -> ValueInput:
        data = self.cleaned_data
        achieved = data["achieved"] if "achieved" in self.fields else None
        return ValueInput(year=data["year"], value=data.get("value", ""), unit=data["unit"], achieved=achieved,
                          note=data["note"])


# Plans and to-do --------------------------------------------------------------------------------------------------

@staff_required()
def plans(request: TownRequest) -> HttpResponse:
    rows = [{"plan": plan, "period": plan_period(plan), "state": plan_state(plan), **progress_summary(plan),
             "report_url": reverse("staff:plan-report", args=[plan.slug])}
            for plan in Plan.objects.filter(municipality=request.municipality)]
    import_url = reverse("staff:plan-import") if request.staff.has_role(Role.ADMIN) else ""
    return render(request, "plans/staff/plans.html", {"rows": rows, "import_url": import_url})


def _todo_year(request: TownRequest, errors: list[str]) -> int:
    raw = request.GET.get("year", "")
    if raw:
        year = whole_number(raw)
        if year is not None and 2000 <= year <= 2100:
            return year
        errors.append(_("年度を選び直してください。"))
    return fiscal_year(today())


def _todo_department(request: TownRequest, errors: list[str]) -> Department:
    staff = request.staff
    raw = request.GET.get("department", "")
    if raw and staff.has_role(Role.ADMIN):
        pk = whole_number(raw)
        chosen = Department.objects.filter(pk=pk).first() if pk is not None else None
        if chosen is not None:
            return chosen
        errors.append(_("課を選び直してください。"))
    return staff.department


@staff_required()
def plan_todo(request: TownRequest) -> HttpResponse:
    errors: list[str] = []
    year = _todo_year(request, errors)
    department = _todo_department(request, errors)
    items = todo.for_department(department, year)
    current = fiscal_year(today())
    years = sorted({*range(current - 2, current + 3), year})
    return render(request, "plans/staff/todo.html", {
        "items": items, "year": year, "year_label": wareki(year), "department": department,
        "years": [(y, wareki(y)) for y in years], "errors": errors,
        "departments": Department.objects.order_by("sort_order", "name") if request.staff.has_role(Role.ADMIN) else [],
        "reported": sum(1 for item in items if item.reported),
    }, status=400 if errors else 200)


@staff_required()
def plan(request: TownRequest, slug: str) -> HttpResponse:
    plan = town_plan(request, slug)
    year = shown_year(plan)
    tree = plan_tree(plan, year)
    for _policy, rows in tree:
        for row in rows:
            row.recordable = may_record(request.staff, row.measure)
    admin = request.staff.has_role(Role.ADMIN)
    indicators = list(Indicator.objects.filter(measure__plan=plan).select_related("measure")) if admin else []
    for indicator in indicators:
        metric = metrics.get(indicator.metric) if indicator.metric else None
        indicator.metric_label = metric.label if metric else indicator.metric  # type: ignore[attr-defined]
    return render(request, "plans/staff/plan.html", {
        "plan": plan, "period": plan_period(plan), "state": plan_state(plan), "tree": tree, "staff": True,
        "year": year, "year_label": wareki(year), "admin": admin, "indicators": indicators,
        "years": [(y, wareki(y)) for y in plan.years], "report_url": reverse("staff:plan-report", args=[plan.slug]),
    })


# Recording ----------------------------------------------------------------------------------------------------------

def _initial_year(request: TownRequest, plan: Plan) -> int:
    raw = request.GET.get("year", "")
    year = whole_number(raw)
    return year if year is not None and year in plan.years else shown_year(plan)


def _forms(request: TownRequest, plan: Plan, measure: Measure, posted: str) -> tuple[StatusForm, list[ValueForm]]:
    year = _initial_year(request, plan)
    bound = request.method == "POST"

    def data(prefix: str) -> tuple[Any, Any]:
        return (request.POST, request.FILES) if bound and posted == prefix else (None, None)

    status_form = StatusForm(*data("status"), plan=plan, initial={"year": year})
    value_forms = [ValueForm(*data(f"value-{indicator.pk}"), plan=plan, indicator=indicator, initial={"year": year})
                   for indicator in measure.indicators.all()]
    return status_form, value_forms


def _save(request: TownRequest, measure: Measure, form: forms.Form) -> str | None:
    """Record what `form` holds, once per token; the message to show, or None when refused."""
    staff = request.staff

    def save() -> str:
        if isinstance(form, StatusForm):
            data = form.cleaned_data
            report_status(staff, measure, year=data["year"], status=data["status"], comment=data["comment"],
                          files=data["evidence"])
            return _("進捗状況を記録しました。")
        assert isinstance(form, ValueForm)
        record_value(staff, form.indicator, form.to_input(), form.cleaned_data["evidence"])
        return _("実績値を記録しました。")

    outcome = attempt(request, save)
    if outcome.repeated:
        return _("この記録はすでに受け付けています。")
    if outcome.refused is not None:
        add_refusal(form, outcome.refused)
        return None
    return outcome.result


@staff_required()
def plan_measure(request: TownRequest, slug: str, pk: int) -> HttpResponse:
    plan = town_plan(request, slug)
    measure = town_measure(plan, pk)
    posted = request.POST.get("form", "") if request.method == "POST" else ""
    status_form, value_forms = _forms(request, plan, measure, posted)
    form = next((f for f in [status_form, *value_forms] if f.is_bound), None)
    errors: list[dict[str, Any]] | list[str] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form is None:
            errors = [_("記録する内容を選び直してください。")]
        elif form.is_valid() and (said := _save(request, measure, form)) is not None:
            messages.success(request, said)
            return HttpResponseRedirect(reverse("staff:plan-measure", args=[plan.slug, measure.pk]) + "#history")
        else:
            errors = error_summary(form)
    return render(request, "plans/staff/measure.html", {
        **tabs(plan, "measure"), **measure_context(plan, measure), "staff": True,
        "status_form": status_form, "value_forms": value_forms, "errors": errors, "posted": posted,
        "recordable": may_record(request.staff, measure)}, status=status)


@staff_required()
def plan_evidence(request: TownRequest, pk: int) -> HttpResponseBase:
    evidence: Evidence = get_object_or_404(Evidence.objects.filter(municipality=request.municipality), pk=pk)
    record("plans.evidence_downloaded", municipality=request.municipality, actor=request.user, obj=evidence,
           request=request, data={"name": evidence.name})
    return private_file_response(evidence.file, content_type=evidence.content_type, filename=evidence.name)


# 情報担当: live metrics ------------------------------------------------------------------------------------------

class BindForm(forms.Form):
    metric = forms.ChoiceField(label=gettext_lazy("自動計測する値"), required=False,
                               help_text=gettext_lazy("単位が指標と同じ値だけを選べます。"),
                               error_messages={"invalid_choice": gettext_lazy("自動計測する値を選び直してください。")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("自動計測しない"))] + [
            (m.key, f"{m.label}（{m.unit}{'・' + m.app if m.app else ''}）") for m in metrics.all_metrics()]
        self.fields["metric"].choices = choices  # type: ignore[attr-defined]


@staff_required(Role.ADMIN)
def plan_bind(request: TownRequest, slug: str, pk: int) -> HttpResponse:
    plan = town_plan(request, slug)
    indicator: Indicator = get_object_or_404(Indicator.objects.filter(measure__plan=plan).select_related("measure"),
                                             pk=pk)
    form = BindForm(request.POST if request.method == "POST" else None, initial={"metric": indicator.metric})
    if request.method == "POST" and form.is_valid():
        done = act_once(request, lambda: kpis.bind(request.staff, indicator, form.cleaned_data["metric"]),
                        done=lambda bound: (_("自動計測の設定を保存しました。") if bound.metric
                                            else _("自動計測をやめました。")),
                        back=reverse("staff:plan", args=[plan.slug]) + "#metrics", form=form)
        if done is not None:
            return done
    return render(request, "plans/staff/bind.html", {
        "plan": plan, "indicator": indicator, "form": form, "errors": error_summary(form),
        "metrics": metrics.all_metrics()}, status=400 if form.is_bound else 200)


@staff_required(Role.ADMIN)
@require_POST
def plan_snapshot(request: TownRequest, slug: str) -> HttpResponse:
    plan = town_plan(request, slug)
    raw = request.POST.get("year", "")
    back = reverse("staff:plan", args=[plan.slug]) + "#metrics"
    year = whole_number(raw)
    if year is None or year not in plan.years:
        messages.error(request, _("年度を計画の期間から選んでください。"))
        return HttpResponseRedirect(back)
    response = act_once(request, lambda: kpis.snapshot(request.staff, plan, year, today=today()),
                        done=lambda rows: _("%(year)s の自動計測の値を %(n)d 件、実績として確定しました。") % {
                            "year": wareki(year), "n": len(rows)}, back=back)
    assert response is not None  # without a form, act_once always answers
    return response


urlpatterns = [
    path("plans/", plans, name="plans"),
    path("plans/todo/", plan_todo, name="plan-todo"),
    path("plans/evidence/<int:pk>/", plan_evidence, name="plan-evidence"),
    path("plans/<slug:slug>/", plan, name="plan"),
    path("plans/<slug:slug>/measures/<int:pk>/", plan_measure, name="plan-measure"),
    path("plans/<slug:slug>/indicators/<int:pk>/bind/", plan_bind, name="plan-bind"),
    path("plans/<slug:slug>/snapshot/", plan_snapshot, name="plan-snapshot"),
]

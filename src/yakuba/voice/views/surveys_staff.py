"""Staff pages of アンケート: the list, making a survey, running it (open, close, publish), the link and QR code for
the 広報紙, invitation codes for the letters, keying in paper answers (書かない窓口) and the results with exports."""

from __future__ import annotations

import io
import json
from typing import Any
from uuid import UUID

import segno
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yakuba.kernel.accounts.models import Department
from yakuba.kernel.accounts.permissions import can, staff_required
from yakuba.kernel.files.tables import csv_bytes
from yakuba.kernel.forms.render import answers_from_post, render_page
from yakuba.kernel.http import TownRequest
from yakuba.kernel.refusal import NON_FIELD
from yakuba.kernel.ui.actions import act_once, attempt, error_summary

from ..models.surveys import Access, Audience, Channel, Survey, SurveyAnswer, SurveyState
from ..services import surveys as services
from ..services import surveys_results as tally
from .surveys_public import results_context


def _survey(request: TownRequest, uuid: UUID) -> Survey:
    survey: Survey = get_object_or_404(Survey.objects.select_related("department"), uuid=uuid)
    if not can(request.staff, department=survey.department):
        raise PermissionDenied(_("このアンケートを担当する課の職員だけが開けます。"))
    return survey


def _public_url(request: TownRequest, survey: Survey, code: str = "") -> str:
    url = request.build_absolute_uri(reverse("voice:survey", args=[survey.uuid]))
    return f"{url}?code={services.shown_code(code)}" if code else url


@staff_required()
@require_GET
def index(request: TownRequest) -> HttpResponse:
    rows = Survey.objects.select_related("department").order_by("-created_at")
    return render(request, "voice/staff/surveys/index.html", {"surveys": rows})


class SurveyForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("題名"), max_length=120)
    description = forms.CharField(label=gettext_lazy("説明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    department: forms.ModelChoiceField[Department] = forms.ModelChoiceField(
        label=gettext_lazy("担当課"), queryset=Department.objects.none())
    audience = forms.ChoiceField(label=gettext_lazy("対象"), choices=Audience.choices)
    area = forms.CharField(label=gettext_lazy("対象の地区"), required=False, max_length=40)
    access = forms.ChoiceField(label=gettext_lazy("回答の方法"), choices=Access.choices)
    anonymous = forms.BooleanField(label=gettext_lazy("無記名（回答と回答者を結び付けない）"), required=False,
                                   initial=True)
    opens_at = forms.DateTimeField(label=gettext_lazy("開始"), required=False,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    closes_at = forms.DateTimeField(label=gettext_lazy("締切"), required=False,
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    questions = forms.CharField(
        label=gettext_lazy("質問（フォーム定義のJSON）"), widget=forms.Textarea(attrs={"rows": 12}),
        help_text=gettext_lazy("フォームの項目の一覧です。年代の質問は自動で最初に入ります。"),
        initial='[{"name": "satisfaction", "type": "choice", "label": "満足度", '
                '"options": [["5", "満足"], ["4", "やや満足"], ["3", "どちらともいえない"], ["2", "やや不満"], '
                '["1", "不満"]]}]')

    def clean_questions(self) -> list[Any]:
        try:
            value = json.loads(self.cleaned_data["questions"])
        except ValueError:
            raise forms.ValidationError(_("JSONとして読めません。")) from None
        if not isinstance(value, list):
            raise forms.ValidationError(_("質問の一覧（[ ... ]）を入力してください。"))
        return value


@staff_required()
@require_http_methods(["GET", "POST"])
def new(request: TownRequest) -> HttpResponse:
    form = SurveyForm(request.POST or None, initial={"department": request.staff.department_id})
    form.fields["department"].queryset = Department.objects.all()  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = services.SurveyData(**form.cleaned_data)
        response = act_once(request, lambda: services.create_survey(request.staff, data), form=form,
                            done=_("アンケートを作成しました。"),
                            back=lambda survey: reverse("staff:voice-survey", args=[survey.uuid]))
        if response is not None:
            return response
    status = 400 if form.is_bound else 200
    return render(request, "voice/staff/surveys/new.html", {"form": form, "errors": error_summary(form)},
                  status=status)


@staff_required()
@require_GET
def detail(request: TownRequest, uuid: UUID) -> HttpResponse:
    survey = _survey(request, uuid)
    url = _public_url(request, survey)
    counts = dict(SurveyAnswer.objects.filter(survey=survey).values_list("channel").annotate(
        n=Count("id")).order_by())
    return render(request, "voice/staff/surveys/detail.html", {
        "survey": survey, "url": url, "qr": segno.make(url, error="m").svg_data_uri(scale=4, border=2),
        "online": counts.get(Channel.ONLINE, 0), "paper": counts.get(Channel.PAPER, 0),
        "invitations": survey.invitations.count(), "used": survey.invitations.filter(used=True).count(),
        "states": _next_states(survey)})


def _next_states(survey: Survey) -> list[tuple[str, str]]:
    states: dict[str, list[tuple[str, str]]] = {SurveyState.DRAFT: [(SurveyState.OPEN, _("回答の受付を始める"))],
            SurveyState.OPEN: [(SurveyState.CLOSED, _("回答の受付を終える"))],
            SurveyState.CLOSED: [(SurveyState.OPEN, _("回答の受付を再開する"))]}
    return states[survey.state]


@staff_required()
@require_POST
def state(request: TownRequest, uuid: UUID) -> HttpResponse:
    survey = _survey(request, uuid)
    back = reverse("staff:voice-survey", args=[survey.uuid])
    return act_once(request, lambda: services.set_state(request.staff, survey, request.POST.get("state", "")),
                    done=_("状態を変更しました。"), back=back)


@staff_required()
@require_POST
def publish(request: TownRequest, uuid: UUID) -> HttpResponse:
    survey = _survey(request, uuid)
    public = request.POST.get("public") == "1"
    return act_once(request, lambda: services.publish_results(request.staff, survey, public),
                    done=_("結果を公開しました。") if public else _("結果の公開をやめました。"),
                    back=reverse("staff:voice-survey", args=[survey.uuid]))


@staff_required()
@require_GET
def qr(request: TownRequest, uuid: UUID, kind: str) -> HttpResponse:
    """The survey's link as a QR code for the 広報紙 (SVG for print, PNG for everything else)."""
    survey = _survey(request, uuid)
    if kind not in ("svg", "png"):
        raise Http404
    code = segno.make(_public_url(request, survey), error="m")
    out = io.BytesIO()
    if kind == "svg":
        code.save(out, kind="svg", scale=10, border=4)
        response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    else:
        code.save(out, kind="png", scale=10, border=4)
        response = HttpResponse(out.getvalue(), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.uuid}.{kind}"'
    return response


@staff_required()
@require_POST
def invitations(request: TownRequest, uuid: UUID) -> HttpResponse:
    """Make N codes and hand them over now, as a printable sheet (a QR per letter) or CSV: only their hashes stay."""
    survey = _survey(request, uuid)
    try:
        count = int(request.POST.get("count", ""))
    except ValueError:
        count = 0
    outcome = attempt(request, lambda: services.make_invitations(request.staff, survey, count))
    back = reverse("staff:voice-survey", args=[survey.uuid])
    if outcome.repeated or outcome.refused is not None or outcome.result is None:
        messages.error(request, outcome.refused.message if outcome.refused else _(
            "この操作はすでに受け付けています。作成したコードは最初の画面でしか表示できません。"))
        return HttpResponseRedirect(back)
    codes = outcome.result
    if request.POST.get("format") == "csv":
        rows = [[_("招待コード"), _("回答ページ")], *[[services.shown_code(code), _public_url(request, survey, code)]
                                                   for code in codes]]
        response = HttpResponse(csv_bytes(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="invitations-{survey.uuid}.csv"'
        response["Cache-Control"] = "private, no-store"
        return response
    sheet = [{"code": services.shown_code(code),
              "qr": segno.make(_public_url(request, survey, code), error="m").svg_data_uri(scale=3, border=2)}
             for code in codes]
    return render(request, "voice/staff/surveys/invitations.html", {"survey": survey, "sheet": sheet,
                                                                    "url": _public_url(request, survey)})


@staff_required()
@require_http_methods(["GET", "POST"])
def paper(request: TownRequest, uuid: UUID) -> HttpResponse:
    """紙の回答の入力: the same questions, keyboard first; 「保存して次の1枚」 keeps the clerk on this page."""
    survey = _survey(request, uuid)
    if survey.state == SurveyState.DRAFT or survey.access == Access.ACCOUNT:
        raise Http404
    form = services.form_of(survey)
    answers: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    code = ""
    if request.method == "POST":
        answers = answers_from_post(form, request.POST)
        code = request.POST.get("code", "")[:40]
        back = reverse("staff:voice-survey-paper", args=[survey.uuid])
        outcome = attempt(request, lambda: services.enter_paper(request.staff, survey, answers, code=code))
        if outcome.refused is None:
            messages.success(request, _("1枚保存しました。次の1枚を入力してください。") if outcome.done
                             else _("この1枚はすでに保存しています。"))
            return HttpResponseRedirect(back)
        errors = services.refusal_fields(outcome.refused)
    fields = {key: value for key, value in errors.items() if key not in ("code", NON_FIELD)}
    entered = SurveyAnswer.objects.filter(survey=survey, channel=Channel.PAPER).count()
    return render(request, "voice/staff/surveys/paper.html", {
        "survey": survey, "entered": entered, "code": code, "needs_code": survey.access == Access.CODE,
        "code_error": (errors.get("code") or [""])[0], "general_errors": errors.get(NON_FIELD, []),
        "form_has_summary": bool(fields), "form_html": render_page(form, answers, fields),
    }, status=400 if errors else 200)


@staff_required()
@require_GET
def results(request: TownRequest, uuid: UUID) -> HttpResponse:
    survey = _survey(request, uuid)
    question = request.GET.get("q", "")
    texts = None
    if question in {item.name for item in tally.text_questions(survey)}:
        texts = Paginator(tally.texts(survey, question), 50).get_page(request.GET.get("page"))
    return render(request, "voice/staff/surveys/results.html", {
        "survey": survey, **results_context(survey), "texts": texts, "question": question,
        "base": reverse("staff:voice-survey-results", args=[survey.uuid])})


@staff_required()
@require_GET
def export(request: TownRequest, uuid: UUID, kind: str) -> HttpResponse:
    survey = _survey(request, uuid)
    if kind not in ("csv", "xlsx"):
        raise Http404
    if kind == "csv":
        response = HttpResponse(tally.results_csv(survey), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(tally.results_xlsx(survey), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.uuid}.{kind}"'
    response["Cache-Control"] = "private, no-store"
    return response


staff_urlpatterns = [
    path("voice/surveys/", index, name="voice-surveys"),
    path("voice/surveys/new/", new, name="voice-survey-new"),
    path("voice/surveys/<uuid:uuid>/", detail, name="voice-survey"),
    path("voice/surveys/<uuid:uuid>/state/", state, name="voice-survey-state"),
    path("voice/surveys/<uuid:uuid>/publish/", publish, name="voice-survey-publish"),
    path("voice/surveys/<uuid:uuid>/qr.<str:kind>", qr, name="voice-survey-qr"),
    path("voice/surveys/<uuid:uuid>/invitations/", invitations, name="voice-survey-invitations"),
    path("voice/surveys/<uuid:uuid>/paper/", paper, name="voice-survey-paper"),
    path("voice/surveys/<uuid:uuid>/results/", results, name="voice-survey-results"),
    path("voice/surveys/<uuid:uuid>/results.<str:kind>", export, name="voice-survey-export"),
]

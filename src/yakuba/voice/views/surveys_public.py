"""Residents' pages of アンケート: the open surveys, answering one (with the code from the letter, or signed in),
the thanks page, and the results a 課 has published."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yakuba.kernel.accounts.permissions import town_resident
from yakuba.kernel.forms.render import answers_from_post, render_page
from yakuba.kernel.http import TownRequest
from yakuba.kernel.refusal import NON_FIELD
from yakuba.kernel.ui.actions import attempt
from yakuba.kernel.ui.charts import bars
from yakuba.kernel.ui.pagecache import cacheable_public
from yakuba.kernel.words import display as words

from ..models.surveys import AGE_BANDS, Access, Audience, Survey, SurveyState
from ..records import SURVEY_PAGES
from ..registry import SURVEY_WORDS
from ..services import surveys as services
from ..services import surveys_results as tally


def _form(request: TownRequest, survey: Survey) -> Any:
    return words.form(request, SURVEY_WORDS, survey.pk, services.form_of(survey))


@require_GET
@cacheable_public(kinds=(SURVEY_PAGES,), max_age=300)
def index(request: TownRequest) -> HttpResponse:
    """実施中のアンケート and those with published results."""
    rows = Survey.objects.exclude(audience=Audience.STAFF).exclude(state=SurveyState.DRAFT)
    current = [survey for survey in rows if services.availability(survey) == "open"]
    published = [survey for survey in rows.filter(results_public=True)]
    return render(request, "voice/public/surveys/index.html", {"current": current, "published": published})


def _answer_page(request: TownRequest, survey: Survey, answers: dict[str, Any], *, code: str = "",
                 errors: dict[str, list[str]] | None = None, status: int = 200) -> HttpResponse:
    errors = errors or {}
    fields = {key: value for key, value in errors.items() if key not in ("code", NON_FIELD)}
    return render(request, "voice/public/surveys/answer.html", {
        "survey": survey, "code": code, "code_error": (errors.get("code") or [""])[0],
        "general_errors": errors.get(NON_FIELD, []), "form_has_summary": bool(fields),
        "form_html": render_page(_form(request, survey), answers, fields),
        "has_errors": bool(errors), "needs_code": survey.access == Access.CODE,
        "needs_login": survey.access == Access.ACCOUNT and not request.user.is_authenticated,
    }, status=status)


def _unavailable(request: TownRequest, survey: Survey, state: str) -> HttpResponse:
    return render(request, "voice/public/surveys/unavailable.html", {"survey": survey, "state": state},
                  status=410 if state == "closed" else 404)


@require_http_methods(["GET", "POST"])
def answer(request: TownRequest, uuid: UUID) -> HttpResponse:
    """One page of questions; nothing is saved until it is sent, and a refusal keeps what was typed (400)."""
    survey: Survey = get_object_or_404(Survey.objects.exclude(state=SurveyState.DRAFT), uuid=uuid)
    state = services.availability(survey)
    if state != "open":
        return _unavailable(request, survey, state)
    form = services.form_of(survey)
    if request.method == "GET":
        resident = town_resident(request)
        band = services.age_band_of(resident.birthdate if resident else None)
        return _answer_page(request, survey, {services.AGE_FIELD: band} if band else {},
                            code=request.GET.get("code", "")[:40])
    answers = answers_from_post(form, request.POST)
    code = request.POST.get("code", "")[:40]
    outcome = attempt(request, lambda: services.answer_online(survey, answers, code=code, user=request.user))
    if outcome.refused is not None:
        return _answer_page(request, survey, answers, code=code, status=400,
                            errors=services.refusal_fields(outcome.refused))
    return HttpResponseRedirect(reverse("voice:survey-thanks", args=[survey.uuid]))


@require_GET
@cacheable_public(kinds=(SURVEY_PAGES,))
def thanks(request: TownRequest, uuid: UUID) -> HttpResponse:
    survey: Survey = get_object_or_404(Survey.objects.exclude(state=SurveyState.DRAFT), uuid=uuid)
    return render(request, "voice/public/surveys/thanks.html", {"survey": survey})


@require_GET
@cacheable_public(kinds=(SURVEY_PAGES,))
def results(request: TownRequest, uuid: UUID) -> HttpResponse:
    survey: Survey = get_object_or_404(Survey, uuid=uuid, results_public=True)
    question = request.GET.get("q", "")
    texts = None
    if question in {item.name for item in tally.text_questions(survey)}:
        texts = Paginator(tally.texts(survey, question), 50).get_page(request.GET.get("page"))
    return render(request, "voice/public/surveys/results.html", {
        "survey": survey, **results_context(survey), "texts": texts, "question": question,
        "base": reverse("voice:survey-results", args=[survey.uuid])})


def results_context(survey: Survey) -> dict[str, Any]:
    """What the results pages (public and staff) draw: the tally, one chart per question."""
    result = tally.results(survey)
    charts = []
    for question in result.questions:
        chart = bars([(row.label, row.count) for row in question.rows], title=question.label,
                     unit=_("件")) if question.rows else None
        charts.append({"question": question, "chart": chart})
    band_chart = bars([(label, n) for label, n in result.by_band], title=_("年代別の回答数"), unit=_("件"))
    return {"result": result, "charts": charts, "band_chart": band_chart,
            "band_labels": [_(label) for _value, label in AGE_BANDS]}


urlpatterns = [
    path("surveys/", index, name="surveys"),
    path("surveys/<uuid:uuid>/", answer, name="survey"),
    path("surveys/<uuid:uuid>/thanks/", thanks, name="survey-thanks"),
    path("surveys/<uuid:uuid>/results/", results, name="survey-results"),
]

"""アンケート's metrics (online share, responses, by age band) and its demo (003's figures, idempotent)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from tests import factories
from yakuba.kernel import metrics
from yakuba.kernel.ops.demo import TOWNS
from yakuba.voice.demo import surveys as demo
from yakuba.voice.models.surveys import Invitation, Survey, SurveyAnswer, SurveyItem
from yakuba.voice.services import surveys as services
from yakuba.voice.services import surveys_results as tally

from .surveys_support import answers, make_survey

pytestmark = pytest.mark.django_db


def test_the_online_share_and_answers_by_age_band(town_a, town_b):
    setup = make_survey(town_a, codes=4)
    other = make_survey(town_b, codes=2)
    with scope(municipality=town_b):
        services.answer_online(other.survey, answers(), code=other.codes[0])
    today = timezone.localdate()
    window = (today - timedelta(days=1), today + timedelta(days=1))
    with scope(municipality=town_a):
        services.answer_online(setup.survey, answers(age_band="20"), code=setup.codes[0])
        for code in setup.codes[1:]:
            services.enter_paper(setup.clerk, setup.survey, answers(age_band="70"), code=code)
        assert metrics.get("voice.survey_online_share").value(*window) == 25
        assert metrics.get("voice.survey_responses").value(*window) == 4
        assert metrics.get("voice.survey_responses_age_70").value(*window) == 3
        assert metrics.get("voice.survey_responses_age_20").value(*window) == 1
        assert metrics.get("voice.survey_online_share").value(today - timedelta(days=9), today - timedelta(days=2)) \
            is None


def test_the_demo_shows_003s_online_share_and_loads_twice_the_same(town_a):
    town = next(t for t in TOWNS if t.slug == "shimonita")
    factories.make_department(town_a, "企画課")
    factories.make_department(town_a, "総務課")
    with scope(municipality=town_a):
        demo.load(town_a, town)
        counts = (Survey.objects.count(), Invitation.objects.count(), SurveyAnswer.objects.count(),
                  SurveyItem.objects.count())
        demo.load(town_a, town)
        assert counts == (Survey.objects.count(), Invitation.objects.count(), SurveyAnswer.objects.count(),
                          SurveyItem.objects.count())
        survey = Survey.objects.get(title="町民意識調査 2026")
        result = tally.results(survey)
        assert (result.total, result.online) == (706, 101) and round(result.online_share, 1) == 14.3
        assert Invitation.objects.filter(survey=survey, used=False).count() == 1500 - 706
        services.answer_online(survey, answers(info_source=["line"], online_services=["shinsei"],
                                               satisfaction="4", comment=""), code="DEMO0-00707")
        staff_survey = Survey.objects.get(title="職員意識調査 2026")
        assert staff_survey.audience == "staff" and staff_survey.state == "open"

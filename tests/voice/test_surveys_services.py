"""アンケート services: making a survey, one answer per invitation or account, paper entry, refusals, the tally."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests import factories
from yakuba.kernel.refusal import Refused
from yakuba.voice.models.surveys import (
    Access,
    Audience,
    Channel,
    Invitation,
    Participation,
    SurveyAnswer,
    SurveyItem,
    SurveyState,
)
from yakuba.voice.services import surveys as services
from yakuba.voice.services import surveys_results as tally

from .surveys_support import QUESTIONS, answers, make_survey

pytestmark = pytest.mark.django_db


def test_the_age_question_comes_first_and_a_bad_definition_is_refused(town_a):
    setup = make_survey(town_a)
    fields = services.form_of(setup.survey).all_fields()
    assert fields[0].name == "age_band" and len(fields[0].options) == 8
    with scope(municipality=town_a), pytest.raises(Refused) as refused:
        services.create_survey(setup.clerk, services.SurveyData(
            title="x", department=setup.clerk.department, questions=[{"name": "q", "type": "nope", "label": "x"}]))
    assert "questions" in refused.value.errors


def test_staff_of_another_department_cannot_run_the_survey(town_a):
    setup = make_survey(town_a)
    with scope(municipality=town_a):
        with pytest.raises(Refused):
            services.make_invitations(setup.other, setup.survey, 3)
        with pytest.raises(Refused):
            services.enter_paper(setup.other, setup.survey, answers(), code=setup.codes[0])


def test_one_answer_per_invitation_online_and_on_paper(town_a):
    setup = make_survey(town_a)
    with scope(municipality=town_a):
        services.answer_online(setup.survey, answers(), code=setup.codes[0].lower())
        with pytest.raises(Refused) as twice:
            services.answer_online(setup.survey, answers(), code=setup.codes[0])
        assert "すでに回答" in twice.value.errors["code"]
        with pytest.raises(Refused):  # the same letter keyed in from paper
            services.enter_paper(setup.clerk, setup.survey, answers(), code=setup.codes[0])
        services.enter_paper(setup.clerk, setup.survey, answers(age_band="70"), code=setup.codes[1])
        with pytest.raises(Refused):  # and a paper letter cannot then answer online
            services.answer_online(setup.survey, answers(), code=setup.codes[1])
        with pytest.raises(Refused) as unknown:
            services.answer_online(setup.survey, answers(), code="AAAAA-AAAAA")
        assert "正しくありません" in unknown.value.errors["code"]
        assert SurveyAnswer.objects.count() == 2
        assert set(SurveyAnswer.objects.values_list("channel", flat=True)) == {Channel.ONLINE, Channel.PAPER}
        assert Invitation.objects.filter(used=True).count() == 2


def test_a_refused_answer_saves_nothing_and_uses_no_invitation(town_a):
    setup = make_survey(town_a)
    with scope(municipality=town_a):
        with pytest.raises(Refused) as refused:
            services.answer_online(setup.survey, answers(satisfaction=None, household="99"), code=setup.codes[0])
        assert set(refused.value.errors) == {"satisfaction", "household"}
        with pytest.raises(Refused) as script:
            services.answer_online(setup.survey, answers(comment="<script>alert(1)</script>"), code=setup.codes[0])
        assert "<script>" in script.value.errors["comment"]
        assert not SurveyAnswer.objects.exists() and not SurveyItem.objects.exists()
        assert not Invitation.objects.filter(used=True).exists()


def test_closed_and_draft_surveys_refuse_answers(town_a):
    closed = make_survey(town_a, state=SurveyState.CLOSED)
    draft = make_survey(town_a, state=SurveyState.DRAFT, title="準備中", codes=0)
    with scope(municipality=town_a):
        with pytest.raises(Refused, match="終了"):
            services.answer_online(closed.survey, answers(), code=closed.codes[0])
        with pytest.raises(Refused, match="まだ始まって"):
            services.answer_online(draft.survey, answers())
        assert not Invitation.objects.filter(used=True).exists()


def test_staff_only_survey_takes_one_answer_per_staff_member(town_a, town_b):
    setup = make_survey(town_a, access=Access.ACCOUNT, audience=Audience.STAFF, codes=0, department="総務課",
                        title="職員意識調査")
    resident = factories.make_resident(town_a)
    stranger = factories.make_staff(town_b)
    with scope(municipality=town_a):
        services.answer_online(setup.survey, answers(), user=setup.other.user)
        with pytest.raises(Refused, match="1人1回"):
            services.answer_online(setup.survey, answers(), user=setup.other.user)
        with pytest.raises(Refused, match="職員だけ"):
            services.answer_online(setup.survey, answers(), user=resident.user)
        with pytest.raises(Refused, match="職員だけ"):
            services.answer_online(setup.survey, answers(), user=stranger.user)
        with pytest.raises(Refused, match="ログイン"):
            services.answer_online(setup.survey, answers())
        assert SurveyAnswer.objects.count() == 1 and Participation.objects.count() == 1


def test_a_staff_only_survey_must_be_answered_signed_in(town_a):
    clerk = factories.make_staff(town_a)
    with scope(municipality=town_a), pytest.raises(Refused) as refused:
        services.create_survey(clerk, services.SurveyData(title="職員", department=clerk.department,
                                                          questions=QUESTIONS, audience=Audience.STAFF))
    assert "access" in refused.value.errors


def test_the_tally_counts_options_age_bands_numbers_and_the_online_share(town_a):
    setup = make_survey(town_a, codes=4)
    with scope(municipality=town_a):
        services.answer_online(setup.survey, answers(age_band="20", source=["line"]), code=setup.codes[0])
        services.enter_paper(setup.clerk, setup.survey, answers(age_band="70", source=["kouhou", "musen"],
                                                                 household="1"), code=setup.codes[1])
        services.enter_paper(setup.clerk, setup.survey, answers(age_band="70", source=["kouhou"], comment="",
                                                                 household=""), code=setup.codes[2])
        services.enter_paper(setup.clerk, setup.survey, answers(age_band="", source=["kouhou"],
                                                                 household="5"), code=setup.codes[3])
        result = tally.results(setup.survey)
    assert (result.total, result.online, result.paper) == (4, 1, 3)
    assert result.online_share == 25.0
    assert dict(result.by_band)["70代"] == 2 and dict(result.by_band)["無回答"] == 1
    source = result.questions[0]
    counts = {row.value: (row.count, row.by_band) for row in source.rows}
    assert counts["kouhou"][0] == 3 and counts["kouhou"][1][6] == 2  # 70代
    assert counts["line"] == (1, [0, 1, 0, 0, 0, 0, 0, 0])
    assert source.answered == 4
    household = result.questions[2]
    assert (household.answered, household.average, household.least, household.most) == (3, 3.0, 1, 5)
    assert result.questions[3].texts == 3


def test_age_bands_from_a_birthdate():
    from datetime import date

    assert services.age_band_of(date(1990, 6, 1), date(2026, 5, 31)) == "30"
    assert services.age_band_of(date(2012, 1, 1), date(2026, 1, 1)) == "10"
    assert services.age_band_of(date(1930, 1, 1), date(2026, 1, 1)) == "80"
    assert services.age_band_of(None) == ""


def test_exports_are_formula_safe(town_a):
    setup = make_survey(town_a)
    with scope(municipality=town_a):
        services.answer_online(setup.survey, answers(comment="=HYPERLINK(\"http://x\")"), code=setup.codes[0])
        data = tally.results_csv(setup.survey).decode("utf-8-sig")
        book = tally.results_xlsx(setup.survey)
    assert "'=HYPERLINK" in data and "オンラインの割合" in data
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(book))["自由記述"]
    cell = sheet["B2"]
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s" and cell.quotePrefix

"""アンケート's part of the shared sweeps (role, isolation): objects of town A for each staff URL, and a row of town B
for each survey model."""

from __future__ import annotations

from typing import Any

from django_scopes import scope

from tests import factories
from yakuba.voice.models.surveys import Access, Audience
from yakuba.voice.services import surveys as services

from .surveys_support import QUESTIONS, answers


def role_sweep_objects(town: Any) -> dict[str, Any]:
    """An open 総務課 survey with codes (where every sweep member works): for every staff URL of アンケート."""
    clerk = factories.make_staff(town, department="総務課")
    with scope(municipality=town):
        survey = services.create_survey(clerk, services.SurveyData(
            title="スイープ調査", department=clerk.department, questions=QUESTIONS))
        services.make_invitations(clerk, survey, 2)
        services.set_state(clerk, survey, "open")
    args = {"uuid": survey.uuid}
    return {"staff:voice-survey": args, "staff:voice-survey-state": args, "staff:voice-survey-publish": args,
            "staff:voice-survey-invitations": args, "staff:voice-survey-paper": args,
            "staff:voice-survey-results": args, "staff:voice-survey-qr": {**args, "kind": "svg"},
            "staff:voice-survey-export": {**args, "kind": "csv"}}


def surveys_of_town_b(town_b: Any, staff_b: Any) -> None:
    """A 町民意識調査 of town B (codes, one answered, results public, a free text) and a staff-only one answered by
    staff B: every survey model has a row of town B."""
    with scope(municipality=town_b):
        survey = services.create_survey(staff_b, services.SurveyData(
            title="甘楽専用の意識調査", department=staff_b.department, questions=QUESTIONS,
            description="甘楽専用の説明"))
        codes = services.make_invitations(staff_b, survey, 2)
        services.set_state(staff_b, survey, "open")
        services.answer_online(survey, answers(comment="甘楽専用の自由記述"), code=codes[0])
        services.publish_results(staff_b, survey, True)
        staff_only = services.create_survey(staff_b, services.SurveyData(
            title="甘楽専用の職員調査", department=staff_b.department, questions=QUESTIONS,
            audience=Audience.STAFF, access=Access.ACCOUNT))
        services.set_state(staff_b, staff_only, "open")
        services.answer_online(staff_only, answers(comment="甘楽専用の職員の声"), user=staff_b.user)

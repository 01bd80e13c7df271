"""Builders for アンケート tests: a 町民意識調査 with codes (企画課), a staff-only 職員意識調査, answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django_scopes import scope

from tests import factories
from yakuba.kernel.accounts.models import Role, Staff
from yakuba.voice.models.surveys import Access, Audience, Survey, SurveyState
from yakuba.voice.services import surveys as services

QUESTIONS: list[dict[str, Any]] = [
    {"name": "source", "type": "multi_choice", "label": "町の情報を何で得ていますか",
     "options": [["kouhou", "広報紙"], ["web", "ホームページ"], ["line", "LINE"], ["musen", "防災無線"]]},
    {"name": "satisfaction", "type": "choice", "label": "満足度",
     "options": [["5", "満足"], ["4", "やや満足"], ["3", "ふつう"], ["2", "やや不満"], ["1", "不満"]]},
    {"name": "household", "type": "number", "label": "家族の人数", "required": False, "min": 1, "max": 20},
    {"name": "comment", "type": "textarea", "label": "ご意見", "required": False, "max_length": 2000},
]


@dataclass
class Setup:
    town: Any
    clerk: Staff  # 企画課: owns the survey
    other: Staff  # 住民課: not the survey's 課
    survey: Survey
    codes: list[str] = field(default_factory=list)


def make_survey(town: Any, *, access: str = Access.CODE, audience: str = Audience.EVERYONE, codes: int = 5,
                state: str = SurveyState.OPEN, department: str = "企画課", title: str = "町民意識調査 2026") -> Setup:
    clerk = factories.make_staff(town, department=department)
    other = factories.make_staff(town, department="住民課", role=Role.APPROVER)
    with scope(municipality=town):
        survey = services.create_survey(clerk, services.SurveyData(
            title=title, department=clerk.department, questions=QUESTIONS, audience=audience, access=access))
        made = services.make_invitations(clerk, survey, codes) if access == Access.CODE and codes else []
        if state != SurveyState.DRAFT:
            services.set_state(clerk, survey, SurveyState.OPEN)
        if state == SurveyState.CLOSED:
            services.set_state(clerk, survey, SurveyState.CLOSED)
        survey.refresh_from_db()
    return Setup(town, clerk, other, survey, made)


def answers(**overrides: Any) -> dict[str, Any]:
    return {"age_band": "30", "source": ["web", "line"], "satisfaction": "4", "household": "3",
            "comment": "LINEで知らせてほしい", **overrides}


def post_data(code: str = "", **overrides: Any) -> dict[str, Any]:
    data = answers(**overrides)
    if code:
        data["code"] = code
    return {key: value for key, value in data.items() if value is not None}

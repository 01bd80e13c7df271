"""Anonymous means unlinkable: after answers, nothing in the database joins an answer to a code or an account."""

from __future__ import annotations

import pytest
from django.db import models
from django_scopes import scope

from yakuba.kernel.audit.models import AuditEntry
from yakuba.voice.models.surveys import Access, Audience, Invitation, Participation, SurveyAnswer, SurveyItem
from yakuba.voice.services import surveys as services

from .surveys_support import answers, make_survey

pytestmark = pytest.mark.django_db


def _columns(model: type[models.Model]) -> set[str]:
    return {field.column for field in model._meta.concrete_fields}


def test_the_tables_hold_nothing_that_joins_an_answer_to_who_gave_it():
    assert _columns(SurveyAnswer) == {"id", "municipality_id", "survey_id", "channel", "age_band", "answered_on"}
    assert _columns(SurveyItem) == {"id", "municipality_id", "answer_id", "survey_id", "question", "option", "number",
                                    "text"}
    assert _columns(Invitation) == {"id", "municipality_id", "survey_id", "code_hash", "used"}
    assert _columns(Participation) == {"id", "municipality_id", "survey_id", "user_id"}
    for model in (SurveyAnswer, SurveyItem, Participation):  # random keys: their order says nothing of time
        assert isinstance(model._meta.pk, models.UUIDField)
    assert not any(isinstance(field, models.DateTimeField) for model in (SurveyAnswer, SurveyItem, Invitation,
                                                                          Participation)
                   for field in model._meta.concrete_fields)


def test_after_answering_no_row_names_the_answer(town_a):
    setup = make_survey(town_a)
    staff_survey = make_survey(town_a, access=Access.ACCOUNT, audience=Audience.STAFF, codes=0,
                               department="総務課", title="職員意識調査")
    with scope(municipality=town_a):
        services.answer_online(setup.survey, answers(), code=setup.codes[0])
        services.answer_online(staff_survey.survey, answers(), user=staff_survey.other.user)
        answer_ids = {str(pk) for pk in SurveyAnswer.objects.values_list("id", flat=True)}
        assert len(answer_ids) == 2
        stored = [*Invitation.objects.values(), *Participation.objects.values()]
        assert not any(str(value) in answer_ids for row in stored for value in row.values())
        entries = list(AuditEntry.objects.filter(municipality=town_a).values())
        assert not any(answer_id in str(entry) for entry in entries for answer_id in answer_ids)
        assert not AuditEntry.objects.filter(action__startswith="voice.survey.answer").exists()


def test_a_code_is_kept_only_as_a_keyed_hash(town_a):
    setup = make_survey(town_a, codes=1)
    with scope(municipality=town_a):
        stored = Invitation.objects.get()
    code = setup.codes[0]
    assert code not in stored.code_hash and len(stored.code_hash) == 64
    assert stored.code_hash == services.code_hash(setup.survey, services.shown_code(code).lower())

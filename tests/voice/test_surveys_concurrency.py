"""One invitation, two answers sent at the same moment: exactly one is taken (PostgreSQL, two threads)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django_scopes import scope

from yakuba.kernel.refusal import Refused
from yakuba.voice.models.surveys import Access, Audience, Participation, SurveyAnswer
from yakuba.voice.services import surveys as services

from .surveys_support import answers, make_survey

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(town, send) -> tuple[int, int]:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run() -> None:
        try:
            with scope(municipality=town):
                barrier.wait()
                send()
            outcomes.append("ok")
        except Refused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes.count("ok"), outcomes.count("refused")


def test_one_code_two_threads_one_answer(town_a):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    setup = make_survey(town_a, codes=1)
    code = setup.codes[0]
    for _round in range(3):
        assert _race(town_a, lambda: services.answer_online(setup.survey, answers(), code=code)) in {(1, 1), (0, 2)}
    with scope(municipality=town_a):
        assert SurveyAnswer.objects.count() == 1


def test_one_account_two_threads_one_answer(town_a):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    setup = make_survey(town_a, access=Access.ACCOUNT, audience=Audience.STAFF, codes=0, department="総務課")
    user = setup.other.user
    assert _race(town_a, lambda: services.answer_online(setup.survey, answers(), user=user)) == (1, 1)
    with scope(municipality=town_a):
        assert SurveyAnswer.objects.count() == 1 and Participation.objects.count() == 1


def test_no_transaction_id_joins_an_answer_to_its_invitation_or_account(town_a):
    """PostgreSQL's xmin (the writing transaction) is rewritten for every used invitation and participation after
    each answer, so none shares it with the answer it came with."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    setup = make_survey(town_a, codes=3)
    staff = make_survey(town_a, access=Access.ACCOUNT, audience=Audience.STAFF, codes=0, department="総務課",
                        title="職員意識調査")
    with scope(municipality=town_a):
        services.answer_online(setup.survey, answers(), code=setup.codes[0])
        services.answer_online(setup.survey, answers(), code=setup.codes[1])
        services.answer_online(staff.survey, answers(), user=staff.other.user)
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text FROM voice_surveyanswer")
        answered = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT xmin::text FROM voice_invitation WHERE used UNION ALL "
                       "SELECT xmin::text FROM voice_participation")
        taken = {row[0] for row in cursor.fetchall()}
    assert len(answered) == 3 and not answered & taken

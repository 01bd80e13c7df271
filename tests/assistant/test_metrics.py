"""Plan KPIs from the knowledge base: registered documents as they stood, questions, the answered share."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_scopes import scope

from yakuba.assistant.models import Document, Kind, Question
from yakuba.kernel import metrics

from .conftest import add_document


def value(key: str, start, end):
    return metrics.get(key).value(start, end)  # type: ignore[union-attr]


def test_documents_count_the_towns_own_as_they_stood(town_a, town_b):
    today = timezone.localdate()
    add_document(town_a, "A1", "本文一")
    retired = add_document(town_a, "A2", "本文二")
    add_document(town_b, "B1", "本文")
    add_document(None, "法律", "第一条 目的", kind=Kind.LAW, key="law")
    with scope(municipality=town_a):
        assert value("assistant.documents", today, today + timedelta(days=1)) == 2
        Document.objects.filter(pk=retired.pk).update(retired_at=timezone.now())
        assert value("assistant.documents", today, today + timedelta(days=1)) == 1
        assert value("assistant.documents", today - timedelta(days=10), today - timedelta(days=5)) == 0


def test_questions_and_the_answered_share(town_a):
    today = timezone.localdate()
    with scope(municipality=town_a):
        assert value("assistant.answered_rate", today, today + timedelta(days=1)) is None
        for known in (True, True, False, True):
            Question.objects.create(municipality=town_a, text="質問", known=known)
        assert value("assistant.questions", today, today + timedelta(days=1)) == 4
        assert value("assistant.answered_rate", today, today + timedelta(days=1)) == 75


def test_the_demo_binds_the_plan_indicator():
    from yakuba.plans.demo import BINDINGS

    assert BINDINGS[("seed_000.json", "RAGを活用した条例、要綱等のデータベース化")] == "assistant.documents"

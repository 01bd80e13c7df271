"""Plan KPIs measured from the knowledge base (see yakuba.kernel.metrics): read inside the town's scope."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yakuba.kernel import metrics
from yakuba.kernel.metrics import Kind, Metric, moments

from .models import Document, Question


def documents(start: date, end: date) -> int:
    """The town's own documents registered for AI問い合わせ (each searchable), as it stood at the window's end;
    national 法令 shared by every town are not the town's data and are not counted."""
    finish = moments(start, end)[1]
    return Document.objects.filter(indexed_at__lt=finish).filter(
        Q(retired_at__isnull=True) | Q(retired_at__gte=finish)).count()


def questions(start: date, end: date) -> int:
    begin, finish = moments(start, end)
    return Question.objects.filter(created_at__gte=begin, created_at__lt=finish).count()


def answered_rate(start: date, end: date) -> float | None:
    """The share of residents' questions the chat answered from a source (not 「分かりません」), in %."""
    begin, finish = moments(start, end)
    asked = Question.objects.filter(created_at__gte=begin, created_at__lt=finish)
    total = asked.count()
    return None if not total else 100 * asked.filter(known=True).count() / total


metrics.register(Metric("assistant.documents", _("AI問い合わせに登録されたデータ件数"), "件", documents,
                        kind=Kind.STOCK, app="assistant"))
metrics.register(Metric("assistant.questions", _("AI問い合わせに寄せられた質問の数"), "件", questions, app="assistant"))
metrics.register(Metric("assistant.answered_rate", _("AI問い合わせが出典つきで答えた質問の割合"), "%", answered_rate,
                        kind=Kind.RATE, app="assistant"))

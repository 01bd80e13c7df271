"""アンケートの集計: counts per question and option, the cross-tab by age band, online against paper, free text.

Every figure is one SQL aggregate (GROUP BY) over the answers' items, never a loop over answers in Python, so a
survey of 10,000 answers is tallied in a few queries (bench/survey_bench.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, Max, Min, QuerySet
from django.utils.translation import gettext as _

from yakuba.kernel.files.tables import append_row, csv_bytes
from yakuba.kernel.forms.definition import Field

from ..models.surveys import AGE_BANDS, Channel, Survey, SurveyAnswer, SurveyItem
from .surveys import AGE_FIELD, form_of

CHOICE_TYPES = frozenset({"choice", "multi_choice"})
TEXT_TYPES = frozenset({"text", "textarea"})


@dataclass
class Row:
    value: str
    label: str
    count: int
    share: float  # % of the answers (a multiple choice's shares add up to more than 100)
    by_band: list[int] = field(default_factory=list)  # counts per AGE_BANDS, in order


@dataclass
class Question:
    name: str
    label: str
    type: str
    rows: list[Row] = field(default_factory=list)  # choices
    answered: int = 0
    average: float | None = None  # numbers
    least: int | None = None
    most: int | None = None
    texts: int = 0  # free text: how many were written


@dataclass
class Results:
    total: int
    online: int
    paper: int
    by_band: list[tuple[str, int]]  # (label, answers) per AGE_BANDS, then 無回答
    questions: list[Question]

    @property
    def online_share(self) -> float | None:
        return 100 * self.online / self.total if self.total else None


def _share(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def results(survey: Survey) -> Results:
    """The whole tally: 5 queries however many answers."""
    answers = SurveyAnswer.objects.filter(survey=survey)
    channels = dict(answers.values_list("channel").annotate(n=Count("id")).order_by())
    bands = dict(answers.values_list("age_band").annotate(n=Count("id")).order_by())
    total = sum(channels.values())
    band_keys = [value for value, _label in AGE_BANDS]
    items = SurveyItem.objects.filter(survey=survey)
    counts: dict[tuple[str, str, str], int] = {}
    for question, option, band, n in (items.values_list("question", "option", "answer__age_band")
                                      .annotate(n=Count("id")).order_by()):
        counts[(question, option, band)] = n
    number_rows = items.filter(number__isnull=False).values("question").annotate(
        n=Count("id"), average=Avg("number"), least=Min("number"), most=Max("number")).order_by()
    numbers: dict[str, dict[str, Any]] = {row["question"]: dict(row) for row in number_rows}
    answered = dict(items.values_list("question").annotate(n=Count("answer", distinct=True)).order_by())
    questions: list[Question] = []
    for item in form_of(survey).all_fields():
        if item.name == AGE_FIELD:
            continue
        questions.append(_question(item, counts, numbers, answered, total, band_keys))
    return Results(
        total=total, online=channels.get(Channel.ONLINE, 0), paper=channels.get(Channel.PAPER, 0),
        by_band=[(_(label), bands.get(value, 0)) for value, label in AGE_BANDS] + [(_("無回答"), bands.get("", 0))],
        questions=questions)


def _question(item: Field, counts: dict[tuple[str, str, str], int], numbers: dict[str, dict[str, Any]],
              answered: dict[str, int], total: int, band_keys: list[str]) -> Question:
    question = Question(name=item.name, label=item.label, type=item.type)
    mine = {key: n for key, n in counts.items() if key[0] == item.name}
    if item.type in CHOICE_TYPES:
        for value, label in item.options:
            by_band = [mine.get((item.name, value, band), 0) for band in band_keys]
            count = sum(n for (_q, option, _b), n in mine.items() if option == value)
            question.rows.append(Row(value=value, label=label, count=count, share=_share(count, total),
                                     by_band=by_band))
        question.answered = answered.get(item.name, 0)
    elif item.name in numbers:
        row = numbers[item.name]
        question.answered = row["n"]
        question.average = round(float(row["average"]), 1) if row["average"] is not None else None
        question.least, question.most = row["least"], row["most"]
    else:
        question.texts = sum(mine.values())
    return question


def texts(survey: Survey, question: str) -> QuerySet[SurveyItem]:
    """The free-text answers to one question, in an order that says nothing of when they came (random keys)."""
    return SurveyItem.objects.filter(survey=survey, question=question).exclude(text="").order_by("id")


def text_questions(survey: Survey) -> list[Field]:
    return [item for item in form_of(survey).all_fields() if item.type in TEXT_TYPES]


# Export -------------------------------------------------------------------------------------------------------

def table_rows(survey: Survey, tally: Results | None = None) -> Iterable[list[Any]]:
    """The tally as rows: question, option, count, share and one column per age band."""
    tally = tally or results(survey)
    yield [_("回答数"), tally.total, _("オンライン"), tally.online, _("紙"), tally.paper, _("オンラインの割合（%）"),
           round(tally.online_share, 1) if tally.online_share is not None else ""]
    yield [_("質問"), _("選択肢"), _("件数"), _("割合（%）"), *[_(label) for _v, label in AGE_BANDS]]
    yield [_("あなたの年代"), _("回答数"), tally.total, 100.0 if tally.total else 0.0,
           *[n for _l, n in tally.by_band[:-1]]]
    for question in tally.questions:
        for row in question.rows:
            yield [question.label, row.label, row.count, row.share, *row.by_band]
        if question.average is not None:
            yield [question.label, _("平均"), question.answered, question.average]
        if question.type in TEXT_TYPES:
            yield [question.label, _("自由記述"), question.texts]


def text_rows(survey: Survey) -> Iterable[list[Any]]:
    yield [_("質問"), _("回答")]
    for item in text_questions(survey):
        for text in texts(survey, item.name).values_list("text", flat=True).iterator():
            yield [item.label, text]


def results_csv(survey: Survey) -> bytes:
    return csv_bytes([*table_rows(survey), [], *text_rows(survey)])


def results_xlsx(survey: Survey) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = str(_("集計"))
    for row in table_rows(survey):
        append_row(sheet, row)
    free = book.create_sheet(str(_("自由記述")))
    for row in text_rows(survey):
        append_row(free, row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

"""財務連携: decided 支出負担行為 as CSV for the 財務会計 system, in the layout below (one row per decided draft)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from yakuba.kernel.scheduling.fiscal import bounds

from .models import Draft, DraftStatus, Matter

# The columns, in order: (header, what it holds). The header row is written as is; the file is UTF-8 with a BOM and
# CRLF line ends, text that a spreadsheet would run as a formula is quoted (kernel/files/tables.py).
LAYOUT: tuple[tuple[str, str], ...] = (
    ("文書番号", "決裁で付いた文書番号（例: 下総第12号）。財務会計側で伝票と突き合わせる鍵"),
    ("決裁日", "YYYY-MM-DD"),
    ("年度", "会計年度（4月始まり）の西暦年"),
    ("課", "起案した課の名称"),
    ("件名", "起案の件名"),
    ("相手方", "支払の相手方（起案で入力したもの。空欄あり）"),
    ("予算科目", "起案で入力した予算科目（款項目節など。空欄あり）"),
    ("金額", "支出負担行為の金額。円、整数、カンマなし"),
    ("起案者", "起案した職員の氏名"),
    ("決裁権者", "決裁した職位（代決のときは「代決」を付ける）"),
    ("起案ID", "yakuba 内の起案の識別子（UUID）"),
)
HEADER = tuple(name for name, _ in LAYOUT)


def decided_expenditures(fiscal: int) -> QuerySet[Draft]:
    start, end = bounds(fiscal)
    return (Draft.objects.filter(status=DraftStatus.DECIDED, matter=Matter.EXPENDITURE,
                                 decided_at__date__gte=start, decided_at__date__lt=end)
            .select_related("department", "drafter").prefetch_related("steps__post").order_by("decided_at", "pk"))


def _decider(draft: Draft) -> str:
    steps = [step for step in draft.steps.all() if step.kind == "decide" and step.state == "approved"]
    if not steps:
        return ""
    step = steps[-1]
    return f"{step.post.title}（代決）" if step.by_deputy else step.post.title


def rows(fiscal: int) -> Iterator[list[Any]]:
    yield list(HEADER)
    for draft in decided_expenditures(fiscal):
        decided: date = timezone.localdate(draft.decided_at) if draft.decided_at else date.min
        yield [draft.number, decided.isoformat(), fiscal, draft.department.name, draft.title, draft.payee,
               draft.budget_code, draft.amount, str(draft.drafter), _decider(draft), str(draft.public_id)]

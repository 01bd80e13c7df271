"""DX推進計画 on the staff top page: this 年度's measures of the staff member's department not yet reported."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakuba.kernel import worklist
from yakuba.kernel.accounts.models import Staff
from yakuba.kernel.ui.pagecache import DEPARTMENTS

from .pages import today
from .periods import fiscal_year
from .registry import PAGES
from .services import todo


def items(staff: Staff) -> list[worklist.Item]:
    """The department's to-do (a few queries per plan running this year; a town runs one or two)."""
    year = fiscal_year(today())
    work = todo.for_department(staff.department, year)
    if not work:
        return []
    unreported = sum(1 for item in work if not item.reported)
    due = sum(len(item.due) for item in work)
    detail = _("%(department)s: 取組 %(total)d件、うち進捗の記録がまだのもの %(open)d件") % {
        "department": staff.department.name, "total": len(work), "open": unreported}
    if due:
        detail += _("、実績の入力が必要な指標 %(n)d件") % {"n": due}
    return [worklist.Item(gettext_lazy("進捗の報告が必要な取組"), unreported, reverse("staff:plan-todo"),
                          worklist.DUE if unreported else worklist.NORMAL, detail)]


# The to-do follows the plans' records and the department's name only: kept until one of them changes.
worklist.register(worklist.Provider(gettext_lazy("DX推進計画・KPI"), items, order=40, follows=(PAGES, DEPARTMENTS),
                                    shared_by=lambda staff: f"d{staff.department_id}:{fiscal_year(today())}"))

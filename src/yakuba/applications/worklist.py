"""電子申請 on the staff top page: open submissions per procedure, with their 標準処理期間 and what is overdue."""

from __future__ import annotations

from collections import Counter, defaultdict
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakuba.kernel import worklist
from yakuba.kernel.accounts.models import Role, Staff
from yakuba.kernel.scheduling.calendar import add_office_days

from . import services
from .models import OPEN_STATUSES, Status


def _queue(**filters: str) -> str:
    return reverse("staff:applications-queue") + ("?" + urlencode(filters) if filters else "")


def items(staff: Staff) -> list[worklist.Item]:
    """Two queries: the open submissions the staff member may see, and (for a 所属長) the clerks' names."""
    today = timezone.localdate()
    rows = (services.visible_submissions(staff).filter(status__in=OPEN_STATUSES).order_by()
            .values_list("pk", "procedure_id", "procedure__title", "procedure__processing_days", "status",
                         "submitted_at", "assignee_id").distinct())
    titles: dict[int, tuple[str, int | None]] = {}
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    assignees: Counter[int | None] = Counter()
    overdue_total = 0
    for _pk, procedure, title, days, status, submitted, assignee in rows:
        titles[procedure] = (title, days)
        counts[procedure]["new" if status == Status.RECEIVED else "waiting"] += 1
        assignees[assignee] += 1
        if days and submitted is not None and add_office_days(timezone.localdate(submitted), days) < today:
            counts[procedure]["overdue"] += 1
            overdue_total += 1
    found: list[worklist.Item] = []
    if overdue_total:
        found.append(worklist.Item(gettext_lazy("期限切れの申請"), overdue_total,
                                   _queue(overdue="on", sort="deadline"), worklist.OVERDUE,
                                   _("標準処理期間を過ぎても処理中の申請")))
    for procedure, (title, days) in sorted(titles.items(), key=lambda item: item[1][0]):
        count = counts[procedure]
        parts = [_("新規 %(n)d件") % {"n": count["new"]}, _("処理中 %(n)d件") % {"n": count["waiting"]}]
        if days:
            parts.append(_("標準処理期間 %(days)d開庁日") % {"days": days})
        if count["overdue"]:
            parts.append(_("うち期限切れ %(n)d件") % {"n": count["overdue"]})
        found.append(worklist.Item(title, count["new"] + count["waiting"], _queue(procedure=str(procedure)),
                                   worklist.OVERDUE if count["overdue"] else (worklist.DUE if count["new"] else ""),
                                   "・".join(parts)))
    if staff.has_role(Role.APPROVER) and assignees:
        found.append(worklist.Item(gettext_lazy("処理中の申請（担当者別）"), sum(assignees.values()), _queue(),
                                   detail=_("課全体") if not staff.has_role(Role.ADMIN) else _("町全体"),
                                   by_staff=_by_staff(assignees)))
    return found


def _by_staff(assignees: Counter[int | None]) -> tuple[tuple[str, int], ...]:
    """Open submissions per clerk, for a 所属長 or 情報担当 (one query: the names of those who have some)."""
    names = {s.pk: str(s) for s in Staff.objects.filter(pk__in=[pk for pk in assignees if pk is not None])}
    return tuple(sorted(((names.get(pk, "") if pk else _("未割当")), n) for pk, n in assignees.items()))


worklist.register(worklist.Provider(gettext_lazy("申請の処理"), items, order=10))

"""ホームページ on the staff top page: versions waiting for this 所属長's approval, and the 課's pages due for 棚卸し
(overdue when past their date)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from yakuba.kernel import worklist
from yakuba.kernel.accounts.models import Staff

from .services import pages


def items(staff: Staff) -> list[worklist.Item]:
    found: list[worklist.Item] = []
    waiting = pages.waiting_for(staff).count()
    if waiting:
        found.append(worklist.Item(gettext_lazy("承認待ちのページ"), waiting, reverse("staff:website-approvals"),
                                   worklist.DUE))
    today = timezone.localdate()
    due = pages.due_for_review(staff, today).count()
    if due:
        overdue = pages.due_for_review(staff, today).filter(review_due__lt=today).exists()
        found.append(worklist.Item(gettext_lazy("棚卸しの時期が来たページ"), due, reverse("staff:website-reviews"),
                                   worklist.OVERDUE if overdue else worklist.DUE))
    return found


worklist.register(worklist.Provider(gettext_lazy("ホームページ"), items, order=10))

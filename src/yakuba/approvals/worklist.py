"""決裁待ち on the staff top page: drafts waiting for the staff member's decision, 代決 they may make today, 後閲 they
owe, and their own drafts that came back."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from yakuba.kernel import worklist
from yakuba.kernel.accounts.models import Staff

from .models import Draft, DraftStatus
from .services import decide


def items(staff: Staff) -> list[worklist.Item]:
    url = reverse("staff:approvals-inbox")
    found: list[worklist.Item] = []
    waiting = decide.waiting_for(staff).count() + len(decide.deputising_for(staff))
    if waiting:
        found.append(worklist.Item(gettext_lazy("決裁待ち"), waiting, url, worklist.DUE))
    reviews = decide.late_reviews_for(staff).count()
    if reviews:
        found.append(worklist.Item(gettext_lazy("後閲待ち"), reviews, url + "#late-reviews"))
    returned = Draft.objects.filter(drafter=staff, status=DraftStatus.RETURNED).count()
    if returned:
        found.append(worklist.Item(gettext_lazy("差し戻された起案"), returned,
                                   reverse("staff:approvals-drafts") + "?status=returned", worklist.DUE))
    return found


worklist.register(worklist.Provider(gettext_lazy("電子決裁"), items, order=5))

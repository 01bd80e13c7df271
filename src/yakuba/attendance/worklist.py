"""勤怠 on the staff top page: for a 所属長, requests of the department waiting for a decision (休暇, 時間外,
テレワーク, 打刻修正)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from yakuba.kernel import worklist
from yakuba.kernel.accounts.models import Role, Staff

from .services import approvals


def items(staff: Staff) -> list[worklist.Item]:
    found: list[worklist.Item] = []
    if staff.role >= Role.APPROVER:
        waiting = approvals.waiting_count(staff)
        if waiting:
            found.append(worklist.Item(gettext_lazy("承認待ちの勤怠の申請"), waiting,
                                       reverse("staff:attendance-approvals"), worklist.DUE))
    return found


worklist.register(worklist.Provider(gettext_lazy("勤怠"), items, order=8))

"""決済 on the staff top page: refunds waiting for a 所属長, and refunds the provider has not taken yet."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy

from yakuba.kernel import worklist
from yakuba.kernel.accounts.models import Role, Staff

from .models import Refund, RefundStatus


def items(staff: Staff) -> list[worklist.Item]:
    figures = Refund.objects.order_by().aggregate(
        awaiting=Count("pk", filter=Q(status=RefundStatus.AWAITING)),
        pending=Count("pk", filter=Q(status=RefundStatus.PENDING)))
    url = reverse("staff:payments-refunds")
    found = []
    if staff.role >= Role.APPROVER and figures["awaiting"]:
        found.append(worklist.Item(gettext_lazy("承認待ちの還付"), figures["awaiting"], url, worklist.DUE))
    if figures["pending"]:
        found.append(worklist.Item(gettext_lazy("手続中の還付"), figures["pending"], url))
    return found


worklist.register(worklist.Provider(gettext_lazy("収納・決済"), items, order=40))

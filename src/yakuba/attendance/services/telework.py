"""テレワーク: a day's request, approved by the 所属長 as the town's テレワーク要綱 says; the days actually worked
at home (punched with the place テレワーク) are what the plan's KPI 延べ実施日数 counts."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Staff
from yakuba.kernel.refusal import Refused

from ..models import Status, Telework
from . import rules


@transaction.atomic
def request(staff: Staff, *, day: date, work: str) -> Telework:
    """テレワークを申請する for one working day."""
    if not work.strip():
        raise Refused({"work": _("テレワークで行う業務を入力してください。")})
    reason = rules.closed_reason(staff, day)
    if reason:
        raise Refused({"day": _("%(day)sは休日（%(reason)s）です。") % {"day": f"{day.month}月{day.day}日",
                                                                  "reason": reason}})
    try:
        with transaction.atomic():
            telework = Telework.objects.create(municipality=staff.municipality, staff=staff, day=day,
                                               work=work.strip())
    except IntegrityError as error:
        raise Refused({"day": _("この日はすでにテレワークを申請しています。")}) from error
    rules.audit("telework.requested", staff, telework, day=day)
    return telework


@transaction.atomic
def decide(head: Staff, telework: Telework, *, approve: bool) -> Telework:
    telework = Telework.objects.select_for_update().select_related("staff").get(pk=telework.pk)
    rules.require_head(head, telework.staff)
    if telework.status != Status.REQUESTED:
        raise Refused(_("この申請はすでに処理されています。"))
    telework.status, telework.decided_by, telework.decided_at = (
        Status.APPROVED if approve else Status.REJECTED, head, timezone.now())
    telework.save(update_fields=["status", "decided_by", "decided_at"])
    rules.audit("telework.approved" if approve else "telework.rejected", head, telework)
    return telework

"""What waits for a 所属長 (or 人事担当): every kind of request of the people they decide for, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from yakuba.kernel.accounts.models import Staff

from ..models import Correction, LeaveRequest, Overtime, OvertimeState, Status, Telework
from . import rules


@dataclass(frozen=True)
class Waiting:
    leave: list[LeaveRequest]
    overtime: list[Overtime]
    telework: list[Telework]
    corrections: list[Correction]

    @property
    def total(self) -> int:
        return len(self.leave) + len(self.overtime) + len(self.telework) + len(self.corrections)


def _people(head: Staff) -> QuerySet[Staff]:
    return rules.supervised(head).exclude(pk=head.pk)


def waiting_for(head: Staff) -> Waiting:
    people = _people(head)
    return Waiting(
        leave=list(LeaveRequest.objects.filter(staff__in=people, status=Status.REQUESTED)
                   .select_related("staff", "leave_type").order_by("first_day")),
        overtime=list(Overtime.objects.filter(staff__in=people, state=OvertimeState.REQUESTED)
                      .select_related("staff").order_by("day")),
        telework=list(Telework.objects.filter(staff__in=people, status=Status.REQUESTED)
                      .select_related("staff").order_by("day")),
        corrections=list(Correction.objects.filter(staff__in=people, status=Status.REQUESTED)
                         .select_related("staff").order_by("day")))


def waiting_count(head: Staff) -> int:
    people = _people(head)
    return (LeaveRequest.objects.filter(staff__in=people, status=Status.REQUESTED).count()
            + Overtime.objects.filter(staff__in=people, state=OvertimeState.REQUESTED).count()
            + Telework.objects.filter(staff__in=people, status=Status.REQUESTED).count()
            + Correction.objects.filter(staff__in=people, status=Status.REQUESTED).count())

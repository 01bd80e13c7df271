"""Tasks of 勤怠管理, after commit: mail the staff member and the 所属長 when overtime reaches 80 % of a limit, and
the daily 年5日取得 reminders from the fourth quarter of the leave year (`yakuba attendance_reminders` queues them
for every town; each mail is sent once per person, limit and month, so running it again sends nothing twice)."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django_scopes import scope
from django_tasks import task

from yakuba.kernel.accounts.models import Role, Staff
from yakuba.kernel.messaging.consent import has_mailbox
from yakuba.kernel.messaging.mail import send_town_mail
from yakuba.kernel.tenancy.models import Municipality
from yakuba.kernel.tenancy.scoping import town_row


def _heads(staff: Staff) -> list[Staff]:
    return list(Staff.objects.filter(department_id=staff.department_id, role__gte=Role.APPROVER, is_active=True)
                .exclude(pk=staff.pk).select_related("user"))


def _mail(staff: Staff, to: Staff, *, purpose: str, subject: str, template: str, context: dict[str, object],
          once: str) -> bool:
    if not has_mailbox(to.user):
        return False
    url = staff.municipality.absolute_url(reverse("staff:attendance-today"))
    return send_town_mail(staff.municipality, to.user.email, purpose=purpose, subject=subject, template=template,
                          context={"staff": staff, "to": to, "url": url, **context},
                          about=f"attendance.staff:{staff.pk}", once=once)


@task(queue_name="mail")
def warn_near_limit(staff_id: int, day: str) -> int:
    """Overtime of the staff member is at 80 % of a limit (or beyond): tell them and their 所属長, once per limit
    and month."""
    from .services import overtime

    with town_row(Staff, staff_id, "user", "department") as staff:
        if staff is None:
            return 0
        when = date.fromisoformat(day)
        near = [level for level in overtime.levels(staff, when) if level.near]
        sent = 0
        for level in near:
            once = f"attendance.limit:{staff.pk}:{level.key}:{when:%Y-%m}:{'over' if level.beyond else 'near'}"
            for person in [staff, *_heads(staff)]:
                sent += _mail(staff, person, purpose="attendance.limit", subject="時間外勤務が上限に近づいています",
                              template="attendance/mail/limit.txt", context={"level": level},
                              once=f"{once}:{person.pk}")
        return sent


@task(queue_name="mail")
def remind_five_days(municipality_id: int, day: str) -> int:
    """年5日取得: remind those short of five days (and their 所属長), once a month each, from the fourth quarter."""
    from .services import leave

    municipality = Municipality.objects.get(pk=municipality_id)
    when = date.fromisoformat(day)
    sent = 0
    with scope(municipality=municipality):
        for duty in leave.short_of_five_days(when):
            once = f"attendance.five_days:{duty.grant.pk}:{when:%Y-%m}"
            for person in [duty.staff, *_heads(duty.staff)]:
                sent += _mail(duty.staff, person, purpose="attendance.five_days",
                              subject="年次有給休暇の年5日取得のお知らせ", template="attendance/mail/five_days.txt",
                              context={"duty": duty}, once=f"{once}:{person.pk}")
    return sent

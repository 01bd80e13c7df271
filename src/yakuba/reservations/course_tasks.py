"""Mail about 講座 enrolments (申込の受付, キャンセル待ちからの繰り上げ, 取消し), sent by the worker after commit.

Only to confirmed addresses, like the reservation mail in tasks.py; each task loads the enrolment by id in its
town's scope and tells what stands now, so a late retry never announces a seat the resident no longer holds.
"""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django_scopes import scope
from django_tasks import task

from .models import Enrolment, EnrolmentStatus


def _send(enrolment_id: int, *, subject: str, template: str, only_if: tuple[str, ...]) -> bool:
    municipality = Enrolment._base_manager.select_related("municipality").get(pk=enrolment_id).municipality
    with scope(municipality=municipality):
        enrolment = Enrolment.objects.select_related("resident__user", "session__course").get(pk=enrolment_id)
        address = enrolment.resident.verified_email
        if not address or enrolment.status not in only_if:
            return False
        from .services.courses import waiting_position

        url = municipality.absolute_url(reverse("reservations:course", args=[enrolment.session.course.slug]))
        body = render_to_string(template, {"municipality": municipality, "enrolment": enrolment,
                                           "session": enrolment.session, "course": enrolment.session.course,
                                           "position": waiting_position(enrolment), "url": url})
        EmailMessage(subject=f"【{municipality.name}】{subject}", body=body, to=[address]).send()
        return True


@task(queue_name="mail")
def send_enrolment(enrolment_id: int) -> bool:
    """申込の受付: a seat, or a place on the waiting list."""
    enrolment = Enrolment._base_manager.only("status").get(pk=enrolment_id)
    waiting = enrolment.status == EnrolmentStatus.WAITLISTED
    subject = "講座のキャンセル待ちを受け付けました" if waiting else "講座の申込を受け付けました"
    return _send(enrolment_id, subject=subject, template="reservations/mail/course_enrolment.txt",
                 only_if=(EnrolmentStatus.WAITLISTED,) if waiting else (EnrolmentStatus.ENROLLED,))


@task(queue_name="mail")
def send_promotion(enrolment_id: int) -> bool:
    """キャンセル待ちからの繰り上げ: a seat freed up and is now the resident's."""
    return _send(enrolment_id, subject="講座の席が空き、参加が決まりました",
                 template="reservations/mail/course_promoted.txt", only_if=(EnrolmentStatus.ENROLLED,))


@task(queue_name="mail")
def send_cancellation(enrolment_id: int) -> bool:
    return _send(enrolment_id, subject="講座の申込を取り消しました",
                 template="reservations/mail/course_cancelled.txt", only_if=(EnrolmentStatus.CANCELLED,))

"""Mail about 講座 enrolments (申込の受付, キャンセル待ちからの繰り上げ, 取消し, 受講料の未払いによる取消し), sent by
the worker after commit.

Only to confirmed addresses, like the reservation mail in tasks/__init__.py; each task loads the enrolment by id in its
town's scope and tells what stands now, so a late retry never announces a seat the resident no longer holds.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from django.urls import reverse
from django_tasks import task

from yakuba.kernel.messaging import consent
from yakuba.kernel.messaging.consent import Purpose
from yakuba.kernel.messaging.mail import send_town_mail
from yakuba.kernel.tenancy.scoping import town_row

from ..models import Enrolment, EnrolmentStatus


def _send(enrolment: Enrolment, *, purpose: str, subject: str, template: str, only_if: tuple[str, ...]) -> bool:
    municipality = enrolment.municipality
    address = consent.to_person(enrolment.resident, Purpose.PERSONAL).address
    if not address or enrolment.status not in only_if:
        return False
    from ..payments import enrolment_summary
    from ..services.courses import waiting_position

    course = enrolment.session.course
    url = municipality.absolute_url(reverse("reservations:course", args=[course.slug]))
    # A seat with a 受講料 still to pay: the mail says how much, by when, and links to the page with the pay button.
    payment = enrolment_summary(enrolment) if course.fee > 0 else None
    return send_town_mail(municipality, address, purpose=purpose, subject=subject, template=template,
                          context={"enrolment": enrolment, "session": enrolment.session, "course": course,
                                   "position": waiting_position(enrolment), "url": url,
                                   "payment": payment if payment is not None and payment.pay_url else None,
                                   "page_url": municipality.absolute_url(
                                       reverse("reservations:enrolment", args=[enrolment.public_id]))},
                          about=f"reservations.enrolment:{enrolment.pk}")


def _enrolment(enrolment_id: int) -> AbstractContextManager[Enrolment | None]:
    return town_row(Enrolment, enrolment_id, "resident__user", "session__course")


@task(queue_name="mail")
def send_enrolment(enrolment_id: int) -> bool:
    """申込の受付: a seat, or a place on the waiting list."""
    with _enrolment(enrolment_id) as enrolment:
        if enrolment is None:
            return False
        waiting = enrolment.status == EnrolmentStatus.WAITLISTED
        subject = "講座のキャンセル待ちを受け付けました" if waiting else "講座の申込を受け付けました"
        return _send(enrolment, purpose="reservations.course_enrolment", subject=subject,
                     template="reservations/mail/course_enrolment.txt",
                     only_if=(EnrolmentStatus.WAITLISTED,) if waiting else (EnrolmentStatus.ENROLLED,))


@task(queue_name="mail")
def send_promotion(enrolment_id: int) -> bool:
    """キャンセル待ちからの繰り上げ: a seat freed up and is now the resident's."""
    with _enrolment(enrolment_id) as enrolment:
        if enrolment is None:
            return False
        return _send(enrolment, purpose="reservations.course_promoted", subject="講座の席が空き、参加が決まりました",
                     template="reservations/mail/course_promoted.txt", only_if=(EnrolmentStatus.ENROLLED,))


@task(queue_name="mail")
def send_cancellation(enrolment_id: int) -> bool:
    with _enrolment(enrolment_id) as enrolment:
        if enrolment is None:
            return False
        return _send(enrolment, purpose="reservations.course_cancelled", subject="講座の申込を取り消しました",
                     template="reservations/mail/course_cancelled.txt", only_if=(EnrolmentStatus.CANCELLED,))


@task(queue_name="mail")
def send_released_unpaid(enrolment_id: int) -> bool:
    """The seat's 受講料 was not paid by its deadline, so the enrolment was cancelled and the seat passed on."""
    with _enrolment(enrolment_id) as enrolment:
        if enrolment is None:
            return False
        return _send(enrolment, purpose="reservations.course_released_unpaid",
                     subject="お支払いがなかったため講座の申込を取り消しました",
                     template="reservations/mail/course_released_unpaid.txt", only_if=(EnrolmentStatus.CANCELLED,))

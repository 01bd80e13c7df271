"""Mail about submissions, sent by the worker after the write commits. Only to confirmed addresses."""

from __future__ import annotations

from django.urls import reverse
from django_tasks import task

from yakuba.kernel.forms.render import render_answers
from yakuba.kernel.messaging import consent
from yakuba.kernel.messaging.consent import Purpose
from yakuba.kernel.messaging.mail import send_town_mail
from yakuba.kernel.tenancy.scoping import town_row

from .models import EventKind, Submission, SubmissionEvent


def _send(submission: Submission, *, purpose: str, once: str, subject: str, template: str,
          context: dict[str, object]) -> bool:
    municipality = submission.municipality
    address = consent.to_person(submission.resident, Purpose.PERSONAL).address
    if not address:
        return False  # no confirmed address: the status page and the PDF are the applicant's copy
    status_url = municipality.absolute_url(reverse("applications:status", args=[submission.public_id]))
    return send_town_mail(municipality, address, purpose=purpose, subject=subject, template=template,
                          context={"submission": submission, "status_url": status_url, **context},
                          about=f"applications.submission:{submission.pk}", once=once)


@task(queue_name="mail")
def send_receipt(submission_id: int) -> bool:
    """受付番号 and a link to the status page; the answers too when the applicant asked for a copy."""
    with town_row(Submission, submission_id, "procedure", "resident__user", "form_version") as submission:
        if submission is None:
            return False
        rows = []
        if submission.copy_by_email:
            names = {a.token: a.original_name for a in submission.attachments.all()}
            rows = render_answers(submission.form_version.form, submission.answers, names)
        return _send(submission, purpose="applications.receipt", once=f"applications.receipt:{submission.pk}",
                     subject=f"申請を受け付けました（受付番号 {submission.reference}）",
                     template="applications/mail/receipt.txt", context={"rows": rows})


@task(queue_name="mail")
def send_update(event_id: int) -> bool:
    """Tell the applicant that the status changed or staff wrote to them; the content stays behind login."""
    with town_row(SubmissionEvent, event_id, "submission__procedure", "submission__resident__user") as event:
        if event is None or event.kind == EventKind.NOTE:
            return False
        submission = event.submission
        return _send(submission, purpose="applications.update", once=f"applications.update:{event.pk}",
                     subject=f"申請（受付番号 {submission.reference}）についてのお知らせ",
                     template="applications/mail/update.txt", context={"event": event})

"""Mail about submissions, sent by the worker after the write commits. Only to confirmed addresses."""

from __future__ import annotations

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django_scopes import scope
from django_tasks import task

from yakuba.kernel.forms.render import render_answers

from .models import EventKind, Submission, SubmissionEvent


def _send(submission: Submission, *, subject: str, template: str, context: dict[str, object]) -> bool:
    municipality = submission.municipality
    address = submission.resident.verified_email
    if not address:
        return False  # no confirmed address: the status page and the PDF are the applicant's copy
    status_url = municipality.absolute_url(reverse("applications:status", args=[submission.public_id]))
    body = render_to_string(template, {"municipality": municipality, "submission": submission,
                                       "status_url": status_url, **context})
    send_mail(subject=f"【{municipality.name}】{subject}", message=body, from_email=None, recipient_list=[address])
    return True


@task(queue_name="mail")
def send_receipt(submission_id: int) -> bool:
    """受付番号 and a link to the status page; the answers too when the applicant asked for a copy."""
    submission = Submission._base_manager.select_related("municipality").get(pk=submission_id)
    with scope(municipality=submission.municipality):
        submission = Submission.objects.select_related("procedure", "resident__user", "form_version").get(
            pk=submission_id)
        rows = []
        if submission.copy_by_email:
            names = {a.token: a.original_name for a in submission.attachments.all()}
            rows = render_answers(submission.form_version.form, submission.answers, names)
        return _send(submission, subject=f"申請を受け付けました（受付番号 {submission.reference}）",
                     template="applications/mail/receipt.txt", context={"rows": rows})


@task(queue_name="mail")
def send_update(event_id: int) -> bool:
    """Tell the applicant that the status changed or staff wrote to them; the content stays behind login."""
    event = SubmissionEvent._base_manager.select_related("municipality").get(pk=event_id)
    with scope(municipality=event.municipality):
        event = SubmissionEvent.objects.select_related("submission__procedure", "submission__resident__user").get(
            pk=event_id)
        if event.kind == EventKind.NOTE:
            return False
        submission = event.submission
        return _send(submission, subject=f"申請（受付番号 {submission.reference}）についてのお知らせ",
                     template="applications/mail/update.txt", context={"event": event})

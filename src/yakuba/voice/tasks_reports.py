"""Tasks of 通報, after commit: tell the reporter (by the e-mail they gave) that their report's status changed, with
the town's answer (once per event, so a retried task sends nothing twice); delete the photo of a draft never sent."""

from __future__ import annotations

from django.urls import reverse
from django_tasks import task

from yakuba.kernel.messaging.mail import send_town_mail
from yakuba.kernel.tenancy.scoping import town_row

from .models import Report, ReportEvent


@task(queue_name="mail")
def tell_reporter(report_id: int, event_id: int) -> bool:
    with town_row(Report, report_id, "category") as report:
        if report is None or not report.email:
            return False
        event = ReportEvent.objects.filter(pk=event_id, report=report).first()
        if event is None:
            return False
        town = report.municipality
        target = report.duplicate_of or report
        url = town.absolute_url(reverse("voice:report", args=[target.uuid]))
        subject = f"通報（受付番号 {report.number}）の状況：{event.get_status_display()}"
        return send_town_mail(town, report.email, purpose="voice.report", subject=subject,
                              template="voice/mail/reports/status.txt",
                              context={"report": report, "event": event, "url": url},
                              about=f"voice.report:{report.pk}", once=f"voice.report.event:{event.pk}")


@task()
def drop_stale_photo(path: str) -> None:
    """The stashed photo of a draft, once no draft can be sent with it (sent ones were moved already)."""
    from .services.reports import drop_stashed

    drop_stashed([path])

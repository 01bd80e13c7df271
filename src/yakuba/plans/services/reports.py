"""The council reports as rows: asking for one (rendered by the worker after commit) and rendering it into
private storage. What a report says and how it looks is `plans.report`."""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Staff
from yakuba.kernel.audit.services import record
from yakuba.kernel.files.uploads import save_private
from yakuba.kernel.refusal import Refused

from .. import report as content
from ..models import Plan, Report, ReportFormat, ReportState

log = logging.getLogger(__name__)


def request_report(staff: Staff, plan: Plan, year: int, fmt: str) -> Report:
    """A new Report row for `plan` and `year`, rendered by the worker once the request commits."""
    from .. import tasks

    if year not in plan.years or fmt not in ReportFormat.values:
        raise Refused(_("年度か形式が正しくありません。"))
    with transaction.atomic():
        report = Report.objects.create(municipality=plan.municipality, plan=plan, year=year, format=fmt,
                                       requested_by=staff)
        record("plans.report_requested", municipality=plan.municipality, actor=staff.user, obj=plan,
               data={"year": year, "format": fmt, "report": report.pk})
        transaction.on_commit(lambda: tasks.render_report.enqueue(report.pk))
    return report


def generate_report(report: Report) -> Report:
    """Render a pending report and store it (READY), or note why it failed (FAILED). Safe to run twice."""
    if report.state != ReportState.PENDING:
        return report
    try:
        rendered = content.render(report.plan, report.year, report.format)
    except Exception as error:  # a report that cannot render must say so, not stay pending forever
        # The traceback goes to the log for whoever maintains the system; the row tells staff what they can do.
        log.exception("plans report %s could not be rendered", report.pk)
        report.state = ReportState.FAILED
        message = _("計画の指標・実績の値を確かめて、もう一度作成してください。"
                    "直らないときは情報担当に連絡してください（%(kind)s）。")
        report.error = (message % {"kind": type(error).__name__})[:300]
    else:
        report.file = save_private(ContentFile(rendered), f"{report.municipality.code}/plans/reports")
        report.size, report.state, report.error = len(rendered), ReportState.READY, ""
    report.finished_at = timezone.now()
    report.save(update_fields=["file", "size", "state", "error", "finished_at"])
    return report

"""Tasks of the plans app: rendering a council report (PDF/xlsx) after a staff member asked for it."""

from __future__ import annotations

from django_tasks import task

from yakuba.kernel.tenancy.scoping import town_row

from .models import Report


@task()
def render_report(report_id: int) -> str:
    """Render and store the report; its state says how it went. Safe to run twice (a finished one is left)."""
    from .services.reports import generate_report

    with town_row(Report, report_id, "plan__municipality") as row:
        if row is None:
            return "missing"
        return generate_report(row).state

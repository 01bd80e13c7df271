"""Tasks of the plans app: rendering a council report (PDF/xlsx) after a staff member asked for it."""

from __future__ import annotations

from django_scopes import scope
from django_tasks import task

from .models import Report


@task()
def render_report(report_id: int) -> str:
    """Render and store the report; its state says how it went. Safe to run twice (a finished one is left)."""
    from .services.reports import generate_report

    row = Report._base_manager.select_related("municipality").filter(pk=report_id).first()
    if row is None:
        return "missing"
    with scope(municipality=row.municipality):
        row = Report.objects.select_related("plan__municipality", "municipality").get(pk=report_id)
        return generate_report(row).state

"""yakuba plans_report --town 103829 --plan dx-2026 --year 2026 --format pdf --output FILE: render a council
report synchronously (for the DX office, and for checking a plan's report without the worker)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from yakuba.kernel.tenancy.codes import full_code
from yakuba.kernel.tenancy.models import Municipality
from yakuba.plans import report
from yakuba.plans.models import Plan, ReportFormat


class Command(BaseCommand):
    help = "Render the 進捗状況報告 of a plan for one 年度 as PDF or xlsx."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--town", required=True, help="municipality code (103829 or 10382)")
        parser.add_argument("--plan", required=True, help="the plan's slug, e.g. dx-2026")
        parser.add_argument("--year", required=True, type=int, help="the 年度 as a western year, e.g. 2026")
        parser.add_argument("--format", default=ReportFormat.PDF, choices=ReportFormat.values)
        parser.add_argument("--output", required=True, help="the file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        code = full_code(options["town"])
        town = Municipality.objects.filter(code=code).first() if code else None
        if town is None:
            raise CommandError(f"No town with code {options['town']}.")
        with scope(municipality=town):
            plan = Plan.objects.filter(slug=options["plan"]).first()
            if plan is None:
                raise CommandError(f"{town.name} has no plan {options['plan']!r}.")
            if options["year"] not in plan.years:
                raise CommandError(f"{options['year']} is outside the plan ({plan.start_year}-{plan.end_year}).")
            content = report.render(plan, options["year"], options["format"])
        Path(options["output"]).write_bytes(content)
        self.stderr.write(f"Wrote {len(content)} bytes to {options['output']}.")

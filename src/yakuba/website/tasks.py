"""Tasks of 公式ホームページ, enqueued after commit with a run's id: reading the pages of a large import (移行) and
creating them. Each opens the town's scope from the run; a run that is gone, or no longer at that step, is left
alone, so a retried task changes nothing twice."""

from __future__ import annotations

from django_tasks import task

from yakuba.kernel.tenancy.scoping import town_row

from .models import ImportRun


@task()
def check_import(run_id: int) -> str:
    """移行の確認: read every saved page of the run and record which are ready and which are refused."""
    from .services import importing

    with town_row(ImportRun, run_id) as run:
        if run is None:
            return "gone"
        if importing.phase(run) != "checking":
            return importing.phase(run)
        importing.check(run)
        return "checked"


@task()
def import_pages(run_id: int) -> str:
    """移行: create the confirmed pages of the run as drafts, in one transaction."""
    from .services import importing

    with town_row(ImportRun, run_id) as run:
        if run is None:
            return "gone"
        return importing.phase(importing.run_import(run.pk))

"""A task used only by tests: it leaves one audit entry per run, so double runs are visible."""

from __future__ import annotations

from django_tasks import task

from yakuba.kernel.audit.services import record


@task()
def mark(n: int) -> None:
    record("tests.task.ran", municipality=None, data={"n": n})


def run_worker() -> None:
    """Run every task that is due with `yakuba worker --batch`, as production workers would, then return."""
    from django.core.management import call_command

    call_command("worker", "--batch", "--no-startup-delay", "--no-reload")

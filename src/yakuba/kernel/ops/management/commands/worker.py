"""yakuba worker: run queued tasks (django-tasks database backend). Run as many as needed, anywhere."""

from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = (
        "Run tasks from the database queue (all queues unless --queue-name is given). Several workers on "
        "several machines may share one PostgreSQL database: each task is claimed by exactly one worker."
    )

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*")

"""Queueing a task once per transaction: signal receivers that react to many saves in one transaction (a demo load,
an import) queue a single run of their task when the transaction commits."""

from __future__ import annotations

from typing import Any

from django.db import transaction


class _Enqueue:
    def __init__(self, task: Any, args: tuple[Any, ...]) -> None:
        self.task, self.args = task, args
        self.key = (getattr(task, "module_path", repr(task)), args)  # what "the same call" means

    def __call__(self) -> None:
        self.task.enqueue(*self.args)


def enqueue_once_on_commit(task: Any, *args: Any) -> None:
    """Enqueue `task(*args)` after the current transaction commits, unless the same call already waits in this
    transaction's on-commit list (that list is cleared on rollback, so nothing is remembered from a transaction
    that failed). Outside a transaction the task is enqueued at once, as on_commit does."""
    connection = transaction.get_connection()
    call = _Enqueue(task, args)
    waiting = (getattr(entry[1], "key", None) for entry in connection.run_on_commit)
    if connection.in_atomic_block and call.key in waiting:
        return
    transaction.on_commit(call)

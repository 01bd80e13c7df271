"""enqueue_once_on_commit: many saves in one transaction queue one run; a rolled-back transaction queues nothing and
does not stop the next one from queueing."""

from __future__ import annotations

import pytest
from django.db import transaction

from yakuba.kernel.ops.queue import enqueue_once_on_commit

pytestmark = pytest.mark.django_db(transaction=True)


class Recorder:
    module_path = "tests.recorder"

    def __init__(self) -> None:
        self.calls: list[tuple[int, ...]] = []

    def enqueue(self, *args: int) -> None:
        self.calls.append(args)


def test_one_run_per_transaction_and_arguments():
    task = Recorder()
    with transaction.atomic():
        for _ in range(3):
            enqueue_once_on_commit(task, 1)
        enqueue_once_on_commit(task, 2)
        assert task.calls == []  # nothing before the commit
    assert task.calls == [(1,), (2,)]


def test_a_rolled_back_transaction_queues_nothing_and_is_forgotten():
    task = Recorder()
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_once_on_commit(task, 1)
        raise RuntimeError
    assert task.calls == []
    with transaction.atomic():
        enqueue_once_on_commit(task, 1)
    assert task.calls == [(1,)]


def test_outside_a_transaction_it_runs_at_once():
    task = Recorder()
    enqueue_once_on_commit(task, 7)
    assert task.calls == [(7,)]

"""Several `yakuba worker` processes on one PostgreSQL queue: every task runs, and runs once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from tests.support.tasks import mark
from yakuba.kernel.audit.models import AuditEntry

TASKS = 200


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_workers_share_the_queue_without_running_a_task_twice():
    if connection.vendor != "postgresql":
        pytest.skip("multi-worker claims (SKIP LOCKED) are proven on PostgreSQL (YAKUBA_TEST_DATABASE_URL)")
    for n in range(TASKS):
        mark.enqueue(n)
    settings_dict = connection.settings_dict
    url = (f"postgres://{settings_dict['USER'] or 'postgres'}@{settings_dict['HOST'] or '127.0.0.1'}:"
           f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "YAKUBA_TEST_DATABASE_URL": url}
    command = [sys.executable, "-m", "yakuba", "worker", "--batch", "--no-startup-delay", "--no-reload",
               "--interval", "0.1"]
    workers = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
               for _ in range(2)]
    outputs = [worker.communicate(timeout=600)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    with scopes_disabled():
        runs = Counter(entry.data["n"] for entry in AuditEntry.objects.filter(action="tests.task.ran"))
    assert set(runs) == set(range(TASKS)), "some tasks never ran"
    assert max(runs.values()) == 1, f"tasks run twice: {[n for n, c in runs.items() if c > 1]}"

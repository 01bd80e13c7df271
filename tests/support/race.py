"""Concurrency tests: run actions at the same moment, each in its own thread and database connection."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.db import connections
from django_scopes import scope


def race(town: Any, actions: list[Callable[[], object]]) -> Counter[str]:
    """Release every action together (a barrier) inside the town's scope; count how each ended: "ok" or the
    name of the exception it raised."""
    barrier = threading.Barrier(len(actions))
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def run(action: Callable[[], object]) -> None:
        try:
            with scope(municipality=town):
                barrier.wait()
                action()
            outcome = "ok"
        except Exception as error:  # noqa: BLE001 - the outcome is what the test counts
            outcome = type(error).__name__
        finally:
            connections.close_all()
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes

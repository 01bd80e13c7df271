"""The database side of append-only: triggers refuse UPDATE/DELETE on audit entries unless unlocked.

Unlocking exists for the test suite's table flushes (and a future, deliberate retention job); the
application never unlocks. PostgreSQL reads the session setting `yakuba.audit_unlocked`; SQLite asks
the function `yakuba_audit_unlocked()`, which this module registers on each connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection as default_connection

_state = {"unlocked": False}


def is_unlocked() -> int:
    return int(_state["unlocked"])


def register_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("yakuba_audit_unlocked", 0, is_unlocked)


def set_unlocked(value: bool) -> None:
    """Process-wide switch (SQLite) and the current PostgreSQL session's setting."""
    _state["unlocked"] = value
    if default_connection.vendor == "postgresql":
        with default_connection.cursor() as cursor:
            cursor.execute("SELECT set_config('yakuba.audit_unlocked', %s, false)", ["on" if value else "off"])


@contextmanager
def locked() -> Iterator[None]:
    """Run with the triggers armed (the production state), whatever the surrounding code set."""
    previous = bool(_state["unlocked"])
    set_unlocked(False)
    try:
        yield
    finally:
        set_unlocked(previous)

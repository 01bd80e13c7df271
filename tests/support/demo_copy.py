"""The demo towns for tests, loaded once per test process on SQLite and copied back after that.

`yakuba demo` takes many seconds, and a test run needs the demo dozens of times: each browser journey starts from a
freshly flushed database, each demo module from the migrated one. On SQLite (an in-memory database per xdist worker)
the first load in a process is followed by a copy of the whole database and of the files it wrote (SQLite's online
backup API and a copy of the upload directories); a later load from the same starting point restores that copy,
which takes a fraction of a second and leaves the database exactly as the loader left it.

"The same starting point" is checked, not assumed: the copy is keyed by the `DEMO` setting, the day (the demo's
dates follow today, and a test may travel in time) and a digest of every
row already in the database (leaving out the content types and permissions, which Django recreates with new ids
after each flush and the copy brings back consistently), so a test that created rows before loading the demo gets a
real load. Tests of the loader itself (loading twice changes nothing, passwords only in demo mode) call the command
directly and always run it. On PostgreSQL the loader always runs.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

# Recreated by Django after every flush with new ids; the copy restores its own, consistent with its rows.
_UNKEYED = {"django_content_type", "auth_permission", "django_migrations", "sqlite_sequence"}

_copies: dict[tuple[bool, date, str], tuple[sqlite3.Connection, Path]] = {}


def _file_roots() -> list[Path]:
    return [Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_FILES_ROOT)]


def _can_copy() -> bool:
    return connection.vendor == "sqlite" and connection.is_in_memory_db() and not connection.in_atomic_block


def _digest() -> str:
    """A digest of every row in the database, outside the tables Django recreates itself."""
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        tables = sorted(set(connection.introspection.table_names(cursor)) - _UNKEYED)
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}" ORDER BY rowid')  # noqa: S608 - names from the schema
            rows = cursor.fetchall()
            if rows:
                digest.update(table.encode())
                digest.update(repr(rows).encode())
    return digest.hexdigest()


def _backup(into: sqlite3.Connection | None = None) -> sqlite3.Connection:
    connection.ensure_connection()
    target = into or sqlite3.connect(":memory:", check_same_thread=False)
    connection.connection.backup(target)
    return target


def _restore(copy: sqlite3.Connection) -> None:
    connection.ensure_connection()
    copy.backup(connection.connection)
    ContentType.objects.clear_cache()  # the ids of the copy, not of the last flush


def _copy_files() -> Path:
    saved = Path(tempfile.mkdtemp(prefix="yakuba-demo-files-"))
    for number, root in enumerate(_file_roots()):
        shutil.copytree(root, saved / str(number), dirs_exist_ok=True)
    return saved


def _put_files_back(saved: Path) -> None:
    for number, root in enumerate(_file_roots()):
        shutil.copytree(saved / str(number), root, dirs_exist_ok=True)


def load_demo() -> None:
    """`yakuba demo --quiet`, or on SQLite outside a transaction the copy of an earlier load from the same start."""
    if not _can_copy():
        call_command("demo", "--quiet")
        return
    key = (bool(settings.DEMO), timezone.localdate(), _digest())
    if key in _copies:
        copy, files = _copies[key]
        _put_files_back(files)
        _restore(copy)
        return
    call_command("demo", "--quiet")
    _copies[key] = (_backup(), _copy_files())


@contextmanager
def demo_for_a_while() -> Iterator[None]:
    """The demo loaded, and the database as it was before once the block ends (SQLite: by copies, no transaction
    left open; elsewhere: the load in a transaction rolled back at the end)."""
    from django.db import transaction

    if not _can_copy():
        with transaction.atomic():
            call_command("demo", "--quiet")
            yield
            transaction.set_rollback(True)
        return
    before = _backup()
    try:
        load_demo()
        yield
    finally:
        _restore(before)
        before.close()

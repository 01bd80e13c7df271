"""For benchmarks that need PostgreSQL: Django pointed at a fresh test database, dropped afterwards."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path


def close_connections() -> None:
    from django.db import connections

    connections.close_all()


def run_on_fresh_database(name: str, report: Callable[[int], None], runs: int) -> None:
    """Create test_<db> from YAKUBA_BENCH_DATABASE_URL (default postgres://…/yakuba_<name>), run `report(runs)`,
    drop it. Never touches the development database."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    data = Path(tempfile.mkdtemp(prefix="yakuba-bench-"))
    (data / "static").mkdir()
    url = os.environ.get("YAKUBA_BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/yakuba_{name}")
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "yakuba.settings", "YAKUBA_DATA_DIR": str(data), "DATABASE_URL": url,
        "YAKUBA_LOG_LEVEL": "WARNING", "YAKUBA_DB_CONN_MAX_AGE": "0",
    })
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit(f"{name} needs PostgreSQL (YAKUBA_BENCH_DATABASE_URL)")
    old_name: str = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        report(runs)
    finally:
        close_connections()
        connection.creation.destroy_test_db(old_name, verbosity=0)

"""For benchmarks over the demo: Django on a fresh SQLite database in a temporary folder, migrated, with the demo
towns loaded."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def setup_demo(**environment: str) -> Path:
    """Point Django at a new data folder (extra settings in `environment`), migrate, load the demo; the folder."""
    data = Path(tempfile.mkdtemp(prefix="yakuba-bench-"))
    (data / "static").mkdir()
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "yakuba.settings", "YAKUBA_DATA_DIR": str(data), "YAKUBA_DEMO": "1",
        "DATABASE_URL": f"sqlite:///{data / 'bench.sqlite3'}", "YAKUBA_LOG_LEVEL": "WARNING", **environment,
    })
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("demo", "--quiet")
    return data

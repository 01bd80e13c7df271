"""For benchmarks over the demo: Django on a fresh SQLite database in a temporary folder, migrated, with the demo
towns loaded. YAKUBA_BENCH_DEMO=<folder> keeps the demo in that folder and reuses it on the next run (loading takes
minutes); delete the folder to start afresh."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def setup_demo(**environment: str) -> Path:
    """Point Django at a data folder (extra settings in `environment`), migrate, load the demo; the folder."""
    reuse = os.environ.get("YAKUBA_BENCH_DEMO", "")
    data = Path(reuse) if reuse else Path(tempfile.mkdtemp(prefix="yakuba-bench-"))
    ready = data / "demo-loaded"
    (data / "static").mkdir(parents=True, exist_ok=True)
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "yakuba.settings", "YAKUBA_DATA_DIR": str(data), "YAKUBA_DEMO": "1",
        "DATABASE_URL": f"sqlite:///{data / 'bench.sqlite3'}", "YAKUBA_LOG_LEVEL": "WARNING", **environment,
    })
    import django

    django.setup()
    from django.core.management import call_command

    if reuse and ready.exists():
        return data
    call_command("migrate", verbosity=0)
    call_command("demo", "--quiet")
    if reuse:
        ready.touch()
    return data

"""Demo data of 勤怠管理 (`yakuba demo`)."""

from __future__ import annotations

from yakuba.kernel.ops.demo import Town
from yakuba.kernel.tenancy.models import Municipality


def load(municipality: Municipality, town: Town) -> None:
    """Called by `yakuba demo` for each town inside its scope and transaction (idempotent)."""

"""住民の声 in the demo towns: each part loads its own (idempotent, like every demo loader)."""

from __future__ import annotations

from yakuba.kernel.ops.demo import Town
from yakuba.kernel.tenancy.models import Municipality

from . import opinions, reports, surveys


def load(municipality: Municipality, town: Town) -> None:
    """Called by `yakuba demo` for each town inside its scope and transaction."""
    opinions.load(municipality, town)
    reports.load(municipality, town)
    surveys.load(municipality, town)

"""Demo data of 電子決裁・文書管理 (`yakuba demo`): each half of the app loads its own part (idempotent)."""

from __future__ import annotations

from yakuba.kernel.ops.demo import Town
from yakuba.kernel.tenancy.models import Municipality

from . import decide, filing


def load(municipality: Municipality, town: Town) -> None:
    """Called by `yakuba demo` for each town inside its scope and transaction: the 文書分類表 first, then the
    posts, rules and drafts that file into it."""
    filing.load(municipality, town)
    decide.load(municipality, town)

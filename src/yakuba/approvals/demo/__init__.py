"""The demo of 電子決裁・文書管理: each half loads its own part (idempotent)."""

from __future__ import annotations

from yakuba.kernel.ops.demo import Town
from yakuba.kernel.tenancy.models import Municipality


def load(municipality: Municipality, town: Town) -> None:
    from . import filing

    filing.load(municipality, town)

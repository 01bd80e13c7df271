"""通報 in the demo towns."""

from __future__ import annotations

from yakuba.kernel.ops.demo import Town
from yakuba.kernel.tenancy.models import Municipality


def load(municipality: Municipality, town: Town) -> None:
    return None

"""アンケート in the demo towns (下仁田町 runs its 町民意識調査 online and on paper)."""

from __future__ import annotations

from yakuba.kernel.ops.demo import Town
from yakuba.kernel.tenancy.models import Municipality


def load(municipality: Municipality, town: Town) -> None:
    return None

"""Demo data of 会議・議事録."""

from __future__ import annotations

from typing import Any


def load(municipality: Any, town: Any) -> None:
    """Nothing yet."""

"""Demo procedures, life events and sample submissions for the demo towns (being written)."""

from __future__ import annotations

from typing import Any


def load(municipality: Any, town: Any) -> None:
    """Idempotent: called by `yakuba demo` for each town inside its scope."""

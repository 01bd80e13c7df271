"""The demo towns' sites."""

from __future__ import annotations

from typing import Any


def load(*args: Any, **kwargs: Any) -> None:
    """Filled in by the demo sites work."""

"""The one way a service says no: `Refused`, carrying every reason, each tied to the field it is about.

Services raise it (never an app's own exception class) when a rule refuses what was asked; views hand it to
`kernel.ui.actions`, which shows the reasons as messages or in the error summary next to the fields. The
reasons are already in the user's language (services translate with gettext).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

NON_FIELD = "__all__"


class Refused(Exception):
    """A request a rule refuses. `errors` maps a field name (or NON_FIELD) to its message.

    Built from one message (`Refused("…")`), several (`Refused(["…", "…"])`) or a mapping of fields
    (`Refused({"title": "…", NON_FIELD: "…"})`). `messages` is every reason in order, for pages without fields.
    """

    def __init__(self, reasons: str | Iterable[Any] | Mapping[str, Any]) -> None:
        if isinstance(reasons, Mapping):
            self.errors: dict[str, str] = {str(name): str(message) for name, message in reasons.items()}
            self.lines: list[str] = list(self.errors.values())
        elif isinstance(reasons, str):
            self.errors, self.lines = {NON_FIELD: reasons}, [reasons]
        else:
            self.lines = [str(message) for message in reasons]
            self.errors = {NON_FIELD: " ".join(self.lines)} if self.lines else {}
        super().__init__(" ".join(self.lines))

    @property
    def messages(self) -> list[str]:
        """Every reason, in the order given (several non-field reasons stay separate)."""
        return list(self.lines)

    @property
    def message(self) -> str:
        return " ".join(self.lines)

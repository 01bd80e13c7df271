"""Where apps announce their entry points: services on the town home page, items in the staff menu."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.functional import Promise


@dataclass(frozen=True)
class Entry:
    url_name: str
    label: str | Promise
    description: str | Promise = ""
    # For staff entries: the minimum role (kernel.accounts.models.Role) that sees it.
    role: int = 0
    order: int = 100
    visible: Callable[[object], bool] | None = field(default=None, compare=False)


public_services: list[Entry] = []
staff_menu: list[Entry] = []


def register_public(entry: Entry) -> None:
    if entry not in public_services:
        public_services.append(entry)
        public_services.sort(key=lambda e: e.order)


def register_staff(entry: Entry) -> None:
    if entry not in staff_menu:
        staff_menu.append(entry)
        staff_menu.sort(key=lambda e: e.order)

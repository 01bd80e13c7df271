"""Where apps announce their entry points: services on the town home page, items in the staff menu."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Entry:
    url_name: str
    label: str | Promise
    description: str | Promise = ""
    # For staff entries: the minimum role (kernel.accounts.models.Role) that sees it.
    role: int = 0
    order: int = 100


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


@dataclass(frozen=True)
class Alert:
    """An urgent message shown at the top of the town's home page (e.g. a 防災 notice in force)."""

    label: str
    url: str
    kind: str = ""  # a short tag shown before it, e.g. 「防災」


# Functions of (request) → alerts in force, registered by apps (notices registers the 防災 notices).
home_alerts: list[Callable[[Any], list[Alert]]] = []
# The kinds of records (kernel.records) the home page shows through alerts and widgets: its cached copy follows them.
home_kinds: list[str] = []


def register_home_alerts(source: Callable[[Any], list[Alert]], kinds: tuple[str, ...] = ()) -> None:
    if source not in home_alerts:
        home_alerts.append(source)
    home_kinds.extend(kind for kind in kinds if kind not in home_kinds)


def alerts_for(request: Any) -> list[Alert]:
    return [alert for source in home_alerts for alert in source(request)]


# Templates an app shows on the town home page below its introduction (the AI問い合わせ box), in order.
home_widgets: list[str] = []


def register_home_widget(template_name: str) -> None:
    if template_name not in home_widgets:
        home_widgets.append(template_name)

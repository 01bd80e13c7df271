"""Where apps announce their entry points: services on the town home page, items in the staff menu, counts in the
staff header (「決裁待ち 3」), and the town's alert in force (災害モード)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
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
class HeaderCount:
    """A count shown in every staff page's header while it is not zero (「決裁待ち 3件」), linking to its list.
    `count` gets the signed-in Staff (the town's scope is active) and must cost one cheap, indexed query: it runs on
    every staff page."""

    url_name: str
    label: str | Promise
    count: Callable[[Any], int]
    order: int = 100


header_counts: list[HeaderCount] = []


def register_header_count(entry: HeaderCount) -> None:
    if all(existing.count is not entry.count for existing in header_counts):
        header_counts.append(entry)
        header_counts.sort(key=lambda e: e.order)


def header_counts_for(staff: Any) -> list[dict[str, Any]]:
    """The non-zero header counts of `staff`, in order: label, count and the URL of the list."""
    from django.urls import reverse

    shown = []
    for entry in header_counts:
        count = entry.count(staff)
        if count:
            shown.append({"label": entry.label, "count": count, "url": reverse(entry.url_name)})
    return shown


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


@dataclass(frozen=True)
class TownAlert:
    """A town-wide alert in force (災害モード): every public page shows its banner, staff pages say so with the way to
    end it, and the town's home page becomes the provider's light page."""

    level: int | None  # 警戒レベル (3–5), None for an alert without one (J-ALERT, …)
    label: str  # what the level is called in the visitor's language, e.g. 「警戒レベル4 避難指示」; "" without a level
    title: str
    since: datetime
    url: str  # where residents read more (the 防災 board)
    manage_url: str  # the staff page about it
    end_url: str = ""  # the staff page that ends it (a confirmation, then one action)
    may_end: Callable[[Any], bool] | None = None  # whether a staff member (kernel.accounts Staff) may end it
    # The light home page shown instead of the town's home page while the alert is in force (a view of one request).
    home: Callable[[Any], Any] | None = None


# Functions of (request) → the town's alert in force or None. Cached pages follow the kind the providers announce
# (kernel.ui.pagecache.ALERT, part of every page's key); `kinds` are what their light home page shows besides.
town_alert_sources: list[Callable[[Any], TownAlert | None]] = []
_ASKED = "yakuba_town_alert"


def register_town_alert(source: Callable[[Any], TownAlert | None], kinds: tuple[str, ...] = ()) -> None:
    if source not in town_alert_sources:
        town_alert_sources.append(source)
    home_kinds.extend(kind for kind in kinds if kind not in home_kinds)


def town_alert(request: Any) -> TownAlert | None:
    """The first alert in force for the request's town (asked once per request: the banner and the home page share
    the answer)."""
    if getattr(request, "municipality", None) is None:
        return None
    if not hasattr(request, _ASKED):
        setattr(request, _ASKED, next((alert for source in town_alert_sources
                                       if (alert := source(request)) is not None), None))
    found: TownAlert | None = getattr(request, _ASKED)
    return found


def end_url_for(request: Any) -> str:
    """Where the signed-in staff member ends the town's alert, if they may ("" otherwise)."""
    alert = town_alert(request)
    staff = getattr(request, "staff", None)
    if alert is None or staff is None or not alert.end_url or alert.may_end is None or not alert.may_end(staff):
        return ""
    return alert.end_url

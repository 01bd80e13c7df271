"""Where apps announce their entry points: services on the town home page, items in the staff menu, counts in the
staff header (「決裁待ち 3」), the town's alert in force (災害モード), the town's own home page, the most used
services (from real usage) and the links to 利用規約, プライバシーポリシー and the other pages every site has."""

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


# ---------------------------------------------------------------- the town's own home page

# Views of (request) → the town's home page, or None when the app has none for this town (the website app renders
# the home from the town's Site). The first answer wins; without one the kernel's home is shown. 災害モード's light
# page still comes first (kernel.ui.views.home).
home_views: list[Callable[[Any], Any]] = []


def register_home(view: Callable[[Any], Any], kinds: tuple[str, ...] = ()) -> None:
    """`kinds`: the kinds of records (kernel.records) the view's page shows, which the cached home follows."""
    if view not in home_views:
        home_views.append(view)
    home_kinds.extend(kind for kind in kinds if kind not in home_kinds)


# Entry points the home page leads with (手続き, 予約 …), under the town's own shortcuts' place: short labels.
home_entry_points: list[Entry] = []


def register_entry_point(entry: Entry) -> None:
    if entry not in home_entry_points:
        home_entry_points.append(entry)
        home_entry_points.sort(key=lambda e: e.order)


# ---------------------------------------------------------------- よく使われているサービス (from real usage)

USAGE_DAYS = 90  # the period the ranking counts
USAGE_CACHE_SECONDS = 600  # counts change with every submission: the ranking is kept this long, not followed


@dataclass(frozen=True)
class Used:
    """One thing residents used: its name (in the active language), its page, how many times in USAGE_DAYS."""

    label: str
    url: str
    count: int
    lang: str = ""  # the label's language when it is not the page's (a Japanese name on an English page: "ja")


@dataclass(frozen=True)
class UsageSource:
    """An app's most used things (an app's procedures by submissions, facilities by bookings …). `top(since, limit)`
    runs in the town's scope and must cost one aggregate query. `kinds`: the records whose names it shows."""

    key: str
    top: Callable[[datetime, int], list[Used]]
    kinds: tuple[str, ...] = ()


usage_sources: list[UsageSource] = []


def register_usage(source: UsageSource) -> None:
    if all(existing.key != source.key for existing in usage_sources):
        usage_sources.append(source)
    home_kinds.extend(kind for kind in source.kinds if kind not in home_kinds)


def most_used(municipality_id: int, limit: int = 6) -> list[Used]:
    """The town's most used services of the last USAGE_DAYS, all sources together, most used first (kept
    USAGE_CACHE_SECONDS, and anew when a name shown changes). The town's scope must be active."""
    from datetime import timedelta

    from django.core.cache import cache
    from django.utils import timezone, translation

    from .pagecache import tokens_of

    kinds = [kind for source in usage_sources for kind in source.kinds]
    key = (f"usage:{municipality_id}:{translation.get_language()}:{limit}:"
           f"{tokens_of(municipality_id, kinds) if kinds else ''}")
    found: list[Used] | None = cache.get(key)
    if found is not None:
        return found
    since = timezone.now() - timedelta(days=USAGE_DAYS)
    used = [item for source in usage_sources for item in source.top(since, limit) if item.count > 0]
    used.sort(key=lambda item: (-item.count, item.label))
    found = used[:limit]
    cache.set(key, found, USAGE_CACHE_SECONDS)
    return found


# ---------------------------------------------------------------- 利用規約, プライバシーポリシー and the others

LEGAL_KEYS = ("terms", "privacy", "accessibility", "help", "contact")
# Pages the kernel has of its own, so the sign-up consent and the footer never point at nothing.
LEGAL_DEFAULTS = {"terms": "ui:terms", "privacy": "ui:privacy"}

# Functions of (request) → {key: url} of the town's own pages (the website app: its pages with the well-known slugs).
legal_sources: list[Callable[[Any], dict[str, str]]] = []


def register_legal_links(source: Callable[[Any], dict[str, str]]) -> None:
    if source not in legal_sources:
        legal_sources.append(source)


def _legal_label(key: str) -> Any:
    from django.utils.translation import gettext_lazy as _

    return {"terms": _("利用規約"), "privacy": _("プライバシーポリシー"), "accessibility": _("アクセシビリティ方針"),
            "help": _("サイトの使い方"), "contact": _("問い合わせ先")}[key]


_LEGAL_ASKED = "yakuba_legal_links"


def legal_links(request: Any) -> list[dict[str, Any]]:
    """The town's 利用規約, プライバシーポリシー, アクセシビリティ方針, サイトの使い方 and 問い合わせ先 in that
    order (key, label, url): its own pages where it has them, the kernel's 利用規約 and プライバシーポリシー where
    not. Asked once per request."""
    from django.urls import reverse

    if hasattr(request, _LEGAL_ASKED):
        found: list[dict[str, Any]] = getattr(request, _LEGAL_ASKED)
        return found
    urls: dict[str, str] = {}
    if getattr(request, "municipality", None) is not None:
        for source in legal_sources:
            for key, url in source(request).items():
                urls.setdefault(key, url)
    found = []
    for key in LEGAL_KEYS:
        url = urls.get(key) or (reverse(LEGAL_DEFAULTS[key]) if key in LEGAL_DEFAULTS else "")
        if url:
            found.append({"key": key, "label": _legal_label(key), "url": url})
    setattr(request, _LEGAL_ASKED, found)
    return found


def legal_url(request: Any, key: str) -> str:
    """The URL of one of the pages above ("" when the town has none and the kernel has no default)."""
    return next((link["url"] for link in legal_links(request) if link["key"] == key), "")

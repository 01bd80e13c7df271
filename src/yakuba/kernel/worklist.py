"""The day's work on the staff top page: each app registers a provider of counts for one staff member.

A provider gets the signed-in `Staff` (its town is `staff.municipality`; the town's scope is active) and returns
`Item`s: a label, a count, the URL of the list that shows exactly those things, and how urgent they are. It must
respect the staff member's role and department the way the app's own lists do (a clerk: their department's; a
所属長: the department's, with `by_staff` per clerk when cheap; 情報担当: the whole town), and use a few queries
whatever the amount of data (the dashboard test bounds the total).

A provider whose items follow only records the kernel hears about (`records.announce`) may name those kinds in
`follows` and say in `shared_by` what else its items depend on (e.g. the department): its items are then kept in
the cache under the kinds' current tokens (as cached public pages are), so the staff top page does not recompute a
plan's to-do on every visit; any change of those records gives new tokens, so it is never shown stale.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone, translation
from django.utils.functional import Promise

if TYPE_CHECKING:
    from yakuba.kernel.accounts.models import Staff

logger = logging.getLogger(__name__)
MEMO_SECONDS = 3600  # bounds what changes with time alone (the clock passing a deadline)

NORMAL = ""
DUE = "due"  # to do today
OVERDUE = "overdue"  # past its deadline


@dataclass(frozen=True)
class Item:
    label: str | Promise
    count: int
    url: str
    urgency: str = NORMAL
    detail: str | Promise = ""  # e.g. 「標準処理期間 14日」
    by_staff: tuple[tuple[str, int], ...] = ()  # (clerk, count) for a 所属長


@dataclass(frozen=True)
class Section:
    title: str | Promise
    items: list[Item] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(item.count for item in self.items)


@dataclass(frozen=True)
class Provider:
    title: str | Promise
    items: Callable[[Staff], list[Item]]
    order: int = 100
    follows: tuple[str, ...] = ()  # record kinds the items are derived from; empty: computed on every visit
    shared_by: Callable[[Staff], str] | None = None  # staff whose items are the same share this key (and the day)

    def items_for(self, staff: Staff) -> list[Item]:
        if not self.follows or self.shared_by is None:
            return self.items(staff)
        from yakuba.kernel.ui import pagecache

        try:
            cache = caches[settings.PAGE_CACHE_ALIAS]
            tokens = pagecache.tokens_of(staff.municipality_id, self.follows)
            key = (f"wl:{self.items.__module__}.{self.items.__qualname__}:{staff.municipality_id}:"
                   f"{self.shared_by(staff)}:{translation.get_language()}:{timezone.localdate().isoformat()}:{tokens}")
            kept = cache.get(key)
        except Exception:  # noqa: BLE001 - a cache that is down costs speed, never the page
            logger.warning("worklist: cache unavailable", exc_info=True)
            return self.items(staff)
        if isinstance(kept, list):
            return kept
        items = self.items(staff)
        try:
            cache.set(key, items, MEMO_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("worklist: cache unavailable", exc_info=True)
        return items


providers: list[Provider] = []


def register(provider: Provider) -> None:
    if all(existing.items is not provider.items for existing in providers):
        providers.append(provider)
        providers.sort(key=lambda p: p.order)


def sections_for(staff: Staff) -> list[Section]:
    """The day's work of `staff`, one section per system that has something to show."""
    sections = [Section(provider.title, provider.items_for(staff)) for provider in providers]
    return [section for section in sections if section.items]

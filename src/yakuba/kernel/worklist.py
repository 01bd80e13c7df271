"""The day's work on the staff top page: each app registers a provider of counts for one staff member.

A provider gets the signed-in `Staff` (its town is `staff.municipality`; the town's scope is active) and returns
`Item`s: a label, a count, the URL of the list that shows exactly those things, and how urgent they are. It must
respect the staff member's role and department the way the app's own lists do (a clerk: their department's; a
所属長: the department's, with `by_staff` per clerk when cheap; 情報担当: the whole town), and use a few queries
whatever the amount of data (the dashboard test bounds the total).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.functional import Promise

if TYPE_CHECKING:
    from yakuba.kernel.accounts.models import Staff

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


providers: list[Provider] = []


def register(provider: Provider) -> None:
    if all(existing.items is not provider.items for existing in providers):
        providers.append(provider)
        providers.sort(key=lambda p: p.order)


def sections_for(staff: Staff) -> list[Section]:
    """The day's work of `staff`, one section per system that has something to show."""
    sections = [Section(provider.title, provider.items(staff)) for provider in providers]
    return [section for section in sections if section.items]

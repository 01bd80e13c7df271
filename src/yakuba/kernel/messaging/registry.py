"""Who a broadcast goes to: each app that broadcasts registers its source with an audience resolver."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from .models import Broadcast, Subscriber


@dataclass(frozen=True)
class Source:
    name: str  # e.g. "notices.notice"
    audience: Callable[[Broadcast], QuerySet[Subscriber]]
    manage_url_name: str  # the page where a subscriber changes what they receive (takes the subscriber's token)
    # The channels this source's broadcasts go out on; empty: every channel the town has (a personal message that
    # must reach one person once names the one channel chosen for it, e.g. ("line",)).
    channels: tuple[str, ...] = ()


_sources: dict[str, Source] = {}


def register_source(source: Source) -> Source:
    _sources[source.name] = source
    return source


def source(name: str) -> Source:
    return _sources[name]


def sources() -> list[Source]:
    return list(_sources.values())

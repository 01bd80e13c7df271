"""Walk every URL pattern of the town URLconf, filling path arguments with given values."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str
    template: str  # e.g. "staff/residents/<int:pk>/"
    converters: dict[str, Any]
    callback: Any

    def path(self, **kwargs: Any) -> str:
        path = self.template
        for key, value in kwargs.items():
            path = re.sub(rf"<(?:\w+:)?{key}>", str(value), path)
        return "/" + path

    @property
    def is_staff(self) -> bool:
        return self.template.startswith("staff/")


def routes(urlconf: str = "yakuba.urls") -> Iterator[Route]:
    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[Route]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                yield Route(
                    name=f"{namespace}{pattern.name}" if pattern.name else prefix + str(pattern.pattern),
                    template=prefix + str(pattern.pattern),
                    converters={**getattr(pattern.pattern, "converters", {})},
                    callback=pattern.callback,
                )

    yield from walk(get_resolver(urlconf).url_patterns, "", "")

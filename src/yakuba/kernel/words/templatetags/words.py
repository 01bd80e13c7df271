"""{% word kind key field japanese %}: a town text in the reader's language; {{ value|ja }}: mark Japanese shown to an
English reader (kernel.words.display)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from yakuba.kernel.words import display

register = template.Library()


@register.simple_tag(takes_context=True)
def word(context: template.Context, kind: str, key: Any, field: str, japanese: Any, *, limit: int = 0,
         lines: bool = False) -> SafeString:
    """`limit`: cut to that many characters (as truncatechars); `lines`: line breaks as <br> (as linebreaksbr)."""
    text = "" if japanese is None else str(japanese)
    shown = display.translate(context.get("request"), kind, key, field, text)
    return display.html(shown, limit=limit, lines=lines)


@register.filter(is_safe=False)
def ja(value: Any) -> SafeString:
    return display.html("" if value is None else value)

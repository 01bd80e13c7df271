"""{% word kind key field japanese %}: a town text in the reader's language; {{ value|ja }}: mark Japanese shown to an
English reader (kernel.words.display).

    {% word "reservations.facility" facility.pk "name" facility.name %}
    {% word "reservations.facility" room.facility_id "room.{}.name" room.name room.pk %}   (parts fill the {}s)
    {% word "applications.procedure" p.pk "summary" p.summary limit=120 %}                (as truncatechars)
    {% word "applications.procedure" p.pk "summary" p.summary lines=True %}               (as linebreaksbr)
    {% word "reservations.facility" facility.pk "name" facility.name plain=True %}        (in <title> or attributes)
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from yakuba.kernel.words import display

register = template.Library()


@register.simple_tag(takes_context=True)
def word(context: template.Context, kind: str, key: Any, field: str, japanese: Any, *parts: Any, limit: int = 0,
         lines: bool = False, plain: bool = False) -> SafeString:
    text = "" if japanese is None else str(japanese)
    if parts:
        field = field.format(*parts)
    shown = display.translate(context.get("request"), kind, key, field, text)
    if plain:
        return SafeString(conditional_escape(str(shown)))
    return display.html(shown, limit=limit, lines=lines)


@register.filter(is_safe=False)
def ja(value: Any) -> SafeString:
    return display.html("" if value is None else value)

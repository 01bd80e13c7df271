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


@register.filter(is_safe=False)
def local_name(value: Any) -> SafeString:
    """A row with `name` and `name_en` (a 課): its English name for an English reader where the town gave one, else
    the Japanese (marked for an English reader). The request is not needed: the active language says."""
    from django.utils.translation import get_language

    if value is None:
        return SafeString("")
    name, english = str(getattr(value, "name", value)), str(getattr(value, "name_en", "") or "")
    if (get_language() or "ja").startswith("en"):
        return display.html(english if english else display.Japanese(name))
    return display.html(name)

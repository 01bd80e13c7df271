"""Template helpers shared by every app."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from yakuba.kernel.ui import once

register = template.Library()


@register.simple_tag(takes_context=True)
def once_token(context: template.Context) -> SafeString:
    """Hidden single-use token for a form whose POST must count once (see kernel.ui.once)."""
    request = context.get("request")
    token = once.token_from(request) if request is not None else once.new_token()
    if request is not None:
        setattr(request, once.RENDERED, True)
    return format_html('<input type="hidden" name="{}" value="{}">', once.FIELD, token)

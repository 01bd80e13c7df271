"""{% notice_title notice %}: a notice's title in the reader's language: its staff English translation for an
English reader, its やさしい日本語 title for a reader who chose it, else the Japanese (marked lang="ja" for an English
reader)."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from yakuba.kernel.words import display

from ..models import Notice
from ..words import NOTICE

register = template.Library()


@register.simple_tag(takes_context=True)
def notice_title(context: template.Context, notice: Notice) -> SafeString:
    request = context.get("request")
    language = display.language_of(request) if request is not None else None
    if language == "en":
        # translations.all(): the list prefetches them, so a page of notices costs one query
        found = next((t for t in notice.translations.all() if t.language == "en"), None)
        if found is not None:
            return SafeString(conditional_escape(found.title))
    if language == "easy" and notice.easy_title:
        return SafeString(conditional_escape(notice.easy_title))
    return display.html(display.translate(request, NOTICE, notice.pk, "title", notice.title))

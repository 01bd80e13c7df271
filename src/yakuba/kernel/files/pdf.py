"""PDF from a Django template with WeasyPrint, in Japanese fonts, never fetching anything from the network."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

FONT_STACK = "'Noto Sans CJK JP', 'Noto Sans JP', 'IPAexGothic', sans-serif"


def offline_fetcher() -> Any:
    """Documents must be self-contained: only data: URIs load; anything else fails without a request."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def render_pdf(template: str, context: dict[str, Any], **options: Any) -> bytes:
    """Render `template` (a full HTML document extending kernel_files/pdf_base.html) to PDF bytes."""
    from weasyprint import HTML  # imported here: loading pango takes a moment and most requests never need it

    html = render_to_string(template, {"font_stack": FONT_STACK, **context})
    result: bytes = HTML(string=html, url_fetcher=offline_fetcher(), base_url=None).write_pdf(**options)
    return result

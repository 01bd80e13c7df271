"""PDF from a Django template with WeasyPrint, in Japanese fonts, never fetching anything from the network."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

FONT_STACK = "'Noto Sans CJK JP', 'Noto Sans JP', 'IPAexGothic', sans-serif"


def _refuse_fetch(url: str, timeout: int = 10, ssl_context: Any = None, http_headers: Any = None) -> Any:
    """Documents must be self-contained: only data: URIs load; anything else is an error, not a request."""
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url)
    raise ValueError(f"PDF rendering does not fetch {url[:60]}")


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """Render `template` (a full HTML document extending kernel_files/pdf_base.html) to PDF bytes."""
    from weasyprint import HTML  # imported here: loading pango takes a moment and most requests never need it

    html = render_to_string(template, {"font_stack": FONT_STACK, **context})
    result: bytes = HTML(string=html, url_fetcher=_refuse_fetch, base_url=None).write_pdf()
    return result

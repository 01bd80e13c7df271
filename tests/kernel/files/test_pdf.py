"""PDFs render Japanese text with embedded CJK fonts and never fetch from the network."""

from __future__ import annotations

import re

import pytest
from django.template import engines

from yakuba.kernel.files import pdf


def test_japanese_document_renders_with_an_embedded_cjk_font(tmp_path, settings):
    html = ('{% extends "kernel_files/pdf_base.html" %}{% block title %}控え{% endblock %}'
            '{% block body %}<h1>児童手当認定請求書</h1><p>下仁田町大字下仁田682</p>{% endblock %}')
    (tmp_path / "doc.html").write_text(html, encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    engines._engines = {}  # noqa: SLF001  (settings changed: rebuild the template engines)
    try:
        data = pdf.render_pdf("doc.html", {}, uncompressed_pdf=True)
    finally:
        engines._engines = {}  # noqa: SLF001
    assert data.startswith(b"%PDF")
    fonts = set(re.findall(rb"/BaseFont\s*/([A-Za-z0-9+\-]+)", data))
    assert any(b"CJK" in name or b"NotoSans" in name for name in fonts), fonts


def test_remote_resources_are_refused_before_any_request():
    fetcher = pdf.offline_fetcher()
    for url in ("http://example.com/logo.png", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher(url)
    assert fetcher("data:text/plain,hi").read() == b"hi"

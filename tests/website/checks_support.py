"""Small builders for the website tests: saved pages of an old town site, zipped as a clerk would upload them, and
pages with a live version for the report."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope

from yakuba.kernel.accounts.models import Department, Staff

# A PNG of two red pixels (Pillow decodes it whole).
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000020000000108020000007b40e8dd0000000f49444154789c633c2127c7c0"
                    "c0000005cc0106458859d40000000049454e44ae426082")


def old_page(title: str = "ごみの出し方", body: str = "<p>燃えるごみは月曜と木曜に出してください。</p>", *,
             charset: str = "utf-8", site: str = "｜下仁田町", updated: str = "更新日：2024年3月1日",
             cms: str = "tmp_contents") -> str:
    """A page as an old 自治体 CMS saved it: header, navigation, breadcrumbs, the content, a footer."""
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="{charset}"><title>{title}{site}</title>'
            '<script>track()</script></head><body>'
            '<div id="header"><p>下仁田町</p><ul id="gnav"><li><a href="/kurashi/">くらし</a></li></ul></div>'
            '<div id="topicpath"><a href="/">ホーム</a> &gt; くらし</div>'
            f'<div id="{cms}"><h1>{title}</h1>{body}<p class="update">{updated}</p></div>'
            '<div id="footer"><address>下仁田町役場 〒370-2601</address></div></body></html>')


def make_zip(files: dict[str, bytes | str], *, name: str = "site.zip") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(path, data.encode("utf-8") if isinstance(data, str) else data)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")


def make_page(town: Any, staff: Staff, *, path: str, title: str = "ページ", blocks: list[dict[str, Any]] | None = None,
              department: Department | None = None, parent: Any = None, live: bool = True) -> Any:
    """A page with one version (published when `live`), written straight to the tables."""
    from yakuba.website.models import Page, PageKind, PageVersion, VersionState

    with scope(municipality=town):
        page = Page.objects.create(municipality=town, parent=parent, slug=path.rsplit("/", 1)[-1], path=path,
                                   kind=PageKind.GENERAL, department=department or staff.department,
                                   review_due=date(2027, 4, 1))
        version = PageVersion.objects.create(
            municipality=town, page=page, number=1, author=staff, title=title,
            state=VersionState.PUBLISHED if live else VersionState.DRAFT,
            blocks=blocks if blocks is not None else [{"type": "text", "html": "<p>本文です。</p>"}],
            published_at=timezone.now() if live else None)
        if live:
            page.live = version
            page.save(update_fields=["live"])
    return page

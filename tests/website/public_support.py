"""Pages of the town's site made directly as rows (as the editor's services leave them), for the public side's tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_scopes import scope

from tests import factories
from yakuba.kernel.tenancy.models import Municipality
from yakuba.website.models import Page, PageKind, PageVersion, VersionState

TEXT = [{"type": "text", "html": "<p>本文です。</p>"}]


def make_page(town: Municipality, slug: str, *, parent: Page | None = None, kind: str = PageKind.GENERAL,
              title: str = "ページ", summary: str = "", blocks: list[dict[str, Any]] | None = None,
              details: dict[str, Any] | None = None, department: str = "総務課", published: bool = True,
              position: int = 0, published_at: Any = None, author: Any = None, **version: Any) -> Page:
    """A page with one version, published (live) unless `published` is False."""
    author = author or factories.make_staff(town, department=department)
    with scope(municipality=town):
        page = Page.objects.create(
            municipality=town, parent=parent, slug=slug, path=f"{parent.path}/{slug}" if parent else slug,
            kind=kind, department=factories.make_department(town, department), position=position,
            review_due=(timezone.now() + timedelta(days=365)).date())
        when = published_at or timezone.now() - timedelta(minutes=5)
        live = PageVersion.objects.create(
            municipality=town, page=page, number=1, title=title, summary=summary,
            blocks=TEXT if blocks is None else blocks, details=details or {}, author=author,
            state=VersionState.PUBLISHED if published else VersionState.DRAFT,
            published_at=when if published else None, **version)
        if published:
            page.live = live
            page.save()
    return page


def new_version(page: Page, **fields: Any) -> PageVersion:
    """Publish a new version of `page` with `fields` changed (the old one superseded)."""
    with scope(municipality=page.municipality):
        old = page.live or page.versions.first()
        data = {name: getattr(old, name) for name in (
            "title", "summary", "blocks", "details", "title_en", "summary_en", "blocks_en", "title_easy",
            "summary_easy", "blocks_easy", "author")}
        data.update(fields)
        data.setdefault("published_at", timezone.now())
        PageVersion.objects.filter(page=page, state=VersionState.PUBLISHED).update(state=VersionState.SUPERSEDED)
        version = PageVersion.objects.create(municipality=page.municipality, page=page, number=old.number + 1,
                                             state=VersionState.PUBLISHED, **data)
        page.live = version
        page.save()
    return version

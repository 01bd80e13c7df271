"""Helpers of the site settings and home page tests: a town's Site and a few published pages."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope

from tests import factories
from yakuba.kernel.accounts.models import Role
from yakuba.website.models import Page, PageKind, Site
from yakuba.website.services.pages import PageData, publish_directly


def make_site(town: Any, **fields: Any) -> Site:
    with scope(municipality=town):
        site, _ = Site.objects.update_or_create(municipality=town, defaults={"colour": "#0017c1", **fields})
    return site


def admin(town: Any) -> Any:
    return factories.make_staff(town, role=Role.ADMIN)


def publish(town: Any, author: Any, title: str, slug: str, *, kind: str = PageKind.GENERAL,
            parent: Page | None = None, **fields: Any) -> Page:
    blocks = fields.pop("blocks", [{"type": "text", "html": f"<p>{title}の案内です。</p>"}])
    with scope(municipality=town):
        return publish_directly(author, PageData(title=title, slug=slug, kind=kind, parent=parent,
                                                 department=author.department, blocks=blocks, **fields))


@pytest.fixture
def staff_menu_reversible():
    """Staff pages render the whole staff menu: while a menu entry's page is still being built on another branch
    (its URL name not there yet), leave it out of the menu for the test."""
    from django.urls import NoReverseMatch, reverse

    from yakuba.kernel.ui import registry

    kept = list(registry.staff_menu)
    for entry in kept:
        try:
            reverse(entry.url_name)
        except NoReverseMatch:
            registry.staff_menu.remove(entry)
    yield
    registry.staff_menu[:] = kept

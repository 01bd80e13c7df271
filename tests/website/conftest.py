"""Until the page editor's staff pages (views/staff.py) are on this branch, the staff menu's entry 「ホームページ」
(`staff:website`) points at a stand-in, so staff pages render here as they will with the editor in place."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.urls import NoReverseMatch, clear_url_caches, path, reverse


@pytest.fixture(autouse=True)
def _website_menu_entry():
    try:
        reverse("staff:website")
    except NoReverseMatch:
        from yakuba import urls
        from yakuba.kernel.accounts.models import Role
        from yakuba.kernel.accounts.permissions import staff_required

        stand_in = staff_required(role=Role.STAFF)(lambda request: HttpResponse("website"))
        urls.staff_urlpatterns.append(path("website/", stand_in, name="website"))
        clear_url_caches()
    yield

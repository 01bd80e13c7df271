"""The site's pages come from the shared cache for anonymous readers, and a publication shows on the next view."""

from __future__ import annotations

import pytest

from tests.website.public_support import make_page, new_version
from yakuba.kernel.ui.pagecache import HEADER
from yakuba.website.models import PageKind


@pytest.mark.django_db(transaction=True)  # the writes commit: caches hear of them as in production
def test_a_page_is_cached_after_the_first_view_and_rendered_anew_after_a_change(client, town_a):
    section = make_page(town_a, "kurashi", kind=PageKind.SECTION, title="くらし・手続き")
    page = make_page(town_a, "gomi", parent=section, title="ごみの出し方")
    paths = [f"{town_a.path_prefix}/site/", f"{town_a.path_prefix}/site/kurashi/",
             f"{town_a.path_prefix}/site/kurashi/gomi/", f"{town_a.path_prefix}/sitemap.xml",
             f"{town_a.path_prefix}/site/feed.xml"]
    for path in paths:
        first = client.get(path)
        assert first.status_code == 200 and first[HEADER] == "miss", path
        again = client.get(path)
        assert again[HEADER] == "hit" and "public" in again["Cache-Control"], path
    new_version(page, title="ごみの分け方と出し方")
    for path in paths[1:3] + paths[4:]:
        response = client.get(path)
        assert response[HEADER] == "miss" and "ごみの分け方と出し方" in response.content.decode(), path
    client.cookies["yakuba_language"] = "en"
    assert client.get(paths[2])[HEADER] == "miss"  # English readers have their own copy


@pytest.mark.django_db(transaction=True)
def test_a_signed_in_visitor_never_gets_the_cached_page(client, town_a, resident_a):
    make_page(town_a, "gomi", title="ごみの出し方")
    path = f"{town_a.path_prefix}/site/gomi/"
    client.get(path)
    client.force_login(resident_a.user)
    response = client.get(path)
    assert not response.get(HEADER) and "private" in response["Cache-Control"]

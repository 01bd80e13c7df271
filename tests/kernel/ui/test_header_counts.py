"""Counts in the staff header (kernel.ui.registry.header_counts): shown on every staff page while not zero, linked
to their list, asked only when the staff header renders."""

from __future__ import annotations

import pytest

from tests import factories
from yakuba.kernel.ui import registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(monkeypatch):
    asked = []

    def count(staff):
        asked.append(staff.pk)
        return 3 if staff.family_name == "職員" else 0

    monkeypatch.setattr(registry, "header_counts", [])
    registry.register_header_count(registry.HeaderCount("staff:dashboard", "テスト待ち", count))
    registry.register_header_count(registry.HeaderCount("staff:dashboard", "テスト待ち", count))  # once only
    return asked


def test_a_count_shows_in_the_staff_header_with_its_link(town_a, staff_a, counted):
    page = factories.staff_client(staff_a).get(factories.town_url(town_a, "/staff/")).content.decode()
    header = page[page.index("<header"):page.index("</header>")]
    assert "テスト待ち" in header and "3件" in header
    assert 'href="/t/10382/staff/"' in header
    assert counted == [staff_a.pk]


def test_a_zero_count_is_not_shown_and_residents_are_not_asked(town_a, staff_a, resident_a, counted):
    staff_a.family_name = "課長"
    staff_a.save()
    page = factories.staff_client(staff_a).get(factories.town_url(town_a, "/staff/")).content.decode()
    assert "テスト待ち" not in page and "site-header__counts" not in page
    client = factories.staff_client(staff_a)
    client.force_login(resident_a.user)
    client.get(factories.town_url(town_a, "/"))
    assert counted == [staff_a.pk]

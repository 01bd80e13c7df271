"""The demo sites: load twice without duplicates, 下仁田町 has a few dozen public pages in its real sections, the
procedure and facility links resolve to their one source, the colours pass the contrast check, 棚卸し has work,
not every page is structured, and the common pages read in English."""

from __future__ import annotations

from pathlib import Path

import pytest
from django_scopes import scope, scopes_disabled

from yakuba.kernel import records
from yakuba.kernel.accounts.models import Department
from yakuba.kernel.tenancy.models import Municipality
from yakuba.website.models import STRUCTURED_KINDS, Page, PageKind, PageVersion, Site
from yakuba.website.services import site as service

pytestmark = pytest.mark.django_db

COMMON = ("terms", "privacy", "accessibility", "help", "contact")


@pytest.fixture
def demo(demo_for_module):
    """The demo, loaded once for this module (tests/conftest.py); each test's changes are undone."""


def test_every_town_has_its_site_sections_and_the_five_pages(demo):
    for town in Municipality.objects.all():
        with scope(municipality=town):
            site = Site.objects.get()
            assert service.contrast(site.colour) >= 4.5 and site.emblem_path and site.tagline
            assert service.emblem_bytes(site)[:8] == b"\x89PNG\r\n\x1a\n"
            public = service.public_pages()
            top = set(public.filter(parent__isnull=True).values_list("slug", flat=True))
            assert set(COMMON) <= top and {"kurashi", "kosodate", "kenko", "bousai", "kanko", "chosei"} <= top
            assert public.filter(kind=PageKind.DEPARTMENT, parent__slug="contact").count() == (
                Department.objects.count())
            assert public.filter(review_due__lt=service.timezone.localdate()).exists()  # 棚卸し has work
            kinds = list(public.values_list("kind", flat=True))
            structured = sum(kind in STRUCTURED_KINDS for kind in kinds)
            assert 0 < structured < len(kinds)  # 構造化対応率 is neither 0 nor 100 %
            for slug in COMMON:
                live = Page.objects.get(parent=None, slug=slug).live
                assert live.title_en and live.blocks_en, (town.name, slug)


def test_shimonita_has_a_few_dozen_pages_linked_to_their_one_source(demo):
    town = Municipality.objects.get(name="下仁田町")
    with scope(municipality=town):
        public = service.public_pages()
        assert public.count() >= 30
        for kind in (PageKind.ARTICLE, PageKind.FAQ, PageKind.PROCEDURE, PageKind.FACILITY, PageKind.EVENT,
                     PageKind.DEPARTMENT):
            assert public.filter(kind=kind).exists(), kind
        teate = Page.objects.get(path="kosodate/jidou-teate")
        assert teate.live.details["procedure"] == "jidou-teate"
        assert teate.live.title_en and teate.live.blocks_en and teate.live.title_easy
        document = records.find_document("applications.procedure", teate.live.details["procedure"])
        assert document is not None and "児童手当" in document.title
        rows = {row.key: row for row in records.rows("reservations.facility", town)}
        facilities = public.filter(kind=PageKind.FACILITY).select_related("live")
        assert {page.live.details["facility"] for page in facilities} == set(rows)
        for page in facilities:
            row = rows[page.live.details["facility"]]
            assert page.live.details.get("address", "") == (row.values["所在地_連結表記"] or "")
            assert page.live.details.get("latitude", "") == str(row.values["緯度"] or "")
        for page in public.filter(kind=PageKind.PROCEDURE).select_related("live"):
            name = page.live.details.get("procedure")
            assert name is None or records.find_document("applications.procedure", name) is not None, page.path
        # shelters stay in their one source (the 防災 board): no page per shelter
        assert not public.filter(path__startswith="bousai/hinanjo/").exists()
        faq = Page.objects.get(path="kurashi/gomi/sodai").live
        assert any("ソファ" in block.get("question", "") for block in faq.blocks)
        assert Page.objects.get(path="chosei/dx-keikaku").live


def test_the_demo_home_and_a_linked_procedure_answer(demo, client):
    body = client.get("/t/10382/").content.decode()
    assert 'class="town-band"' in body and "誰も取り残さないDX" in body
    assert client.get("/t/10382/procedures/jidou-teate/").status_code == 200
    assert client.get("/t/10382/reservations/facilities/kominkan/").status_code == 200
    assert client.get("/t/10382/site/emblem.png").status_code == 200


def test_english_texts_are_no_msgid_of_the_catalogue(demo):
    catalogue = Path(__file__).resolve().parents[2] / "src/yakuba/locale/en/LC_MESSAGES/django.po"
    msgids = {line[7:-1] for line in catalogue.read_text("utf-8").splitlines() if line.startswith('msgid "')}
    with scopes_disabled():
        for version in PageVersion.objects.exclude(title_en=""):
            assert version.title_en not in msgids and version.summary_en not in msgids, version.title_en

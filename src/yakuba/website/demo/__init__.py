"""The demo towns' sites: each town's Site (its colour, an emblem drawn here, a tagline from its plan), its sections,
the five pages every site has, a 課 page per department, its facilities from their one source (the reservations
records: address and coordinates copied from the rows at load), and the pages of its plan; 下仁田町 gets a few dozen.

Idempotent: a page whose path exists is left as it is, so a second load writes nothing."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta
from typing import Any

from django.utils import timezone

from yakuba.kernel import records
from yakuba.kernel.accounts.models import Department, Role, Staff
from yakuba.kernel.ops.demo import Town
from yakuba.kernel.tenancy.models import Municipality

from ..models import Page, PageKind, Site
from ..services import site as site_service
from ..services.pages import PageData, publish_directly
from . import common, towns
from .kit import Spec, place, t

PROCEDURE = "applications.procedure"
FACILITY = "reservations.facility"
CHILDCARE_CATEGORY = "子育て支援センター"


def emblem_png(letter: str, colour: str) -> bytes:
    """A simple made-up emblem: the town's initial in white on a disc of its colour (no real town's emblem)."""
    from PIL import Image, ImageDraw, ImageFont

    size = 256
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, size - 8, size - 8), fill=colour)
    draw.ellipse((28, 28, size - 28, size - 28), outline="white", width=8)
    font = ImageFont.load_default(size=128)
    draw.text((size / 2, size / 2), letter, fill="white", font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _site(municipality: Municipality, town: Town) -> Site:
    look = towns.LOOKS[town.slug]
    assert site_service.check_colour(look.colour) is None, (town.slug, site_service.contrast(look.colour))
    site, created = Site.objects.get_or_create(municipality=municipality, defaults={
        "colour": look.colour, "tagline": look.tagline, "tagline_en": look.tagline_en,
        "tagline_easy": look.tagline_easy, "review_months": 12,
        "shortcuts": [{"label": "防災情報", "url": "/bousai/", "label_en": "Disaster information"},
                      {"label": "町の計画", "url": "/plans/", "label_en": "Town plans and progress"},
                      {"label": "オープンデータ", "url": "/opendata/", "label_en": "Town open data"}]})
    if created or not site.emblem_path:
        site_service.set_emblem(site, emblem_png(look.letter, look.colour))
        site.save(update_fields=["emblem_path", "updated_at"])
    return site


class Loader:
    """Publishes a town's specs in order (parents first), skipping those already there."""

    def __init__(self, municipality: Municipality, town: Town, author: Staff) -> None:
        self.municipality, self.town, self.author = municipality, town, author
        self.departments = list(Department.objects.order_by("sort_order", "pk"))
        self.pages = {page.path: page for page in Page.objects.all()}
        self.today = timezone.localdate()

    def department(self, words: tuple[str, ...]) -> Department:
        exact = next((d for d in self.departments if d.name in words), None)
        if exact is not None:
            return exact
        for word in words:
            found = next((d for d in self.departments if word in d.name), None)
            if found is not None:
                return found
        return self.departments[0]

    def details(self, spec: Spec) -> dict[str, Any]:
        details = dict(spec.details)
        name = details.get("procedure")
        if name and records.find_document(PROCEDURE, name) is None:
            details.pop("procedure")  # the town has no such procedure online: the page still guides
            details.pop("online", None)
        return details

    def publish(self, spec: Spec) -> Page | None:
        if spec.path in self.pages:
            return None
        parent_path, _, slug = spec.path.rpartition("/")
        parent = self.pages.get(parent_path) if parent_path else None
        if parent_path and parent is None:
            return None
        data = PageData(title=spec.title, kind=spec.kind, department=self.department(spec.owner), parent=parent,
                        slug=slug, summary=spec.summary, blocks=list(spec.blocks), details=self.details(spec))
        if spec.en is not None:
            data.title_en, data.summary_en, data.blocks_en = spec.en.title, spec.en.summary, list(spec.en.blocks)
        if spec.easy is not None:
            data.title_easy, data.summary_easy = spec.easy.title, spec.easy.summary
            data.blocks_easy = list(spec.easy.blocks)
        published = timezone.now() - timedelta(days=spec.age_days)
        page = publish_directly(self.author, data, published_at=published)
        if spec.overdue:
            Page.objects.filter(pk=page.pk).update(review_due=self.today - timedelta(days=7 + spec.age_days % 20))
        self.pages[page.path] = page
        return page


def facility_specs(municipality: Municipality) -> list[Spec]:
    """One 施設案内 per facility of the reservations records, linked by the row's key; its address, coordinates,
    hours and phone copied from the row (the one source), never typed here."""
    specs = []
    for row in records.rows(FACILITY, municipality):
        values = row.values
        category = str(values.get("種別") or "")
        parent = "kosodate" if category == CHILDCARE_CATEGORY else "kurashi/shisetsu"
        lat, lng = values.get("緯度"), values.get("経度")
        blocks = [t(str(values.get("説明") or values.get("名称")))]
        if lat and lng:
            blocks.append(place(float(str(lat)), float(str(lng)), str(values.get("名称"))))
        specs.append(Spec(
            f"{parent}/{row.key}", PageKind.FACILITY, str(values.get("名称")), str(values.get("説明") or "")[:300],
            tuple(blocks), owner=("教育", "福祉"), details={
                "facility": row.key, "address": values.get("所在地_連結表記") or "",
                "hours": values.get("利用可能日時特記事項") or "", "phone": values.get("電話番号") or "",
                "latitude": str(lat or ""), "longitude": str(lng or "")}))
    return specs


def specs_for(municipality: Municipality, town: Town) -> list[Spec]:
    today = timezone.localdate()
    specs = [*common.pages(town.name), *towns.sections(), *towns.shared(town.name, today)]
    specs += [common.department_page(name, name_en) for name, name_en, _sections in town.departments]
    specs += facility_specs(municipality)
    town_pages = towns.TOWN_PAGES.get(town.slug)
    if town_pages is not None:
        specs += town_pages(today)
    if town.slug == "shimonita":
        specs = [towns.english(spec) if spec.path == "kosodate/jidou-teate" else spec for spec in specs]
    else:
        # The English of the common pages is the same in every town; other towns' 児童手当 stays Japanese.
        specs = [replace(spec, easy=None) if spec.path == "help" else spec for spec in specs]
    return specs


def load(municipality: Municipality, town: Town) -> None:
    """Called by `yakuba demo` for each town inside its scope and transaction."""
    if town.slug not in towns.LOOKS:
        return
    author = Staff.objects.filter(municipality=municipality, role=Role.ADMIN, user__email=f"admin@{town.slug}.demo"
                                  ).first() or Staff.objects.filter(municipality=municipality,
                                                                    role=Role.ADMIN).first()
    if author is None:
        return
    _site(municipality, town)
    loader = Loader(municipality, town, author)
    for spec in specs_for(municipality, town):
        loader.publish(spec)

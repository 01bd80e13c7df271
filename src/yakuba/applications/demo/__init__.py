"""Demo procedures, life events and sample submissions for the demo towns (`yakuba demo`).

Form definitions live in demo/forms/<slug>.json, in the editor's import format. Loading is idempotent: a
second load writes nothing. A published form version is never changed: when a JSON file differs from the
procedure's current form, a new version is created and published instead.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.utils import timezone

from yakuba.kernel.accounts.models import Department
from yakuba.kernel.audit.services import record
from yakuba.kernel.forms.definition import FormDefinition
from yakuba.kernel.ops.demo import Town, _upsert
from yakuba.kernel.tenancy.models import Municipality

from ..models import Category, FormVersion, LifeEvent, LifeEventProcedure, Procedure
from .catalogue import CATEGORIES, LIFE_EVENTS, PROCEDURES

FORMS_DIR = Path(__file__).resolve().parent / "forms"


@cache
def form_data(name: str) -> dict[str, Any]:
    """The definition in demo/forms/<name>.json, checked and in canonical form."""
    data = json.loads((FORMS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return FormDefinition.from_dict(data).to_dict()


def load(municipality: Municipality, town: Town) -> None:
    """Idempotent: called by `yakuba demo` for each town inside its scope and transaction."""
    from . import samples, words

    categories = {slug: _upsert(Category, {"municipality": municipality, "slug": slug},
                                {"name": name, "sort_order": order})
                  for order, (slug, name) in enumerate(CATEGORIES)}
    offered: dict[str, Procedure] = {}
    for order, item in enumerate(PROCEDURES):
        department_name = item.departments.get(town.slug)
        if department_name is None:
            continue
        procedure = _upsert(Procedure, {"municipality": municipality, "slug": item.slug}, {
            "title": item.title, "summary": item.summary, "keywords": item.keywords,
            "category": categories[item.category], "department": Department.objects.get(name=department_name),
            "fee": item.fee, "fee_schedule": item.fee_schedule, "processing_days": item.processing_days,
            "documents": item.documents,
            "is_published": True, "sort_order": order,
        })
        publish_form(procedure, form_data(item.form))
        offered[item.slug] = procedure
    for order, event in enumerate(LIFE_EVENTS):
        entries = event.entries_for(town.slug, set(offered))
        if not entries:
            continue
        life_event = _upsert(LifeEvent, {"municipality": municipality, "slug": event.slug},
                             {"name": event.name, "description": event.description, "sort_order": order})
        for position, (slug, note) in enumerate(entries):
            _upsert(LifeEventProcedure, {"life_event": life_event, "procedure": offered[slug]},
                    {"note": note, "sort_order": position})
    samples.load(municipality, town)
    words.load(municipality, town)  # after the forms: translations are made from their Japanese


def publish_form(procedure: Procedure, data: dict[str, Any]) -> FormVersion | None:
    """Make `data` the procedure's current form, as publish_draft would but without a Staff.

    Nothing happens when the current form already says the same. Otherwise a new published version is
    created after the highest existing number; an editor's unpublished draft, if any, is left alone.
    """
    current = procedure.current_form
    if current is not None and {**current.definition, "version": 0} == {**data, "version": 0}:
        return None
    latest = procedure.versions.order_by("-version").first()
    number = latest.version + 1 if latest is not None else 1
    definition = FormDefinition.from_dict({**data, "version": number}).to_dict()
    version = FormVersion.objects.create(municipality=procedure.municipality, procedure=procedure, version=number,
                                         definition=definition, published_at=timezone.now())
    procedure.current_form = version
    procedure.save(update_fields=["current_form", "updated_at"])
    record("applications.form.published", municipality=procedure.municipality, actor=None, obj=version,
           data={"version": number, "source": "demo"})
    return version

"""The texts of 施設予約 residents read, offered for translation (kernel.words): each published facility's name, its
description when short, and its rooms' names; each 来庁予約 kind's name and description."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakuba.kernel.tenancy.models import Municipality
from yakuba.kernel.words import registry as words

from .models import AppointmentType, Facility

FACILITY = "reservations.facility"
APPOINTMENT = "reservations.appointment"
SHORT = 400  # a longer description is the town's page about the facility, not a label (the website app's pages)


def _facilities(municipality: Municipality) -> Iterator[words.Record]:
    for facility in Facility.objects.filter(is_published=True).prefetch_related("rooms"):
        texts = [words.Text("name", facility.name, _("施設名"))]
        if facility.description.strip() and len(facility.description) <= SHORT:
            texts.append(words.Text("description", facility.description, _("説明")))
        texts += [words.Text(f"room.{room.pk}.name", room.name, _("部屋の名称")) for room in facility.rooms.all()]
        yield words.Record(key=str(facility.pk), title=facility.name, texts=texts,
                           url=reverse("reservations:facility", args=[facility.slug]),
                           department_id=facility.department_id)


def _appointments(municipality: Municipality) -> Iterator[words.Record]:
    for kind in AppointmentType.objects.filter(is_published=True):
        texts = [words.Text("name", kind.name, _("名称"))]
        if kind.description.strip() and len(kind.description) <= SHORT:
            texts.append(words.Text("description", kind.description, _("説明")))
        yield words.Record(key=str(kind.pk), title=kind.name, texts=texts, department_id=kind.department_id)


words.register(words.Source(FACILITY, gettext_lazy("予約できる施設と部屋"), _facilities))
words.register(words.Source(APPOINTMENT, gettext_lazy("来庁予約の種類"), _appointments))

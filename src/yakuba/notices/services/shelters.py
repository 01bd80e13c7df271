"""Verbs of 避難所: staff set the status of one of the town's 指定避難所 during a disaster. The list of shelters is
not kept here: it is the 指定避難所 rows of the published 指定緊急避難場所一覧 (オープンデータ), read through
kernel.records, so a shelter, its name and its place exist once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel import records
from yakuba.kernel.accounts.models import Role, Staff
from yakuba.kernel.audit.services import record
from yakuba.kernel.refusal import Refused
from yakuba.kernel.tenancy.models import Municipality

from ..models import Shelter, ShelterStatus

SITES = "opendata.shelter"  # the kind of record (kernel.records) of the town's 指定避難所
MANAGING_DEPARTMENT = "総務課"


@dataclass(frozen=True)
class Place:
    """One 指定避難所 as the board shows it: the dataset row's facts and the status staff set (未開設 if none)."""

    key: str
    name: str
    address: str
    capacity: int | None
    latitude: Decimal | None
    longitude: Decimal | None
    url: str  # its page in the open data
    status: str
    note: str
    opened_at: datetime | None
    updated_at: datetime | None
    updated_by_set: bool

    def get_status_display(self) -> str:
        return str(ShelterStatus(self.status).label)


def _number(value: object) -> Decimal | None:
    try:
        return Decimal(str(value).strip()) if str(value).strip() else None
    except InvalidOperation:
        return None


def _place(row: records.Row, shelter: Shelter | None) -> Place:
    values = row.values
    capacity = _number(values.get("想定収容人数", ""))
    return Place(
        key=row.key, name=str(values.get("名称", "")) or row.key, address=str(values.get("所在地_連結表記", "")),
        capacity=int(capacity) if capacity is not None and capacity >= 0 else None,
        latitude=_number(values.get("緯度", "")), longitude=_number(values.get("経度", "")),
        url=str(values.get("URL", "")), status=shelter.status if shelter else ShelterStatus.CLOSED,
        note=shelter.note if shelter else "", opened_at=shelter.opened_at if shelter else None,
        updated_at=shelter.updated_at if shelter else None,
        updated_by_set=shelter is not None and shelter.updated_by_id is not None)


def places(municipality: Municipality) -> list[Place]:
    """Every 指定避難所 of the town, in the dataset's order, each with its status: exactly what the board shows."""
    statuses = {s.site: s for s in Shelter.objects.filter(municipality=municipality).exclude(site="")}
    return [_place(row, statuses.get(row.key)) for row in records.rows(SITES, municipality)]


def orphans(municipality: Municipality) -> list[Shelter]:
    """Statuses whose place is not (or no longer) a 指定避難所 of the dataset: staff see them, the board does not."""
    keys = [row.key for row in records.rows(SITES, municipality)]
    return list(Shelter.objects.filter(municipality=municipality).exclude(site__in=keys))


def may_edit_list(staff: Staff) -> bool:
    """Who may remove a status left without its place: 情報担当, or 総務課 (who keep the town's disaster plan)."""
    return staff.is_active and (staff.has_role(Role.ADMIN) or staff.department.name == MANAGING_DEPARTMENT)


def set_shelter_status(staff: Staff, site: str, *, status: str, note: str) -> Place:
    """開設・混雑・満員 of the 指定避難所 `site` (the dataset row's ID): any staff member of the town may report it (a
    disaster does not wait for the right 課)."""
    if not staff.is_active:
        raise Refused({"__all__": _("この避難所の状況を変更する権限がありません。")})
    municipality = staff.municipality
    row = next((r for r in records.rows(SITES, municipality) if r.key == site), None)
    if row is None:
        raise Refused({"__all__": _("この避難所はオープンデータの指定避難所の一覧にありません。")})
    note = note.strip()
    errors: dict[str, str] = {}
    if status not in ShelterStatus.values:
        errors["status"] = _("状況を選んでください。")
    if len(note) > 200:
        errors["note"] = _("お知らせは200文字以内で入力してください。")
    if errors:
        raise Refused(errors)
    name = str(row.values.get("名称", ""))[:100] or site
    with transaction.atomic():
        locked, _created = Shelter.objects.select_for_update().get_or_create(
            municipality=municipality, site=site, defaults={"name": name})
        before = locked.status
        if status == ShelterStatus.CLOSED:
            locked.opened_at = None
        elif before == ShelterStatus.CLOSED or locked.opened_at is None:
            locked.opened_at = timezone.now()
        locked.status, locked.note, locked.name, locked.updated_by = status, note, name, staff.user
        locked.save()
        record("notices.shelter.status_changed", municipality=municipality, actor=staff.user, obj=locked,
               data={"site": site, "name": name, "from": before, "to": status, "note": note})
    return _place(row, locked)


def remove_orphan(staff: Staff, shelter: Shelter) -> None:
    """Remove a status whose place is not a 指定避難所 of the dataset (情報担当 or 総務課)."""
    if not may_edit_list(staff) or shelter.municipality_id != staff.municipality_id:
        raise Refused({"__all__": _("避難所の状況を削除できるのは情報担当と総務課の職員です。")})
    if shelter.site and any(r.key == shelter.site for r in records.rows(SITES, staff.municipality)):
        raise Refused({"__all__": _("この避難所はオープンデータの指定避難所の一覧にあるため、削除できません。")})
    with transaction.atomic():
        record("notices.shelter.removed", municipality=shelter.municipality, actor=staff.user, obj=shelter,
               data={"site": shelter.site, "name": shelter.name, "status": shelter.status})
        shelter.delete()

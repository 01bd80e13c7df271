"""Verbs of 避難所: staff set a shelter's status during a disaster; 情報担当 or 総務課 keep the list itself."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Role, Staff
from yakuba.kernel.audit.services import record
from yakuba.kernel.refusal import Refused

from ..models import Area, Shelter, ShelterStatus

MANAGING_DEPARTMENT = "総務課"


@dataclass
class ShelterData:
    name: str
    address: str = ""
    area: Area | None = None
    capacity: int | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None


def may_edit_list(staff: Staff) -> bool:
    """Who may add or rename shelters: 情報担当, or 総務課 (who keep the town's disaster plan)."""
    return staff.is_active and (staff.has_role(Role.ADMIN) or staff.department.name == MANAGING_DEPARTMENT)


def set_shelter_status(staff: Staff, shelter: Shelter, *, status: str, note: str) -> Shelter:
    """開設・混雑・満員: any staff member of the town may report it (a disaster does not wait for the right 課)."""
    if not staff.is_active or staff.municipality_id != shelter.municipality_id:
        raise Refused({"__all__": _("この避難所の状況を変更する権限がありません。")})
    note = note.strip()
    errors: dict[str, str] = {}
    if status not in ShelterStatus.values:
        errors["status"] = _("状況を選んでください。")
    if len(note) > 200:
        errors["note"] = _("お知らせは200文字以内で入力してください。")
    if errors:
        raise Refused(errors)
    with transaction.atomic():
        locked = Shelter.objects.select_for_update().get(pk=shelter.pk)
        before = locked.status
        locked.status, locked.note, locked.updated_by = status, note, staff.user
        locked.save(update_fields=["status", "note", "updated_by", "updated_at"])
        record("notices.shelter.status_changed", municipality=locked.municipality, actor=staff.user, obj=locked,
               data={"from": before, "to": status, "note": note})
    return locked


def _check(staff: Staff, data: ShelterData) -> dict[str, str]:
    errors: dict[str, str] = {}
    data.name, data.address = data.name.strip(), data.address.strip()
    if not data.name:
        errors["name"] = _("名称を入力してください。")
    elif len(data.name) > 100:
        errors["name"] = _("名称は100文字以内で入力してください。")
    if len(data.address) > 200:
        errors["address"] = _("所在地は200文字以内で入力してください。")
    if data.area is not None and data.area.municipality_id != staff.municipality_id:
        errors["area"] = _("地区を選び直してください。")
    if data.capacity is not None and data.capacity < 0:
        errors["capacity"] = _("収容人数は0以上の数字で入力してください。")
    if data.latitude is not None and not Decimal(-90) <= data.latitude <= Decimal(90):
        errors["latitude"] = _("緯度は -90 から 90 の数字で入力してください。")
    if data.longitude is not None and not Decimal(-180) <= data.longitude <= Decimal(180):
        errors["longitude"] = _("経度は -180 から 180 の数字で入力してください。")
    if (data.latitude is None) != (data.longitude is None):
        errors["latitude"] = _("緯度と経度は両方とも入力するか、両方とも空にしてください。")
    return errors


def save_shelter(staff: Staff, *, shelter: Shelter | None = None, data: ShelterData) -> Shelter:
    """Add a shelter or correct its name, address, area, capacity and position."""
    if not may_edit_list(staff) or (shelter is not None and shelter.municipality_id != staff.municipality_id):
        raise Refused({"__all__": _("避難所の一覧を変更できるのは情報担当と総務課の職員です。")})
    errors = _check(staff, data)
    if errors:
        raise Refused(errors)
    creating = shelter is None
    try:
        with transaction.atomic():
            if shelter is None:
                last = Shelter.objects.order_by("-sort_order").values_list("sort_order", flat=True).first()
                shelter = Shelter(municipality_id=staff.municipality_id, sort_order=(last or 0) + 1)
            shelter.name, shelter.address, shelter.area = data.name, data.address, data.area
            shelter.capacity, shelter.latitude, shelter.longitude = data.capacity, data.latitude, data.longitude
            shelter.updated_by = staff.user
            shelter.save()
            record("notices.shelter.created" if creating else "notices.shelter.changed",
                   municipality=shelter.municipality, actor=staff.user, obj=shelter, data={"name": shelter.name})
    except IntegrityError as error:
        raise Refused({"name": _("同じ名称の避難所がすでにあります。")}) from error
    return shelter

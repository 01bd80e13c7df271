"""Verbs of the staff point layers of the map (e.g. 災害発生箇所): create a layer, add a point with an optional photo,
delete a point. 情報担当 may change any layer; other staff the layers of their own 課, and layers without a 課."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Department, Role, Staff
from yakuba.kernel.audit.services import record
from yakuba.kernel.files.uploads import UploadRejected, check_upload, private_storage, save_private
from yakuba.kernel.forms.normalise import finite_number
from yakuba.kernel.refusal import Refused

from ..models import Layer, Point

PHOTO_TYPES = ("image/jpeg", "image/png")
PHOTO_MAX_SIZE = 10 * 1024 * 1024
PHOTO_FOLDER = "opendata/points"
# Japan's extent, as the datasets' coordinates are checked (publish.coordinates).
LATITUDES = (Decimal(20), Decimal(46))
LONGITUDES = (Decimal(122), Decimal(154))
SIX_PLACES = Decimal("0.000001")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
FUTURE_SLACK = timedelta(minutes=10)
DISASTER_POINTS_MAX = 10


@dataclass
class LayerData:
    name: str
    slug: str
    description: str = ""
    department: Department | None = None
    is_public: bool = True
    for_disasters: bool = False


@dataclass
class PointData:
    title: str
    latitude: str  # as typed: checked and rounded here
    longitude: str
    description: str = ""
    observed_at: datetime | None = None  # None: now
    photo: UploadedFile[bytes] | None = None


def may_edit(staff: Staff, layer: Layer) -> bool:
    """Who may add and delete points of `layer`."""
    if not staff.is_active or staff.municipality_id != layer.municipality_id:
        return False
    return staff.has_role(Role.ADMIN) or layer.department_id is None or layer.department_id == staff.department_id


def may_own(staff: Staff, department: Department | None) -> bool:
    """Whether `staff` may create a layer kept by `department` (None: kept by any staff member)."""
    if department is None or staff.has_role(Role.ADMIN):
        return staff.is_active
    return staff.is_active and department.pk == staff.department_id


def _check_layer(staff: Staff, data: LayerData) -> dict[str, str]:
    errors: dict[str, str] = {}
    data.name, data.slug, data.description = data.name.strip(), data.slug.strip(), data.description.strip()
    if not data.name:
        errors["name"] = _("レイヤー名を入力してください。")
    elif len(data.name) > 60:
        errors["name"] = _("レイヤー名は60文字以内で入力してください。")
    if not data.slug:
        errors["slug"] = _("URL用の名前を入力してください。")
    elif not SLUG.match(data.slug):
        errors["slug"] = _("URL用の名前は英小文字・数字・ハイフンで40文字以内にしてください（例: saigai）。")
    elif Layer.objects.filter(municipality_id=staff.municipality_id, slug=data.slug).exists():
        errors["slug"] = _("このURL用の名前はすでに使われています。別の名前にしてください。")
    if len(data.description) > 2000:
        errors["description"] = _("説明は2000文字以内で入力してください。")
    if data.department is not None and data.department.municipality_id != staff.municipality_id:
        errors["department"] = _("担当課を選び直してください。")
    elif not may_own(staff, data.department):
        errors["department"] = _("ほかの課のレイヤーは作成できません。自分の課か「指定しない」を選んでください。")
    return errors


def create_layer(staff: Staff, data: LayerData) -> Layer:
    """A new point layer of the staff member's town."""
    if not staff.is_active:
        raise Refused({"__all__": _("地図レイヤーを作成する権限がありません。")})
    errors = _check_layer(staff, data)
    if errors:
        raise Refused(errors)
    try:
        with transaction.atomic():
            layer = Layer.objects.create(
                municipality_id=staff.municipality_id, slug=data.slug, name=data.name, description=data.description,
                department=data.department, is_public=data.is_public, for_disasters=data.for_disasters)
            record("opendata.layer.created", municipality=layer.municipality, actor=staff.user, obj=layer,
                   data={"slug": layer.slug, "name": layer.name, "public": layer.is_public,
                         "disasters": layer.for_disasters,
                         "department": layer.department.name if layer.department else ""})
    except IntegrityError as error:  # the same slug, created at the same moment
        raise Refused({"slug": _("このURL用の名前はすでに使われています。別の名前にしてください。")}) from error
    return layer


def _number(text: str) -> Decimal | None:
    """A typed number (full-width digits too, as Japanese keyboards give them), or None."""
    return finite_number(text or "")


def check_coordinates(latitude: str, longitude: str) -> tuple[dict[str, str], Decimal | None, Decimal | None]:
    """Errors per field, and the latitude and longitude rounded to six places when both are right."""
    errors: dict[str, str] = {}
    lat, lon = _number(latitude), _number(longitude)
    if not (latitude or "").strip():
        errors["latitude"] = _("緯度を入力してください。")
    elif lat is None:
        errors["latitude"] = _("緯度は数字で入力してください（例: 36.2123）。")
    if not (longitude or "").strip():
        errors["longitude"] = _("経度を入力してください。")
    elif lon is None:
        errors["longitude"] = _("経度は数字で入力してください（例: 138.7890）。")
    if errors or lat is None or lon is None:
        return errors, None, None
    lat_in, lon_in = LATITUDES[0] <= lat <= LATITUDES[1], LONGITUDES[0] <= lon <= LONGITUDES[1]
    if not (lat_in and lon_in):
        if LATITUDES[0] <= lon <= LATITUDES[1] and LONGITUDES[0] <= lat <= LONGITUDES[1]:
            errors["latitude"] = _("緯度と経度が入れ替わっていませんか。緯度は北緯20〜46度、経度は東経122〜154度です。")
        else:
            if not lat_in:
                errors["latitude"] = _("緯度が日本の範囲外です。北緯20〜46度の数字で入力してください。")
            if not lon_in:
                errors["longitude"] = _("経度が日本の範囲外です。東経122〜154度の数字で入力してください。")
        return errors, None, None
    return {}, lat.quantize(SIX_PLACES, ROUND_HALF_UP), lon.quantize(SIX_PLACES, ROUND_HALF_UP)


def _check_point(data: PointData) -> tuple[dict[str, str], Decimal | None, Decimal | None, str]:
    data.title, data.description = data.title.strip(), data.description.strip()
    errors, lat, lon = check_coordinates(data.latitude, data.longitude)
    if not data.title:
        errors["title"] = _("名称を入力してください。")
    elif len(data.title) > 100:
        errors["title"] = _("名称は100文字以内で入力してください。")
    if len(data.description) > 2000:
        errors["description"] = _("説明は2000文字以内で入力してください。")
    if data.observed_at is not None and data.observed_at > timezone.now() + FUTURE_SLACK:
        errors["observed_at"] = _("日時が未来になっています。確認した日時を入力してください。")
    photo_type = ""
    if data.photo is not None:
        try:
            photo_type = check_upload(data.photo, accept=PHOTO_TYPES, max_size=PHOTO_MAX_SIZE).content_type
        except UploadRejected as error:
            errors["photo"] = str(error)
    return errors, lat, lon, photo_type


def add_point(staff: Staff, layer: Layer, data: PointData) -> Point:
    """Put a point on `layer`; its photo is stored privately and shown only while the layer is public."""
    if not may_edit(staff, layer):
        raise Refused({"__all__": _("このレイヤーに地点を追加する権限がありません。")})
    errors, lat, lon, photo_type = _check_point(data)
    if errors:
        raise Refused(errors)
    assert lat is not None and lon is not None
    path = save_private(data.photo, f"{PHOTO_FOLDER}/{layer.municipality.code}") if data.photo is not None else ""
    try:
        with transaction.atomic():
            point = Point.objects.create(
                municipality_id=layer.municipality_id, layer=layer, title=data.title, description=data.description,
                latitude=lat, longitude=lon, observed_at=data.observed_at or timezone.now(), photo_path=path,
                photo_type=photo_type, created_by=staff.user)
            record("opendata.point.added", municipality=layer.municipality, actor=staff.user, obj=point,
                   data={"layer": layer.slug, "title": point.title, "latitude": str(lat), "longitude": str(lon),
                         "photo": bool(path)})
    except Exception:
        if path:
            private_storage().delete(path)
        raise
    return point


def delete_point(staff: Staff, point: Point) -> None:
    """Take a point off the map (its photo goes too, once the deletion is committed)."""
    if not may_edit(staff, point.layer):
        raise Refused({"__all__": _("このレイヤーの地点を削除する権限がありません。")})
    path = point.photo_path
    with transaction.atomic():
        record("opendata.point.deleted", municipality=point.municipality, actor=staff.user, obj=point,
               data={"layer": point.layer.slug, "title": point.title, "public_id": str(point.public_id)})
        point.delete()
        if path:
            transaction.on_commit(lambda: private_storage().delete(path))


def disaster_points(limit: int = DISASTER_POINTS_MAX) -> list[Point]:
    """The newest points of the public layers marked for disasters, for the 防災情報ボード (inside the town's scope)."""
    return list(Point.objects.filter(layer__is_public=True, layer__for_disasters=True)
                .select_related("layer").order_by("-observed_at", "-pk")[:limit])

"""通報: checking and filing a resident's report (place inside the town, photos stripped of location and camera
data, the category's own questions), 「わたしも困っています」, and the staff's triage: accept, assign, status with a
public answer, merge a duplicate, hide from the public. Categories and Open311 clients are managed here too."""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Department, Resident, Role, Staff
from yakuba.kernel.accounts.permissions import can
from yakuba.kernel.audit.services import record
from yakuba.kernel.files.uploads import UploadRejected, private_storage
from yakuba.kernel.forms.definition import DefinitionError, FormDefinition
from yakuba.kernel.forms.validate import validate
from yakuba.kernel.numbering.services import take
from yakuba.kernel.refusal import NON_FIELD, Refused
from yakuba.kernel.tenancy.models import Municipality

from ..models import (
    Open311Client,
    Report,
    ReportCategory,
    ReportEvent,
    ReportPhoto,
    ReportStatus,
    ReportSupport,
)
from ..models.reports import OPEN_STATUSES

MAX_PHOTOS = 4
MAX_PHOTO_BYTES = 20 * 1024 * 1024
NEARBY_METRES = 50
PENDING = "voice/reports/pending"
DRAFT_SECONDS = 24 * 3600  # a draft (the confirm page, the photos kept across errors) left this long is filled again
STASH_SECONDS = DRAFT_SECONDS + 3600  # a stashed photo outlives every draft that may hold it
STORED = "voice/reports/photos"
SETTING_AREA = "voice.reports.area"  # [south, west, north, east] in municipality.settings
# The demo towns' areas (by 全国地方公共団体コード), a generous box around each town; others set SETTING_AREA.
DEFAULT_AREAS: dict[str, tuple[float, float, float, float]] = {
    "103829": (36.13, 138.58, 36.30, 138.88),  # 下仁田町
    "103845": (36.18, 138.85, 36.29, 138.98),  # 甘楽町
    "104213": (36.50, 138.55, 36.85, 138.95),  # 中之条町
    "223441": (35.28, 138.85, 35.43, 139.07),  # 小山町
}
JAPAN = (20.0, 122.0, 46.0, 154.0)


# The town's area --------------------------------------------------------------------------------------------------

def area(municipality: Municipality) -> tuple[float, float, float, float]:
    """(south, west, north, east) of the town: its setting, else the known default, else Japan."""
    value = (municipality.settings or {}).get(SETTING_AREA)
    if isinstance(value, list | tuple) and len(value) == 4:
        try:
            south, west, north, east = (float(v) for v in value)
            return south, west, north, east
        except (TypeError, ValueError):
            pass
    return DEFAULT_AREAS.get(municipality.code, JAPAN)


def centre(municipality: Municipality) -> tuple[float, float]:
    south, west, north, east = area(municipality)
    return (south + north) / 2, (west + east) / 2


def inside(municipality: Municipality, latitude: float, longitude: float) -> bool:
    south, west, north, east = area(municipality)
    return south <= latitude <= north and west <= longitude <= east


def metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), in metres."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def nearby(category: ReportCategory, latitude: float, longitude: float, *,
           radius: float = NEARBY_METRES) -> list[Report]:
    """Open, public reports of `category` within `radius` metres, nearest first."""
    dlat = radius / 111_000
    dlon = radius / (111_000 * max(math.cos(math.radians(latitude)), 0.01))
    rows = Report.objects.filter(
        category=category, status__in=OPEN_STATUSES, hidden=False, duplicate_of__isnull=True,
        latitude__gte=Decimal(str(latitude - dlat)), latitude__lte=Decimal(str(latitude + dlat)),
        longitude__gte=Decimal(str(longitude - dlon)), longitude__lte=Decimal(str(longitude + dlon)))
    found = [(metres(latitude, longitude, float(r.latitude), float(r.longitude)), r) for r in rows]
    return [r for d, r in sorted(found, key=lambda pair: pair[0]) if d <= radius]


# Photos -----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Stashed:
    """A photo read, stripped and kept in private storage until its report is sent (or the draft is dropped)."""

    path: str
    content_type: str
    width: int
    height: int
    sha256: str
    latitude: float | None = None
    longitude: float | None = None


def stash_photo(municipality: Municipality, upload: UploadedFile[bytes]) -> Stashed:
    """Read the photo (JPEG, PNG, HEIC …): refuse what is not a photo, too large or a decompression bomb; keep only
    the stripped image (no GPS, no camera data). The location read from it is returned, to be offered."""
    from yakuba.kernel.files.images import read_photo

    try:
        photo = read_photo(upload, max_bytes=MAX_PHOTO_BYTES)
    except UploadRejected as error:
        raise Refused({"photos": str(error)}) from error
    name = f"{PENDING}/{municipality.pk}/{secrets.token_hex(16)}"
    path = private_storage().save(name, ContentFile(photo.data))
    # A draft never sent leaves its photo here: it is deleted once no draft can use it any more.
    from ..tasks_reports import drop_stale_photo

    if drop_stale_photo.get_backend().supports_defer:  # a backend that cannot wait (some tests') keeps it
        transaction.on_commit(lambda: drop_stale_photo.using(
            run_after=timezone.now() + timedelta(seconds=STASH_SECONDS)).enqueue(path))
    lat, lon = (float(photo.location[0]), float(photo.location[1])) if photo.location else (None, None)
    return Stashed(path=path, content_type=photo.content_type, width=photo.width, height=photo.height,
                   sha256=photo.sha256, latitude=lat, longitude=lon)


def drop_stashed(paths: list[str]) -> None:
    """Delete stashed photos of a draft that will not be sent."""
    storage = private_storage()
    for path in paths:
        if path.startswith(PENDING + "/"):
            storage.delete(path)


# Checking and filing -----------------------------------------------------------------------------------------------

@dataclass
class Draft:
    """What a resident (or an Open311 client) is filing, checked and ready to be sent."""

    category_id: int
    latitude: str
    longitude: str
    address: str = ""
    description: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    name: str = ""
    email: str = ""
    phone: str = ""
    photos: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Draft:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def _coordinate(raw: Any, low: float, high: float) -> Decimal | None:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or not low <= value <= high:
        return None
    return value.quantize(Decimal("0.000001"))


def _check_place(municipality: Municipality, latitude: Any, longitude: Any, address: str,
                 errors: dict[str, str]) -> tuple[Decimal | None, Decimal | None]:
    lat = _coordinate(latitude, -90, 90)
    lon = _coordinate(longitude, -180, 180)
    if latitude in (None, "") and longitude in (None, ""):
        errors["latitude"] = (_("地図で場所を選んでください（写真に位置があれば「写真の位置を使う」も使えます）。")
                              if address.strip() else _("場所を地図で選ぶか、緯度と経度を入れてください。"))
    elif lat is None or lon is None:
        errors["latitude"] = _("緯度と経度を数字で入れてください（例：36.2123 と 138.7878）。")
    elif not inside(municipality, float(lat), float(lon)):
        errors["latitude"] = _("その場所は%(town)sの外です。町内の場所を選んでください。") % {
            "town": municipality.name}
    return lat, lon


def _check_contact(name: str, email: str, phone: str, errors: dict[str, str]) -> str:
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("メールアドレスの形をご確認ください（例：taro@example.jp）。")
    if len(name) > 100:
        errors["name"] = _("お名前は100字以内で書いてください。")
    if len(phone) > 20:
        errors["phone"] = _("電話番号は20字以内で書いてください。")
    return email


def check_report(municipality: Municipality, category: ReportCategory | None, *, latitude: Any, longitude: Any,
                 address: str = "", description: str = "", answers: Any = None, name: str = "", email: str = "",
                 phone: str = "", photos: list[Stashed] | None = None) -> Draft:
    """Check everything a report needs; refuse with every reason, each on its field. Writes nothing."""
    if category is None or category.municipality_id != municipality.pk or not category.active:
        raise Refused({"category": _("この種類の通報は受け付けていません。種類を選び直してください。")})
    errors: dict[str, str] = {}
    lat, lon = _check_place(municipality, latitude, longitude, address, errors)
    text = description.strip()
    if not text:
        errors["description"] = _("どのような状態か書いてください。")
    elif len(text) > 2000:
        errors["description"] = _("内容は2000字以内で書いてください。")
    email = _check_contact(name, email, phone, errors)
    if len(address) > 200:
        errors["address"] = _("場所の説明は200字以内で書いてください。")
    if photos and len(photos) > MAX_PHOTOS:
        errors["photos"] = _("写真は%(n)s枚までです。") % {"n": MAX_PHOTOS}
    cleaned: dict[str, Any] = {}
    form = category.form
    if form is not None:
        result = validate(form, answers if isinstance(answers, dict) else {})
        for key, messages in result.errors.items():
            errors[f"q_{key}"] = messages[0]
        cleaned = result.cleaned
    if errors:
        raise Refused(errors)
    return Draft(category_id=category.pk, latitude=str(lat), longitude=str(lon), address=address.strip(),
                 description=text, answers=cleaned, name=name.strip(), email=email, phone=phone.strip(),
                 photos=[asdict(p) for p in photos or []])


def submit_report(municipality: Municipality, draft: Draft, *, resident: Resident | None = None,
                  client: Open311Client | None = None) -> Report:
    """File a checked draft: the report, its photos (moved out of the draft's stash) and its first event, in one
    transaction. Checked again here, so a stale or forged draft is refused whole."""
    category = ReportCategory.objects.filter(pk=draft.category_id).first()
    stashed = [Stashed(**p) for p in draft.photos]
    draft = check_report(municipality, category, latitude=draft.latitude, longitude=draft.longitude,
                         address=draft.address, description=draft.description, answers=draft.answers,
                         name=draft.name, email=draft.email, phone=draft.phone, photos=stashed)
    assert category is not None
    storage = private_storage()
    prefix = f"{PENDING}/{municipality.pk}/"
    if any(not p.path.startswith(prefix) or not storage.exists(p.path) for p in stashed):
        raise Refused({"photos": _("写真の一時保存の期限が切れました。写真をもう一度選んでください。")})
    with transaction.atomic():
        year = timezone.localdate().year
        report = Report.objects.create(
            municipality=municipality, number=f"{year}-{take(municipality, 'voice.report', year):05d}",
            category=category, latitude=Decimal(draft.latitude), longitude=Decimal(draft.longitude),
            address=draft.address, description=draft.description, answers=draft.answers, name=draft.name,
            email=draft.email, phone=draft.phone, resident=resident, client=client,
            department=category.department)
        for index, photo in enumerate(stashed):
            with storage.open(photo.path, "rb") as handle:
                path = storage.save(f"{STORED}/{municipality.pk}/{secrets.token_hex(16)}", handle)
            ReportPhoto.objects.create(municipality=municipality, report=report, path=path,
                                       content_type=photo.content_type, width=photo.width, height=photo.height,
                                       sha256=photo.sha256, sort_order=index)
        ReportEvent.objects.create(municipality=municipality, report=report, status=ReportStatus.RECEIVED)
        record("voice.report.submitted", municipality=municipality,
               actor=resident.user if resident is not None else None, obj=report,
               data={"category": category.code, "via": "open311" if client else "web", "photos": len(stashed)})
        paths = [p.path for p in stashed]
        transaction.on_commit(lambda: drop_stashed(paths))
    return report


def support(report: Report, key: str) -> bool:
    """「わたしも困っています」 once per visitor (`key`): True when counted now."""
    if not report.public or not report.is_open:
        raise Refused(_("この通報には、いま「わたしも困っています」を付けられません。"))
    digest = hashlib.sha256(key.encode()).hexdigest()
    with transaction.atomic():
        _row, created = ReportSupport.objects.get_or_create(municipality_id=report.municipality_id, report=report,
                                                            key=digest)
        if created:
            Report.objects.filter(pk=report.pk).update(supporters=F("supporters") + 1)
    return created


# Staff ------------------------------------------------------------------------------------------------------------

def may_handle(staff: Staff, report: Report) -> bool:
    """The report's 課 (any role), 所属長 and up of the category's 課, and 情報担当."""
    return can(staff, Role.STAFF, report.department) or can(staff, Role.STAFF, report.category.department)


def _locked(staff: Staff, report: Report, revision: int | None) -> Report:
    """The report locked for this change; refused when another staff member changed it since it was shown."""
    row = Report.objects.select_for_update().select_related("category").get(pk=report.pk)
    if not may_handle(staff, row):
        raise Refused(_("この通報を扱う権限がありません。"))
    if revision is not None and row.revision != revision:
        raise Refused(_("ほかの職員が先にこの通報を更新しました。画面を読み込み直して、内容を確かめてください。"))
    return row


def _changed(staff: Staff, row: Report, action: str, fields: list[str], data: dict[str, Any]) -> None:
    row.revision += 1
    row.save(update_fields=[*fields, "revision", "updated_at"])
    record(f"voice.report.{action}", municipality=row.municipality, actor=staff.user, obj=row, data=data)


def accept(staff: Staff, report: Report, *, revision: int | None = None, department: Department | None = None,
           assignee: Staff | None = None) -> Report:
    """確認して担当を決める: the 課 (and optionally one member of it) who will act."""
    with transaction.atomic():
        row = _locked(staff, report, revision)
        if department is not None and department.municipality_id != row.municipality_id:
            raise Refused({"department": _("課を選び直してください。")})
        if assignee is not None and (assignee.municipality_id != row.municipality_id or not assignee.is_active):
            raise Refused({"assignee": _("担当者を選び直してください。")})
        row.department = department or row.department
        if assignee is not None and assignee.department_id != row.department_id:
            raise Refused({"assignee": _("担当者は担当課の職員から選んでください。")})
        row.assignee = assignee
        row.accepted = True
        _changed(staff, row, "accepted", ["department", "assignee", "accepted"],
                 {"department": row.department_id, "assignee": assignee.pk if assignee else None})
    return row


def set_status(staff: Staff, report: Report, status: str, *, answer: str = "", revision: int | None = None,
               after_photo: Stashed | None = None) -> Report:
    """対応中 / 対応済 (a public answer is required for 対応済), with an optional after-photo. The reporter with an
    e-mail address is told after commit."""
    from ..tasks_reports import tell_reporter

    if status not in ReportStatus.values:
        raise Refused({"status": _("状況を選び直してください。")})
    answer = answer.strip()
    if status == ReportStatus.DONE and not answer:
        raise Refused({"answer": _("対応済にするときは、住民への回答を書いてください。")})
    if len(answer) > 2000:
        raise Refused({"answer": _("回答は2000字以内で書いてください。")})
    with transaction.atomic():
        row = _locked(staff, report, revision)
        if row.duplicate_of_id is not None:
            raise Refused(_("統合した通報の状況は、統合先の通報で変えてください。"))
        row.status = status
        if answer:
            row.public_answer = answer
        row.accepted = True
        row.closed_at = timezone.now() if status == ReportStatus.DONE else None
        if after_photo is not None:
            storage = private_storage()
            with storage.open(after_photo.path, "rb") as handle:
                path = storage.save(f"{STORED}/{row.municipality_id}/{secrets.token_hex(16)}", handle)
            ReportPhoto.objects.create(municipality=row.municipality, report=row, path=path, after=True,
                                       content_type=after_photo.content_type, width=after_photo.width,
                                       height=after_photo.height, sha256=after_photo.sha256)
            stashed = [after_photo.path]
            transaction.on_commit(lambda: drop_stashed(stashed))
        event = ReportEvent.objects.create(municipality=row.municipality, report=row, status=status, note=answer,
                                           by=staff.user)
        _changed(staff, row, "status", ["status", "public_answer", "accepted", "closed_at"],
                 {"status": status})
        if row.email:
            transaction.on_commit(lambda: tell_reporter.enqueue(row.pk, event.pk))
    return row


def merge(staff: Staff, report: Report, original: Report, *, revision: int | None = None) -> Report:
    """Mark `report` as the same as `original`: it leaves the public map, its 「わたしも困っています」 and its
    reporter count for the original, and its reporter is told where to follow."""
    from ..tasks_reports import tell_reporter

    if original.pk == report.pk or original.municipality_id != report.municipality_id:
        raise Refused({"original": _("統合先には、別の通報の受付番号を入れてください。")})
    with transaction.atomic():
        row = _locked(staff, report, revision)
        target = Report.objects.select_for_update().get(pk=original.pk)
        if target.duplicate_of_id is not None:
            raise Refused({"original": _("統合先の通報も統合済みです。元の通報の受付番号を入れてください。")})
        if row.duplicate_of_id is not None:
            raise Refused(_("この通報はすでに統合されています。"))
        Report.objects.filter(duplicate_of=row).update(duplicate_of=target)
        carried = row.supporters + 1
        Report.objects.filter(pk=target.pk).update(supporters=F("supporters") + carried)
        row.duplicate_of = target
        note = _("同じ内容の通報（受付番号 %(number)s）にまとめました。") % {"number": target.number}
        event = ReportEvent.objects.create(municipality=row.municipality, report=row, status=row.status,
                                           note=note, by=staff.user)
        _changed(staff, row, "merged", ["duplicate_of"], {"original": target.pk, "carried": carried})
        if row.email:
            transaction.on_commit(lambda: tell_reporter.enqueue(row.pk, event.pk))
    return row


def hide(staff: Staff, report: Report, reason: str, *, hidden: bool = True, revision: int | None = None) -> Report:
    """Take a report off the public pages (a face or a car number in a photo, personal data in the text)."""
    reason = reason.strip()
    if hidden and not reason:
        raise Refused({"reason": _("非公開にする理由を書いてください。")})
    with transaction.atomic():
        row = _locked(staff, report, revision)
        row.hidden, row.hidden_reason = hidden, reason[:200] if hidden else ""
        _changed(staff, row, "hidden" if hidden else "shown", ["hidden", "hidden_reason"], {"reason": reason})
    return row


# Categories -------------------------------------------------------------------------------------------------------

def save_category(staff: Staff, category: ReportCategory | None, *, code: str, name: str, name_en: str,
                  description: str, department: Department | None, definition: Any, active: bool,
                  sort_order: int) -> ReportCategory:
    """Add or change a category (情報担当, or the category's 課)."""
    errors: dict[str, str] = {}
    if department is None or department.municipality_id != staff.municipality_id:
        errors["department"] = _("担当課を選んでください。")
    if not can(staff, Role.ADMIN) and (department is None or department.pk != staff.department_id or (
            category is not None and category.department_id != staff.department_id)):
        raise Refused(_("この種類を変える権限がありません。"))
    if definition:
        try:
            FormDefinition.from_dict(definition)
        except DefinitionError as error:
            errors["definition"] = _("質問の定義に誤りがあります：%(error)s") % {"error": error}
    rows = ReportCategory.objects.exclude(pk=category.pk) if category else ReportCategory.objects.all()
    if rows.filter(code=code).exists():
        errors["code"] = _("このコードはほかの種類で使っています。")
    if rows.filter(name=name).exists():
        errors["name"] = _("この名前はほかの種類で使っています。")
    if errors:
        raise Refused(errors)
    row = category or ReportCategory(municipality=staff.municipality)
    row.code, row.name, row.name_en, row.description = code, name, name_en, description
    assert department is not None
    row.department, row.definition, row.active, row.sort_order = department, definition or {}, active, sort_order
    row.save()
    record("voice.report_category.saved", municipality=staff.municipality, actor=staff.user, obj=row,
           data={"code": code})
    return row


# Open311 clients --------------------------------------------------------------------------------------------------

def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def create_client(staff: Staff, name: str) -> tuple[Open311Client, str]:
    """A new client and its key (returned once; only its hash is kept)."""
    name = name.strip()
    if not name:
        raise Refused({"name": _("クライアント名を書いてください。")})
    if len(name) > 100:
        raise Refused({"name": _("クライアント名は100字以内で書いてください。")})
    key = secrets.token_urlsafe(24)
    client = Open311Client.objects.create(municipality=staff.municipality, name=name, key_hash=key_hash(key),
                                          key_prefix=key[:6], created_by=staff.user)
    record("voice.open311_client.created", municipality=staff.municipality, actor=staff.user, obj=client)
    return client, key


def set_client_active(staff: Staff, client: Open311Client, active: bool) -> Open311Client:
    client.active = active
    client.save(update_fields=["active"])
    record("voice.open311_client." + ("enabled" if active else "disabled"), municipality=staff.municipality,
           actor=staff.user, obj=client)
    return client


def client_for_key(municipality: Municipality, key: str) -> Open311Client | None:
    if not key:
        return None
    return Open311Client.objects.filter(municipality=municipality, key_hash=key_hash(key), active=True).first()


__all__ = [
    "MAX_PHOTOS", "NEARBY_METRES", "NON_FIELD", "Draft", "Stashed", "accept", "area", "centre", "check_report",
    "client_for_key", "create_client", "drop_stashed", "hide", "inside", "may_handle", "merge", "metres",
    "nearby", "new_count", "save_category", "set_client_active", "set_status", "stash_photo", "submit_report",
    "support", "visible",
]


# Staff's view --------------------------------------------------------------------------------------------------------

def visible(staff: Staff) -> QuerySet[Report]:
    """Reports a staff member may handle: their 課's (assigned or by category), all for 情報担当."""
    rows = Report.objects.select_related("category", "department", "assignee")
    if can(staff, Role.ADMIN):
        return rows
    return rows.filter(Q(department_id=staff.department_id) | Q(category__department_id=staff.department_id))


def new_count(staff: Staff) -> int:
    """新着: received and not yet accepted (the header count)."""
    return visible(staff).filter(status=ReportStatus.RECEIVED, accepted=False, duplicate_of__isnull=True).count()

"""Shared helpers of the 通報 tests: categories as the demo has them, photos with and without a location, and
one filed report."""

from __future__ import annotations

import io
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from tests import factories
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.tenancy.models import Municipality
from yakuba.voice.demo.reports import CATEGORIES
from yakuba.voice.models import Report, ReportCategory
from yakuba.voice.services import reports as services

SHIMONITA = (36.2123, 138.7878)
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                               "QUEUES": ["default", "mail", "messaging", "urgent", "transcribe"]}}


def make_categories(town: Municipality) -> dict[str, ReportCategory]:
    """The demo's categories, with the 建設水道課 (獣害 with 農林課, その他 with 総務課)."""
    found = {}
    for order, (code, name, name_en, description, _departments, fields) in enumerate(CATEGORIES):
        department = factories.make_department(town, {"wildlife": "農林課", "other": "総務課"}.get(code, "建設水道課"))
        with scope(municipality=town):
            definition = {"title": name, "version": 1, "pages": [{"title": name, "fields": fields}]} if fields else {}
            found[code], _created = ReportCategory.objects.get_or_create(
                municipality=town, code=code, defaults={
                    "name": name, "name_en": name_en, "description": description, "department": department,
                    "definition": definition, "sort_order": order})
    return found


def road_staff(town: Municipality, role: int = Role.STAFF) -> Any:
    return factories.make_staff(town, department="建設水道課", role=role)


def _rational(value: float) -> tuple[Fraction, Fraction, Fraction]:
    degrees = int(value)
    minutes_float = (value - degrees) * 60
    minutes = int(minutes_float)
    seconds = Fraction(round((minutes_float - minutes) * 60 * 10000), 10000)
    return Fraction(degrees), Fraction(minutes), seconds


def _exif(lat: float, lon: float) -> Any:
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "Apple"  # Make
    exif[0x0110] = "iPhone 15"  # Model
    gps = {1: "N" if lat >= 0 else "S", 2: _rational(abs(lat)), 3: "E" if lon >= 0 else "W", 4: _rational(abs(lon))}
    exif[0x8825] = gps
    return exif


def jpeg_bytes(lat: float | None = None, lon: float | None = None, size: tuple[int, int] = (320, 240)) -> bytes:
    from PIL import Image

    image = Image.new("RGB", size, (90, 90, 120))
    out = io.BytesIO()
    if lat is not None and lon is not None:
        image.save(out, "JPEG", exif=_exif(lat, lon))
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def heic_bytes(lat: float, lon: float) -> bytes:
    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()
    image = Image.new("RGB", (320, 240), (40, 40, 70))
    out = io.BytesIO()
    image.save(out, "HEIF", exif=_exif(lat, lon).tobytes())
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def has_gps(data: bytes) -> bool:
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    exif = image.getexif()
    return bool(exif.get_ifd(0x8825)) or 0x010F in exif or b"GPS" in image.info.get("exif", b"")


def file_report(town: Municipality, category: ReportCategory, *, lat: float = SHIMONITA[0],
                lon: float = SHIMONITA[1], description: str = "街路灯が点きません。", email: str = "",
                answers: dict[str, Any] | None = None, photos: list[bytes] | None = None) -> Report:
    with scope(municipality=town):
        stashed = [services.stash_photo(town, upload(p)) for p in photos or []]
        draft = services.check_report(
            town, category, latitude=str(lat), longitude=str(lon), description=description, email=email,
            answers=answers if answers is not None else ({"state": "off"} if category.code == "streetlight" else
                                                          {"animal": "boar", "damage": "seen"}
                                                          if category.code == "wildlife" else {"kind": "hole"}
                                                          if category.code == "road" else {}),
            photos=stashed)
        return services.submit_report(town, draft)


def place(report: Report) -> tuple[Decimal, Decimal]:
    return report.latitude, report.longitude

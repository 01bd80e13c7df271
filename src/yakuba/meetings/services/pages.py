"""Page images of a pack: one page of a version rendered to WebP on its first request and kept in the private
storage, so opening page 250 of a 300-page pack renders page 250 only. A version never changes, so an image, once
made, is right for ever; two requests for the same page at once both render it and the second keeps the first's."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.files.base import ContentFile

from yakuba.kernel.files.uploads import private_storage

from ..models import Version


@dataclass(frozen=True)
class Size:
    name: str
    width: int  # px
    quality: int


SIZES = {"page": Size("page", 1240, 80), "thumb": Size("thumb", 200, 60)}
CONTENT_TYPE = "image/webp"


def cache_key(version: Version, page: int, size: Size) -> str:
    return f"{version.municipality.code}/meetings/pages/{version.pk}/{size.name}-{size.width}-{page}.webp"


def render(version: Version, page: int, size: Size) -> bytes:
    """Page `page` (from 1) of the version's PDF as WebP, `size.width` pixels wide."""
    import pypdfium2 as pdfium

    with private_storage().open(version.pdf, "rb") as handle:
        pdf = pdfium.PdfDocument(handle)  # loads lazily: only the objects of the page asked for are read
        try:
            sheet = pdf[page - 1]
            bitmap = sheet.render(scale=size.width / (sheet.get_width() or 1))
            image = bitmap.to_pil()
            out = io.BytesIO()
            image.save(out, "WEBP", quality=size.quality, method=4)
            bitmap.close()
            sheet.close()
        finally:
            pdf.close()
    return out.getvalue()


def complete(data: bytes) -> bool:
    """Whether `data` is a whole WebP file (its RIFF header gives the length)."""
    return len(data) > 12 and data[:4] == b"RIFF" and int.from_bytes(data[4:8], "little") + 8 == len(data)


def image(version: Version, page: int, size: Size) -> bytes:
    """The cached image, made now if it is the first request. `page` must be one of the version's pages."""
    if not version.pdf or not 1 <= page <= version.pages:
        raise ValueError("no such page")
    storage = private_storage()
    key = cache_key(version, page, size)
    if storage.exists(key):
        with storage.open(key, "rb") as handle:
            cached: bytes = handle.read()
        if complete(cached):
            return cached  # (a file another request is still writing is not: render it here too)
    data = render(version, page, size)
    if not storage.exists(key):
        saved = storage.save(key, ContentFile(data))
        if saved != key:  # another request saved it meanwhile; the storage gave ours another name
            storage.delete(saved)
    return data


def rendered_pages(version: Version, size: Size) -> list[int]:
    """The pages of the version whose image has been made (for tests and the benchmark)."""
    storage = private_storage()
    folder = f"{version.municipality.code}/meetings/pages/{version.pk}"
    if not storage.exists(folder):
        return []
    _dirs, files = storage.listdir(folder)
    prefix = f"{size.name}-{size.width}-"
    return sorted(int(name[len(prefix):-5]) for name in files if name.startswith(prefix) and name.endswith(".webp"))

"""Files a page shows or offers: images (re-encoded without their camera and location data, dimensions kept for the
layout) and documents (a PDF's text kept, so the page can offer it as text and the checks can see a PDF-only page).
Checked by their content, never by their name."""

from __future__ import annotations

import io
import logging

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from yakuba.kernel.accounts.models import Staff
from yakuba.kernel.audit.services import record as audit
from yakuba.kernel.files.images import PhotoRejected, read_photo
from yakuba.kernel.files.uploads import UploadRejected, check_upload, private_storage, save_private
from yakuba.kernel.refusal import Refused

from ..models import Asset, Page
from .pages import may_edit

IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
STILL_TYPES = ("image/jpeg", "image/png", "image/webp")  # through kernel.files.images; a GIF is kept as it is
DOCUMENT_TYPES = ("application/pdf", ".docx", ".xlsx", ".pptx")
MAX_IMAGE = 10 * 1024 * 1024
MAX_DOCUMENT = 30 * 1024 * 1024
MAX_PIXELS = 40_000_000  # about 7,700 × 5,200: beyond this an "image" is a decompression bomb, not a photo
MAX_SIDE = 2400  # images wider than this are scaled down: no resident's screen needs more
logger = logging.getLogger(__name__)


def _limit_for(upload: UploadedFile[bytes]) -> int:
    name = (upload.name or "").lower()
    return MAX_IMAGE if name.endswith((".jpg", ".jpeg", ".png", ".gif", ".webp")) else MAX_DOCUMENT


def _clean_image(upload: UploadedFile[bytes], content_type: str) -> tuple[bytes, str, int, int]:
    """The image re-encoded from its pixels only (kernel.files.images: no EXIF, GPS, XMP or comment), upright,
    scaled to MAX_SIDE, in the type it came in (a GIF as it is, for its animation); its type, width and height."""
    if content_type == "image/gif":
        return _gif(upload)
    try:
        photo = read_photo(upload, max_bytes=MAX_IMAGE, max_pixels=MAX_PIXELS, max_side=MAX_SIDE,
                           accept=STILL_TYPES, keep_type=True, quality=88)
    except PhotoRejected as error:
        if error.reason == "bomb" and error.width is not None:
            raise Refused({"file": _too_many_pixels(error.width, error.height or 0)}) from None
        if error.reason in ("bomb", "damaged"):
            raise Refused({"file": _unreadable()}) from None
        raise Refused({"file": str(error)}) from None
    return photo.data, photo.content_type, photo.width, photo.height


def _gif(upload: UploadedFile[bytes]) -> tuple[bytes, str, int, int]:
    upload.seek(0)
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data), formats=["GIF"]) as image:
            if image.width * image.height > MAX_PIXELS:
                raise Refused({"file": _too_many_pixels(image.width, image.height)})
            image.load()
            return data, "image/gif", image.width, image.height
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError):
        raise Refused({"file": _unreadable()}) from None


def _too_many_pixels(width: int, height: int) -> str:
    return _("画像の縦横の画素数が大きすぎます（%(w)s×%(h)s）。小さくしてから登録してください。") % {
        "w": width, "h": height}


def _unreadable() -> str:
    return _("画像を読み取れませんでした。壊れていないか確かめてください。")


def pdf_text(data: bytes) -> str:
    """The text of a PDF (page by page), '' when it has none (a scan) or cannot be read."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        return ""
    try:
        parts = []
        for index in range(len(document)):
            page = document[index]
            text_page = page.get_textpage()
            parts.append(text_page.get_text_range().replace("\r\n", "\n").strip())
            text_page.close()
            page.close()
        return "\n\n".join(part for part in parts if part)
    finally:
        document.close()


@transaction.atomic
def upload(staff: Staff, page: Page, file: UploadedFile[bytes]) -> Asset:
    """Keep a file for the page (not public until a published version shows it)."""
    if not may_edit(staff, page):
        raise Refused(_("このページを編集できるのは、担当課の職員と情報担当です。"))
    limit = _limit_for(file)
    try:
        checked = check_upload(file, accept=(*IMAGE_TYPES, *DOCUMENT_TYPES), max_size=limit)
    except UploadRejected as error:
        message = str(error)
        if (file.size or 0) > limit:
            message = _("ファイルが大きすぎます（%(size)s、上限 %(limit)s）。画像は縮小してから登録してください。") % {
                "size": filesizeformat(file.size or 0), "limit": filesizeformat(limit)}
        raise Refused({"file": message}) from None
    width = height = None
    text = ""
    content_type = checked.content_type
    if checked.content_type.startswith("image/"):
        data, content_type, width, height = _clean_image(file, checked.content_type)
        stored = ContentFile(data, name=checked.name)
        path = private_storage().save(f"website/{staff.municipality_id}/{checked.name}", stored)
        size = len(data)
    else:
        path = save_private(file, f"website/{staff.municipality_id}")
        size = checked.size
        if checked.content_type == "application/pdf":
            file.seek(0)
            text = pdf_text(file.read())[:200_000]
    asset = Asset.objects.create(municipality_id=staff.municipality_id, page=page, path=path,
                                 original_name=checked.name[:150], content_type=content_type, size=size,
                                 width=width, height=height, text=text, uploaded_by=staff)
    audit("website.asset.uploaded", municipality=staff.municipality, actor=staff.user, obj=page,
          data={"asset": str(asset.uuid), "name": asset.original_name, "type": asset.content_type})
    return asset

"""Checking an uploaded file by what it contains (not its name) and storing it where no URL reaches it."""

from __future__ import annotations

import hashlib
import os
import unicodedata
import uuid
from dataclasses import dataclass

import filetype
from django.core.files.base import File
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# What a form accepts when its definition says nothing: documents and phone photos.
DEFAULT_ACCEPT = ("application/pdf", "image/jpeg", "image/png", "image/heic")
DEFAULT_MAX_SIZE = 10 * 1024 * 1024
EXTENSIONS = {
    ".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
    ".heic": "image/heic", ".gif": "image/gif", ".webp": "image/webp",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
LABELS = {
    "application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG", "image/heic": "HEIC", "image/gif": "GIF",
    "image/webp": "WebP", EXTENSIONS[".docx"]: "Word", EXTENSIONS[".xlsx"]: "Excel",
    EXTENSIONS[".pptx"]: "PowerPoint",
}
# Office files are zip archives; filetype reports them as such when it cannot see further.
ZIP_BASED = frozenset({EXTENSIONS[".docx"], EXTENSIONS[".xlsx"], EXTENSIONS[".pptx"]})
PREVIEWABLE = frozenset({"application/pdf", "image/jpeg", "image/png", "image/gif", "image/webp"})


class UploadRejected(ValueError):
    """The file cannot be accepted; the message says why, in the user's language."""


@dataclass(frozen=True)
class CheckedUpload:
    name: str  # the original name, cleaned, for display only: never part of a path
    content_type: str  # as detected from the bytes
    size: int
    sha256: str


def accepted_types(accept: tuple[str, ...] | list[str] = ()) -> tuple[str, ...]:
    """MIME types for an `accept` list that may mix MIME types and extensions."""
    types = [EXTENSIONS.get(item.lower(), item.lower()) for item in (accept or DEFAULT_ACCEPT)]
    return tuple(dict.fromkeys(types))


def describe(accept: tuple[str, ...] | list[str] = ()) -> str:
    return "・".join(LABELS.get(t, t) for t in accepted_types(accept))


def clean_name(name: str) -> str:
    base = os.path.basename(name.replace("\\", "/"))
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    return base.strip()[:100] or "file"


def sniff(head: bytes) -> str | None:
    kind = filetype.guess(head)
    if kind is None:
        return None
    mime: str = kind.mime
    return "application/zip" if mime in ("application/zip", "application/x-zip-compressed") else mime


def check_upload(upload: UploadedFile[bytes], *, accept: tuple[str, ...] | list[str] = (),
                 max_size: int | None = None, match_extension: bool = False) -> CheckedUpload:
    """Accept `upload` only if its bytes are one of the accepted types and it is not too large or empty. With
    `match_extension`, its name must also say what it is (a JPEG named .pdf is refused, not quietly accepted)."""
    limit = max_size or DEFAULT_MAX_SIZE
    size = upload.size or 0
    if size == 0:
        raise UploadRejected(_("ファイルが空です。内容のあるファイルを選んでください。"))
    if size > limit:
        raise UploadRejected(_("ファイルが大きすぎます（上限 %(limit)s）。") % {"limit": filesizeformat(limit)})
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    allowed = accepted_types(accept)
    detected = sniff(head)
    if detected == "application/zip":
        # A docx/xlsx cannot be told from other zips by the first bytes; trust the extension only among them.
        by_name = EXTENSIONS.get(os.path.splitext(upload.name or "")[1].lower())
        detected = by_name if by_name in ZIP_BASED else detected
    if detected is None or detected not in allowed:
        raise UploadRejected(_("このファイルの種類は受け付けていません。%(types)s のファイルを選んでください。")
                             % {"types": describe(accept)})
    if match_extension and EXTENSIONS.get(os.path.splitext(upload.name or "")[1].lower()) != detected:
        raise UploadRejected(_("ファイルの中身（%(kind)s）が名前の拡張子と合いません。"
                               "正しいファイルか確かめてください。")
                             % {"kind": LABELS.get(detected, detected)})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(name=clean_name(upload.name or ""), content_type=detected, size=size,
                         sha256=digest.hexdigest())


def private_storage() -> Storage:
    return storages["private"]


def save_private(upload: File[bytes], folder: str) -> str:
    """Store under a random name in `folder` of the private storage; return the stored path."""
    path = f"{folder.strip('/')}/{uuid.uuid4().hex}"
    upload.seek(0)
    return private_storage().save(path, upload)

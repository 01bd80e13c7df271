"""The text of a scanned document: a PDF's own text layer when it has one, otherwise OCR with Tesseract's Japanese
model (OCRmyPDF for scanned PDFs, which also gives back the PDF with an invisible text layer; Tesseract directly for
photos and scanner images). Nothing here raises into the caller: a file that cannot be read comes back as a result
that says so.

Debian packages: tesseract-ocr, tesseract-ocr-jpn, ocrmypdf (`make system-deps`). Without OCRmyPDF the pages of a
scanned PDF are rendered with poppler's pdftoppm and read by Tesseract, and no text layer is added.
"""

from __future__ import annotations

import enum
import logging
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from .images import register_heif

log = logging.getLogger(__name__)

LANGUAGES = "jpn+eng"  # Japanese letters carry Latin addresses, numbers and mail addresses too
DPI = 300
TIMEOUT_SECONDS = 600  # one document; a scan that takes longer is reported unreadable, the worker goes on
MAX_PAGES = 200
# A PDF whose pages hold fewer characters than this on average is a scan with at most a stray header in its text.
TEXT_LAYER_MIN_CHARS_PER_PAGE = 20

# Tesseract's Japanese model often puts a space between every two characters; a space between two Japanese
# characters (kana, kanji, full-width punctuation) is never part of Japanese text.
_JA = r"\u3000-\u303f\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60"
_SPACE_IN_JAPANESE = re.compile(rf"(?<=[{_JA}])[ \t\u3000]+(?=[{_JA}])")
_SPACE_BEFORE_PUNCT = re.compile(r"[ \t]+(?=[、。，．）」』】〕！？：；])")
_SPACE_AFTER_OPEN = re.compile(r"(?<=[（「『【〔])[ \t]+")
# ASCII brackets that OCR read from full-width ones, around Japanese
_SPACE_IN_BRACKETS = re.compile(rf"(?<=\()[ \t]+(?=[{_JA}])|(?<=[{_JA}])[ \t]+(?=\))")


class Outcome(enum.StrEnum):
    TEXT_LAYER = "text_layer"  # the PDF had its own text
    OCR = "ocr"  # read by Tesseract
    NO_TEXT = "no_text"  # read, but nothing that looks like text was found (blank page, a photo)
    UNREADABLE = "unreadable"  # not a file we can open (damaged, encrypted, not what it claims), or OCR failed


@dataclass(frozen=True)
class Reading:
    outcome: Outcome
    text: str = ""
    pages: int = 0
    message: str = ""  # why nothing was read, in the user's language
    searchable_pdf: bytes | None = None  # a scanned PDF with its new text layer (OCRmyPDF), when one was made

    @property
    def ok(self) -> bool:
        return self.outcome in (Outcome.TEXT_LAYER, Outcome.OCR)


class _Unreadable(Exception):
    pass


def _damaged() -> str:
    return _("ファイルを読み取れませんでした（ファイルが壊れている可能性があります）。")


def _not_installed() -> str:
    return _("文字の読み取り（OCR）がこのサーバーに入っていません。情報担当に連絡してください。")


def available() -> bool:
    """Whether Tesseract with the Japanese model is installed."""
    if shutil.which("tesseract") is None:
        return False
    try:
        listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return "jpn" in (listed.stdout + listed.stderr).split()


def normalise(text: str) -> str:
    """OCR output as text a person would have typed: NFC, no spaces inside Japanese, no runs of blank lines."""
    text = unicodedata.normalize("NFC", text).replace("\f", "\n").replace("\r\n", "\n")
    lines = []
    for line in text.split("\n"):
        line = _SPACE_IN_JAPANESE.sub("", line)
        line = _SPACE_AFTER_OPEN.sub("", _SPACE_BEFORE_PUNCT.sub("", line))
        line = _SPACE_IN_BRACKETS.sub("", line)
        lines.append(line.strip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def read(data: bytes, content_type: str) -> Reading:
    """The text of a scanned document (PDF, JPEG, PNG, HEIC), by content type as `uploads.check_upload` found it."""
    try:
        if content_type == "application/pdf":
            return _pdf(data)
        if content_type.startswith("image/"):
            return _image(data)
        raise _Unreadable(_("この種類のファイルからは文字を読み取れません（PDF・JPEG・PNG・HEIC のみ）。"))
    except _Unreadable as error:
        return Reading(Outcome.UNREADABLE, message=str(error))
    except Exception:  # a library's surprise on a hostile file must not reach the caller (a task, a view)
        log.exception("OCR failed")
        return Reading(Outcome.UNREADABLE, message=_damaged())


def _found(text: str, pages: int, outcome: Outcome, searchable: bytes | None = None) -> Reading:
    text = normalise(text)
    if not any(ch.isalnum() for ch in text):
        return Reading(Outcome.NO_TEXT, pages=pages,
                       message=_("文字が見つかりませんでした。向きや濃さを確かめて、読み取り直してください。"))
    return Reading(outcome, text=text, pages=pages, searchable_pdf=searchable)


# PDF ----------------------------------------------------------------------------------------------------------------

def _pdf(data: bytes) -> Reading:
    reader = _open_pdf(data)
    pages = len(reader.pages)
    if pages == 0:
        raise _Unreadable(_("ページのないPDFです。"))
    if pages > MAX_PAGES:
        raise _Unreadable(_("ページが多すぎます（%(max)d ページまで）。分けて登録してください。") % {"max": MAX_PAGES})
    try:
        layer = "\n".join(page.extract_text() or "" for page in reader.pages)
    except Exception:  # a damaged content stream: the pages may still be images OCR can read
        layer = ""
    if len(normalise(layer)) >= TEXT_LAYER_MIN_CHARS_PER_PAGE * pages:
        return _found(layer, pages, Outcome.TEXT_LAYER)
    _need_tesseract()
    if shutil.which("ocrmypdf") is not None:
        return _ocrmypdf(data, pages)
    return _pdf_pages(data, pages)


def _open_pdf(data: bytes) -> Any:
    from pypdf import PasswordType, PdfReader

    if b"%PDF" not in data[:1024]:
        raise _Unreadable(_("PDFファイルではありません。ファイルの種類を確かめてください。"))
    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise _Unreadable(_("パスワードで保護されたPDFは読み取れません。"))
        len(reader.pages)
    except _Unreadable:
        raise
    except Exception as error:  # pypdf raises many kinds on a damaged file; all mean the same here
        raise _Unreadable(_("PDFを読み取れませんでした（ファイルが壊れている可能性があります）。")) from error
    return reader


def _ocrmypdf(data: bytes, pages: int) -> Reading:
    """OCRmyPDF renders each page, runs Tesseract and lays the text invisibly over the unchanged images; its
    `--sidecar` is the plain text. `--output-type pdf` (not PDF/A) keeps it fast and the images untouched."""
    with tempfile.TemporaryDirectory(prefix="yakuba-ocr-") as folder:
        source, target, sidecar = Path(folder, "in.pdf"), Path(folder, "out.pdf"), Path(folder, "text.txt")
        source.write_bytes(data)
        _run(["ocrmypdf", "-l", LANGUAGES, "--output-type", "pdf", "--force-ocr", "--sidecar", str(sidecar),
              "--quiet", "--jobs", "1", str(source), str(target)])
        text = sidecar.read_text(encoding="utf-8", errors="replace") if sidecar.exists() else ""
        searchable = target.read_bytes() if target.exists() else None
    return _found(text, pages, Outcome.OCR, searchable)


def _pdf_pages(data: bytes, pages: int) -> Reading:
    with tempfile.TemporaryDirectory(prefix="yakuba-ocr-") as folder:
        source = Path(folder, "in.pdf")
        source.write_bytes(data)
        _run(["pdftoppm", "-r", str(DPI), "-gray", "-png", str(source), str(Path(folder, "page"))])
        texts = [_tesseract(path) for path in sorted(Path(folder).glob("page*.png"))]
    return _found("\n".join(texts), pages, Outcome.OCR)


# Images -------------------------------------------------------------------------------------------------------------

def _image(data: bytes) -> Reading:
    from PIL import Image, ImageOps, UnidentifiedImageError

    _need_tesseract()
    register_heif()  # the kernel's one registration (kernel.files.images)
    try:
        with Image.open(BytesIO(data)) as opened:
            frames = getattr(opened, "n_frames", 1)
            image = ImageOps.exif_transpose(opened).convert("L")  # phone photos carry their rotation in EXIF
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise _Unreadable(_("画像を開けませんでした（ファイルが壊れているか、対応していない形式です）。")) from error
    with tempfile.TemporaryDirectory(prefix="yakuba-ocr-") as folder:
        path = Path(folder, "page.png")
        image.save(path, dpi=(DPI, DPI))
        text = _tesseract(path)
    return _found(text, frames, Outcome.OCR)


# Processes ----------------------------------------------------------------------------------------------------------

def _need_tesseract() -> None:
    if shutil.which("tesseract") is None:
        raise _Unreadable(_not_installed())


def _tesseract(image: Path) -> str:
    # psm 6: a page of text in one block reads Japanese letters more reliably than automatic layout on a scan
    return _run(["tesseract", str(image), "stdout", "-l", LANGUAGES, "--dpi", str(DPI), "--psm", "6"])


def _environment() -> dict[str, str]:
    """Tesseract's OpenMP threads fight each other (and the other workers) for the cores: one thread per page is
    faster on a busy machine (2.2 s against 5.0 s for an A4 page at 300 dpi on 2 shared cores); the deployment may
    set OMP_THREAD_LIMIT itself."""
    return {**os.environ, "OMP_THREAD_LIMIT": os.environ.get("OMP_THREAD_LIMIT", "1")}


def _run(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False, env=_environment())
    except subprocess.TimeoutExpired as error:
        raise _Unreadable(_("読み取りに時間がかかりすぎたため中止しました。")) from error
    except OSError as error:
        raise _Unreadable(_not_installed()) from error
    if done.returncode != 0:
        log.warning("%s failed (%s): %s", command[0], done.returncode, done.stderr[-2000:].decode(errors="replace"))
        raise _Unreadable(_damaged())
    return done.stdout.decode("utf-8", errors="replace")

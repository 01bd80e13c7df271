"""Shared makings of the 文書管理・収受 tests: a 分類, a workbook, scans with known Japanese text."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from tests import factories
from yakuba.approvals.demo.filing import scan_pdf, scan_png
from yakuba.approvals.models import DocumentClass
from yakuba.approvals.services.classes import HEADINGS
from yakuba.kernel.files import ocr
from yakuba.kernel.tenancy.models import Municipality

needs_ocr = pytest.mark.skipif(not ocr.available(), reason="OCR tests need Tesseract with the Japanese model "
                               "(Debian packages tesseract-ocr and tesseract-ocr-jpn; `make system-deps`)")

# A letter whose words the OCR tests look for; 「馬山橋」 appears nowhere but in the scan.
LETTER = ["下仁田町長 様", "町道三号線の補修についての要望書", "馬山橋の付近で舗装に穴があいています。",
          "通学する児童が危険です。", "早急な補修をお願いします。"]


def make_class(town: Municipality, code: str = "01-05-03", *, name: str = "住民からの要望・陳情", retention: int = 5,
               department: str = "総務課", historical: bool = False) -> DocumentClass:
    with scope(municipality=town):
        found, _created = DocumentClass.objects.get_or_create(
            municipality=town, code=code, defaults=dict(
                major="総務", middle="照会・回答", name=name, retention=retention, historical=historical,
                department=factories.make_department(town, department)))
        return found


def workbook(rows: list[list[Any]], headings: tuple[str, ...] | list[str] = HEADINGS) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(headings))
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def letter_pdf() -> bytes:
    return scan_pdf([LETTER], dpi=200)


def letter_png() -> bytes:
    return scan_png(LETTER, dpi=200)


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type)

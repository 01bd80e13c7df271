"""Kernel OCR: a PDF's own text, Tesseract's Japanese on a generated scan, spaces inside Japanese removed, and every
unreadable file reported (never raised)."""

from __future__ import annotations

from io import BytesIO

import pytest

from tests.approvals.filing_support import LETTER, letter_pdf, letter_png, needs_ocr
from yakuba.kernel.files import ocr


def test_spaces_between_japanese_characters_are_removed():
    assert ocr.normalise("下 仁 田 町 長 　様 、 お 願 い し ま す 。") == "下仁田町長様、お願いします。"
    assert ocr.normalise("( 回 答 ) Tel 0274 - 82\n\n\n\n次") == "(回答) Tel 0274 - 82\n\n次"
    assert ocr.normalise("「 要 望 書 」 を 2 通") == "「要望書」を 2 通"


def test_a_pdf_with_a_text_layer_gives_its_text_without_ocr():
    from weasyprint import HTML

    pdf = HTML(string="<p>" + "".join(LETTER) + "</p>").write_pdf()
    reading = ocr.read(pdf, "application/pdf")
    assert reading.outcome == ocr.Outcome.TEXT_LAYER
    assert "馬山橋" in reading.text and "補修" in reading.text


@pytest.mark.parametrize(("content", "content_type"), [
    (b"%PDF-1.4\nthis is not a pdf at all", "application/pdf"),
    (b"GIF89a not really", "image/gif"),
    (b"\x89PNG\r\n\x1a\n broken", "image/png"),
    (b"\xff\xd8\xff\xe0 broken jpeg", "image/jpeg"),
    (b"hello", "text/plain"),
])
def test_unreadable_files_are_reported_not_raised(content, content_type):
    reading = ocr.read(content, content_type)
    assert reading.outcome == ocr.Outcome.UNREADABLE and reading.message and not reading.ok


@needs_ocr
def test_a_scanned_image_is_read_in_japanese():
    reading = ocr.read(letter_png(), "image/png")
    assert reading.outcome == ocr.Outcome.OCR
    for word in ("下仁田町", "要望書", "馬山橋", "児童"):
        assert word in reading.text, (word, reading.text)


@needs_ocr
def test_a_scanned_pdf_is_read_and_gets_a_text_layer():
    reading = ocr.read(letter_pdf(), "application/pdf")
    assert reading.outcome == ocr.Outcome.OCR and "馬山橋" in reading.text
    if reading.searchable_pdf is not None:  # OCRmyPDF installed: the kept PDF can be searched too
        again = ocr.read(reading.searchable_pdf, "application/pdf")
        assert again.outcome == ocr.Outcome.TEXT_LAYER


@needs_ocr
def test_a_blank_page_has_no_text():
    from PIL import Image

    out = BytesIO()
    Image.new("L", (800, 1100), 255).save(out, "PNG")
    reading = ocr.read(out.getvalue(), "image/png")
    assert reading.outcome == ocr.Outcome.NO_TEXT and reading.message

"""Reading uploaded files: text in UTF-8, UTF-16 and Shift_JIS, HTML, PDF and Word built here, and every broken or
wrong file refused with a reason a member of staff can act on."""

from __future__ import annotations

import zipfile
from io import BytesIO

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from pypdf import PdfWriter

from yakuba.assistant.models import Format
from yakuba.assistant.services.extract import Unreadable, extract, format_of


def make_pdf(*lines: str) -> bytes:
    """A one-page PDF written by hand: Helvetica, one line of ASCII text per argument, an exact xref table."""
    shown = " 0 -16 Td ".join(f"({line}) Tj" for line in lines)
    content = f"BT /F1 12 Tf 72 720 Td {shown} ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(pdf)
    pdf += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    pdf += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    pdf += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return pdf


def encrypted(pdf: bytes, user_password: str, owner_password: str = "owner") -> bytes:
    writer = PdfWriter(clone_from=BytesIO(pdf))
    writer.encrypt(user_password=user_password, owner_password=owner_password)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(build) -> bytes:
    document = docx.Document()
    build(document)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def reason(data: bytes, fmt: str) -> str:
    with pytest.raises(Unreadable) as caught:
        extract(data, fmt)
    return str(caught.value)


# ---------------------------------------------------------------- text and Markdown

def test_format_of_reads_the_suffix():
    assert format_of("計画.PDF") == Format.PDF
    assert format_of("page.htm") == Format.HTML
    assert format_of("条例.docx") == Format.DOCX
    assert format_of("memo.doc") is None
    assert format_of("README") is None


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp932"])
def test_text_in_every_encoding_a_town_office_saves(encoding):
    text = "第一条　この条例は、下仁田町の～ごみ収集①について定める。\n２　前項の規定は…"
    assert extract(text.encode(encoding), Format.TEXT) == text


def test_shift_jis_text_keeps_its_line_structure_and_loses_trailing_spaces():
    data = "# 計画の目的　\r\n\r\n\r\n\r\n\r\n本文です。  \r\n次の行\r\n".encode("cp932")
    assert extract(data, Format.MARKDOWN) == "# 計画の目的\n\n本文です。\n次の行"


def test_text_in_no_known_encoding_is_refused():
    assert "文字コード" in reason(b"\x81\x20\xff\xfe\xfd abc", Format.TEXT)


@pytest.mark.parametrize("data", [bytes(range(256)) * 4, make_pdf("Hello"), b"PK\x03\x04" + b"\x14" * 40,
                                  b"\x89PNG\r\n\x1a\n" + b"\x10" * 40])
def test_a_binary_file_named_txt_is_refused(data):
    assert "テキストファイルではありません" in reason(data, Format.TEXT)


def test_control_characters_without_nul_are_not_text():
    assert "テキストファイルではありません" in reason(bytes(range(1, 32)) * 20, Format.TEXT)


def test_an_unknown_format_is_refused():
    assert reason(b"abc", "xlsx") == "この形式は読み取れません。"
    assert reason(b"abc", Format.TYPED) == "この形式は読み取れません。"


# ---------------------------------------------------------------- HTML

PAGE = """<!DOCTYPE html>
<html><head><meta charset="shift_jis"><title>題名</title><style>p { color: red }</style></head>
<body>
<header>サイトの見出し</header>
<nav><ul><li>ホーム</li><li>くらし</li></ul></nav>
<h1>ごみの出し方</h1>
<p>燃えるごみは<b>月曜日</b>と
木曜日です。</p>
<script>alert("x")</script>
<h2>粗大ごみ</h2>
<ul><li>申し込み</li><li>収集</li></ul>
<table><tr><th>品目</th><th>料金</th></tr><tr><td>たんす</td><td>500円</td></tr></table>
<p>一行目<br>二行目</p><noscript>JavaScriptを有効に</noscript>
<!-- a comment --><footer>著作権 下仁田町</footer>
</body></html>"""


def test_html_keeps_content_headings_and_tables_and_drops_the_page_frame():
    text = extract(PAGE.encode("cp932"), Format.HTML)
    assert text.split("\n") == ["# ごみの出し方", "", "燃えるごみは月曜日と木曜日です。", "", "## 粗大ごみ", "",
                                "申し込み", "収集", "", "品目 | 料金", "--- | ---", "たんす | 500円", "", "一行目",
                                "二行目"]
    for dropped in ("ホーム", "サイトの見出し", "alert", "color", "JavaScript", "下仁田町", "題名", "comment"):
        assert dropped not in text


def test_html_without_a_charset_is_read_as_utf8_or_shift_jis():
    page = "<p>住民票の写し</p>"
    assert extract(page.encode("utf-8"), Format.HTML) == "住民票の写し"
    assert extract(page.encode("cp932"), Format.HTML) == "住民票の写し"
    assert extract(b'<?xml version="1.0" encoding="utf-8"?><html><body><p>ok</p></body></html>',
                   Format.HTML) == "ok"


@pytest.mark.parametrize("data", [b"", b"   ", b"<html><body><script>x()</script></body></html>"])
def test_empty_html_is_refused(data):
    assert "HTML" in reason(data, Format.HTML)


# ---------------------------------------------------------------- PDF

def test_pdf_text_of_every_line():
    text = extract(make_pdf("Hello town", "Second line"), Format.PDF)
    assert text.split("\n") == ["Hello town", "Second line"]


def test_pdf_with_a_user_password_is_refused_and_owner_only_is_read():
    pdf = make_pdf("Hello town")
    assert "パスワード" in reason(encrypted(pdf, "secret"), Format.PDF)
    assert extract(encrypted(pdf, ""), Format.PDF) == "Hello town"


def test_pdf_with_no_text_layer_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = BytesIO()
    writer.write(out)
    assert "画像だけのPDF" in reason(out.getvalue(), Format.PDF)


def test_broken_pdf_only_ever_raises_unreadable():
    pdf = make_pdf("Hello town")
    assert "壊れている" in reason(pdf[:60], Format.PDF)
    for end in range(0, len(pdf), 7):  # every truncation: text, or a reason, never another exception
        try:
            assert isinstance(extract(pdf[:end], Format.PDF), str)
        except Unreadable as error:
            assert str(error)
    assert "壊れている" in reason(b"%PDF-1.7\n" + bytes(range(256)) * 8, Format.PDF)


def test_a_file_that_is_not_a_pdf_is_refused():
    assert "PDFファイルではありません" in reason("計画の本文".encode(), Format.PDF)


# ---------------------------------------------------------------- Word .docx

def test_docx_headings_paragraphs_and_tables_in_document_order():
    def build(document):
        document.add_heading("下仁田町DX推進計画", level=1)
        document.add_paragraph("計画の目的を述べます。")
        document.add_heading("推進体制", level=2)
        table = document.add_table(rows=2, cols=3)
        for cell, value in zip(table.rows[0].cells + table.rows[1].cells,
                               ["課", "役割", "", "総務課", "取りまとめ", "CIO補佐"], strict=True):
            cell.text = value
        document.add_paragraph("表のあとの段落。")
        document.styles.add_style("見出し 3", WD_STYLE_TYPE.PARAGRAPH)
        document.add_paragraph("日本語の見出し", style="見出し 3")

    assert extract(make_docx(build), Format.DOCX).split("\n") == [
        "# 下仁田町DX推進計画", "計画の目的を述べます。", "## 推進体制", "課 | 役割 |", "総務課 | 取りまとめ | CIO補佐",
        "表のあとの段落。", "### 日本語の見出し"]


def test_docx_merged_cell_is_written_once():
    def build(document):
        table = document.add_table(rows=1, cols=3)
        table.cell(0, 0).merge(table.cell(0, 1)).text = "結合"
        table.cell(0, 2).text = "右"

    assert extract(make_docx(build), Format.DOCX) == "結合 | 右"


@pytest.mark.parametrize("data", [b"PK\x03\x04" + bytes(range(256)) * 4, b"PK\x05\x06" + b"\x00" * 18])
def test_broken_docx_is_refused(data):
    assert "Wordファイルを読み取れませんでした" in reason(data, Format.DOCX)


def test_a_zip_that_is_not_word_is_refused():
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    assert "Wordファイルを読み取れませんでした" in reason(out.getvalue(), Format.DOCX)


def test_old_word_and_plain_text_named_docx_are_refused_with_what_to_do():
    assert ".docx 形式で保存し直して" in reason(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, Format.DOCX)
    assert "Wordファイル（.docx）ではありません" in reason("本文".encode(), Format.DOCX)

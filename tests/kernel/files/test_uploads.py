"""Uploads are judged by their bytes, limited in size, and stored under random names outside any URL."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yakuba.kernel.files.http import private_file_response
from yakuba.kernel.files.uploads import (
    UploadRejected,
    accepted_types,
    check_upload,
    clean_name,
    private_storage,
    save_private,
)

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_a_real_png_is_accepted_and_described():
    checked = check_upload(upload("photo.png", PNG))
    assert checked.content_type == "image/png"
    assert checked.size == len(PNG)
    assert len(checked.sha256) == 64


def test_the_name_does_not_decide_the_type():
    with pytest.raises(UploadRejected, match="種類"):
        check_upload(upload("photo.png", b"<script>alert(1)</script>" * 4))
    # A PDF named .jpg is a PDF, and accepted as one.
    assert check_upload(upload("scan.jpg", PDF)).content_type == "application/pdf"


def test_types_outside_the_field_accept_list_are_refused_with_the_allowed_ones_named():
    with pytest.raises(UploadRejected) as raised:
        check_upload(upload("scan.pdf", PDF), accept=["image/jpeg", ".png"])
    assert "JPEG・PNG" in str(raised.value)


def test_size_limits_and_empty_files():
    with pytest.raises(UploadRejected, match="大きすぎます"):
        check_upload(upload("big.png", PNG + b"\0" * 2000), max_size=1000)
    with pytest.raises(UploadRejected, match="空"):
        check_upload(upload("empty.pdf", b""))


def test_office_files_are_told_apart_from_other_zips_by_name_only_among_zips():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    docx = buffer.getvalue()
    checked = check_upload(upload("見積書.docx", docx), accept=[".docx"])
    assert checked.content_type.endswith("wordprocessingml.document")
    with pytest.raises(UploadRejected):
        check_upload(upload("archive.zip", docx), accept=[".docx"])


def test_names_are_cleaned_for_display():
    assert clean_name("C:\\Users\\me\\住民票\u0000.pdf") == "住民票.pdf"
    assert clean_name("../../etc/passwd") == "passwd"
    assert accepted_types([".JPG", "image/jpeg", ".pdf"]) == ("image/jpeg", "application/pdf")


def test_stored_files_get_random_names_and_come_back_as_protected_downloads():
    path = save_private(upload("../../evil.png", PNG), "103829/applications/x")
    assert path.startswith("103829/applications/x/") and "evil" not in path
    assert private_storage().open(path).read() == PNG
    response = private_file_response(path, content_type="image/png", filename="写真.png", inline=True)
    assert response["Content-Disposition"].startswith("inline;")
    assert "UTF-8''%E5%86%99%E7%9C%9F.png" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PNG
    # Types a browser could run are never shown inline.
    response = private_file_response(path, content_type="text/html", filename="x.html", inline=True)
    assert response["Content-Disposition"].startswith("attachment;")

"""PAdES signing with the town's key and pyHanko's validation: intact, valid, trusted; a changed byte shows."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfWriter

from yakuba.kernel.files import signing


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("signing")
    return signing.make_demo_keys(signing.Keys(folder / "key.pem", folder / "cert.pem"), common_name="下仁田町")


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_signed_pdf_validates_and_says_it_is_the_demo_certificate(keys):
    signed = signing.sign(_pdf(), keys, reason="決裁", location="下仁田町")
    report = signing.validate(signed, keys)
    assert report.ok and report.trusted and report.demo
    assert "下仁田町" in report.signer and report.signed_at is not None


def test_a_byte_changed_after_signing_is_detected(keys):
    signed = bytearray(signing.sign(_pdf(), keys))
    at = signed.index(b"/MediaBox")
    signed[at + 11] = ord("7") if signed[at + 11] != ord("7") else ord("8")
    report = signing.validate(bytes(signed), keys)
    assert report.signed and not report.intact and not report.ok


def test_anything_appended_after_signing_shows(keys):
    report = signing.validate(signing.sign(_pdf(), keys) + b"\n% appended\n", keys)
    assert report.signed and not report.ok and not report.covers_whole_file


def test_an_unsigned_or_unreadable_file_is_not_signed(keys):
    assert not signing.validate(_pdf(), keys).signed
    assert not signing.validate(b"not a pdf", keys).signed


def test_another_certificate_is_not_trusted(keys, tmp_path):
    other = signing.make_demo_keys(signing.Keys(tmp_path / "k.pem", tmp_path / "c.pem"))
    report = signing.validate(signing.sign(_pdf(), other), keys)
    assert report.intact and report.valid and not report.trusted

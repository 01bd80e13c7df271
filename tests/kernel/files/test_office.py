"""Office documents to PDF (kernel/files/office.py): nothing happens without LibreOffice (the default here), the
command line it would run, a conversion by a stand-in program, and the time limit that kills it."""

from __future__ import annotations

import io
import stat
from pathlib import Path

from pypdf import PdfWriter

from yakuba.kernel.files import office

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def stand_in(tmp_path: Path, body: str) -> str:
    """An executable that takes LibreOffice's arguments."""
    program = tmp_path / "soffice"
    program.write_text("#!/bin/sh\n" + body)
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    return str(program)


def test_without_libreoffice_nothing_is_converted(settings, monkeypatch):
    settings.OFFICE_BINARY = ""
    monkeypatch.setenv("PATH", "/nonexistent")
    assert office.binary() is None
    assert office.to_pdf(b"PK\x03\x04 a docx", DOCX) is None


def test_a_configured_program_that_does_not_exist_is_not_used(settings):
    settings.OFFICE_BINARY = "/nonexistent/soffice"
    assert office.binary() is None


def test_the_command_is_headless_with_its_own_profile_and_the_file_last(tmp_path):
    args = office.command("/usr/bin/soffice", tmp_path / "document.docx", tmp_path / "out", tmp_path / "profile")
    assert args[0] == "/usr/bin/soffice"
    assert args[1] == f"-env:UserInstallation=file://{tmp_path}/profile"
    assert {"--headless", "--norestore", "--nolockcheck"} <= set(args)
    assert args[args.index("--convert-to") + 1] == "pdf"
    assert args[args.index("--outdir") + 1] == str(tmp_path / "out")
    assert args[-1] == str(tmp_path / "document.docx")


def test_a_conversion_by_the_program_found_gives_its_pdf(settings, tmp_path):
    made = tmp_path / "made.pdf"
    made.write_bytes(blank_pdf())
    settings.OFFICE_BINARY = stand_in(tmp_path, f"""
while [ $# -gt 0 ]; do [ "$1" = "--outdir" ] && out="$2"; last="$1"; shift; done
[ "${{last##*.}}" = "docx" ] || exit 3
cp {made} "$out/document.pdf"
""")
    assert office.to_pdf(b"PK\x03\x04 a docx", DOCX) == made.read_bytes()
    assert office.to_pdf(b"%PDF-1.4", "application/pdf") is None  # not an Office type


def test_a_failing_or_hanging_conversion_gives_nothing(settings, tmp_path):
    settings.OFFICE_BINARY = stand_in(tmp_path, "echo broken >&2\nexit 1\n")
    assert office.to_pdf(b"PK\x03\x04", DOCX) is None
    settings.OFFICE_BINARY = stand_in(tmp_path, "sleep 300 & wait\n")
    assert office.to_pdf(b"PK\x03\x04", DOCX, timeout=1) is None

"""Office documents (Word, Excel, PowerPoint) to PDF with LibreOffice, when the machine has it (`soffice` or
`libreoffice` on the PATH, or YAKUBA_OFFICE_BINARY). It is optional: without it, or when a conversion fails or takes
too long, `to_pdf` returns None and the caller keeps the original file as it is. Nothing here raises into the
caller.

Debian package: libreoffice-core-nogui with libreoffice-writer, -calc, -impress (not installed by default).
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)

BINARIES = ("soffice", "libreoffice")
TIMEOUT_SECONDS = 120  # one document; a file that takes longer is kept unconverted and the worker goes on
SUFFIXES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
}


def is_office(content_type: str) -> bool:
    return content_type in SUFFIXES


def binary() -> str | None:
    """The LibreOffice program to run, or None when the machine has none."""
    configured = getattr(settings, "OFFICE_BINARY", "") or ""
    candidates = (configured,) if configured else BINARIES
    for name in candidates:
        found = shutil.which(name)
        if found:
            return found
    return None


def command(program: str, source: Path, outdir: Path, profile: Path) -> list[str]:
    """The command line that converts `source` into `outdir`/<stem>.pdf: headless, no restore or lock dialogs, and
    a profile of its own (two conversions at once would otherwise fight over the user's profile)."""
    return [program, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible", "--nologo",
            "--norestore", "--nolockcheck", "--nodefault", "--convert-to", "pdf", "--outdir", str(outdir),
            str(source)]


def _run(args: list[str], *, cwd: Path, timeout: int) -> bool:
    """Run in a session of its own so that a timeout kills LibreOffice's child processes too."""
    env = {**os.environ, "HOME": str(cwd), "SAL_USE_VCLPLUGIN": "svp"}
    with subprocess.Popen(args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, start_new_session=True) as process:
        try:
            _out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            log.warning("office conversion timed out after %ss", timeout)
            return False
    if process.returncode != 0:
        log.warning("office conversion failed (%s): %s", process.returncode, err[-500:].decode(errors="replace"))
        return False
    return True


def to_pdf(content: bytes, content_type: str, *, timeout: int = TIMEOUT_SECONDS) -> bytes | None:
    """The document as a PDF, or None (no LibreOffice here, not an Office type, or the conversion failed)."""
    suffix = SUFFIXES.get(content_type)
    program = binary()
    if suffix is None or program is None:
        return None
    with tempfile.TemporaryDirectory(prefix="yakuba-office-") as work:
        root = Path(work)
        source = root / f"document{suffix}"  # never the user's file name on a command line
        source.write_bytes(content)
        outdir = root / "out"
        outdir.mkdir()
        try:
            done = _run(command(program, source, outdir, root / "profile"), cwd=root, timeout=timeout)
        except OSError as error:
            log.warning("office conversion could not start: %s", error)
            return None
        result = outdir / "document.pdf"
        if not done or not result.exists():
            return None
        data = result.read_bytes()
    return data if data.startswith(b"%PDF") else None

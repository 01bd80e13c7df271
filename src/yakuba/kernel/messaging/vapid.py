"""The deployment's VAPID key (RFC 8292) for Web Push: read from a PEM file, generated there on first use."""

from __future__ import annotations

import base64
import os
import tempfile
import threading
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from py_vapid import Vapid

_lock = threading.Lock()
_loaded: dict[str, Vapid] = {}


def key_path() -> Path:
    return Path(settings.VAPID_PRIVATE_KEY_FILE)


def _create_exclusive(path: Path, pem: bytes) -> None:
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(handle, "wb") as file:
        file.write(pem)


def _create(path: Path) -> None:
    """Write a new key so that concurrent first uses (two workers, a worker and a web process) end up with
    the same one: the file appears complete or not at all, and the first writer wins."""
    vapid = Vapid()
    vapid.generate_keys()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".vapid-")
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "wb") as file:
            file.write(vapid.private_pem())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process was first: use its key
        except OSError:
            _create_exclusive(path, vapid.private_pem())  # a file system without hard links
    finally:
        os.unlink(temporary)


def key() -> Vapid:
    """The signing key (a py_vapid `Vapid`, which pywebpush takes as `vapid_private_key`)."""
    path = key_path()
    with _lock:
        cached = _loaded.get(str(path))
        if cached is not None:
            return cached
        if not path.exists():
            _create(path)
        vapid = Vapid.from_file(private_key_file=str(path))
        _loaded[str(path)] = vapid
        return vapid


def public_key_b64() -> str:
    """The public key as browsers want it for `applicationServerKey`: the uncompressed P-256 point,
    base64url without padding."""
    point = key().public_key.public_bytes(serialization.Encoding.X962,
                                          serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(point).rstrip(b"=").decode("ascii")


def claims() -> dict[str, str | int]:
    """A fresh claims dict for one send (pywebpush fills in `aud` and `exp` in place)."""
    return {"sub": settings.VAPID_SUBJECT}


def forget() -> None:
    """Drop the loaded keys so the next use reads the file again (after replacing it; tests)."""
    with _lock:
        _loaded.clear()

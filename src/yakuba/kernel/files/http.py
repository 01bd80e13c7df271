"""Handing a private file to a browser that was allowed to see it."""

from __future__ import annotations

from urllib.parse import quote

from django.http import FileResponse, HttpResponse

from .uploads import PREVIEWABLE, private_storage


def private_file_response(path: str, *, content_type: str, filename: str, inline: bool = False) -> FileResponse:
    """Stream a stored file. Inline only for types a browser shows safely; the page can run nothing."""
    inline = inline and content_type in PREVIEWABLE
    response = FileResponse(private_storage().open(path, "rb"), content_type=content_type)
    _protect(response, filename, inline=inline)
    return response


def bytes_response(data: bytes, *, content_type: str, filename: str, inline: bool = False) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    _protect(response, filename, inline=inline)
    return response


def _protect(response: HttpResponse | FileResponse, filename: str, *, inline: bool) -> None:
    disposition = "inline" if inline else "attachment"
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "").replace("?", "_")
    response["Content-Disposition"] = f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, no-store"

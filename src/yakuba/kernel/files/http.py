"""Handing a private file to a browser that was allowed to see it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse

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


def _protect(response: HttpResponse | StreamingHttpResponse, filename: str, *, inline: bool) -> None:
    disposition = "inline" if inline else "attachment"
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "").replace("?", "_")
    response["Content-Disposition"] = f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, no-store"


RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_BLOCK = 64 * 1024


def ranged_file_response(request: HttpRequest, path: str, *, content_type: str, filename: str
                         ) -> StreamingHttpResponse | HttpResponse:
    """Stream a stored file honouring one HTTP Range (RFC 9110 §14), so an <audio> or <video> element can seek:
    206 with Content-Range for a satisfiable range, 416 for one past the end, the whole file (200) otherwise.
    Several ranges at once are answered with the whole file, which the RFC allows."""
    storage = private_storage()
    size = storage.size(path)
    first, last = 0, size - 1
    status = 200
    match = RANGE.match(request.headers.get("Range", "").strip())
    if match and (match.group(1) or match.group(2)):
        start, end = match.group(1), match.group(2)
        if start:
            first, last = int(start), min(int(end), size - 1) if end else size - 1
        else:  # the last n bytes
            first = max(size - int(end), 0)
        if first >= size or first > last:
            refused = HttpResponse(status=416)
            refused["Content-Range"] = f"bytes */{size}"
            refused["Accept-Ranges"] = "bytes"
            return refused
        status = 206
    length = last - first + 1 if size else 0
    response = StreamingHttpResponse(_read(storage.open(path, "rb"), first, length), status=status,
                                     content_type=content_type)
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    if status == 206:
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    _protect(response, filename, inline=True)  # private, no-store: a seek asks for its range again
    return response


def _read(handle: Any, first: int, length: int) -> Iterator[bytes]:
    with handle:
        handle.seek(first)
        while length > 0:
            block = handle.read(min(_BLOCK, length))
            if not block:
                return
            length -= len(block)
            yield block

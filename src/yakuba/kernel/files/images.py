"""Taking in a photo (a resident's phone photo, an image for a page): checked by its bytes, its place and time read
once from EXIF, then re-encoded from its pixels only, so no camera, location, XMP or comment leaves with it.

`read_photo` is the one way in: it refuses (UploadRejected, in the user's language) an empty or too large file, a
type not accepted, an image bomb (by the header's width × height, before any pixel is decoded) and damaged data; it
writes nothing anywhere. HEIC (iPhone) is read through pillow-heif, registered here once for the whole kernel.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from .uploads import LABELS, UploadRejected, sniff

log = logging.getLogger(__name__)

MB = 1024 * 1024
DEFAULT_ACCEPT = ("image/jpeg", "image/png", "image/heic", "image/heif", "image/webp")
DEFAULT_MAX_BYTES = 20 * MB
# 12, 24 and 48 MP phone photos pass (a 48 MP iPhone photo is 8064 × 6048 = 48.8 M pixels); beyond this an "image" is
# a decompression bomb, refused from its header before any pixel is decoded.
DEFAULT_MAX_PIXELS = 50_000_000
DEFAULT_MAX_SIDE = 2400  # no resident's screen and no clerk's report needs more
JPEG_QUALITY = 85
CAMERA_ZONE = ZoneInfo("Asia/Tokyo")  # a camera's clock has no zone; the town's phones are set to Japan time
ICC_MAX_BYTES = 64 * 1024

# ISO-BMFF brands (the ftyp box) of HEIF files: HEVC-coded stills and sequences from phones, and the generic ones.
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})
_HEIF_BRANDS = frozenset({b"mif1", b"msf1", b"mif2"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
# Pillow's format names for each type: Image.open tries only the decoder of the type the bytes were sniffed as.
_FORMATS = {"image/jpeg": ("JPEG", "MPO"), "image/png": ("PNG",), "image/webp": ("WEBP",),
            "image/heic": ("HEIF",), "image/heif": ("HEIF",), "image/gif": ("GIF",)}

_GPS_IFD = 0x8825
_EXIF_IFD = 0x8769
_DATETIME_ORIGINAL = 0x9003
_DATETIME_DIGITIZED = 0x9004
_OFFSET_TIME_ORIGINAL = 0x9011
_GPS_LATITUDE_REF, _GPS_LATITUDE, _GPS_LONGITUDE_REF, _GPS_LONGITUDE, _GPS_STATUS = 1, 2, 3, 4, 9


class PhotoRejected(UploadRejected):
    """A photo refused; `reason` says which check refused it, for a caller that words its own message."""

    def __init__(self, message: str, reason: str, *, width: int | None = None, height: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason  # "empty", "too_large", "type", "bomb" or "damaged"
        self.width, self.height = width, height


@dataclass(frozen=True)
class Photo:
    data: bytes  # re-encoded from pixels only: no EXIF, no GPS, no XMP, no maker notes, no comments
    content_type: str  # "image/jpeg" for photos, "image/png" when the source has transparency
    width: int
    height: int
    location: tuple[float, float] | None  # (latitude, longitude), WGS84 decimal degrees, from EXIF GPS
    taken_at: datetime | None  # EXIF DateTimeOriginal, aware (the camera's offset if it wrote one, else Japan)
    sha256: str  # of data

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def extension(self) -> str:
        return {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}.get(self.content_type, "")


# pillow-heif ---------------------------------------------------------------------------------------------------------

_heif_lock = threading.Lock()
_heif_state: list[bool] = []  # [available] once registered


def register_heif() -> bool:
    """Teach Pillow to open HEIC/HEIF (pillow-heif), once per process; False when pillow-heif is not installed."""
    if _heif_state:
        return _heif_state[0]
    with _heif_lock:
        if not _heif_state:
            try:
                from pillow_heif import register_heif_opener  # type: ignore[import-not-found,unused-ignore]
            except ImportError:  # without pillow-heif a HEIC photo is refused as unreadable
                _heif_state.append(False)
            else:
                register_heif_opener()
                _heif_state.append(True)
    return _heif_state[0]


# Messages ------------------------------------------------------------------------------------------------------------

def _megabytes(size: int) -> str:
    return f"{size / MB:.1f} MB"


def _limit(size: int) -> str:
    return f"{size / MB:g} MB" if size >= MB else f"{size // 1024} KB"


def describe(accept: tuple[str, ...]) -> str:
    """The accepted types as a person names them: 「JPEG・PNG・HEIC・WebP」 (HEIC and HEIF are one to a resident)."""
    labels = {"image/heif": "HEIC"}
    return "・".join(dict.fromkeys(labels.get(t, LABELS.get(t, t)) for t in accept))


def _empty() -> PhotoRejected:
    return PhotoRejected(_("写真のファイルが空です。写真を選び直してください。"), "empty")


def _too_large(size: int, limit: int) -> PhotoRejected:
    return PhotoRejected(_("写真が大きすぎます（%(size)s）。%(limit)s までにしてください。")
                         % {"size": _megabytes(size), "limit": _limit(limit)}, "too_large")


def _not_accepted(accept: tuple[str, ...]) -> PhotoRejected:
    return PhotoRejected(_("写真として受け付けられない種類のファイルです。%(types)s の写真を選んでください。")
                         % {"types": describe(accept)}, "type")


def _bomb(width: int | None = None, height: int | None = None) -> PhotoRejected:
    if width is None or height is None:
        return PhotoRejected(_("写真の画素数が大きすぎます。小さくしてから、もう一度選んでください。"), "bomb")
    return PhotoRejected(_("写真の画素数が大きすぎます（%(w)s×%(h)s）。小さくしてから、もう一度選んでください。")
                         % {"w": width, "h": height}, "bomb", width=width, height=height)


def _damaged() -> PhotoRejected:
    return PhotoRejected(_("写真を読み取れませんでした。ファイルが壊れていないか確かめて、"
                           "撮り直すか選び直してください。"), "damaged")


# Reading ------------------------------------------------------------------------------------------------------------

def sniff_image(head: bytes) -> str | None:
    """The image type of these first bytes, by content: HEIF by its ftyp brands (filetype misses heix, hevc and
    mif1 without heic), everything else as uploads.sniff says."""
    if len(head) >= 16 and head[4:8] == b"ftyp":
        box = int.from_bytes(head[0:4], "big")
        brands = {head[8:12]} | {head[i:i + 4] for i in range(16, min(box, len(head)) - 3, 4)}
        if brands & _AVIF_BRANDS:
            return "image/avif"
        if brands & _HEIC_BRANDS:
            return "image/heic"
        if brands & _HEIF_BRANDS:
            return "image/heif"
    return sniff(head)


def _bytes_of(upload: UploadedFile[bytes] | bytes, max_bytes: int) -> bytes:
    if isinstance(upload, bytes | bytearray | memoryview):
        data = bytes(upload)
        if len(data) > max_bytes:
            raise _too_large(len(data), max_bytes)
        return data
    size = upload.size or 0
    if size > max_bytes:
        raise _too_large(size, max_bytes)
    upload.seek(0)
    data = upload.read(max_bytes + 1)  # a size the client lied about cannot make us read more than the limit
    upload.seek(0)
    if len(data) > max_bytes:
        raise _too_large(len(data), max_bytes)
    return data


_strict_lock = threading.Lock()
_strict_readers = 0
_lenient_before = False


@contextmanager
def _whole_images_only() -> Iterator[None]:
    """Decode with Pillow's check for truncated files on. WeasyPrint turns the process-wide
    `ImageFile.LOAD_TRUNCATED_IMAGES` on when it is imported (the web process renders PDFs), and a photo cut short by
    an interrupted upload would then be stored half grey instead of refused. The flag is off while any photo is being
    read and back as it was when the last reader ends (a count, so readers in other threads keep it off)."""
    global _strict_readers, _lenient_before
    with _strict_lock:
        if _strict_readers == 0:
            _lenient_before = ImageFile.LOAD_TRUNCATED_IMAGES
            ImageFile.LOAD_TRUNCATED_IMAGES = False
        _strict_readers += 1
    try:
        yield
    finally:
        with _strict_lock:
            _strict_readers -= 1
            if _strict_readers == 0:
                ImageFile.LOAD_TRUNCATED_IMAGES = _lenient_before


def read_photo(upload: UploadedFile[bytes] | bytes, *, max_bytes: int = DEFAULT_MAX_BYTES,
               max_pixels: int = DEFAULT_MAX_PIXELS, max_side: int = DEFAULT_MAX_SIDE,
               accept: tuple[str, ...] = DEFAULT_ACCEPT, keep_type: bool = False,
               quality: int = JPEG_QUALITY) -> Photo:
    """The photo in `upload`, upright, scaled to `max_side`, re-encoded without any metadata; its place and time.

    Photos come out as JPEG, or PNG when they have transparency. With `keep_type` (pages' images), a PNG stays PNG
    and a WebP stays WebP; HEIC still becomes JPEG, as browsers do not show it."""
    data = _bytes_of(upload, max_bytes)
    if not data:
        raise _empty()
    kind = sniff_image(data[:4096])
    if kind is None or kind not in accept or kind not in _FORMATS:
        raise _not_accepted(accept)
    if kind in ("image/heic", "image/heif") and not register_heif():
        raise _damaged()
    try:
        # Pillow refuses over 2 × Image.MAX_IMAGE_PIXELS at open and only warns over it: what it warns about is
        # refused here too (warnings filters are process-wide and not thread-safe, so the size is compared instead).
        limit = min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)
        with _whole_images_only(), Image.open(BytesIO(data), formats=_FORMATS[kind]) as opened:
            # Only the header is read so far: refuse a bomb before a single pixel is decoded.
            if opened.width * opened.height > limit or opened.width <= 0 or opened.height <= 0:
                raise _bomb(opened.width, opened.height)
            location, taken_at = _place_and_time(opened)
            return _encode(opened, kind, location, taken_at, max_side=max_side, keep_type=keep_type,
                           quality=quality)
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _bomb() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError,
            RuntimeError, ZeroDivisionError) as error:  # what decoders raise on damaged or hostile data
        log.info("photo refused as unreadable: %s: %s", type(error).__name__, error)
        raise _damaged() from None


def _encode(opened: Image.Image, kind: str, location: tuple[float, float] | None, taken_at: datetime | None, *,
            max_side: int, keep_type: bool, quality: int) -> Photo:
    icc, source_mode = opened.info.get("icc_profile"), opened.mode
    # Decodes (a JPEG at 1/2, 1/4 or 1/8 scale when that still leaves twice max_side: draft mode), then scales down.
    # Bilinear (antialiased when reducing, as all Pillow filters) costs 2/3 of bicubic on a 12 MP photo and looks
    # the same at 2400 px.
    opened.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
    upright = _with_alpha(ImageOps.exif_transpose(opened))  # orientation applied before anything is stripped
    output = _output_type(kind, upright, keep_type)
    image = _pixels_for(upright, output)
    image.info = {}  # Pillow writes info["comment"], ["exif"], ["xmp"] back by itself in some formats: nothing kept
    options: dict[str, Any] = {}
    profile = _harmless_icc(icc, source_mode, image.mode)
    if profile is not None:
        options["icc_profile"] = profile  # colours of Display P3 phone photos; a colour profile says nothing of anyone
    out = BytesIO()
    if output == "image/jpeg":
        # Baseline with optimised Huffman tables: progressive is 5 % smaller and 2.5 times slower to write.
        image.save(out, "JPEG", quality=quality, optimize=True, exif=b"", **options)
    elif output == "image/webp":
        image.save(out, "WEBP", quality=quality, exif=b"", xmp=b"", **options)
    else:
        image.save(out, "PNG", exif=b"", **options)
    data = out.getvalue()
    return Photo(data=data, content_type=output, width=image.width, height=image.height, location=location,
                 taken_at=taken_at, sha256=hashlib.sha256(data).hexdigest())


def _with_alpha(image: Image.Image) -> Image.Image:
    """A palette or colour-keyed image (tRNS) as one with an alpha channel, so its transparency is pixels, not info."""
    if image.mode in ("P", "PA"):
        if "transparency" in image.info:
            image.apply_transparency()  # the palette takes the transparency (an int or bytes in info)
        return image.convert("RGBA" if image.mode == "PA" or image.palette and image.palette.mode == "RGBA" else "RGB")
    if image.mode in ("RGB", "L", "1") and "transparency" in image.info:
        return image.convert("LA" if image.mode != "RGB" else "RGBA")
    return image


def _has_alpha(image: Image.Image) -> bool:
    if image.mode in ("RGBA", "LA"):
        low, _high = image.getchannel("A").getextrema()  # an alpha channel opaque everywhere is no transparency
        return isinstance(low, int | float) and low < 255
    return False


def _output_type(kind: str, image: Image.Image, keep_type: bool) -> str:
    if keep_type and kind in ("image/png", "image/webp"):
        return kind
    return "image/png" if _has_alpha(image) else "image/jpeg"


def _pixels_for(image: Image.Image, output: str) -> Image.Image:
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):  # 16-bit greyscale (PNG): to 8 bits, not clipped
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if output == "image/jpeg":
        if image.mode in ("L", "RGB"):
            return image
        return image.convert("L" if image.mode in ("1", "LA", "La") else "RGB")
    if image.mode in ("RGBA", "LA", "RGB", "L"):
        return image
    return image.convert("RGBA")


def _harmless_icc(icc: object, source_mode: str, mode: str) -> bytes | None:
    """The source's ICC profile when it is one and fits both the source's pixels and those written (an RGB
    profile for RGB in and out; a CMYK photo converted to RGB loses its profile)."""
    if not isinstance(icc, bytes) or not 128 <= len(icc) <= ICC_MAX_BYTES or icc[36:40] != b"acsp":
        return None
    space = {"RGB ": ("RGB", "RGBA", "P", "PA"), "GRAY": ("L", "LA", "1")}.get(icc[16:20].decode("latin-1"), ())
    return icc if source_mode in space and mode in space else None


# Place and time -----------------------------------------------------------------------------------------------------

def _place_and_time(image: Image.Image) -> tuple[tuple[float, float] | None, datetime | None]:
    try:
        exif = image.getexif()
    except Exception:  # a damaged EXIF block loses the place and time, not the photo
        log.info("unreadable EXIF ignored", exc_info=True)
        return None, None
    try:
        location = location_of(exif.get_ifd(_GPS_IFD))
    except Exception:
        location = None
    try:
        taken_at = taken_at_of(exif.get_ifd(_EXIF_IFD))
    except Exception:
        taken_at = None
    return location, taken_at


def _degrees(value: object) -> float | None:
    """Degrees from EXIF's (degrees, minutes, seconds) rationals (some writers give one decimal number)."""
    parts = value if isinstance(value, tuple | list) else (value,)
    if not 1 <= len(parts) <= 3:
        return None
    total = 0.0
    for part, scale in zip(parts, (1.0, 60.0, 3600.0), strict=False):
        try:
            number = float(part)
        except (TypeError, ValueError, ZeroDivisionError):
            return None
        if not math.isfinite(number) or number < 0:
            return None
        total += number / scale
    return total


def _ref(value: object) -> str:
    text = value.decode("ascii", "replace") if isinstance(value, bytes) else str(value or "")
    return text.strip("\x00 ").upper()


def location_of(gps: dict[int, Any]) -> tuple[float, float] | None:
    """(latitude, longitude) in decimal degrees from an EXIF GPS IFD; None when missing, void or impossible.
    A missing N/S or E/W reference reads as north/east (what Japan is; some phone apps leave it out)."""
    if not gps or _ref(gps.get(_GPS_STATUS)) == "V":  # "V": the receiver had no fix
        return None
    latitude, longitude = _degrees(gps.get(_GPS_LATITUDE)), _degrees(gps.get(_GPS_LONGITUDE))
    if latitude is None or longitude is None:
        return None
    lat_ref, lon_ref = _ref(gps.get(_GPS_LATITUDE_REF)) or "N", _ref(gps.get(_GPS_LONGITUDE_REF)) or "E"
    if lat_ref not in ("N", "S") or lon_ref not in ("E", "W"):
        return None
    latitude = -latitude if lat_ref == "S" else latitude
    longitude = -longitude if lon_ref == "W" else longitude
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or (latitude == 0 and longitude == 0):
        return None
    return round(latitude, 7), round(longitude, 7)


def _offset(value: object) -> timezone | None:
    text = _ref(value)
    if len(text) != 6 or text[0] not in "+-" or text[3] != ":":
        return None
    try:
        hours, minutes = int(text[1:3]), int(text[4:6])
    except ValueError:
        return None
    if hours > 14 or minutes > 59:
        return None
    sign = -1 if text[0] == "-" else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def taken_at_of(exif_ifd: dict[int, Any]) -> datetime | None:
    """When the photo was taken (DateTimeOriginal, else DateTimeDigitized): the camera's own offset when it wrote
    one (OffsetTimeOriginal), else Japan time; None when missing or not a date ("0000:00:00 00:00:00")."""
    raw = exif_ifd.get(_DATETIME_ORIGINAL) or exif_ifd.get(_DATETIME_DIGITIZED)
    text = _ref(raw)[:19]
    try:
        naive = datetime.strptime(text, "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    if naive.year < 1990:
        return None
    zone = _offset(exif_ifd.get(_OFFSET_TIME_ORIGINAL)) or CAMERA_ZONE
    return naive.replace(tzinfo=zone)


# Thumbnails ---------------------------------------------------------------------------------------------------------

def thumbnail(photo: Photo, side: int = 480) -> Photo:
    """A smaller copy of a photo read by read_photo (for lists and public pages): same type, still without metadata."""
    with Image.open(BytesIO(photo.data)) as opened:
        icc, source_mode = opened.info.get("icc_profile"), opened.mode
        opened.thumbnail((side, side))
        image = opened.copy()
    image.info = {}
    options: dict[str, Any] = {}
    profile = _harmless_icc(icc, source_mode, image.mode)
    if profile is not None:
        options["icc_profile"] = profile
    out = BytesIO()
    if photo.content_type == "image/jpeg":
        image.save(out, "JPEG", quality=80, optimize=True, **options)
    elif photo.content_type == "image/webp":
        image.save(out, "WEBP", quality=80, **options)
    else:
        image.save(out, "PNG", **options)
    data = out.getvalue()
    return replace(photo, data=data, width=image.width, height=image.height, sha256=hashlib.sha256(data).hexdigest())

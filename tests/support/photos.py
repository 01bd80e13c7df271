"""Test images as phones send them: HEIC and JPEG with real EXIF GPS and time (and XMP), PNG, WebP, and the hostile
ones (a bomb whose header claims huge dimensions, a file over the size limit, bytes that are no image)."""

from __future__ import annotations

import struct
import zlib
from fractions import Fraction
from io import BytesIO

from PIL import Image, ImageDraw
from PIL.TiffImagePlugin import IFDRational

GPS_IFD = 0x8825
EXIF_IFD = 0x8769
ORIENTATION = 0x0112

# A marker in the top-left corner of every generated photo: tests find it to see which way the photo came out.
MARK = (220, 30, 30)
GROUND = (40, 90, 200)


def _dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    """Decimal degrees as EXIF writes them: whole degrees, whole minutes, seconds to 1/100."""
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = Fraction(round((value - degrees - minutes / 60) * 3600 * 100), 100)
    return IFDRational(degrees, 1), IFDRational(minutes, 1), IFDRational(seconds.numerator, seconds.denominator)


def exif_bytes(lat: float | None = 36.2116, lon: float | None = 138.7889, *, taken: str | None = "2026:11:30 09:15:00",
               orientation: int = 1, offset: str | None = None, maker: str = "Apple") -> bytes:
    """An EXIF block with camera make/model, orientation, DateTimeOriginal and a GPS IFD (lat/lon refs and DMS)."""
    exif = Image.Exif()
    exif[0x010F] = maker
    exif[0x0110] = "iPhone 15"
    exif[ORIENTATION] = orientation
    if taken is not None:
        exif_ifd = exif.get_ifd(EXIF_IFD)
        exif_ifd[0x9003] = taken
        exif_ifd[0x9004] = taken
        if offset is not None:
            exif_ifd[0x9011] = offset
    if lat is not None and lon is not None:
        gps = exif.get_ifd(GPS_IFD)
        gps[0] = b"\x02\x02\x00\x00"
        gps[1] = "N" if lat >= 0 else "S"
        gps[2] = _dms(lat)
        gps[3] = "E" if lon >= 0 else "W"
        gps[4] = _dms(lon)
    return exif.tobytes()


def picture(size: tuple[int, int] = (1200, 900), mode: str = "RGB") -> Image.Image:
    """A photo-like picture (a gradient with a few shapes) with MARK in its top-left corner."""
    width, height = size
    gradient = Image.linear_gradient("L").resize(size)
    image = Image.merge("RGB", (gradient, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
                                Image.new("L", size, GROUND[2])))
    draw = ImageDraw.Draw(image)
    draw.ellipse((width // 3, height // 3, width // 2, height // 2), fill=(250, 250, 240))
    draw.rectangle((0, 0, max(1, width // 5), max(1, height // 5)), fill=MARK)
    return image.convert(mode) if mode != "RGB" else image


def heic_with_gps(lat: float = 36.2116, lon: float = 138.7889, *, taken: str = "2026:11:30 09:15:00",
                  size: tuple[int, int] = (1200, 900), orientation: int = 1, quality: int = 60) -> bytes:
    """An iPhone-like HEIC (x265 through pillow-heif) carrying EXIF GPS, time and orientation."""
    import pillow_heif

    heif = pillow_heif.from_pillow(picture(size))
    out = BytesIO()
    heif.save(out, quality=quality, exif=exif_bytes(lat, lon, taken=taken, orientation=orientation))
    return out.getvalue()


def _with_app1_xmp(jpeg: bytes, xmp: bytes) -> bytes:
    header = b"http://ns.adobe.com/xap/1.0/\x00"
    segment = b"\xff\xe1" + struct.pack(">H", len(header) + len(xmp) + 2) + header + xmp
    return jpeg[:2] + segment + jpeg[2:]


XMP_GPS = (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>'
           b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           b'<rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/"'
           b' exif:GPSLatitude="36,12.696N" exif:GPSLongitude="138,47.334E"/>'
           b'</rdf:RDF></x:xmpmeta><?xpacket end="w"?>')


def jpeg_with_gps(lat: float | None = 36.2116, lon: float | None = 138.7889, *,
                  taken: str | None = "2026:11:30 09:15:00", size: tuple[int, int] = (1200, 900),
                  orientation: int = 1, xmp: bool = False, comment: bytes = b"", offset: str | None = None,
                  quality: int = 85) -> bytes:
    """A phone JPEG with EXIF GPS and time; with `xmp`, also an XMP packet holding the location (as photo editors
    write it); with `comment`, a COM segment."""
    out = BytesIO()
    picture(size).save(out, "JPEG", quality=quality,
                       exif=exif_bytes(lat, lon, taken=taken, orientation=orientation, offset=offset),
                       comment=comment)
    data = out.getvalue()
    return _with_app1_xmp(data, XMP_GPS) if xmp else data


def png_bytes(size: tuple[int, int] = (320, 240), *, alpha: bool = False, text: str = "") -> bytes:
    """A PNG; with `alpha`, a transparent border; with `text`, a tEXt chunk (metadata that must not survive)."""
    from PIL.PngImagePlugin import PngInfo

    image = picture(size, "RGBA" if alpha else "RGB")
    if alpha:
        ImageDraw.Draw(image).rectangle((0, size[1] - max(1, size[1] // 4), size[0], size[1]), fill=(0, 0, 0, 0))
    info = PngInfo()
    if text:
        info.add_text("Comment", text)
    out = BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def webp_bytes(size: tuple[int, int] = (320, 240), *, with_exif: bool = True) -> bytes:
    out = BytesIO()
    picture(size).save(out, "WEBP", quality=80, exif=exif_bytes() if with_exif else b"")
    return out.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header claims width × height pixels (a decompression bomb's calling card)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    pixels = zlib.compress(b"\x00" * 1024, 9)  # the start of an all-black first row: decoding would never end
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b"")


def not_an_image() -> bytes:
    return "これは写真ではありません。町道の街灯が切れています。\n".encode() * 20


def big_jpeg(mb: float = 30) -> bytes:
    """A real JPEG padded after its end marker to `mb` megabytes (MiB, as the limits count)."""
    data = jpeg_with_gps(size=(640, 480))
    return data + b"\x00" * max(0, int(mb * 1024 * 1024) - len(data) + 1)


def truncated(data: bytes, keep: float = 0.5) -> bytes:
    """The first part of an image file, as an interrupted upload leaves it."""
    return data[: max(64, int(len(data) * keep))]

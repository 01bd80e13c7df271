"""kernel.files.images: a photo's place and time read once, then nothing but its pixels kept; every refusal says why."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms
from PIL.TiffImagePlugin import IFDRational

from tests.support import photos
from yakuba.kernel.files.images import (
    Photo,
    location_of,
    read_photo,
    register_heif,
    sniff_image,
    taken_at_of,
    thumbnail,
)
from yakuba.kernel.files.uploads import UploadRejected

TOKYO = ZoneInfo("Asia/Tokyo")
SHIMONITA = (36.2116, 138.7889)


def opened(photo: Photo) -> Image.Image:
    image = Image.open(BytesIO(photo.data))
    image.load()
    return image


def assert_stripped(photo: Photo) -> None:
    image = opened(photo)
    assert not image.getexif()
    assert not {"exif", "xmp", "XML:com.adobe.xmp", "comment", "Comment"} & set(image.info)
    for marker in (b"Exif", b"GPS", b"xmpmeta", b"ns.adobe.com", b"Apple", b"iPhone"):
        assert marker not in photo.data, marker
    assert photo.sha256 == hashlib.sha256(photo.data).hexdigest()
    assert (image.width, image.height) == (photo.width, photo.height)


def near(a: tuple[float, float] | None, b: tuple[float, float]) -> bool:
    return a is not None and abs(a[0] - b[0]) < 1e-5 and abs(a[1] - b[1]) < 1e-5


# The factories carry what a phone writes ------------------------------------------------------------------------------

def test_the_heic_factory_really_carries_gps_and_time():
    import pillow_heif

    data = photos.heic_with_gps()
    heif = pillow_heif.open_heif(BytesIO(data))
    exif = Image.Exif()
    exif.load(heif.info["exif"])
    gps = exif.get_ifd(photos.GPS_IFD)
    assert gps[1] == "N" and gps[3] == "E"
    assert [float(v) for v in gps[2]] == [36.0, 12.0, 41.76]
    assert exif.get_ifd(photos.EXIF_IFD)[0x9003] == "2026:11:30 09:15:00"
    assert sniff_image(data) == "image/heic"


def test_the_jpeg_factory_carries_exif_and_xmp_gps():
    data = photos.jpeg_with_gps(xmp=True)
    with Image.open(BytesIO(data)) as image:
        assert image.getexif().get_ifd(photos.GPS_IFD)[1] == "N"
        assert b"exif:GPSLatitude" in (image.info.get("xmp") or b"")


# Place and time ---------------------------------------------------------------------------------------------------

def test_a_heic_gives_its_place_and_time_and_comes_out_a_stripped_jpeg():
    photo = read_photo(photos.heic_with_gps())
    assert photo.content_type == "image/jpeg" and (photo.width, photo.height) == (1200, 900)
    assert near(photo.location, SHIMONITA)
    assert photo.taken_at == datetime(2026, 11, 30, 9, 15, tzinfo=TOKYO)
    assert opened(photo).format == "JPEG"
    assert_stripped(photo)


def test_a_jpeg_gives_its_place_and_time_and_keeps_nothing_else():
    photo = read_photo(photos.jpeg_with_gps(-33.8568, -151.2153, comment=b"Taken by Hanako"))
    assert near(photo.location, (-33.8568, -151.2153))
    assert photo.taken_at == datetime(2026, 11, 30, 9, 15, tzinfo=TOKYO)
    assert b"Hanako" not in photo.data
    assert_stripped(photo)


def test_the_cameras_own_offset_wins_over_japan_time():
    photo = read_photo(photos.jpeg_with_gps(taken="2026:07:01 18:00:00", offset="-07:00"))
    assert photo.taken_at == datetime(2026, 7, 1, 18, 0, tzinfo=timezone(timedelta(hours=-7)))


def test_a_photo_without_gps_or_time_has_none():
    photo = read_photo(photos.jpeg_with_gps(None, None, taken=None))
    assert photo.location is None and photo.taken_at is None


def test_xmp_location_written_by_a_photo_editor_is_gone():
    source = photos.jpeg_with_gps(xmp=True)
    assert b"GPSLatitude" in source
    photo = read_photo(source)
    assert b"GPSLatitude" not in photo.data and "xmp" not in opened(photo).info
    assert_stripped(photo)


def dms(*values: float | tuple[int, int]) -> tuple[IFDRational, ...]:
    return tuple(IFDRational(*v) if isinstance(v, tuple) else IFDRational(v) for v in values)


@pytest.mark.parametrize(("gps", "expected"), [
    ({1: "N", 2: dms(36, 12, 41.76), 3: "E", 4: dms(138, 47, 20.04)}, SHIMONITA),
    ({1: "S", 2: dms(33, 51, 24.48), 3: "W", 4: dms(151, 12, 55.08)}, (-33.8568, -151.2153)),
    ({2: dms(36, 12, 41.76), 4: dms(138, 47, 20.04)}, SHIMONITA),  # no refs: north and east
    ({1: b"N\x00", 2: (IFDRational(36.2116),), 3: b"E\x00", 4: (IFDRational(138.7889),)}, SHIMONITA),
    ({1: "N", 2: dms(36, (0, 0), 0), 3: "E", 4: dms(138, 47, 20.04)}, None),  # 0/0 minutes
    ({1: "N", 2: dms(0, 0, 0), 3: "E", 4: dms(0, 0, 0)}, None),  # (0, 0) is no place
    ({1: "N", 2: dms(95, 0, 0), 3: "E", 4: dms(138, 0, 0)}, None),
    ({1: "N", 2: dms(36, 0, 0), 3: "X", 4: dms(138, 0, 0)}, None),
    ({1: "N", 2: dms(36, 0, 0), 3: "E", 4: dms(138, 0, 0), 9: "V"}, None),  # receiver had no fix
    ({1: "N", 2: dms(36, 0, 0), 3: "E"}, None),
    ({1: "N", 2: "thirty-six", 3: "E", 4: dms(138, 0, 0)}, None),
    ({}, None),
])
def test_gps_is_read_from_degrees_minutes_seconds_with_refs(gps, expected):
    found = location_of(gps)
    assert found == expected if expected is None else near(found, expected)


@pytest.mark.parametrize(("ifd", "expected"), [
    ({0x9003: "2026:11:30 09:15:00"}, datetime(2026, 11, 30, 9, 15, tzinfo=TOKYO)),
    ({0x9004: "2026:11:30 09:15:00\x00"}, datetime(2026, 11, 30, 9, 15, tzinfo=TOKYO)),
    ({0x9003: "2026:11:30 09:15:00", 0x9011: "+02:00"}, datetime(2026, 11, 30, 9, 15,
                                                                  tzinfo=timezone(timedelta(hours=2)))),
    ({0x9003: "2026:11:30 09:15:00", 0x9011: "garbage"}, datetime(2026, 11, 30, 9, 15, tzinfo=TOKYO)),
    ({0x9003: "0000:00:00 00:00:00"}, None),
    ({0x9003: "    :  :     :  :  "}, None),
    ({}, None),
])
def test_the_time_taken(ifd, expected):
    assert taken_at_of(ifd) == expected


# Upright, scaled, in the right type ----------------------------------------------------------------------------------

def mark_at(image: Image.Image) -> str:
    corners = {"top-left": (4, 4), "top-right": (image.width - 5, 4), "bottom-left": (4, image.height - 5),
               "bottom-right": (image.width - 5, image.height - 5)}
    near_mark = [name for name, xy in corners.items()
                 if sum(abs(a - b) for a, b in zip(image.convert("RGB").getpixel(xy), photos.MARK, strict=True)) < 60]
    assert len(near_mark) == 1, near_mark
    return near_mark[0]


@pytest.mark.parametrize("make", [photos.jpeg_with_gps, photos.heic_with_gps])
@pytest.mark.parametrize(("orientation", "corner"), [(1, "top-left"), (3, "bottom-right"), (6, "top-right"),
                                                     (8, "bottom-left")])
def test_a_photo_comes_out_upright(make, orientation, corner):
    photo = read_photo(make(size=(400, 300), orientation=orientation))
    assert (photo.width, photo.height) == ((300, 400) if orientation in (6, 8) else (400, 300))
    assert mark_at(opened(photo)) == corner
    assert_stripped(photo)


def test_a_big_photo_is_scaled_to_the_longest_side():
    photo = read_photo(photos.jpeg_with_gps(size=(4032, 3024)))
    assert (photo.width, photo.height) == (2400, 1800)
    assert near(photo.location, SHIMONITA)
    small = read_photo(photos.jpeg_with_gps(size=(4032, 3024)), max_side=1000)
    assert (small.width, small.height) == (1000, 750)


def test_a_png_with_transparency_stays_png_and_an_opaque_one_becomes_jpeg():
    clear = read_photo(photos.png_bytes(alpha=True, text="secret note"))
    assert clear.content_type == "image/png" and opened(clear).mode == "RGBA"
    assert opened(clear).getchannel("A").getextrema()[0] == 0
    assert b"secret note" not in clear.data
    assert_stripped(clear)
    assert read_photo(photos.png_bytes()).content_type == "image/jpeg"
    assert read_photo(photos.png_bytes(), keep_type=True).content_type == "image/png"


def test_a_webp_is_read_with_its_exif_then_stripped():
    photo = read_photo(photos.webp_bytes())
    assert photo.content_type == "image/jpeg" and near(photo.location, SHIMONITA)
    assert_stripped(photo)
    kept = read_photo(photos.webp_bytes(), keep_type=True)
    assert kept.content_type == "image/webp" and opened(kept).format == "WEBP"
    assert_stripped(kept)


def test_an_rgb_colour_profile_is_kept_and_a_cmyk_one_is_not():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = BytesIO()
    photos.picture((200, 150)).save(out, "JPEG", icc_profile=srgb, exif=photos.exif_bytes())
    assert opened(read_photo(out.getvalue())).info.get("icc_profile") == srgb
    cmyk = BytesIO()
    photos.picture((200, 150)).convert("CMYK").save(cmyk, "JPEG", icc_profile=srgb)  # a profile that does not fit
    photo = read_photo(cmyk.getvalue())
    assert opened(photo).mode == "RGB" and "icc_profile" not in opened(photo).info


def test_palette_and_colour_key_transparency_is_kept_as_alpha():
    palette = Image.new("P", (40, 30), 0)
    palette.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0])
    palette.paste(2, (0, 0, 10, 10))
    for transparency, expected in ((0, "image/png"), (1, "image/jpeg")):  # index 1 is unused: opaque
        out = BytesIO()
        palette.save(out, "PNG", transparency=transparency)
        assert read_photo(out.getvalue()).content_type == expected
    keyed = BytesIO()
    Image.new("RGB", (40, 30), (1, 2, 3)).save(keyed, "PNG", transparency=(1, 2, 3))
    photo = read_photo(keyed.getvalue())
    assert photo.content_type == "image/png" and opened(photo).getpixel((1, 1)) == (1, 2, 3, 0)


def test_a_16_bit_grey_png_is_scaled_to_8_bits_not_clipped():
    out = BytesIO()
    Image.new("I;16", (40, 30), 40_000).save(out, "PNG")
    assert abs(opened(read_photo(out.getvalue())).getpixel((1, 1)) - 156) <= 2


def test_a_grey_jpeg_stays_grey():
    out = BytesIO()
    photos.picture((120, 90), "L").save(out, "JPEG")
    assert opened(read_photo(out.getvalue())).mode == "L"


def test_the_type_comes_from_the_bytes_not_the_name():
    upload = SimpleUploadedFile("IMG_0001.png", photos.heic_with_gps(size=(64, 48)), "image/png")
    photo = read_photo(upload)
    assert photo.content_type == "image/jpeg" and near(photo.location, SHIMONITA)
    fake = SimpleUploadedFile("IMG_0002.heic", photos.not_an_image(), "image/heic")
    with pytest.raises(UploadRejected):
        read_photo(fake)


@pytest.mark.parametrize(("head", "expected"), [
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "image/heic"),
    (b"\x00\x00\x00\x18ftypheix\x00\x00\x00\x00mif1heix", "image/heic"),
    (b"\x00\x00\x00\x18ftyphevc\x00\x00\x00\x00msf1hevc", "image/heic"),
    (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic", "image/heic"),
    (b"\x00\x00\x00\x14ftypmif1\x00\x00\x00\x00mif1", "image/heif"),
    (b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00mif1avif", "image/avif"),
    (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42", "video/mp4"),
])
def test_heif_is_told_by_its_brands(head, expected):
    assert sniff_image(head + b"\x00" * 64) == expected


def test_thumbnail_is_small_and_still_stripped():
    photo = read_photo(photos.heic_with_gps(size=(1200, 900)))
    small = thumbnail(photo)
    assert (small.width, small.height) == (480, 360) and small.content_type == "image/jpeg"
    assert small.location == photo.location and small.taken_at == photo.taken_at
    assert small.sha256 != photo.sha256
    assert_stripped(small)
    clear = thumbnail(read_photo(photos.png_bytes((1000, 500), alpha=True)), side=100)
    assert clear.content_type == "image/png" and (clear.width, clear.height) == (100, 50)


def test_read_photo_writes_nothing(tmp_path, monkeypatch, settings):
    from django.core.files.storage import storages

    def refuse(*args, **kwargs):
        raise AssertionError("read_photo must not write")

    monkeypatch.setattr(storages["private"].__class__, "save", refuse)
    monkeypatch.setattr(storages["default"].__class__, "save", refuse)
    read_photo(photos.heic_with_gps(size=(64, 48)))


# Refusals ----------------------------------------------------------------------------------------------------------

def refusal(data, **options) -> str:
    with pytest.raises(UploadRejected) as raised:
        read_photo(data, **options)
    return str(raised.value)


def test_an_empty_file_is_refused():
    message = "写真のファイルが空です。写真を選び直してください。"
    assert refusal(b"") == message
    assert refusal(SimpleUploadedFile("a.jpg", b"", "image/jpeg")) == message


def test_a_file_over_the_limit_is_refused_with_its_size_and_the_limit():
    assert refusal(photos.big_jpeg(30)) == "写真が大きすぎます（30.0 MB）。20 MB までにしてください。"
    upload = SimpleUploadedFile("big.jpg", photos.big_jpeg(12), "image/jpeg")
    assert refusal(upload, max_bytes=10 * 1024 * 1024) == "写真が大きすぎます（12.0 MB）。10 MB までにしてください。"


def test_what_is_not_an_accepted_image_is_refused_naming_the_types():
    message = "写真として受け付けられない種類のファイルです。JPEG・PNG・HEIC・WebP の写真を選んでください。"
    assert refusal(photos.not_an_image()) == message
    gif = BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    assert refusal(gif.getvalue()) == message
    assert refusal(b"%PDF-1.7\n" + b"0" * 100) == message
    assert refusal(photos.png_bytes(), accept=("image/jpeg", "image/heic")) == (
        "写真として受け付けられない種類のファイルです。JPEG・HEIC の写真を選んでください。")


def test_an_image_bomb_is_refused_from_its_header():
    assert refusal(photos.bomb_png()) == "写真の画素数が大きすぎます。小さくしてから、もう一度選んでください。"
    # under Pillow's own limit, over ours: the header's size is refused before a pixel is decoded (decoding this
    # file would fail as damaged, so the message proves the order)
    assert refusal(photos.bomb_png(9000, 6000)) == (
        "写真の画素数が大きすぎます（9000×6000）。小さくしてから、もう一度選んでください。")
    assert "（1200×900）" in refusal(photos.heic_with_gps(size=(1200, 900)), max_pixels=1_000_000)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_pillow_bomb_warning_is_a_refusal_too(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    assert refusal(photos.png_bytes((40, 30)), max_pixels=10**9).startswith("写真の画素数が大きすぎます")


@pytest.mark.parametrize("make", [photos.jpeg_with_gps, photos.heic_with_gps, photos.png_bytes, photos.webp_bytes])
def test_a_truncated_photo_is_refused(make):
    assert refusal(photos.truncated(make(), 0.4)) == (
        "写真を読み取れませんでした。ファイルが壊れていないか確かめて、撮り直すか選び直してください。")


def test_corrupt_data_behind_a_good_header_is_refused():
    data = bytearray(photos.jpeg_with_gps(size=(200, 150)))
    data[600:] = b"\xff" * (len(data) - 600)
    assert refusal(bytes(data)).startswith("写真を読み取れませんでした。")
    assert refusal(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200).startswith("写真を読み取れませんでした。")


def test_pillow_heif_is_registered_once():
    assert register_heif() is True and register_heif() is True
    assert Image.registered_extensions().get(".heic") == "HEIF"


# Any small image comes out as pixels only ----------------------------------------------------------------------------

@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(width=st.integers(1, 80), height=st.integers(1, 80), mode=st.sampled_from(["RGB", "RGBA", "L", "P", "LA"]),
       fmt=st.sampled_from(["JPEG", "PNG", "WEBP"]), orientation=st.integers(1, 8), seed=st.binary(min_size=3,
                                                                                                   max_size=3))
def test_any_small_image_comes_out_stripped(width, height, mode, fmt, orientation, seed):
    image = Image.frombytes("RGB", (width, height), (seed * (width * height))[: width * height * 3]).convert(mode)
    if fmt == "JPEG" and mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = BytesIO()
    image.save(out, fmt, exif=photos.exif_bytes(orientation=orientation))
    photo = read_photo(out.getvalue())
    assert photo.content_type in ("image/jpeg", "image/png")
    assert {photo.width, photo.height} == {width, height}
    assert near(photo.location, SHIMONITA)
    assert_stripped(photo)


def test_a_cut_short_photo_is_refused_even_after_weasyprint_made_pillow_lenient():
    import weasyprint  # noqa: F401  (importing it turns ImageFile.LOAD_TRUNCATED_IMAGES on for the whole process)
    from PIL import ImageFile

    lenient = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = True
    try:
        with pytest.raises(UploadRejected):
            read_photo(photos.truncated(photos.jpeg_with_gps(), 0.4))
        assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # as it was, for WeasyPrint's own images
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient

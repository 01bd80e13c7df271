"""A page's images go through kernel.files.images: upright, without EXIF, GPS, XMP or comments, in the type they
came in (a GIF as it is); the website's own messages for a pixel bomb and a damaged image."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope
from PIL import Image

from tests.support import photos
from tests.website.support import cast, published
from yakuba.kernel.files.uploads import private_storage
from yakuba.kernel.refusal import Refused
from yakuba.website.models import Asset
from yakuba.website.services import assets

pytestmark = pytest.mark.django_db


def stored(asset: Asset) -> tuple[bytes, Image.Image]:
    with private_storage().open(asset.path) as file:
        data = file.read()
    image = Image.open(io.BytesIO(data))
    image.load()
    return data, image


@pytest.fixture
def upload(town_a):
    people = cast(town_a)
    page = published(town_a, people.clerk)

    def send(name: str, data: bytes) -> Asset:
        with scope(municipality=town_a):
            return assets.upload(people.clerk, page, SimpleUploadedFile(name, data))

    return send


def test_a_phone_jpeg_is_stored_upright_without_location_or_xmp(town_a, upload):
    asset = upload("IMG_0001.jpg", photos.jpeg_with_gps(size=(400, 300), orientation=6, xmp=True, comment=b"Hanako"))
    data, image = stored(asset)
    assert (asset.content_type, asset.width, asset.height) == ("image/jpeg", 300, 400)
    assert (image.width, image.height) == (300, 400) and not image.getexif()
    assert asset.size == len(data)
    for marker in (b"Exif", b"GPS", b"xmpmeta", b"Hanako"):
        assert marker not in data


def test_a_png_stays_png_and_a_webp_stays_webp(town_a, upload):
    png = upload("map.png", photos.png_bytes((200, 100)))
    assert png.content_type == "image/png" and stored(png)[1].format == "PNG"
    webp = upload("map.webp", photos.webp_bytes((200, 100)))
    data, image = stored(webp)
    assert webp.content_type == "image/webp" and image.format == "WEBP" and b"Exif" not in data


def test_a_gif_is_kept_as_it_is(town_a, upload):
    out = io.BytesIO()
    frames = [Image.new("P", (30, 20), colour) for colour in (1, 2)]
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=200)
    asset = upload("anim.gif", out.getvalue())
    assert asset.content_type == "image/gif" and stored(asset)[0] == out.getvalue()


def test_a_bomb_and_a_damaged_image_get_the_websites_messages(town_a, upload):
    with pytest.raises(Refused) as raised:
        upload("huge.png", photos.bomb_png(9000, 6000))
    assert "画像の縦横の画素数が大きすぎます（9000×6000）" in str(raised.value.errors)
    with pytest.raises(Refused) as raised:
        upload("broken.jpg", photos.truncated(photos.jpeg_with_gps(), 0.4))
    assert "画像を読み取れませんでした" in str(raised.value.errors)
    with scope(municipality=town_a):
        assert not Asset.objects.exists()

"""Photo intake (kernel/files/images.py, 通報 with photos): photos per second through `read_photo`.

Each photo is photo-like (gradient, shapes and sensor-like noise, so the files weigh what a phone's do) and carries EXIF
GPS, time and orientation. Measured, median over repeated runs in one process:
(a) HEIC in (x265 via pillow-heif, as an iPhone sends it), 4032 × 3024 (12 MP) and 1200 × 900: `read_photo` (sniff,
    header check, EXIF read, decode, scale to 2400, upright, JPEG q85 with optimised Huffman tables, sha256);
(b) JPEG in, the same two sizes;
(c) `thumbnail` (480 px) of a stored photo;
ceiling: Pillow's plain decode of the same file in the same run (`Image.open` + `load`, pillow-heif registered), with
no check, no scaling and no encoding: read_photo cannot be faster than its decode, except for JPEG, where it decodes
at a reduced scale (draft mode) when the photo is to be scaled down by 2 or more.

Run: .venv/bin/python bench/photo_bench.py [repeats]   (prints figures; never asserts)
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
REPEATS = int(sys.argv[1]) if len(sys.argv) > 1 else 15


def photo_like(size: tuple[int, int]):  # noqa: ANN201 - PIL.Image, imported after Django
    from PIL import Image, ImageChops
    from tests.support import photos

    picture = photos.picture(size)
    noise = Image.effect_noise(size, 10).convert("RGB")
    return ImageChops.add(picture, noise, scale=1.0, offset=-100)


def heic(size: tuple[int, int]) -> bytes:
    import pillow_heif
    from tests.support import photos

    out = BytesIO()
    pillow_heif.from_pillow(photo_like(size)).save(out, quality=70, exif=photos.exif_bytes(orientation=6))
    return out.getvalue()


def jpeg(size: tuple[int, int]) -> bytes:
    from tests.support import photos

    out = BytesIO()
    photo_like(size).save(out, "JPEG", quality=90, exif=photos.exif_bytes(orientation=6))
    return out.getvalue()


def timed(work: Callable[[], object], repeats: int) -> float:
    work()  # warm: the first call pays for imports and the codec's set-up
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yakuba.settings")
    import django

    django.setup()
    from PIL import Image

    from yakuba.kernel.files.images import read_photo, register_heif, thumbnail

    register_heif()

    def plain(data: bytes) -> None:
        with Image.open(BytesIO(data)) as image:
            image.load()

    print(f"Photo intake (read_photo): {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}, "
          f"{REPEATS} runs per figure (median)")
    cases = [("(a) HEIC", heic, (4032, 3024)), ("(a) HEIC", heic, (1200, 900)),
             ("(b) JPEG", jpeg, (4032, 3024)), ("(b) JPEG", jpeg, (1200, 900))]
    kept = None
    for label, make, size in cases:
        data = make(size)
        photo = read_photo(data)
        intake = timed(lambda data=data: read_photo(data), REPEATS)
        decode = timed(lambda data=data: plain(data), REPEATS)
        print(f"{label} {size[0]}×{size[1]} ({len(data) / 1e6:.2f} MB in → {len(photo.data) / 1e6:.2f} MB "
              f"{photo.width}×{photo.height} JPEG): read_photo {intake * 1000:.0f} ms = {1 / intake:.1f} photos/s; "
              f"ceiling: Pillow's plain decode (open + load) {decode * 1000:.0f} ms = {1 / decode:.1f}/s; "
              f"ratio read_photo / decode {intake / decode:.2f}")
        if size == (4032, 3024) and label.endswith("HEIC"):
            kept = photo
    if kept is not None:
        small = timed(lambda: thumbnail(kept), REPEATS)
        print(f"(c) thumbnail 480 px of a stored {kept.width}×{kept.height} photo: {small * 1000:.1f} ms "
              f"= {1 / small:.0f}/s")


if __name__ == "__main__":
    main()

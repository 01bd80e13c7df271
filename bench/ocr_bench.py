"""OCR of a scanned 10-page Japanese letter (kernel/files/ocr.py): seconds per page and character error rate.

The pages are generated: known Japanese text drawn with Noto Sans CJK onto A4 at 300 dpi, with speckle noise and a
slight tilt, saved as an image-only PDF (as a scanner gives it). Measured:
(a) the whole PDF through `ocr.read` (OCRmyPDF + Tesseract jpn, text layer added): seconds per page;
(b) each page as a PNG through `ocr.read` (Tesseract directly): median and p90 seconds per page;
(c) character error rate per page (Levenshtein distance ÷ length of the known text, whitespace ignored): median,
    worst, and the whole document;
ceiling: a bare `tesseract page.png stdout -l jpn` on the same pages (no wrapper, no normalisation, only Japanese),
with Tesseract's default OpenMP threads and with one thread (what ocr.py runs), median seconds.

Run: .venv/bin/python bench/ocr_bench.py [pages]   (prints; never asserts; needs tesseract-ocr-jpn)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

PAGES = int(sys.argv[1]) if len(sys.argv) > 1 else 10
DPI = 300

SENTENCES = [
    "日頃より町政の推進にご理解とご協力をいただき、厚くお礼申し上げます。",
    "さて、町道三号線の馬山橋付近では舗装の傷みが進み、雨の日には大きな水たまりができています。",
    "通学する児童が車道に出て歩くことがあり、地区の住民から不安の声が上がっています。",
    "つきましては、下記のとおり早急な補修と安全対策を講じていただきますようお願い申し上げます。",
    "一、舗装の穴の補修と路面の排水の改善をお願いします。",
    "二、通学路の区間にガードレールか路側帯の表示を設けてください。",
    "三、工事の予定が決まりましたら、区長会までお知らせください。",
    "なお、地区の負担金が必要な場合は、その額と納期をあらかじめお示しください。",
    "令和八年度の予算の状況は承知しておりますが、何とぞ格別のご配慮をお願いいたします。",
    "本件についてのご回答は、十二月二十五日までに文書でいただけますと幸いです。",
    "添付資料として、現地の写真と地区の通学路の地図を同封いたします。",
    "お問い合わせは、馬山地区区長会の事務局（電話〇二七四・八二・二一一一）までお願いします。",
]


def page_text(page: int) -> list[str]:
    """About 20 lines of 28 characters or fewer: the letter's sentences, rotated per page, wrapped."""
    lines = [f"要望書（{page + 1}／{PAGES}）", "下仁田町長 様", ""]
    for index in range(8):
        sentence = SENTENCES[(page * 3 + index) % len(SENTENCES)]
        while sentence:
            lines.append(sentence[:28])
            sentence = sentence[28:]
    return lines


def distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def compact(text: str) -> str:
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", text).split())


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yakuba.settings")
    import django

    django.setup()
    from yakuba.approvals.demo.filing import render_pages
    from yakuba.kernel.files import ocr

    if not ocr.available():
        print("tesseract with the Japanese model is not installed (Debian: tesseract-ocr tesseract-ocr-jpn)")
        return
    texts = [page_text(page) for page in range(PAGES)]
    images = render_pages(texts, dpi=DPI, noise=1.0)
    pdf = BytesIO()
    images[0].save(pdf, "PDF", resolution=DPI, save_all=True, append_images=images[1:])
    pngs = []
    for image in images:
        out = BytesIO()
        image.save(out, "PNG", dpi=(DPI, DPI))
        pngs.append(out.getvalue())
    print(f"{PAGES} pages, A4 at {DPI} dpi with noise; PDF {len(pdf.getvalue()) / 1e6:.1f} MB; "
          f"{sum(len(compact(''.join(t))) for t in texts)} characters of known text")

    started = time.perf_counter()
    whole = ocr.read(pdf.getvalue(), "application/pdf")
    elapsed = time.perf_counter() - started
    known_all = compact("".join("".join(t) for t in texts))
    layer = "added" if whole.searchable_pdf else "not added"
    rate = distance(compact(whole.text), known_all) / len(known_all)
    print(f"(a) whole PDF via ocr.read ({whole.outcome}, text layer {layer}): {elapsed:.1f} s, "
          f"{elapsed / PAGES:.2f} s/page; CER of the document {rate:.3f}")

    seconds, rates = [], []
    for text, png in zip(texts, pngs, strict=True):
        started = time.perf_counter()
        reading = ocr.read(png, "image/png")
        seconds.append(time.perf_counter() - started)
        known = compact("".join(text))
        rates.append(distance(compact(reading.text), known) / len(known))
    print(f"(b) page images via ocr.read: median {statistics.median(seconds):.2f} s/page, "
          f"p90 {sorted(seconds)[int(0.9 * (len(seconds) - 1))]:.2f} s/page")
    print(f"(c) character error rate per page: median {statistics.median(rates):.3f}, worst {max(rates):.3f}")

    for label, env in (("default threads", dict(os.environ)), ("OMP_THREAD_LIMIT=1", {**os.environ,
                                                                                       "OMP_THREAD_LIMIT": "1"})):
        bare = []
        with tempfile.TemporaryDirectory() as folder:
            for index, png in enumerate(pngs):
                path = Path(folder, f"p{index}.png")
                path.write_bytes(png)
                started = time.perf_counter()
                subprocess.run(["tesseract", str(path), "stdout", "-l", "jpn"], capture_output=True, check=False,
                               env=env)
                bare.append(time.perf_counter() - started)
        print(f"ceiling: bare `tesseract -l jpn` ({label}): median {statistics.median(bare):.2f} s/page")


if __name__ == "__main__":
    main()

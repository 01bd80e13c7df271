"""Benchmark: furigana on a realistic resident page, against plain HTML parsing of the same page.

Run with ``.venv/bin/python bench/furigana_bench.py [runs]``. Prints figures, asserts nothing.

The page is built from the first ~15,000 characters of a real town DX plan (a seed text), one <p> per
paragraph, with a header, navigation and footer as on a resident page. Figures are medians:

* parse only   — ``html.parser.HTMLParser`` reading the page with no handlers (the baseline);
* add_ruby     — cold: text-node cache cleared before every run, so every text node is tokenised;
* add_ruby     — warm: text-node cache kept (what a second, slightly different page costs);
* cached       — ``add_ruby_cached`` once the page is in Django's (local memory) cache.
"""

from __future__ import annotations

import html
import statistics
import sys
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import django
from django.conf import settings

from yakuba.kernel.ui import furigana

# The checkout sits beside shared/ (../shared/seeds/), as on every developer machine and in CI.
SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_ffb1246b6e1f852c.txt"
SEED_CHARS = 15_000

HEADER = """<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>下仁田町DX推進計画 | 下仁田町役場</title>
<link rel="stylesheet" href="/static/ui/css/base.css">
<script src="/static/ui/js/app.js" defer></script>
</head>
<body class="public">
<a class="skip-link" href="#main">本文へ移動</a>
<header class="site-header">
  <a class="site-header__home" href="/t/10382/">下仁田町役場</a>
  <form method="post" action="/prefs/" class="tools">
    <input type="hidden" name="csrfmiddlewaretoken" value="abc123">
    <button name="size" value="large">文字を大きく</button>
    <button class="no-furigana" name="furigana" value="0">ふりがな</button>
    <select name="language">
      <option value="ja" selected>日本語</option><option value="en">English</option>
    </select>
  </form>
</header>
<nav aria-label="メインメニュー"><ul>
  <li><a href="/t/10382/">ホーム</a></li>
  <li><a href="/t/10382/procedures/">手続き・申請</a></li>
  <li><a href="/t/10382/life/">くらしの情報</a></li>
  <li><a href="/t/10382/contact/">お問い合わせ</a></li>
</ul></nav>
<main id="main">
<h1>下仁田町DX推進計画</h1>
"""

FOOTER = """</main>
<footer class="site-footer">
  <p>下仁田町役場 〒370-2601 群馬県甘楽郡下仁田町大字下仁田682番地</p>
  <p>電話 0274-82-2111 &middot; 開庁時間 平日 8時30分～17時15分</p>
  <p><small>&copy; 下仁田町</small></p>
</footer>
</body>
</html>
"""


def build_page() -> str:
    text = SEED.read_text(encoding="utf-8")[:SEED_CHARS]
    paragraphs = [" ".join(block.split()) for block in text.split("\n\n")]
    body = "\n".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in paragraphs if paragraph)
    return HEADER + body + "\n" + FOOTER


def median_ms(function: Callable[[], object], runs: int, before: Callable[[], object] | None = None) -> float:
    times: list[float] = []
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def parse_only(page: str) -> None:
    parser = HTMLParser(convert_charrefs=False)
    parser.feed(page)
    parser.close()


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    if not settings.configured:
        settings.configure(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
        django.setup()
    page = build_page()
    annotated = furigana.add_ruby(page)  # also creates the tagger, outside the timings
    furigana.add_ruby_cached(page)

    baseline = median_ms(lambda: parse_only(page), runs)
    cold = median_ms(lambda: furigana.add_ruby(page), runs, before=furigana.clear_caches)
    warm = median_ms(lambda: furigana.add_ruby(page), runs)
    cached = median_ms(lambda: furigana.add_ruby_cached(page), runs * 10)

    print(f"page: {len(page):,} characters, {len(page.encode('utf-8')):,} bytes UTF-8, "
          f"{annotated.count('<ruby>'):,} ruby annotations, output {len(annotated.encode('utf-8')):,} bytes")
    print(f"median of {runs} runs ({runs * 10} for the cached path):")
    print(f"  parse only (HTMLParser baseline) {baseline:8.2f} ms   1.0x")
    print(f"  add_ruby, cold text-node cache   {cold:8.2f} ms  {cold / baseline:5.1f}x")
    print(f"  add_ruby, warm text-node cache   {warm:8.2f} ms  {warm / baseline:5.1f}x")
    print(f"  add_ruby_cached, page cache hit  {cached:8.2f} ms  {cached / baseline:5.2f}x")


if __name__ == "__main__":
    main()

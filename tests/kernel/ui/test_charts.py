"""The kernel's bar chart: numbers in its accessible name and beside each bar, every text escaped."""

from __future__ import annotations

from yakuba.kernel.ui.charts import bars


def test_bars_say_their_numbers_and_escape_labels():
    svg = bars([("広報紙", 12), ("<b>LINE</b>", 3), ("なし", 0)], title="情報源", unit="件")
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-label="情報源: 広報紙 12件、&lt;b&gt;LINE&lt;/b&gt; 3件、なし 0件"' in svg
    assert "<b>" not in svg and ">12件</text>" in svg
    assert svg.count("<rect") == 3


def test_bars_without_rows_draw_an_empty_chart():
    assert 'aria-label="空: "' in bars([], title="空")

"""Hostile numbers through the forms engine: nan, inf, 1e309, full-width spellings, NUL and endless digits are each a
field message, never an exception; and the kernel's one finite-number parse refuses all of them."""

from decimal import Decimal

import pytest

from yakuba.kernel.forms.normalise import finite_number
from yakuba.kernel.forms.validate import validate

from .defs import field, make

HOSTILE = ["nan", "NaN", "+nan", "-NaN", "sNaN", "inf", "-inf", "+Infinity", "Infinity", "-infinity", "1e309",
           "-1e309", "1E+999", "ｎａｎ", "ＩＮＦ", "１ｅ３０９", "1_000", "0x1F", "1" * 5000, "9" * 41, "1\x00e309",
           "١٢", float("nan"), float("inf"), float("-inf"), 10 ** 5000]


def _id(raw: object) -> str:
    return "int-5000-digits" if isinstance(raw, int) else repr(raw)[:20]


@pytest.mark.parametrize("raw", HOSTILE, ids=_id)
@pytest.mark.parametrize("type_", ["number", "money"])
def test_a_hostile_number_is_a_field_message(type_, raw):
    result = validate(make(field("f", type_, "人数")), {"f": raw})
    assert "f" not in result.cleaned
    assert result.errors["f"] and all(isinstance(message, str) and message for message in result.errors["f"])


@pytest.mark.parametrize("raw", [r for r in HOSTILE if isinstance(r, str)], ids=_id)
def test_the_kernel_parse_refuses_every_non_finite_spelling(raw):
    assert finite_number(raw) is None


@pytest.mark.parametrize(("raw", "expected"), [
    ("36.2123", Decimal("36.2123")), ("３６．２１２３", Decimal("36.2123")), (" -1.5e3 ", Decimal("-1500")),
    ("－３", Decimal("-3")), (".5", Decimal("0.5")), ("1e308", Decimal("1e308")), ("0", Decimal(0)),
])
def test_the_kernel_parse_reads_plain_decimals(raw, expected):
    assert finite_number(raw) == expected


def test_the_kernel_parse_takes_only_text():
    assert finite_number(None) is None  # type: ignore[arg-type]
    assert finite_number(float("nan")) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(("raw", "expected"), [
    ("12", 12), ("2026", 2026), ("0", 0), ("²", None), ("١٢", None), ("１２", None), ("-1", None), ("+1", None),
    ("", None), (" 1", None), ("1" * 20, None), ("9223372036854775807", 2**63 - 1), ("9223372036854775808", None),
    (None, None),
])
def test_whole_number_takes_only_ascii_digits_a_column_holds(raw, expected):
    from yakuba.kernel.forms.normalise import whole_number

    assert whole_number(raw) == expected

"""Japanese input normalisation before validation: width, kana, dashes, 和暦 dates, yen. Pure functions, no Django."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

# (kanji, initial, first day) of each era; an era ends the day before the next one starts.
ERAS: tuple[tuple[str, str, date], ...] = (
    ("明治", "M", date(1868, 10, 23)),
    ("大正", "T", date(1912, 7, 30)),
    ("昭和", "S", date(1926, 12, 25)),
    ("平成", "H", date(1989, 1, 8)),
    ("令和", "R", date(2019, 5, 1)),
)
# Long-vowel marks, minus signs and dashes residents type in place of a hyphen.
DASHES = "ー−‐‑‒–—―－ｰ"
_DASH_TABLE = str.maketrans({c: "-" for c in DASHES})
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES_RE = re.compile(r"\s+")
_SEIREKI_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
# A plain decimal as people and spreadsheets write it; no nan/inf/Infinity, hex or 1_000 (Python and frictionless take
# those, a municipality's table never means them).
_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
MAX_NUMBER_LENGTH = 40  # more digits than any count or coordinate has; keeps Decimal/int work bounded
_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_WAREKI_RE = re.compile(
    r"^(明治|大正|昭和|平成|令和|[MTSHR])\s*(元|\d{1,2})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?$")


def scrub(value: Any) -> Any:
    """Raw answers as they may be stored: NUL characters (which PostgreSQL text and JSON refuse) removed, deeply."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [scrub(item) for item in value]
    if isinstance(value, dict):
        return {scrub(key): scrub(item) for key, item in value.items()}
    return value


def nfkc(value: str) -> str:
    """Full-width digits/letters → half-width, half-width katakana → full-width; control characters dropped."""
    return _CONTROL_RE.sub("", unicodedata.normalize("NFKC", value.replace("\r\n", "\n")))


def text(value: str) -> str:
    """One line of text: NFKC, runs of white space collapsed, trimmed."""
    return _SPACES_RE.sub(" ", nfkc(value)).strip()


def multiline(value: str) -> str:
    """A textarea: NFKC and trimmed, keeping the resident's line breaks."""
    return "\n".join(line.rstrip() for line in nfkc(value).replace("\r", "\n").split("\n")).strip()


def katakana(value: str) -> str:
    """Hiragana → katakana (after NFKC, which already widens half-width katakana)."""
    converted = [chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" or c in "ゝゞ" else c for c in text(value)]
    return "".join(converted)


def hyphens(value: str) -> str:
    """Every dash-like character (ー − ‐ － …) → '-', after NFKC; spaces removed."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", value).translate(_DASH_TABLE))


def postal_code(value: str) -> str | None:
    """「〒３７０ー２６０１」 → '370-2601'; None unless exactly 7 digits remain."""
    digits = hyphens(value).removeprefix("〒").replace("-", "")
    if not re.fullmatch(r"[0-9]{7}", digits):
        return None
    return f"{digits[:3]}-{digits[3:]}"


def digits(value: str) -> str:
    """「０１２ ３４５６」「012-3456」 → '0123456': NFKC, then spaces and dashes removed (leading zeros kept)."""
    return hyphens(value).replace("-", "")


def phone(value: str) -> str:
    """「０２７４（８２）２１１１」 → '0274-82-2111': hyphens unified, brackets read as separators."""
    return re.sub(r"-+", "-", hyphens(value).replace("(", "-").replace(")", "-")).strip("-")


def money(value: str) -> str:
    """「１，０００円」 → '1000': commas, 円, ¥ and spaces stripped."""
    return re.sub(r"[,、\s円¥]", "", nfkc(value)).strip()


def finite_number(value: str) -> Decimal | None:
    """「３６．２１」「-1.5e3」 → Decimal; None for anything else: nan, inf, Infinity, 1e309 (no float holds it), hex,
    very long digit strings. The one parse of a typed or imported number, so no caller meets a non-finite value."""
    cleaned = nfkc(value).strip() if isinstance(value, str) else ""
    if len(cleaned) > MAX_NUMBER_LENGTH or not _NUMBER_RE.fullmatch(cleaned):
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern only lets plain decimals through
        return None
    return number if number.is_finite() and math.isfinite(float(number)) else None


def whole_number(value: str, *, largest: int = 2**63 - 1) -> int | None:
    """An id, year or count from a query string or a form ('12'), or None: only ASCII digits (str.isdigit() also
    passes '²', which int() refuses), and no more than a database column holds."""
    if not isinstance(value, str) or not 0 < len(value) <= 19 or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if number <= largest else None


def parse_date(value: str) -> date | None:
    """Read 「2026-04-01」「2026/4/1」「令和8年4月1日」「R8.4.1」「平成元年1月8日」; None if not a real date.

    A 和暦 date must fall inside its era (昭和64年1月7日 exists, 昭和64年1月8日 does not).
    """
    cleaned = text(value).upper().replace(" ", "")
    match = _SEIREKI_RE.match(cleaned) or _COMPACT_RE.match(cleaned)
    if match:
        return _make_date(int(match[1]), int(match[2]), int(match[3]))
    match = _WAREKI_RE.match(cleaned)
    if not match:
        return None
    index = next(i for i, (kanji, initial, _) in enumerate(ERAS) if match[1] in (kanji, initial))
    start = ERAS[index][2]
    era_year = 1 if match[2] == "元" else int(match[2])
    if era_year < 1:
        return None
    result = _make_date(start.year + era_year - 1, int(match[3]), int(match[4]))
    end = ERAS[index + 1][2] if index + 1 < len(ERAS) else None
    if result is None or result < start or (end is not None and result >= end):
        return None
    return result


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def era_year(value: date) -> str:
    """「令和8年」, 「平成元年」; '' before 明治."""
    for kanji, _, start in reversed(ERAS):
        if value >= start:
            year = value.year - start.year + 1
            return f"{kanji}{'元' if year == 1 else year}年"
    return ""

"""全国地方公共団体コード: five digits plus a modulus-11 check digit."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_WEIGHTS = (6, 5, 4, 3, 2)


def check_digit(first_five: str) -> int:
    """Check digit of a five-digit code (総務省: 11 − (weighted sum mod 11), last digit only)."""
    total = sum(int(d) * w for d, w in zip(first_five, _WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def normalise_code(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip().replace("-", "")


def validate_municipality_code(value: str) -> None:
    code = normalise_code(value)
    if len(code) != 6 or not code.isdigit():
        raise ValidationError(
            _("地方公共団体コードは6桁の数字で入力してください（例: 103829）。"), code="format"
        )
    if check_digit(code[:5]) != int(code[5]):
        raise ValidationError(
            _("地方公共団体コードの検査数字が正しくありません。%(expected)s ではありませんか。")
            % {"expected": code[:5] + str(check_digit(code[:5]))},
            code="check_digit",
        )


def full_code(five_or_six: str) -> str | None:
    """Six-digit code from a five- or six-digit one; None if it is neither or its check digit is wrong."""
    code = normalise_code(five_or_six)
    if not code.isdigit():
        return None
    if len(code) == 5:
        return code + str(check_digit(code))
    if len(code) == 6 and check_digit(code[:5]) == int(code[5]):
        return code
    return None

"""Validating answers against a definition: normalise, evaluate conditions, check each visible field.

`validate()` never raises on any JSON-like input; anything ill-typed becomes a field error. Cleaned values:
visible fields only (hidden ones are dropped); an optional field left empty is `None` (`[]` for multi_choice,
`False` for consent); dates are ISO strings, money and numbers ints, names `{"family", "given"}`, groups lists.
File fields hold a placeholder string (an upload token or file name set by the application); checking the
uploaded content against `accept`/`max_size` is the upload handler's job, not the engine's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from . import normalise, rules
from .definition import MAX_GROUP_ITEMS, Field, FormDefinition

KANA_RE = re.compile(r"^[ァ-ヶー・ヽヾ ]+$")
PHONE_RE = re.compile(r"^0\d{1,4}-?\d{1,4}-?\d{3,4}$")
INT_RE = re.compile(r"^-?[0-9]{1,15}$")
MONEY_RE = re.compile(r"^[0-9]{1,13}$")
DIGITS_RE = re.compile(r"^[0-9]{1,30}$")
TRUE_VALUES = frozenset({"on", "1", "true", "yes"})
EMPTY: Any = object()  # "nothing entered", distinct from a value that failed


class FieldError(Exception):
    """Raised by a checker with the message to show."""


@dataclass
class Result:
    cleaned: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    # Input names (``family.0.school`` inside a group) of the conditional questions whose condition holds, on
    # every page: what a page shows when its condition's source is on an earlier page.
    shown: set[str] = field(default_factory=set)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def validate(definition: FormDefinition, answers: Any, *, page: int | None = None) -> Result:
    """Check `answers` (one page when `page` is given, else all); conditions may look at earlier pages."""
    if not isinstance(answers, dict):
        answers = {}
    result = Result()
    values: dict[str, Any] = {}
    for index, current in enumerate(definition.pages):
        scratch = Result(shown=result.shown)
        for item in current.fields:
            _check_visible(item, answers, values, scratch, item.name)
        if page is None or page == index:
            result.cleaned.update(scratch.cleaned)
            result.errors.update(scratch.errors)
    return result


def applicable(definition: FormDefinition, answers: dict[str, Any]) -> dict[str, Any]:
    """`answers` less what was typed for questions whose condition does not hold (so a hidden question's value is
    not kept in a draft). Keys the definition does not know are left as they are."""
    shown = validate(definition, answers).shown
    kept: dict[str, Any] = {}
    known = {item.name: item for item in definition.all_fields()}
    for key, value in answers.items():
        item = known.get(key)
        if item is not None and item.condition is not None and key not in shown:
            continue
        if item is not None and item.type == "group" and isinstance(value, list):
            conditional = {sub.name for sub in item.fields if sub.condition is not None}
            value = [{name: inner for name, inner in entry.items()
                      if name not in conditional or f"{key}.{index}.{name}" in shown}
                     if isinstance(entry, dict) else entry for index, entry in enumerate(value)]
        kept[key] = value
    return kept


def _check_visible(item: Field, answers: dict[Any, Any], values: dict[str, Any], result: Result, key: str) -> None:
    if item.condition is not None:
        if not item.condition.matches(values.get(item.condition.field)):
            return
        result.shown.add(key)
    if item.type == "group":
        value = _check_group(item, answers.get(item.name), result, key)
    else:
        try:
            value = _check_field(item, answers.get(item.name))
        except FieldError as error:
            result.errors[key] = [str(error)]
            return
    values[item.name] = value
    result.cleaned[key.rsplit(".", 1)[-1]] = value


def _check_field(item: Field, raw: Any) -> Any:
    value = CHECKERS[item.type](item, raw)
    if value is EMPTY:
        if item.required:
            raise FieldError(_required_message(item))
        return {"multi_choice": [], "consent": False}.get(item.type)
    return value


def _required_message(item: Field) -> str:
    if item.type in ("choice", "multi_choice"):
        return _("%(label)sを選択してください。") % {"label": item.label}
    if item.type == "consent":
        return _("%(label)sに同意してください。") % {"label": item.label}
    return _("%(label)sを入力してください。") % {"label": item.label}


def _check_group(item: Field, raw: Any, result: Result, key: str) -> list[dict[str, Any]] | None:
    if raw is None:
        raw = []
    if not isinstance(raw, list) or not all(isinstance(entry, dict) for entry in raw):
        result.errors[key] = [_("入力の形式が正しくありません。")]
        return None
    limit = min(item.max_items or MAX_GROUP_ITEMS, MAX_GROUP_ITEMS)
    count_error = _group_count_error(item, len(raw), limit)
    if count_error:
        result.errors[key] = [count_error]
    items: list[dict[str, Any]] = []
    for index, entry in enumerate(raw[:limit]):
        inner = Result(shown=result.shown)
        inner_values: dict[str, Any] = {}
        for sub in item.fields:
            _check_visible(sub, entry, inner_values, inner, f"{key}.{index}.{sub.name}")
        result.errors.update(inner.errors)
        items.append(inner.cleaned)
    return items


def _group_count_error(item: Field, count: int, limit: int) -> str:
    if count == 0 and item.required and not item.min_items:
        return _required_message(item)
    if (item.min_items is not None and count < item.min_items) or count > limit:
        return rules.message(item)
    return ""


# Checkers: (field, raw answer) -> cleaned value, EMPTY, or FieldError ----------------------------------------

def _string(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        try:
            return str(raw)
        except ValueError:  # an int too long to print
            raise FieldError(_("入力の形式が正しくありません。")) from None
    if not isinstance(raw, str):
        raise FieldError(_("入力の形式が正しくありません。"))
    return raw


def _limit_length(item: Field, value: str) -> str:
    if item.max_length is not None and len(value) > item.max_length:
        raise FieldError(rules.message(item))
    return value


def check_text(item: Field, raw: Any) -> Any:
    value = normalise.text(_string(raw))
    return _limit_length(item, value) if value else EMPTY


def check_textarea(item: Field, raw: Any) -> Any:
    value = normalise.multiline(_string(raw))
    return _limit_length(item, value) if value else EMPTY


def check_kana(item: Field, raw: Any) -> Any:
    value = normalise.katakana(_string(raw))
    if not value:
        return EMPTY
    if not KANA_RE.match(value):
        raise FieldError(rules.message(item))
    return _limit_length(item, value)


def check_name(item: Field, raw: Any) -> Any:
    family, given = _name_parts(raw)
    if item.type == "name_kana":
        family, given = normalise.katakana(family), normalise.katakana(given)
    else:
        family, given = normalise.text(family), normalise.text(given)
    if not family and not given:
        return EMPTY
    if not family or not given:
        raise FieldError(_("姓と名の両方を入力してください。"))
    if item.type == "name_kana" and not (KANA_RE.match(family) and KANA_RE.match(given)):
        raise FieldError(rules.message(item))
    _limit_length(item, family)
    _limit_length(item, given)
    return {"family": family, "given": given}


def _name_parts(raw: Any) -> tuple[str, str]:
    if isinstance(raw, dict):
        return _string(raw.get("family")), _string(raw.get("given"))
    text = normalise.text(_string(raw))
    family, _sep, given = text.partition(" ")
    return family, given


def check_date(item: Field, raw: Any) -> Any:
    value = _string(raw)
    if not normalise.text(value):
        return EMPTY
    parsed = normalise.parse_date(value)
    if parsed is None:
        raise FieldError(rules.message(item))
    return parsed.isoformat()


def check_postal_code(item: Field, raw: Any) -> Any:
    value = _string(raw)
    if not normalise.text(value):
        return EMPTY
    code = normalise.postal_code(value)
    if code is None:
        raise FieldError(rules.message(item))
    return code


def check_phone(item: Field, raw: Any) -> Any:
    value = normalise.phone(_string(raw))
    if not value:
        return EMPTY
    digits = value.replace("-", "")
    if not PHONE_RE.match(value) or len(digits) not in (10, 11):
        raise FieldError(rules.message(item))
    return _limit_length(item, value)


def check_email(item: Field, raw: Any) -> Any:
    value = normalise.text(_string(raw)).replace(" ", "")
    if not value:
        return EMPTY
    try:
        validate_email(value)
    except ValidationError:
        raise FieldError(rules.message(item)) from None
    return _limit_length(item, value)


def check_number(item: Field, raw: Any) -> Any:
    value = normalise.text(_string(raw)).replace(",", "")
    if not value:
        return EMPTY
    if not INT_RE.match(value):
        raise FieldError(rules.message(item))
    return _in_range(item, int(value))


def check_money(item: Field, raw: Any) -> Any:
    value = normalise.money(_string(raw))
    if not value:
        return EMPTY
    if not MONEY_RE.match(value):
        raise FieldError(rules.message(item))
    return _in_range(item, int(value))


def _in_range(item: Field, value: int) -> int:
    if (item.min is not None and value < item.min) or (item.max is not None and value > item.max):
        raise FieldError(rules.message(item))
    return value


def check_digits(item: Field, raw: Any) -> Any:
    value = normalise.digits(_string(raw))
    if not value:
        return EMPTY
    if not DIGITS_RE.match(value) or (item.digits is not None and len(value) != item.digits):
        raise FieldError(rules.message(item))
    return value


def check_choice(item: Field, raw: Any) -> Any:
    value = _string(raw).strip()
    if not value:
        return EMPTY
    if value not in {option for option, _label in item.options}:
        raise FieldError(_("選択肢から選んでください。"))
    return value


def check_multi_choice(item: Field, raw: Any) -> Any:
    chosen = raw if isinstance(raw, list) else [] if raw is None else [raw]
    picked = {_string(value).strip() for value in chosen} - {""}
    if not picked:
        return EMPTY
    allowed = [option for option, _label in item.options]
    if not picked <= set(allowed):
        raise FieldError(_("選択肢から選んでください。"))
    return [option for option in allowed if option in picked]


def check_consent(item: Field, raw: Any) -> Any:
    ticked = raw is True or (isinstance(raw, str) and raw.strip().lower() in TRUE_VALUES)
    return True if ticked else EMPTY


def check_file(item: Field, raw: Any) -> Any:
    value = normalise.text(_string(raw))
    if not value:
        return EMPTY
    if len(value) > 255:
        raise FieldError(_("ファイルの指定が正しくありません。"))
    return value


CHECKERS: dict[str, Callable[[Field, Any], Any]] = {
    "text": check_text, "textarea": check_textarea, "kana": check_kana, "name": check_name,
    "name_kana": check_name, "date": check_date, "postal_code": check_postal_code, "address": check_text,
    "phone": check_phone, "email": check_email, "number": check_number, "money": check_money, "digits": check_digits,
    "choice": check_choice, "multi_choice": check_multi_choice, "consent": check_consent, "file": check_file,
}

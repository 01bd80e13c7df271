"""What each field accepts, said once: the hint under a question and the message when an answer is refused are
both built from `phrase()`, so they cannot say different things (「7桁の数字」 in both).

`hint(field)` is 「7桁の数字で入力してください。」, `message(field)` 「口座番号は7桁の数字で入力してください。」.
A field whose type has no rule of form (choices, consent, files) has neither; its only refusals are 必須 (the
marker beside the label) and, for a choice, a value that is not one of the options (only a forged POST sends one).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .definition import Field

_UNIT_RE = re.compile(r"^\{n\}(\w{1,3})目$")


def phrase(item: Field) -> str:
    """The rule of `item`'s answer as a noun phrase (「7桁の数字」), or '' when nothing beyond 必須 applies."""
    kind = item.type
    if kind in ("text", "textarea", "address"):
        return _length(item.max_length)
    if kind == "name":
        return _("姓・名それぞれ%(n)d文字以内") % {"n": item.max_length} if item.max_length else ""
    if kind == "date":
        if "birth" in item.name:
            return _("1980/4/1 や 昭和55年4月1日 のような日付")
        return _("2026/4/1 や 令和8年4月1日 のような日付")
    if kind == "digits":
        return _("%(n)d桁の数字") % {"n": item.digits} if item.digits else _("数字")
    if kind == "number":
        return _range(item, _("整数"), "")
    if kind == "money":
        return _range(item, _("金額"), "円")
    if kind == "group":
        return _count(item)
    return _fixed(kind)


def _fixed(kind: str) -> str:
    """The rule of a type that has no settings to it."""
    fixed = {
        "kana": _("カタカナ"),
        "name_kana": _("カタカナ"),
        "postal_code": _("7桁の数字（例: 370-2601）"),
        "phone": _("市外局番から始まる10桁か11桁の番号（例: 0274-82-2111）"),
        "email": _("メールアドレス（例: taro@example.jp）"),
    }
    return fixed.get(kind, "")


def note(item: Field) -> str:
    """A length limit said after the rule of a field whose rule is something else: 「（姓・名それぞれ50文字以内）」."""
    if item.type in ("kana", "email") and item.max_length:
        return _("（%(n)d文字以内）") % {"n": item.max_length}
    if item.type == "name_kana" and item.max_length:
        return _("（姓・名それぞれ%(n)d文字以内）") % {"n": item.max_length}
    if item.type == "phone" and item.max_length and item.max_length < 13:  # 11 digits and two hyphens fit in 13
        return _("（%(n)d文字以内）") % {"n": item.max_length}
    return ""


def hint(item: Field) -> str:
    """The rule as the hint under the question: 「7桁の数字で入力してください。」, or ''."""
    rule = phrase(item)
    if not rule:
        return ""
    if item.type == "group":
        return _("%(rule)s入力してください。") % {"rule": rule}
    return _("%(rule)sで入力してください%(note)s。") % {"rule": rule, "note": note(item)}


def message(item: Field, label: str = "") -> str:
    """The rule as a refusal: 「口座番号は7桁の数字で入力してください。」 (`label` for a group item's field)."""
    rule = phrase(item)
    label = label or item.label
    if item.type == "group":
        return _("%(label)sは%(rule)s入力してください。") % {"label": label, "rule": rule}
    if not rule:
        return _("%(label)sの入力の形式が正しくありません。") % {"label": label}
    return _("%(label)sは%(rule)sで入力してください%(note)s。") % {"label": label, "rule": rule, "note": note(item)}


def _length(limit: int | None) -> str:
    return _("%(n)d文字以内") % {"n": limit} if limit else ""


def _range(item: Field, noun: str, unit: str) -> str:
    low = f"{item.min:,}{unit}" if item.min is not None else ""
    high = f"{item.max:,}{unit}" if item.max is not None else ""
    if low and high:
        return _("%(low)sから%(high)sまでの%(noun)s") % {"low": low, "high": high, "noun": noun}
    if low:
        return _("%(low)s以上の%(noun)s") % {"low": low, "noun": noun}
    if high:
        return _("%(high)s以下の%(noun)s") % {"high": high, "noun": noun}
    return _("1,000 や 1,000円 のような金額") if unit else _("数字（整数）")


def _count(item: Field) -> str:
    """「1人以上10人まで」 from min_items/max_items, in the unit of the item label (「{n}人目」 → 人)."""
    match = _UNIT_RE.match(item.item_label)
    unit = match[1] if match else pgettext("entries of a repeated question", "件")
    low = item.min_items or 0
    if low and item.max_items:
        return _("%(low)d%(unit)s以上%(high)d%(unit)sまで") % {"low": low, "high": item.max_items, "unit": unit}
    if low:
        return _("%(low)d%(unit)s以上") % {"low": low, "unit": unit}
    if item.max_items:
        return _("%(high)d%(unit)sまで") % {"high": item.max_items, "unit": unit}
    return ""

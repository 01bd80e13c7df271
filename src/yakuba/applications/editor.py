"""The no-code form editor's operations: each takes a definition dict and returns a new one the engine accepts.

Every operation works on a copy and ends by parsing the result with `FormDefinition.from_dict`, so it either
returns a valid definition (in the canonical `to_dict()` form) or raises `EditorError` with a message for staff.
Field names never change once made: old submissions and CSV columns are keyed on them.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakuba.kernel.forms.definition import (
    CHOICE_TYPES,
    CONDITION_SOURCE_TYPES,
    DIGITS_TYPES,
    LENGTH_TYPES,
    MAX_DIGITS,
    MAX_GROUP_ITEMS,
    NAME_RE,
    PREFILL_SOURCES,
    RANGE_TYPES,
    RESERVED_ENDINGS,
    DefinitionError,
    FormDefinition,
)
from yakuba.kernel.refusal import NON_FIELD, Refused

# In the order the 「質問を追加」 menu offers them.
TYPE_LABELS: dict[str, Promise] = {
    "text": gettext_lazy("短い文章（1行）"),
    "textarea": gettext_lazy("長い文章（複数行）"),
    "choice": gettext_lazy("選択肢から1つ選ぶ"),
    "multi_choice": gettext_lazy("選択肢から複数選ぶ"),
    "name": gettext_lazy("氏名"),
    "name_kana": gettext_lazy("氏名のフリガナ"),
    "kana": gettext_lazy("カタカナ"),
    "date": gettext_lazy("日付"),
    "postal_code": gettext_lazy("郵便番号"),
    "address": gettext_lazy("住所"),
    "phone": gettext_lazy("電話番号"),
    "email": gettext_lazy("メールアドレス"),
    "number": gettext_lazy("数"),
    "money": gettext_lazy("金額（円）"),
    "digits": gettext_lazy("番号（数字のみ。口座番号など）"),
    "consent": gettext_lazy("同意のチェック"),
    "file": gettext_lazy("ファイルの添付"),
    "group": gettext_lazy("くり返し入力（家族など）"),
}
PREFILL_LABELS: dict[str, Promise] = {
    "name": gettext_lazy("氏名"),
    "name_kana": gettext_lazy("氏名のフリガナ"),
    "birthdate": gettext_lazy("生年月日"),
    "postal_code": gettext_lazy("郵便番号"),
    "address": gettext_lazy("住所"),
    "phone": gettext_lazy("電話番号"),
    "email": gettext_lazy("メールアドレス"),
}
MAX_PAGES = 30
MAX_FIELDS_PER_PAGE = 60
MAX_GROUP_FIELDS = 20
MAX_OPTIONS = 100
MAX_LABEL = 200
MAX_HELP = 1000
MAX_VALUE = 100
# Integer settings: (smallest, largest) allowed; None means no bound.
INT_LIMITS: dict[str, tuple[int | None, int | None]] = {
    "min": (None, None), "max": (None, None), "max_length": (1, 100_000), "min_items": (0, MAX_GROUP_ITEMS),
    "max_items": (1, MAX_GROUP_ITEMS), "max_size": (1, 100 * 1024 * 1024), "digits": (1, MAX_DIGITS),
}
TRUE_WORDS = frozenset({"true", "on", "yes", "はい", "同意する", "同意した", "チェックあり"})
FALSE_WORDS = frozenset({"false", "off", "no", "いいえ", "同意しない", "チェックなし"})
_SPLIT = re.compile(r"[,、，]")
_ASCII_VALUE = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
_COLON = re.compile(r"^([^:：]*)[:：](.*)$")


class EditorError(Refused):
    """An edit the editor refuses: a kernel refusal of one message, on the form input `field` when given (a
    shorthand for `Refused({field: message})`, as the editor's ~45 checks each name at most one input)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__({field or NON_FIELD: message})
        self.field = field


# Reading ------------------------------------------------------------------------------------------------------

def type_label(kind: str) -> str:
    return str(TYPE_LABELS.get(kind, kind))


def find_field(definition: dict[str, Any], name: str, *, sub: str | None = None) -> dict[str, Any]:
    """The field dict called `name` (or its group's item field `sub`); EditorError if there is none."""
    siblings, index = _siblings(definition, name, sub)
    return siblings[index]


def page_of(definition: dict[str, Any], name: str) -> int:
    return _locate(definition, name)[0]


def condition_sources(definition: dict[str, Any], name: str, *, sub: str | None = None) -> list[dict[str, Any]]:
    """The fields a condition on `name` may look at: earlier ones of a type that holds a plain value."""
    if sub is None:
        ordered = [f for page in definition["pages"] for f in page["fields"]]
        target = name
    else:
        ordered = list(find_field(definition, name)["fields"])
        target = sub
    earlier = []
    for item in ordered:
        if item["name"] == target:
            break
        earlier.append(item)
    return [f for f in earlier if f["type"] in CONDITION_SOURCE_TYPES]


def options_text(item: dict[str, Any]) -> str:
    """Options as the textarea shows them: one 「値:表示名」 per line."""
    return "\n".join(f"{value}:{label}" for value, label in item.get("options", []))


def equals_text(source: dict[str, Any] | None, equals: Any) -> str:
    """A condition's value(s) as staff read and type them: option labels, 「同意する」, or the raw text."""
    wanted = [equals] if isinstance(equals, str) else list(equals or [])
    if source is None:
        return "、".join(wanted)
    labels = {value: label for value, label in source.get("options", [])}
    if source["type"] == "consent":
        labels = {"true": _("同意する"), "false": _("同意しない")}
    return "、".join(labels.get(value, value) for value in wanted)


def condition_summary(definition: dict[str, Any], item: dict[str, Any], *, group: str | None = None) -> str:
    """「「犬種」が「その他」のときだけ表示」 for a field with a condition, else ""."""
    condition = item.get("condition")
    if not condition:
        return ""
    scope = find_field(definition, group)["fields"] if group else [
        f for page in definition["pages"] for f in page["fields"]]
    source = next((f for f in scope if f["name"] == condition["field"]), None)
    return _("「%(field)s」が「%(values)s」のときだけ表示") % {
        "field": source["label"] if source else condition["field"], "values": equals_text(source, condition["equals"])}


def editable_keys(kind: str, *, in_group: bool) -> frozenset[str]:
    """What update_field may change on a field of this type."""
    keys = {"label", "help_text", "required", "condition"}
    if kind in CHOICE_TYPES:
        keys.add("options")
    if kind in RANGE_TYPES:
        keys |= {"min", "max"}
    if kind in LENGTH_TYPES:
        keys.add("max_length")
    if kind in DIGITS_TYPES:
        keys.add("digits")
    if kind == "group":
        keys |= {"min_items", "max_items", "item_label"}
    if kind == "file":
        keys |= {"accept", "max_size"}
    if not in_group and prefill_choices(kind):
        keys.add("prefill")
    return frozenset(keys)


def prefill_choices(kind: str) -> list[str]:
    return [source for source, kinds in PREFILL_SOURCES.items() if kind in kinds]


# Pages --------------------------------------------------------------------------------------------------------

def add_page(definition: dict[str, Any], title: str) -> tuple[dict[str, Any], str]:
    """A new last page, with one short-text question to start from (a page cannot be empty)."""
    data = _copy(definition)
    if len(data["pages"]) >= MAX_PAGES:
        raise EditorError(_("ページは%(n)sまでです。") % {"n": MAX_PAGES})
    name = _new_name("text", _top_names(data))
    data["pages"].append({"title": _label(title, field="title", empty=_("ページの名前を入力してください。")),
                          "fields": [_new_field("text", name, _("新しい質問"))]})
    return _finish(data), name


def rename_page(definition: dict[str, Any], page: int, title: str) -> dict[str, Any]:
    data = _copy(definition)
    _page(data, page)["title"] = _label(title, field="title", empty=_("ページの名前を入力してください。"))
    return _finish(data)


def delete_page(definition: dict[str, Any], page: int) -> dict[str, Any]:
    data = _copy(definition)
    doomed = _page(data, page)
    if len(data["pages"]) == 1:
        raise EditorError(_("様式にはページが1つ以上必要です。"))
    names = {f["name"] for f in doomed["fields"]}
    users = [f["label"] for index, other in enumerate(data["pages"]) if index != page for f in other["fields"]
             if (f.get("condition") or {}).get("field") in names]
    if users:
        raise EditorError(_("ほかのページの「%(fields)s」の表示条件にこのページの質問が使われているため、"
                            "削除できません。先にその表示条件を外してください。") % {"fields": "」「".join(users)})
    del data["pages"][page]
    return _finish(data)


def move_page(definition: dict[str, Any], page: int, step: int) -> dict[str, Any]:
    data = _copy(definition)
    _page(data, page)
    target = page + step
    if step not in (-1, 1) or not 0 <= target < len(data["pages"]):
        raise EditorError(_("これ以上移動できません。"))
    pages = data["pages"]
    pages[page], pages[target] = pages[target], pages[page]
    return _finish(data)


# Fields -------------------------------------------------------------------------------------------------------

def add_field(definition: dict[str, Any], page: int, kind: str, label: str = "") -> tuple[dict[str, Any], str]:
    """A new question of type `kind` at the end of `page`, with sensible defaults; returns it and its name."""
    data = _copy(definition)
    fields = _page(data, page)["fields"]
    if kind not in TYPE_LABELS:
        raise EditorError(_("質問の種類を選んでください。"), field="type")
    if len(fields) >= MAX_FIELDS_PER_PAGE:
        raise EditorError(_("1ページの質問は%(n)sまでです。ページを分けてください。") % {"n": MAX_FIELDS_PER_PAGE})
    name = _new_name(kind, _top_names(data))
    fields.append(_new_field(kind, name, label))
    return _finish(data), name


def add_subfield(definition: dict[str, Any], group: str, kind: str, label: str = "") -> tuple[dict[str, Any], str]:
    """A new item question at the end of the group `group`."""
    data = _copy(definition)
    owner = find_field(data, group)
    if owner["type"] != "group":
        raise EditorError(_("くり返し入力の質問ではありません。"))
    if kind not in TYPE_LABELS or kind == "group":
        raise EditorError(_("質問の種類を選んでください。"), field="type")
    if len(owner["fields"]) >= MAX_GROUP_FIELDS:
        raise EditorError(_("くり返し入力の項目は%(n)sまでです。") % {"n": MAX_GROUP_FIELDS})
    name = _new_name(kind, {f["name"] for f in owner["fields"]})
    owner["fields"].append(_new_field(kind, name, label))
    return _finish(data), name


def update_field(definition: dict[str, Any], name: str, changes: dict[str, Any], *,
                 sub: str | None = None) -> dict[str, Any]:
    """Change a question's settings. `changes` maps keys of `editable_keys` to new values (None clears one).

    `options` may be the textarea's text (「値:表示名」 or 「表示名」 per line) or a list of [value, label];
    `accept` text or a list; `condition` None or {"field": name, "equals": text or list}.
    """
    data = _copy(definition)
    item = find_field(data, name, sub=sub)
    allowed = editable_keys(item["type"], in_group=sub is not None)
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise EditorError(_("この種類の質問には設定できない項目です: %(keys)s") % {"keys": ", ".join(unknown)})
    for key in ("label", "help_text", "required", "item_label", "accept", "prefill"):
        if key in changes:
            _set_simple(item, key, changes[key])
    if "options" in changes:
        _set_options(data, item, changes["options"], group=name if sub is not None else None)
    for key in INT_LIMITS:
        if key in changes:
            _set_int(item, key, changes[key])
    _check_ranges(item)
    if "condition" in changes:
        _set_condition(data, item, changes["condition"], name=name, sub=sub)
    return _finish(data)


def delete_field(definition: dict[str, Any], name: str, *, sub: str | None = None) -> dict[str, Any]:
    data = _copy(definition)
    siblings, index = _siblings(data, name, sub)
    item = siblings[index]
    if len(siblings) == 1:
        raise EditorError(_("くり返し入力には項目が1つ以上必要です。") if sub is not None else
                          _("ページには質問が1つ以上必要です。ページごと削除するか、先に別の質問を追加してください。"))
    scope = siblings if sub is not None else [f for page in data["pages"] for f in page["fields"]]
    users = [f["label"] for f in scope if (f.get("condition") or {}).get("field") == item["name"]]
    if users:
        raise EditorError(_("「%(fields)s」の表示条件にこの質問が使われているため、削除できません。"
                            "先にその表示条件を外してください。") % {"fields": "」「".join(users)})
    del siblings[index]
    return _finish(data)


def move_field(definition: dict[str, Any], name: str, step: int, *, sub: str | None = None) -> dict[str, Any]:
    """Move a question one place up (-1) or down (+1); past the page's edge it goes to the next/previous page."""
    if step not in (-1, 1):
        raise EditorError(_("これ以上移動できません。"))
    data = _copy(definition)
    siblings, index = _siblings(data, name, sub)
    target = index + step
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
        return _finish(data)
    if sub is not None:
        raise EditorError(_("これ以上移動できません。"))
    page = _locate(data, name)[0] + step
    if not 0 <= page < len(data["pages"]):
        raise EditorError(_("これ以上移動できません。"))
    return _to_page(data, name, page, at_start=step > 0)


def move_field_to_page(definition: dict[str, Any], name: str, page: int) -> dict[str, Any]:
    """Move a question to the end of another page."""
    data = _copy(definition)
    _page(data, page)
    if _locate(data, name)[0] == page:
        raise EditorError(_("この質問はすでにそのページにあります。"), field="page")
    return _to_page(data, name, page, at_start=False)


def _to_page(data: dict[str, Any], name: str, page: int, *, at_start: bool) -> dict[str, Any]:
    source, index = _locate(data, name)
    fields = data["pages"][source]["fields"]
    if len(fields) == 1:
        raise EditorError(_("ページの最後の質問は別のページへ移動できません。ページごと移動するか削除してください。"))
    target = data["pages"][page]["fields"]
    if len(target) >= MAX_FIELDS_PER_PAGE:
        raise EditorError(_("1ページの質問は%(n)sまでです。ページを分けてください。") % {"n": MAX_FIELDS_PER_PAGE})
    item = fields.pop(index)
    target.insert(0 if at_start else len(target), item)
    return _finish(data)


# Option and condition parsing ---------------------------------------------------------------------------------

def parse_options(text: str, existing: list[list[str]] | None = None) -> list[list[str]]:
    """The options textarea as [value, label] pairs.

    A line is 「値:表示名」 (the value kept in submissions and CSV) or just 「表示名」: an existing option with that
    label keeps its value, a new one gets option_N. A colon counts as the separator only before an ASCII value or
    an existing one, so 「午前9:00」 stays a label.
    """
    existing = existing or []
    known_values = {value for value, _label in existing}
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise EditorError(_("選択肢を1つ以上入力してください。"), field="options")
    if len(lines) > MAX_OPTIONS:
        raise EditorError(_("選択肢は%(n)sまでです。") % {"n": MAX_OPTIONS}, field="options")
    parsed: list[tuple[str | None, str]] = []
    for line in lines:
        split = _COLON.match(line)
        head, tail = (split[1].strip(), split[2].strip()) if split else ("", "")
        if tail and (_ASCII_VALUE.match(head) or head in known_values):
            parsed.append((head, tail))
        else:
            parsed.append((None, line))
    explicit = [value for value, _label in parsed if value is not None]
    duplicates = sorted({value for value in explicit if explicit.count(value) > 1})
    if duplicates:
        raise EditorError(_("選択肢の値「%(values)s」が重複しています。") % {"values": "」「".join(duplicates)},
                          field="options")
    by_label = {label: value for value, label in existing}
    taken = set(explicit)
    options = []
    for value, label in parsed:
        if len(label) > MAX_LABEL:
            raise EditorError(_("選択肢の表示名は%(n)s文字以内にしてください。") % {"n": MAX_LABEL}, field="options")
        if value is None:
            reuse = by_label.get(label)
            value = reuse if reuse is not None and reuse not in taken else _new_value(taken | known_values)
            taken.add(value)
        options.append([value, label])
    return options


def resolve_equals(source: dict[str, Any], text: Any) -> str | list[str]:
    """What staff typed as a condition's value(s), as the stored values: option labels become values."""
    raw = text if isinstance(text, list) else _SPLIT.split(str(text or ""))
    wanted = [str(part).strip() for part in raw if str(part).strip()]
    if not wanted:
        raise EditorError(_("表示する条件の値を入力してください。"), field="condition_equals")
    values = []
    for part in wanted:
        if source["type"] == "consent":
            lowered = part.lower()
            # The editor shows the labels in the staff member's language; read them back the same way.
            if lowered == _("同意する").lower():
                lowered = "true"
            elif lowered == _("同意しない").lower():
                lowered = "false"
            if lowered not in TRUE_WORDS | FALSE_WORDS:
                raise EditorError(_("同意のチェックの条件は「同意する」か「同意しない」で指定してください。"),
                                  field="condition_equals")
            values.append("true" if lowered in TRUE_WORDS else "false")
        elif source["type"] in CHOICE_TYPES:
            by_label = {label: value for value, label in source["options"]}
            value = part if part in dict(source["options"]) else by_label.get(part)
            if value is None:
                raise EditorError(_("「%(value)s」は「%(field)s」の選択肢にありません。")
                                  % {"value": part, "field": source["label"]}, field="condition_equals")
            values.append(value)
        else:
            values.append(part[:MAX_VALUE])
    unique = list(dict.fromkeys(values))
    return unique[0] if len(unique) == 1 else unique


# Internals ----------------------------------------------------------------------------------------------------

def _copy(definition: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(definition)
    if not isinstance(data, dict) or not isinstance(data.get("pages"), list):
        raise EditorError(_("様式の定義が読み取れません。"))
    return data


def _finish(data: dict[str, Any]) -> dict[str, Any]:
    """Check the order of conditions (with a message staff understand), then the engine's full check."""
    _check_order(data["pages"])
    try:
        return FormDefinition.from_dict(data).to_dict()
    except DefinitionError as error:
        raise EditorError(_("この変更を行うと様式が正しくなくなります（%(detail)s）。") % {"detail": error}) from error


def _check_order(pages: list[dict[str, Any]]) -> None:
    _check_scope([f for page in pages for f in page["fields"]])
    for page in pages:
        for item in page["fields"]:
            if item.get("type") == "group":
                _check_scope(item.get("fields", []))


def _check_scope(fields: list[dict[str, Any]]) -> None:
    seen: dict[str, str] = {}
    labels = {f.get("name"): f.get("label", "") for f in fields}
    for item in fields:
        target = (item.get("condition") or {}).get("field")
        if target is not None and target not in seen and target in labels:
            raise EditorError(_("「%(field)s」は「%(source)s」の回答で表示が決まるため、「%(source)s」より後に"
                                "置く必要があります。") % {"field": item.get("label"), "source": labels[target]})
        seen[item.get("name", "")] = item.get("label", "")


def _page(data: dict[str, Any], page: int) -> dict[str, Any]:
    if not 0 <= page < len(data["pages"]):
        raise EditorError(_("そのページはありません。"))
    found: dict[str, Any] = data["pages"][page]
    return found


def _locate(data: dict[str, Any], name: str) -> tuple[int, int]:
    for page_index, page in enumerate(data["pages"]):
        for index, item in enumerate(page["fields"]):
            if item["name"] == name:
                return page_index, index
    raise EditorError(_("その質問はありません。"))


def _siblings(data: dict[str, Any], name: str, sub: str | None) -> tuple[list[dict[str, Any]], int]:
    """The list holding the field (a page's fields or a group's) and its index there."""
    page, index = _locate(data, name)
    fields: list[dict[str, Any]] = data["pages"][page]["fields"]
    if sub is None:
        return fields, index
    group = fields[index]
    for inner_index, inner in enumerate(group.get("fields", []) if group["type"] == "group" else []):
        if inner["name"] == sub:
            return group["fields"], inner_index
    raise EditorError(_("その質問はありません。"))


def _top_names(data: dict[str, Any]) -> set[str]:
    return {f["name"] for page in data["pages"] for f in page["fields"]}


def _new_name(kind: str, taken: set[str]) -> str:
    number = 1
    while True:
        name = f"{kind}_{number}"
        if name not in taken and NAME_RE.match(name) and not name.endswith(RESERVED_ENDINGS):
            return name
        number += 1


def _new_value(taken: set[str]) -> str:
    number = 1
    while f"option_{number}" in taken:
        number += 1
    return f"option_{number}"


def _new_field(kind: str, name: str, label: str) -> dict[str, Any]:
    default = _("内容を確認し、同意します") if kind == "consent" else type_label(kind)
    item: dict[str, Any] = {"name": name, "type": kind,
                            "label": _label(label, field="label", empty="") if label.strip() else default}
    if kind in CHOICE_TYPES:
        item["options"] = [["option_1", _("選択肢1")], ["option_2", _("選択肢2")]]
    if kind == "group":
        item["fields"] = [{"name": "text_1", "type": "text", "label": _("項目")}]
    return item


def _label(text: Any, *, field: str, empty: str) -> str:
    value = str(text or "").strip()
    if not value:
        raise EditorError(empty, field=field)
    if len(value) > MAX_LABEL:
        raise EditorError(_("%(n)s文字以内で入力してください。") % {"n": MAX_LABEL}, field=field)
    return value


def _set_simple(item: dict[str, Any], key: str, value: Any) -> None:
    if key == "label":
        item["label"] = _label(value, field="label", empty=_("質問文を入力してください。"))
    elif key == "required":
        item.pop("required", None)
        if not value:
            item["required"] = False
    elif key == "accept":
        parts = value if isinstance(value, list) else re.split(r"[\s,、，]+", str(value or ""))
        accept = [str(part).strip() for part in parts if str(part).strip()]
        _put(item, "accept", accept)
    elif key == "prefill":
        source = str(value or "")
        if source and source not in prefill_choices(item["type"]):
            raise EditorError(_("この種類の質問には、その情報を自動で入れられません。"), field="prefill")
        _put(item, "prefill", source)
    else:  # help_text, item_label
        text = str(value or "").strip()
        if len(text) > (MAX_HELP if key == "help_text" else MAX_LABEL):
            raise EditorError(_("%(n)s文字以内で入力してください。")
                              % {"n": MAX_HELP if key == "help_text" else MAX_LABEL}, field=key)
        if key == "item_label" and text and "{n}" not in text:
            raise EditorError(_("番号が入る位置に {n} を書いてください。例: {n}人目"), field=key)
        _put(item, key, text)


def _put(item: dict[str, Any], key: str, value: Any) -> None:
    """Set a key, or drop it when empty (the engine's to_dict leaves defaults out)."""
    if value in ("", [], None):
        item.pop(key, None)
    else:
        item[key] = value


def _set_int(item: dict[str, Any], key: str, value: Any) -> None:
    if value is None or value == "":
        item.pop(key, None)
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise EditorError(_("整数で入力してください。"), field=key)
    low, high = INT_LIMITS[key]
    if low is not None and value < low:
        raise EditorError(_("%(n)s以上の数を入力してください。") % {"n": low}, field=key)
    if high is not None and value > high:
        raise EditorError(_("%(n)s以下の数を入力してください。") % {"n": high}, field=key)
    item[key] = value


def _check_ranges(item: dict[str, Any]) -> None:
    for low, high, message in (("min", "max", _("最小値は最大値以下にしてください。")),
                               ("min_items", "max_items", _("最少の件数は最多の件数以下にしてください。"))):
        if item.get(low) is not None and item.get(high) is not None and item[low] > item[high]:
            raise EditorError(message, field=low)


def _set_options(data: dict[str, Any], item: dict[str, Any], value: Any, *, group: str | None) -> None:
    existing = item.get("options", [])
    options = parse_options(value, existing) if isinstance(value, str) else [list(pair) for pair in value or []]
    if not options:
        raise EditorError(_("選択肢を1つ以上入力してください。"), field="options")
    kept = {option[0] for option in options}
    scope = find_field(data, group)["fields"] if group else [f for page in data["pages"] for f in page["fields"]]
    for other in scope:
        condition = other.get("condition") or {}
        if condition.get("field") != item["name"]:
            continue
        wanted = [condition["equals"]] if isinstance(condition["equals"], str) else condition["equals"]
        missing = [value for value in wanted if value not in kept]
        if missing:
            labels = dict(existing)
            raise EditorError(_("選択肢「%(options)s」は「%(field)s」の表示条件に使われているため、消せません。")
                              % {"options": "」「".join(labels.get(v, v) for v in missing), "field": other["label"]},
                              field="options")
    item["options"] = options


def _set_condition(data: dict[str, Any], item: dict[str, Any], value: Any, *, name: str, sub: str | None) -> None:
    if not value or not value.get("field"):
        item.pop("condition", None)
        return
    sources = {f["name"]: f for f in condition_sources(data, name, sub=sub)}
    source = sources.get(value["field"])
    if source is None:
        raise EditorError(_("表示の条件には、この質問より前にある質問を選んでください。"), field="condition_field")
    item["condition"] = {"field": source["name"], "equals": resolve_equals(source, value.get("equals"))}

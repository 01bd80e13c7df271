"""A procedure's form as data: frozen dataclasses parsed from, and serialised to, plain JSON dicts.

`to_dict()` writes only keys that differ from their default, so a definition written that way round-trips
exactly through `from_dict(d).to_dict() == d`. Every invalid definition raises `DefinitionError` naming the
page and field at fault; no other exception escapes `from_dict`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

FIELD_TYPES = frozenset({
    "text", "textarea", "kana", "name", "name_kana", "date", "postal_code", "address", "phone", "email",
    "number", "money", "digits", "choice", "multi_choice", "consent", "file", "group",
})
CHOICE_TYPES = frozenset({"choice", "multi_choice"})
RANGE_TYPES = frozenset({"number", "money"})
LENGTH_TYPES = frozenset({"text", "textarea", "kana", "name", "name_kana", "address", "email", "phone"})
# A number written with digits only, kept as text so leading zeros stay: 口座番号 (7), 金融機関コード (4),
# 支店コード (3), 被保険者番号. `digits` is its exact count; without it any count of digits is taken.
DIGITS_TYPES = frozenset({"digits"})
MAX_DIGITS = 30
# A condition compares a string with the controlling field's value, so that value must be a plain scalar or choice.
CONDITION_SOURCE_TYPES = frozenset({
    "text", "kana", "date", "postal_code", "number", "money", "digits", "choice", "multi_choice", "consent",
})
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# Rendered ids append these to a field's id, so no field may be named like another field's hint or error.
RESERVED_ENDINGS = ("_hint", "_error")
# `prefill` names what the town already knows about the resident, and which field types may take it.
PREFILL_SOURCES: dict[str, frozenset[str]] = {
    "name": frozenset({"name"}), "name_kana": frozenset({"name_kana"}), "birthdate": frozenset({"date"}),
    "postal_code": frozenset({"postal_code"}), "address": frozenset({"address", "text"}),
    "phone": frozenset({"phone"}), "email": frozenset({"email"}),
}
MAX_GROUP_ITEMS = 50  # a hard ceiling, so no definition or input makes validation loop for long


class DefinitionError(ValueError):
    """The definition is not valid; the message says where."""


@dataclass(frozen=True)
class Condition:
    """Show a field only when an earlier field's value equals `equals` (or one of them, for a list)."""

    field: str
    equals: str | tuple[str, ...]

    def matches(self, value: Any) -> bool:
        wanted = {self.equals} if isinstance(self.equals, str) else set(self.equals)
        if isinstance(value, list):
            return any(_as_text(v) in wanted for v in value)
        return value is not None and _as_text(value) in wanted

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "equals": self.equals if isinstance(self.equals, str) else list(self.equals)}


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class Field:
    """One question. `type` is one of FIELD_TYPES; a `group` repeats its `fields` (e.g. 家族)."""

    name: str
    type: str
    label: str
    help_text: str = ""
    required: bool = True
    options: tuple[tuple[str, str], ...] = ()
    min: int | None = None
    max: int | None = None
    max_length: int | None = None
    digits: int | None = None  # digits only: the exact number of digits
    condition: Condition | None = None
    fields: tuple[Field, ...] = ()
    min_items: int | None = None
    max_items: int | None = None
    item_label: str = ""  # group only: "{n}人目" gives 「家族 1人目」; default 「… 1件目」
    accept: tuple[str, ...] = ()  # file only: MIME types or extensions, as data for the upload handler
    max_size: int | None = None  # file only: bytes
    prefill: str = ""  # one of PREFILL_SOURCES: filled from the resident's profile (once-only)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "type": self.type, "label": self.label}
        if self.help_text:
            data["help_text"] = self.help_text
        if not self.required:
            data["required"] = False
        if self.options:
            data["options"] = [[value, label] for value, label in self.options]
        for key in ("min", "max", "max_length", "digits", "min_items", "max_items", "max_size"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        if self.condition is not None:
            data["condition"] = self.condition.to_dict()
        if self.fields:
            data["fields"] = [f.to_dict() for f in self.fields]
        if self.item_label:
            data["item_label"] = self.item_label
        if self.accept:
            data["accept"] = list(self.accept)
        if self.prefill:
            data["prefill"] = self.prefill
        return data

    def group_item_label(self, index: int) -> str:
        """「家族 1人目」 for the item at `index` (0-based)."""
        pattern = self.item_label or "{n}件目"
        return f"{self.label} {pattern.replace('{n}', str(index + 1))}"


@dataclass(frozen=True)
class Page:
    title: str
    fields: tuple[Field, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "fields": [f.to_dict() for f in self.fields]}


@dataclass(frozen=True)
class FormDefinition:
    """A versioned form: pages of fields. Field names are unique across all pages."""

    title: str
    version: int
    pages: tuple[Page, ...] = field(default=())

    @classmethod
    def from_dict(cls, data: Any) -> FormDefinition:
        return _parse_definition(data)

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "version": self.version, "pages": [p.to_dict() for p in self.pages]}

    def all_fields(self) -> list[Field]:
        return [f for page in self.pages for f in page.fields]


# Parsing ------------------------------------------------------------------------------------------------------

FIELD_KEYS = frozenset({
    "name", "type", "label", "help_text", "required", "options", "min", "max", "max_length", "digits", "condition",
    "fields", "min_items", "max_items", "item_label", "accept", "max_size", "prefill",
})


def _mapping(data: Any, where: str, allowed: frozenset[str]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise DefinitionError(f"{where}: expected an object")
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        raise DefinitionError(f"{where}: unknown keys {', '.join(unknown)}")
    return data


def _text(data: dict[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise DefinitionError(f"{where}: '{key}' must be a non-empty string" if required
                              else f"{where}: '{key}' must be a string")
    return value


def _int(data: dict[str, Any], key: str, where: str, *, minimum: int | None = None) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise DefinitionError(f"{where}: '{key}' must be an integer")
    if minimum is not None and value < minimum:
        raise DefinitionError(f"{where}: '{key}' must be at least {minimum}")
    return value


def _list(data: dict[str, Any], key: str, where: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise DefinitionError(f"{where}: '{key}' must be a list")
    return value


def _parse_definition(data: Any) -> FormDefinition:
    data = _mapping(data, "definition", frozenset({"title", "version", "pages"}))
    title = _text(data, "title", "definition")
    version = _int(data, "version", "definition", minimum=1)
    if version is None:
        raise DefinitionError("definition: 'version' is required")
    raw_pages = _list(data, "pages", "definition")
    if not raw_pages:
        raise DefinitionError("definition: at least one page is required")
    seen: dict[str, Field] = {}
    pages = tuple(_parse_page(raw, i, seen) for i, raw in enumerate(raw_pages))
    return FormDefinition(title=title, version=version, pages=pages)


def _parse_page(data: Any, index: int, seen: dict[str, Field]) -> Page:
    where = f"page {index + 1}"
    data = _mapping(data, where, frozenset({"title", "fields"}))
    title = _text(data, "title", where)
    raw_fields = _list(data, "fields", where)
    if not raw_fields:
        raise DefinitionError(f"{where}: at least one field is required")
    return Page(title=title, fields=tuple(_parse_field(raw, where, seen, in_group=False) for raw in raw_fields))


def _parse_field(data: Any, page_where: str, seen: dict[str, Field], *, in_group: bool) -> Field:
    data = _mapping(data, f"{page_where}, field", FIELD_KEYS)
    name = data.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name) or "__" in name or name.endswith(RESERVED_ENDINGS):
        raise DefinitionError(f"{page_where}: field name {name!r} must be a lower-case ASCII identifier "
                              "without '__', not ending in _hint or _error")
    where = f"{page_where}, field '{name}'"
    if name in seen:
        raise DefinitionError(f"{where}: duplicate field name")
    kind = data.get("type")
    if kind not in FIELD_TYPES:
        raise DefinitionError(f"{where}: unknown field type {kind!r}")
    assert isinstance(kind, str)
    required = data.get("required", True)
    if not isinstance(required, bool):
        raise DefinitionError(f"{where}: 'required' must be true or false")
    condition = _parse_condition(data.get("condition"), where, seen)
    parsed = Field(
        name=name, type=kind, label=_text(data, "label", where), help_text=_text(data, "help_text", where,
                                                                                 required=False),
        required=required, condition=condition, **_parse_limits(data, kind, where),
        **_parse_extras(data, kind, where, in_group=in_group),
    )
    seen[name] = parsed
    return parsed


def _parse_condition(data: Any, where: str, seen: dict[str, Field]) -> Condition | None:
    if data is None:
        return None
    data = _mapping(data, f"{where}: condition", frozenset({"field", "equals"}))
    target = data.get("field")
    if not isinstance(target, str) or target not in seen:
        raise DefinitionError(f"{where}: condition refers to {target!r}, which is not an earlier field")
    if seen[target].type not in CONDITION_SOURCE_TYPES:
        raise DefinitionError(f"{where}: condition cannot depend on a '{seen[target].type}' field")
    equals = data.get("equals")
    if isinstance(equals, str):
        return Condition(field=target, equals=equals)
    if isinstance(equals, list) and equals and all(isinstance(v, str) for v in equals):
        return Condition(field=target, equals=tuple(equals))
    raise DefinitionError(f"{where}: condition 'equals' must be a string or a non-empty list of strings")


def _parse_limits(data: dict[str, Any], kind: str, where: str) -> dict[str, Any]:
    limits: dict[str, Any] = {}
    for key, types in (("min", RANGE_TYPES), ("max", RANGE_TYPES), ("max_length", LENGTH_TYPES),
                       ("digits", DIGITS_TYPES), ("min_items", {"group"}), ("max_items", {"group"}),
                       ("max_size", {"file"})):
        if key in data and kind not in types:
            raise DefinitionError(f"{where}: '{key}' does not apply to a '{kind}' field")
        minimum = {"max_length": 1, "digits": 1, "min_items": 0, "max_items": 1, "max_size": 1}.get(key)
        limits[key] = _int(data, key, where, minimum=minimum)
    if limits["digits"] is not None and limits["digits"] > MAX_DIGITS:
        raise DefinitionError(f"{where}: 'digits' must be at most {MAX_DIGITS}")
    if limits["max_items"] is not None and limits["max_items"] > MAX_GROUP_ITEMS:
        raise DefinitionError(f"{where}: 'max_items' must be at most {MAX_GROUP_ITEMS}")
    for low, high in (("min", "max"), ("min_items", "max_items")):
        if limits[low] is not None and limits[high] is not None and limits[low] > limits[high]:
            raise DefinitionError(f"{where}: '{low}' is greater than '{high}'")
    return limits


def _parse_extras(data: dict[str, Any], kind: str, where: str, *, in_group: bool) -> dict[str, Any]:
    for key, owner in (("options", CHOICE_TYPES), ("fields", {"group"}), ("item_label", {"group"}),
                       ("accept", {"file"})):
        if key in data and kind not in owner:
            raise DefinitionError(f"{where}: '{key}' does not apply to a '{kind}' field")
    extras: dict[str, Any] = {}
    if kind in CHOICE_TYPES:
        extras["options"] = _parse_options(data, where)
    if kind == "group":
        if in_group:
            raise DefinitionError(f"{where}: groups cannot be nested")
        extras["fields"] = _parse_group_fields(data, where)
        extras["item_label"] = _text(data, "item_label", where, required=False)
    if "prefill" in data:
        source = data["prefill"]
        if in_group or source not in PREFILL_SOURCES or kind not in PREFILL_SOURCES[source]:
            raise DefinitionError(f"{where}: cannot prefill a '{kind}' field from {source!r}")
        extras["prefill"] = source
    if kind == "file":
        accept = _list(data, "accept", where)
        if not all(isinstance(a, str) and a for a in accept):
            raise DefinitionError(f"{where}: 'accept' must be a list of non-empty strings")
        extras["accept"] = tuple(accept)
    return extras


def _parse_options(data: dict[str, Any], where: str) -> tuple[tuple[str, str], ...]:
    raw = _list(data, "options", where)
    if not raw:
        raise DefinitionError(f"{where}: a choice field needs options")
    options: list[tuple[str, str]] = []
    for item in raw:
        if (not isinstance(item, list | tuple) or len(item) != 2 or not all(isinstance(v, str) and v for v in item)):
            raise DefinitionError(f"{where}: each option must be a [value, label] pair of non-empty strings")
        options.append((item[0], item[1]))
    if len({value for value, _ in options}) != len(options):
        raise DefinitionError(f"{where}: duplicate option values")
    return tuple(options)


def _parse_group_fields(data: dict[str, Any], where: str) -> tuple[Field, ...]:
    raw = _list(data, "fields", where)
    if not raw:
        raise DefinitionError(f"{where}: a group needs fields")
    # Names inside a group are scoped to the group; conditions there refer to earlier fields of the same item.
    inner: dict[str, Field] = {}
    return tuple(_parse_field(item, where, inner, in_group=True) for item in raw)

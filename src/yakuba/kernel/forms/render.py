"""Accessible server-side HTML for one page of a form, reading a POST back, and a check-your-answers list.

Input names (ids are ``id_`` + the name with ``.`` → ``-``):

* a field: ``<name>``; a name/name_kana field: ``<name>__family`` and ``<name>__given``;
* multi_choice: ``<name>`` repeated (one per ticked box); consent: ``<name>=on`` when ticked;
* a field in a group item: ``<group>.<index>.<name>`` (index from 0), so ``family.0.name__family``.

A group renders its items plus one blank spare item (while under `max_items`), so a resident can add one
without JavaScript; `answers_from_post` drops items left entirely blank. Items beyond `min_items` say they are
optional (「2人目（任意）」): their 必須 questions are required only once the item is started.

Conditions: a question whose condition reads an answer given on an earlier page (or a verified one) is drawn only
when the condition holds. One whose condition reads an answer on the same page (or the same group item) is drawn
inside a box headed 「「請求の理由」で「町に転入した」を選んだ方のみ、お答えください。」; without script the box is
always in view and the server ignores it when the condition does not hold (`validate` skips it, `applicable` drops
it from a draft); with script (static/kernel_forms/conditions.js, no inline script under the CSP) the box is hidden
and its inputs disabled while the answer does not call for it.
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date
from typing import Any

from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from .definition import MAX_GROUP_ITEMS, Field, FormDefinition
from .normalise import era_year, scrub
from .rules import hint as rule_hint
from .validate import TRUE_VALUES, validate

INPUT_TYPES = {"email": "email", "phone": "tel"}
NUMERIC = frozenset({"postal_code", "phone", "number", "money"})
AUTOCOMPLETE = {"postal_code": "postal-code", "phone": "tel", "email": "email", "address": "street-address"}
FIELDSET_TYPES = frozenset({"name", "name_kana", "choice", "multi_choice", "consent", "group"})
# Answers the page's script reads as the server does (a choice's value, a ticked box); for typed answers (which the
# server normalises first) the box stays in view.
SCRIPTED_SOURCES = frozenset({"choice", "multi_choice", "consent"})


@dataclasses.dataclass
class Widget:
    """What a template needs to draw one field."""

    field: Field
    name: str
    id: str
    kind: str
    errors: list[str]
    hint: str = ""
    value: str = ""
    autocomplete: str = ""
    parts: list[dict[str, str]] = dataclasses.field(default_factory=list)
    options: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    items: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    file_name: str = ""  # file fields: the name of the file already uploaded
    optional_item: bool = False  # in a group item beyond min_items: required only once the item is started

    @property
    def fieldset(self) -> bool:
        return self.kind != "locked" and self.field.type in FIELDSET_TYPES

    @property
    def hint_id(self) -> str:
        return f"{self.id}_hint"

    @property
    def error_id(self) -> str:
        return f"{self.id}_error"

    @property
    def describedby(self) -> str:
        ids = ([self.hint_id] if self.hint else []) + ([self.error_id] if self.errors else [])
        return " ".join(ids)

    @property
    def input_type(self) -> str:
        return INPUT_TYPES.get(self.field.type, "text")

    @property
    def numeric(self) -> bool:
        return self.field.type in NUMERIC

    @property
    def target(self) -> str:
        """The id the error summary links to: the first input of the field."""
        if self.parts:
            return self.parts[0]["id"]
        if self.options:
            return str(self.options[0]["id"])
        return self.id


@dataclasses.dataclass
class Block:
    """Consecutive questions drawn together: plain ones, or those shown only when an answer on the same page is
    given (`condition`), drawn inside a box that says so. The server always draws such a box (a page without
    script shows it and the server ignores it when the answer does not call for it); the page's script hides it
    while the answer does not call for it."""

    widgets: list[Widget]
    id: str = ""
    lead: str = ""
    when_name: str = ""  # the input name of the answer the box depends on
    when_values: str = ""  # JSON list of the values that show it; '' when script cannot read the answer
    when_type: str = ""


def render_page(definition: FormDefinition, answers: Any = None, errors: dict[str, list[str]] | None = None,
                *, page: int = 0, locked: dict[str, Any] | None = None,
                files: dict[str, str] | None = None, summary_into: list[dict[str, str]] | None = None) -> SafeString:
    """HTML for page `page` (0-based) with what was typed kept and errors shown beside their fields.

    A page that mixes the questions with fields of its own passes `summary_into`, its error summary's items (the
    kernel's ui/components/error_summary.html): the questions' errors are added there and the page draws no summary
    of its own, so the visitor sees one list of everything to correct.

    A question whose condition reads an answer on an earlier page is drawn only when the condition holds; one
    whose condition reads an answer on this page is drawn in a box 「…を選んだ方のみ」 (see `Block`).
    `locked` maps field names to values the town has verified (本人確認済み): they are shown, not asked.
    `files` maps a file field's stored value to the uploaded file's name, shown beside the file input.
    """
    if not 0 <= page < len(definition.pages):
        raise ValueError(f"page {page} does not exist")
    answers = answers if isinstance(answers, dict) else {}
    locked = locked or {}
    shown = validate(definition, {**answers, **locked}).shown
    sources = {f.name: f for f in definition.all_fields()}
    asked_here: set[str] = set()  # questions drawn on this page for the resident to answer
    widgets: list[Widget] = []
    for item in definition.pages[page].fields:
        condition = item.condition
        if condition is not None and condition.field not in asked_here and item.name not in shown:
            continue  # its answer is known already (earlier page, verified) and does not call for this question
        if item.name in locked:
            widgets.append(_locked(item, locked[item.name]))
            continue
        widgets.append(_widget(item, answers.get(item.name), errors or {}, "", top=True, files=files or {}))
        asked_here.add(item.name)
    blocks = _blocks(widgets, sources, asked_here, "")
    for widget in widgets:
        for entry in widget.items:
            entry["blocks"] = _blocks(entry["widgets"], {f.name: f for f in widget.field.fields},
                                      {f.name for f in widget.field.fields}, f"{widget.name}.{entry['index']}.")
    summary = [entry for w in widgets for entry in _summary(w)]
    if summary_into is not None:
        summary_into += [{"id": entry["target"], "label": entry["label"], "message": entry["message"]}
                         for entry in summary]
        summary = []
    scripted = any(block.when_values for block in blocks) or any(
        block.when_values for w in widgets for entry in w.items for block in entry["blocks"])
    return render_to_string("kernel_forms/page.html", {"blocks": blocks, "summary": summary,
                                                       "page": definition.pages[page], "scripted": scripted})


def _blocks(widgets: list[Widget], sources: dict[str, Field], asked_here: set[str], prefix: str) -> list[Block]:
    """Group `widgets` into blocks: a run of questions sharing a condition on a question asked here gets a box."""
    blocks: list[Block] = []
    previous = None
    for widget in widgets:
        condition = widget.field.condition
        if condition is None or condition.field not in asked_here or widget.kind == "locked":
            blocks.append(Block(widgets=[widget]))
            previous = None
            continue
        if previous is not None and condition == previous and blocks[-1].lead:
            blocks[-1].widgets.append(widget)
            continue
        previous = condition
        source = sources[condition.field]
        wanted = (condition.equals,) if isinstance(condition.equals, str) else condition.equals
        scripted = source.type in SCRIPTED_SOURCES
        blocks.append(Block(
            widgets=[widget], id=f"when-{widget.id}", lead=_lead(source, wanted),
            when_name=f"{prefix}{source.name}", when_type=source.type,
            when_values=json.dumps(list(wanted), ensure_ascii=False) if scripted else ""))
    return blocks


def _lead(source: Field, wanted: tuple[str, ...]) -> str:
    """「「請求の理由」で「町に転入した」を選んだ方のみ、お答えください。」"""
    labels = dict(source.options)
    if source.type == "consent":
        labels = {"true": _("同意する"), "false": _("同意しない")}
    values = _("」または「").join(labels.get(value, value) for value in wanted)
    if source.type in SCRIPTED_SOURCES:
        return _("「%(field)s」で「%(values)s」を選んだ方のみ、お答えください。") % {
            "field": source.label, "values": values}
    return _("「%(field)s」が「%(values)s」の方のみ、お答えください。") % {"field": source.label, "values": values}


def _summary(widget: Widget) -> list[dict[str, str]]:
    entries = [{"target": widget.target, "label": widget.field.label, "message": m} for m in widget.errors]
    for item in widget.items:
        for inner in item["widgets"]:
            entries += [{"target": inner.target, "label": f"{item['label']} {inner.field.label}", "message": m}
                        for m in inner.errors]
    return entries


def _locked(item: Field, value: Any) -> Widget:
    return Widget(field=item, name=item.name, id="id_" + item.name, kind="locked", errors=[],
                  value=display(item, value))


def _widget(item: Field, raw: Any, errors: dict[str, list[str]], prefix: str, *, top: bool,
            files: dict[str, str] | None = None) -> Widget:
    name = f"{prefix}{item.name}"
    widget = Widget(field=item, name=name, id="id_" + name.replace(".", "-"), kind=_kind(item),
                    errors=[str(e) for e in errors.get(name, [])], hint=_hint(item))
    if top:
        widget.autocomplete = AUTOCOMPLETE.get(item.type, "")
        if item.type == "date" and "birth" in item.name:
            widget.autocomplete = "bday"
    _fill(widget, raw, errors, top=top)
    if widget.kind == "file" and widget.value:
        widget.file_name = (files or {}).get(widget.value, "")
    return widget


def _kind(item: Field) -> str:
    if item.type in ("name", "name_kana"):
        return "name"
    if item.type in ("choice", "multi_choice"):
        return "options"
    if item.type in ("textarea", "consent", "file", "group"):
        return item.type
    return "input"


def _hint(item: Field) -> str:
    """The form's own help, then the rule the answer is checked against (the same words its refusal uses)."""
    rule = rule_hint(item)
    help_text = "" if item.help_text.strip() and item.help_text.strip() in rule else item.help_text
    if help_text and type(help_text) is not str:  # a town text shown untranslated (kernel.words): keep it marked
        from yakuba.kernel.words.display import html

        return format_html("{} {}", html(help_text), rule) if rule else html(help_text)
    return " ".join(part for part in (help_text, rule) if part)


def _fill(widget: Widget, raw: Any, errors: dict[str, list[str]], *, top: bool) -> None:
    item = widget.field
    if widget.kind == "name":
        _fill_name(widget, raw, top=top)
    elif widget.kind == "options":
        chosen = {_typed(v) for v in raw} if isinstance(raw, list) else {_typed(raw)}
        widget.options = [{"id": f"{widget.id}-option-{i}", "value": value, "label": label, "checked": value in chosen}
                          for i, (value, label) in enumerate(item.options)]
    elif widget.kind == "consent":
        widget.value = "on" if raw is True or (isinstance(raw, str) and raw.strip().lower() in TRUE_VALUES) else ""
    elif widget.kind == "group":
        _fill_group(widget, raw, errors)
    else:
        widget.value = _typed(raw)
        if item.type == "date":
            widget.value = _typed_date(widget.value)


def _fill_name(widget: Widget, raw: Any, *, top: bool) -> None:
    parts = raw if isinstance(raw, dict) else {}
    kana = widget.field.type == "name_kana"
    labels = (_("セイ"), _("メイ")) if kana else (_("姓"), _("名"))
    autocomplete = ("", "") if kana or not top else ("family-name", "given-name")
    widget.parts = [
        {"id": f"{widget.id}__{part}", "name": f"{widget.name}__{part}", "label": label,
         "value": _typed(parts.get(part)), "autocomplete": complete}
        for part, label, complete in zip(("family", "given"), labels, autocomplete, strict=True)
    ]


def _fill_group(widget: Widget, raw: Any, errors: dict[str, list[str]]) -> None:
    item = widget.field
    entries = [e if isinstance(e, dict) else {} for e in raw] if isinstance(raw, list) else []
    limit = min(item.max_items or MAX_GROUP_ITEMS, MAX_GROUP_ITEMS)
    entries = entries[:limit]
    while len(entries) < (item.min_items or 0):
        entries.append({})
    if len(entries) < limit:
        entries.append({})
    widget.items = []
    for index, entry in enumerate(entries):
        optional = index >= (item.min_items or 0) and (index > 0 or not item.required)
        inner = [_widget(sub, entry.get(sub.name), errors, f"{widget.name}.{index}.", top=False)
                 for sub in item.fields]
        for sub_widget in inner:
            sub_widget.optional_item = optional
        widget.items.append({"label": item.group_item_label(index), "id": f"{widget.id}-{index}", "index": index,
                             "optional": optional, "widgets": inner})


def _typed_date(value: str) -> str:
    """A stored ISO date (prefilled, or saved) as people write it: 1944/5/12; anything typed stays as typed."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.year}/{day.month}/{day.day}"


def _typed(raw: Any) -> str:
    """What the resident typed, as text for an input's value (escaped by the template)."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        try:
            return str(raw)
        except ValueError:
            return ""
    return ""


# Reading a POST back ------------------------------------------------------------------------------------------

def answers_from_post(definition: FormDefinition, post: QueryDict, *, page: int | None = None) -> dict[str, Any]:
    """Turn a POST of `render_page` back into the answers dict `validate` reads (one page, or all)."""
    pages = definition.pages if page is None else definition.pages[page:page + 1]
    answers: dict[str, Any] = {}
    for current in pages:
        for item in current.fields:
            value = _read(item, post, "")
            if value is not None:
                answers[item.name] = value
    cleaned: dict[str, Any] = scrub(answers)
    return cleaned


def _read(item: Field, post: QueryDict, prefix: str) -> Any:
    name = f"{prefix}{item.name}"
    if item.type in ("name", "name_kana"):
        family, given = post.get(f"{name}__family"), post.get(f"{name}__given")
        if family is None and given is None:
            return None
        return {"family": family or "", "given": given or ""}
    if item.type == "multi_choice":
        return post.getlist(name)
    if item.type == "consent":
        return post.get(name) == "on"
    if item.type == "group":
        return _read_group(item, post, name)
    return post.get(name)


def _read_group(item: Field, post: QueryDict, name: str) -> list[dict[str, Any]]:
    pattern = re.compile(rf"^{re.escape(name)}\.([0-9]{{1,3}})\.")
    indexes = sorted({int(m[1]) for key in post for m in [pattern.match(key)] if m})[:MAX_GROUP_ITEMS + 1]
    items = []
    for index in indexes:
        entry = {}
        for sub in item.fields:
            value = _read(sub, post, f"{name}.{index}.")
            if value is not None:
                entry[sub.name] = value
        if any(_filled(v) for v in entry.values()):
            items.append(entry)
    return items


def _filled(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_filled(v) for v in value.values())
    if isinstance(value, str):
        return bool(value.strip())
    return bool(value)


# Check your answers -------------------------------------------------------------------------------------------

def render_answers(definition: FormDefinition, cleaned: dict[str, Any],
                   files: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(label, display value) for each answered (visible) field, group items flattened as 「家族 1人目 氏名」."""
    rows: list[tuple[str, str]] = []
    for item in definition.all_fields():
        if item.name not in cleaned:
            continue
        value = cleaned[item.name]
        if item.type != "group":
            rows.append((item.label, display(item, value, files)))
            continue
        for index, entry in enumerate(value if isinstance(value, list) else []):
            prefix = item.group_item_label(index)
            rows += [(f"{prefix} {sub.label}", display(sub, entry[sub.name], files)) for sub in item.fields
                     if isinstance(entry, dict) and sub.name in entry]
    return rows


def display(item: Field, value: Any, files: dict[str, str] | None = None) -> str:
    """A cleaned value as a resident reads it: 「2026年4月1日（令和8年）」, 「1,000円」, option labels."""
    if value is None or value == []:
        return _("未入力")
    if item.type == "file" and isinstance(value, str):
        return (files or {}).get(value, value)
    labels = dict(item.options)
    if item.type == "choice":
        return labels.get(value, str(value))
    if item.type == "multi_choice":
        return "、".join(labels.get(v, str(v)) for v in value)
    if item.type == "consent":
        return _("同意する") if value else _("同意しない")
    if item.type in ("name", "name_kana") and isinstance(value, dict):
        return f"{value.get('family', '')}　{value.get('given', '')}"
    if item.type == "money" and isinstance(value, int):
        return f"{value:,}円"
    if item.type == "date" and isinstance(value, str):
        return _display_date(value)
    return str(value)


def _display_date(value: str) -> str:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    era = era_year(day)
    text = f"{day.year}年{day.month}月{day.day}日"
    return f"{text}（{era}）" if era else text

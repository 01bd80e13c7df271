"""Property tests of the form editor: any sequence of edits leaves a definition the engine accepts and renders."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.kernel.forms.strategies import LABELS, answers_for, definitions
from yakuba.applications import editor
from yakuba.kernel.forms.definition import FormDefinition
from yakuba.kernel.forms.render import render_page
from yakuba.kernel.forms.validate import validate

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NEW_DRAFT: dict[str, Any] = {"title": "新しい手続", "version": 1, "pages": [{"title": "申請内容", "fields": [
    {"name": "applicant_name", "type": "name", "label": "申請者の氏名", "prefill": "name"}]}]}
KINDS = sorted(editor.TYPE_LABELS)
TEXT = st.text(max_size=12)
OPS = ["add_page", "rename_page", "delete_page", "move_page", "add_field", "add_field", "add_subfield",
       "update_field", "update_field", "update_field", "delete_field", "move_field", "move_field_to_page"]


def _names(definition: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(name, sub) for every question and every group item question."""
    found: list[tuple[str, str | None]] = []
    for page in definition["pages"]:
        for item in page["fields"]:
            found.append((item["name"], None))
            found += [(item["name"], inner["name"]) for inner in item.get("fields", [])]
    return found


@st.composite
def _changes(draw: st.DrawFn, definition: dict[str, Any], name: str, sub: str | None) -> dict[str, Any]:
    item = editor.find_field(definition, name, sub=sub)
    keys = sorted(editor.editable_keys(item["type"], in_group=sub is not None))
    chosen = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=4, unique=True))
    changes: dict[str, Any] = {}
    for key in chosen:
        if key in ("label", "help_text", "item_label"):
            changes[key] = draw(TEXT | LABELS | st.just("{n}人目"))
        elif key == "required":
            changes[key] = draw(st.booleans())
        elif key == "options":
            lines = draw(st.lists(TEXT | LABELS | st.builds("{}:{}".format, TEXT, TEXT), max_size=5))
            changes[key] = "\n".join(lines)
        elif key == "accept":
            changes[key] = draw(st.sampled_from(["", "application/pdf", "image/jpeg, .png", "、"]))
        elif key == "prefill":
            changes[key] = draw(st.sampled_from(["", *editor.PREFILL_LABELS]))
        elif key == "condition":
            sources = editor.condition_sources(definition, name, sub=sub)
            source = draw(st.none() | st.sampled_from(sources)) if sources else None
            labels = [label for _value, label in (source or {}).get("options", [])]
            equals = draw(st.sampled_from(labels) if labels else TEXT | st.just("同意する"))
            changes[key] = None if source is None else {"field": source["name"], "equals": equals}
        else:
            changes[key] = draw(st.none() | st.integers(-5, 200))
    return changes


def _apply(data: st.DataObject, definition: dict[str, Any]) -> dict[str, Any]:
    """One random operation; returns the new definition (the old one if the editor refused)."""
    op = data.draw(st.sampled_from(OPS))
    pages = len(definition["pages"])
    page = data.draw(st.integers(-1, pages))
    name, sub = data.draw(st.sampled_from(_names(definition)))
    groups = [item["name"] for p in definition["pages"] for item in p["fields"] if item["type"] == "group"]
    try:
        if op == "add_page":
            return editor.add_page(definition, data.draw(TEXT | LABELS))[0]
        if op == "rename_page":
            return editor.rename_page(definition, page, data.draw(TEXT | LABELS))
        if op == "delete_page":
            return editor.delete_page(definition, page)
        if op == "move_page":
            return editor.move_page(definition, page, data.draw(st.sampled_from([-1, 1, 2])))
        if op == "add_field":
            return editor.add_field(definition, page, data.draw(st.sampled_from([*KINDS, "bogus"])),
                                    data.draw(TEXT))[0]
        if op == "add_subfield":
            group = data.draw(st.sampled_from(groups)) if groups else name
            return editor.add_subfield(definition, group, data.draw(st.sampled_from(KINDS)), data.draw(TEXT))[0]
        if op == "update_field":
            before = _names(definition)
            result = editor.update_field(definition, name, data.draw(_changes(definition, name, sub)), sub=sub)
            assert _names(result) == before  # names never change, so old answers still match
            return result
        if op == "delete_field":
            return editor.delete_field(definition, name, sub=sub)
        if op == "move_field":
            return editor.move_field(definition, name, data.draw(st.sampled_from([-1, 1])), sub=sub)
        return editor.move_field_to_page(definition, name, page)
    except editor.EditorError as refused:
        assert str(refused)
        return definition


def _check(data: st.DataObject, definition: dict[str, Any]) -> None:
    form = FormDefinition.from_dict(definition)
    assert form.to_dict() == definition
    answers = data.draw(answers_for(definition))
    result = validate(form, answers)
    for index in range(len(form.pages)):
        render_page(form, {}, page=index)
        render_page(form, answers, validate(form, answers, page=index).errors, page=index)
    assert set(result.cleaned) <= {f.name for f in form.all_fields()}


@SETTINGS
@given(st.data())
def test_any_edits_of_a_new_draft_stay_valid_and_render(data):
    definition = NEW_DRAFT
    for _step in range(data.draw(st.integers(1, 15))):
        definition = _apply(data, definition)
        _check(data, definition)


@SETTINGS
@given(st.data())
def test_any_edits_of_an_existing_form_stay_valid_and_render(data):
    definition = FormDefinition.from_dict(data.draw(definitions())).to_dict()
    for _step in range(data.draw(st.integers(1, 8))):
        definition = _apply(data, definition)
        _check(data, definition)

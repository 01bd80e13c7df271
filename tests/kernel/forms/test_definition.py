"""Definitions: parsing, JSON round trip, and the errors an invalid definition raises."""

import json

import pytest

from yakuba.kernel.forms.definition import DefinitionError, FormDefinition

from .defs import definition, field, moving_in


def test_round_trip_is_exact():
    data = moving_in().to_dict()
    assert FormDefinition.from_dict(data).to_dict() == data
    assert FormDefinition.from_dict(json.loads(json.dumps(data))) == moving_in()


def test_defaults_are_left_out_of_the_dict():
    data = definition(field("kana", "kana", "フリガナ"))
    assert FormDefinition.from_dict(data).to_dict() == data


def test_parsed_values():
    form = moving_in()
    family = form.pages[1].fields[1]
    assert family.type == "group"
    assert family.group_item_label(0) == "家族 1人目"
    assert family.condition is not None and family.condition.field == "has_family"
    assert form.pages[1].fields[6].accept == ("image/jpeg", "application/pdf")


@pytest.mark.parametrize(("data", "message"), [
    (definition(field("a", "colour")), "unknown field type 'colour'"),
    (definition(field("a", "text"), field("a", "kana")), "field 'a': duplicate field name"),
    (definition(pages=[[field("a", "text")], [field("a", "text")]]), "page 2, field 'a': duplicate"),
    (definition(field("a", "text", condition={"field": "b", "equals": "x"}), field("b", "choice")),
     "not an earlier field"),
    (definition(field("a", "text", condition={"field": "zzz", "equals": "x"})), "'zzz', which is not an earlier"),
    (definition(field("a", "choice", options=[])), "needs options"),
    (definition(field("a", "choice", options=[["x", "X"], ["x", "Y"]])), "duplicate option values"),
    (definition(field("a", "number", min=10, max=1)), "'min' is greater than 'max'"),
    (definition(field("a", "text", min=1)), "'min' does not apply to a 'text' field"),
    (definition(field("a", "text", max_length=0)), "'max_length' must be at least 1"),
    (definition(field("a", "number", max="10")), "'max' must be an integer"),
    (definition(field("a", "group", fields=[field("b", "group")])), "groups cannot be nested"),
    (definition(field("a", "group", fields=[])), "a group needs fields"),
    (definition(field("a", "group", min_items=3, max_items=2)), "'min_items' is greater than 'max_items'"),
    (definition(field("Bad-name", "text")), "lower-case ASCII identifier"),
    (definition(field("a__b", "text")), "without '__'"),
    (definition(field("名前", "text")), "identifier"),
    (definition(field("birthdate_error", "text")), "not ending in _hint or _error"),
    (definition({**field("a", "text"), "label": " "}), "'label' must be a non-empty string"),
    (definition(field("a", "text", colour="red")), "unknown keys colour"),
    (definition(field("a", "text", required="yes")), "'required' must be true or false"),
    (definition(field("a", "group"), field("b", "text", condition={"field": "a", "equals": "x"})),
     "cannot depend on a 'group' field"),
    (definition(field("a", "choice"), field("b", "text", condition={"field": "a", "equals": []})), "'equals'"),
    ({"title": "x", "version": 0, "pages": [{"title": "p", "fields": [field("a", "text")]}]}, "at least 1"),
    ({"title": "x", "version": 1, "pages": []}, "at least one page"),
    ({"title": "x", "version": 1, "pages": [{"title": "p", "fields": []}]}, "page 1: at least one field"),
    ("not a dict", "expected an object"),
])
def test_invalid_definitions_say_where(data, message):
    with pytest.raises(DefinitionError, match=message):
        FormDefinition.from_dict(data)


def test_condition_inside_a_group_refers_to_its_siblings():
    inner = [field("relation", "choice"), field("school", "text", condition={"field": "relation", "equals": "a"})]
    FormDefinition.from_dict(definition(field("family", "group", fields=inner)))
    outer = [field("school", "text", condition={"field": "top", "equals": "a"})]
    with pytest.raises(DefinitionError, match="field .family., field .school.: condition refers to .top."):
        FormDefinition.from_dict(definition(field("top", "choice"), field("family", "group", fields=outer)))


def test_prefill_names_a_known_source_of_a_fitting_type():
    from yakuba.kernel.forms.definition import DefinitionError, FormDefinition

    def form(field):
        return {"title": "t", "version": 1, "pages": [{"title": "p", "fields": [field]}]}

    parsed = FormDefinition.from_dict(form({"name": "who", "type": "name", "label": "氏名", "prefill": "name"}))
    assert parsed.pages[0].fields[0].prefill == "name"
    assert parsed.to_dict() == form({"name": "who", "type": "name", "label": "氏名", "prefill": "name"})
    for bad in ({"name": "who", "type": "text", "label": "x", "prefill": "name"},
                {"name": "who", "type": "name", "label": "x", "prefill": "mynumber"}):
        with pytest.raises(DefinitionError, match="prefill"):
            FormDefinition.from_dict(form(bad))
    group = {"name": "kids", "type": "group", "label": "子", "fields": [
        {"name": "who", "type": "name", "label": "氏名", "prefill": "name"}]}
    with pytest.raises(DefinitionError, match="prefill"):
        FormDefinition.from_dict(form(group))

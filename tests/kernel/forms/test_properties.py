"""Property tests: any valid definition round-trips and renders; validate never raises on any input."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yakuba.kernel.forms.definition import FormDefinition
from yakuba.kernel.forms.render import answers_from_post, render_answers, render_page
from yakuba.kernel.forms.validate import validate

from .html_form import read
from .strategies import answers_for, definitions

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(definitions())
def test_generated_definitions_round_trip(data):
    form = FormDefinition.from_dict(data)
    assert form.to_dict() == data
    assert FormDefinition.from_dict(json.loads(json.dumps(form.to_dict()))) == form


@SETTINGS
@given(st.data())
def test_generated_definitions_render_for_empty_and_random_answers(data):
    form = FormDefinition.from_dict(data.draw(definitions()))
    answers = data.draw(answers_for(form.to_dict()))
    result = validate(form, answers)
    for page in range(len(form.pages)):
        empty = render_page(form, {}, page=page)
        # A page asks something, or says it has nothing to ask (its questions' conditions read earlier answers).
        assert "<fieldset" in empty or "<label" in empty or "質問はありません" in empty
        html = render_page(form, answers, result.errors, page=page)
        reader = read(html)
        ids = [attrs["id"] for _tag, attrs in reader.elements if "id" in attrs]
        assert len(ids) == len(set(ids))
        labelled = {attrs["for"] for tag, attrs in reader.elements if tag == "label"}
        assert all(attrs["id"] in labelled for tag, attrs in reader.elements
                   if tag in ("input", "textarea") and attrs.get("type") != "hidden")
        # What the browser would post back is again something validate accepts without raising.
        validate(form, answers_from_post(form, reader.post, page=page), page=page)
    render_answers(form, result.cleaned)


def _allowed_error_key(form: FormDefinition, key: str) -> bool:
    fields = {f.name: f for f in form.all_fields()}
    parts = key.split(".")
    if len(parts) == 1:
        return key in fields
    group = fields.get(parts[0])
    return (len(parts) == 3 and group is not None and group.type == "group" and parts[1].isdigit()
            and parts[2] in {f.name for f in group.fields})


@SETTINGS
@given(st.data())
def test_validate_never_raises_and_reports_only_known_fields(data):
    form = FormDefinition.from_dict(data.draw(definitions()))
    answers = data.draw(answers_for(form.to_dict()))
    page = data.draw(st.none() | st.integers(0, len(form.pages) - 1))
    result = validate(form, answers, page=page)
    assert all(_allowed_error_key(form, key) for key in result.errors)
    assert all(isinstance(messages, list) and messages for messages in result.errors.values())
    json.dumps(result.cleaned)
    names = {f.name for f in (form.all_fields() if page is None else form.pages[page].fields)}
    assert set(result.cleaned) <= names


@SETTINGS
@given(st.data())
def test_dropping_hidden_answers_changes_nothing_validate_keeps(data):
    from yakuba.kernel.forms.validate import applicable

    form = FormDefinition.from_dict(data.draw(definitions()))
    answers = data.draw(answers_for(form.to_dict()))
    kept = applicable(form, answers)
    assert validate(form, kept).cleaned == validate(form, answers).cleaned
    assert applicable(form, kept) == kept

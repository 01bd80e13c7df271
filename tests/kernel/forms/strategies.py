"""Hypothesis strategies: arbitrary valid form definitions (as dicts) and arbitrary JSON-like answers."""

from typing import Any

from hypothesis import strategies as st

from yakuba.kernel.forms.definition import CONDITION_SOURCE_TYPES, FIELD_TYPES

NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True).filter(
    lambda n: "__" not in n and not n.endswith(("_hint", "_error")))
LABELS = st.text(min_size=1, max_size=8).filter(lambda s: s.strip())
OPTION_VALUES = st.text(min_size=1, max_size=4)
SIMPLE_TYPES = sorted(FIELD_TYPES - {"group"})

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8,
)


@st.composite
def field_dicts(draw: st.DrawFn, name: str, earlier: list[dict[str, Any]], *, in_group: bool) -> dict[str, Any]:
    kind = draw(st.sampled_from(SIMPLE_TYPES if in_group else [*SIMPLE_TYPES, "group", "group"]))
    data: dict[str, Any] = {"name": name, "type": kind, "label": draw(LABELS)}
    if draw(st.booleans()):
        data["help_text"] = draw(LABELS)
    if draw(st.booleans()):
        data["required"] = False
    data.update(draw(_extras(kind, name)))
    sources = [f for f in earlier if f["type"] in CONDITION_SOURCE_TYPES]
    if sources and draw(st.booleans()):
        source = draw(st.sampled_from(sources))
        values = [v for v, _ in source.get("options", [])] or ["true", "1", "ア"]
        equals = draw(st.sampled_from(values) | st.lists(st.sampled_from(values), min_size=1, max_size=2))
        data["condition"] = {"field": source["name"], "equals": equals}
    return data


@st.composite
def _extras(draw: st.DrawFn, kind: str, name: str) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    if kind in ("choice", "multi_choice"):
        values = draw(st.lists(OPTION_VALUES, min_size=1, max_size=4, unique=True))
        extras["options"] = [[v, draw(LABELS)] for v in values]
    if kind in ("number", "money") and draw(st.booleans()):
        low = draw(st.integers(0, 1000))
        extras.update(min=low, max=low + draw(st.integers(0, 10_000)))
    if kind in ("text", "textarea", "kana", "address") and draw(st.booleans()):
        extras["max_length"] = draw(st.integers(1, 200))
    if kind == "digits" and draw(st.booleans()):
        extras["digits"] = draw(st.integers(1, 12))
    if kind == "file" and draw(st.booleans()):
        extras.update(accept=["application/pdf"], max_size=draw(st.integers(1, 10**7)))
    if kind == "group":
        inner_names = draw(st.lists(NAMES, min_size=1, max_size=3, unique=True))
        inner: list[dict[str, Any]] = []
        for inner_name in inner_names:
            inner.append(draw(field_dicts(inner_name, inner, in_group=True)))
        extras["fields"] = inner
        if draw(st.booleans()):
            low = draw(st.integers(0, 2))
            extras.update(min_items=low, max_items=low + draw(st.integers(1, 3)))
        if draw(st.booleans()):
            extras["item_label"] = "{n}人目"
    return extras


@st.composite
def definitions(draw: st.DrawFn) -> dict[str, Any]:
    sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    names = draw(st.lists(NAMES, min_size=sum(sizes), max_size=sum(sizes), unique=True))
    earlier: list[dict[str, Any]] = []
    pages = []
    for index, size in enumerate(sizes):
        fields = []
        for name in names[:size]:
            fields.append(draw(field_dicts(name, earlier, in_group=False)))
            earlier.append(fields[-1])
        names = names[size:]
        pages.append({"title": f"p{index}", "fields": fields})
    return {"title": draw(LABELS), "version": draw(st.integers(1, 100)), "pages": pages}


@st.composite
def answers_for(draw: st.DrawFn, definition: dict[str, Any]) -> dict[Any, Any]:
    """Any JSON values under the definition's names (groups get lists of item dicts), plus stray keys."""
    answers: dict[Any, Any] = draw(st.dictionaries(st.text(max_size=5), JSON, max_size=2))
    for page in definition["pages"]:
        for field in page["fields"]:
            if not draw(st.booleans()):
                continue
            if field["type"] == "group" and draw(st.booleans()):
                inner = st.fixed_dictionaries({}, optional={f["name"]: JSON for f in field["fields"]})
                answers[field["name"]] = draw(st.lists(inner, max_size=3))
            else:
                answers[field["name"]] = draw(JSON)
    return answers

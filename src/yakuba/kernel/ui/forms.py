"""Form rendering shared by every app: GOV.UK-style error summary and fields (labels, hints, errors)."""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates


class FormRenderer(DjangoTemplates):
    form_template_name = "ui/components/form.html"
    field_template_name = "ui/components/field.html"


def describe_errors(form: Any) -> None:
    """Point each invalid widget at its error message (aria-describedby) for screen readers."""
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            ids = [widget.attrs.get("aria-describedby", ""), f"id_{name}_error"]
            widget.attrs["aria-describedby"] = " ".join(i for i in ids if i)

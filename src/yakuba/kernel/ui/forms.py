"""Form rendering shared by every app: GOV.UK-style error summary and fields (labels, hints, errors)."""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates


class FormRenderer(DjangoTemplates):
    form_template_name = "ui/components/form.html"
    field_template_name = "ui/components/field.html"


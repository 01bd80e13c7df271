"""A submission as PDF (copy of answers), and a procedure's submissions as CSV rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.files.pdf import render_pdf
from yakuba.kernel.forms.definition import Field
from yakuba.kernel.forms.render import display, render_answers

from .models import Procedure, Submission


def submission_pdf(submission: Submission, *, for_staff: bool = False) -> bytes:
    """The applicant's copy (or the office's print) of a filed submission, in the form version it was made with."""
    names = {a.token: a.original_name for a in submission.attachments.all()}
    rows = render_answers(submission.form_version.form, submission.answers, names)
    return render_pdf("applications/pdf/submission.html", {
        "submission": submission, "rows": rows, "municipality": submission.municipality, "for_staff": for_staff,
        "printed_at": timezone.localtime(),
    })


def csv_rows(procedure: Procedure, submissions: Any) -> Iterator[list[str]]:
    """Header then one row per submission. Columns are the union of every form version's fields, by name,
    so answers made with an old version line up with new ones (a renamed label keeps its column)."""
    columns: dict[str, Field] = {}
    for version in procedure.versions.exclude(published_at__isnull=True).order_by("version"):
        for item in version.form.all_fields():
            columns.setdefault(item.name, item)
    fixed = [_("受付番号"), _("状態"), _("受付方法"), _("申請日時"), _("様式の版"), _("担当者")]
    yield fixed + [f"{item.label} ({name})" for name, item in columns.items()]
    for submission in submissions:
        names = {a.token: a.original_name for a in submission.attachments.all()}
        row = [submission.reference or "", submission.get_status_display(), submission.get_channel_display(),
               timezone.localtime(submission.submitted_at).strftime("%Y-%m-%d %H:%M") if submission.submitted_at
               else "", str(submission.form_version.version), str(submission.assignee or "")]
        for name, item in columns.items():
            value = submission.answers.get(name)
            row.append("" if value is None else _cell(item, value, names))
        yield row  # the kernel's CSV writer makes a resident's answer inert for spreadsheets


def _cell(item: Field, value: Any, names: dict[str, str]) -> str:
    if item.type == "group" and isinstance(value, list):
        parts = []
        for entry in value:
            if isinstance(entry, dict):
                parts.append(" / ".join(f"{sub.label}: {display(sub, entry.get(sub.name), names)}"
                                        for sub in item.fields if sub.name in entry))
        return " | ".join(parts)
    return display(item, value, names)

"""The one way a view acts: once per click, in one transaction, a refusal shown where the user is.

Every write a view makes goes through `act_once` (or `attempt`, when the view needs to decide what to show
itself). The posted once-token (kernel.ui.once) is consumed in the same transaction as the service call, so a
double click, a back-button resubmit or a retry after a timeout writes once; a `Refused` from the service rolls
both back, so the user can correct and send again. Services never see the token.

    return act_once(request, lambda: services.publish_notice(request.staff, notice),
                    done=_("公開しました。"), back=reverse("staff:notice-detail", args=[pk]),
                    refused=lambda error: _detail(request, notice, errors=error_summary(refused=error), status=400))

With a form, a refusal's field errors land on the form's fields and `act_once` returns None: the view renders
the form again with `error_summary(form)` and status 400, and the user's typing is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from yakuba.kernel.refusal import NON_FIELD, Refused

from . import once

T = TypeVar("T")


@dataclass
class Attempt(Generic[T]):
    """What came of one action: `result` when it was done, `refused` when a rule said no, `repeated` when this
    click had already been acted on."""

    result: T | None = None
    refused: Refused | None = None
    repeated: bool = False

    @property
    def done(self) -> bool:
        return self.refused is None and not self.repeated


def attempt(request: HttpRequest, action: Callable[[], T]) -> Attempt[T]:
    """Run `action` once for this form's once-token, in one transaction with it."""
    try:
        with transaction.atomic():
            once.consume(request)
            return Attempt(result=action())
    except once.AlreadySubmitted:
        return Attempt(repeated=True)
    except Refused as error:
        return Attempt(refused=error)


@overload
def act_once(request: HttpRequest, action: Callable[[], T], *, done: str | Callable[[T], str],
             back: str | Callable[[T], str], refused: Callable[[Refused], HttpResponse] | None = None,
             form: None = None, repeated: str | None = None, again: str | None = None) -> HttpResponse: ...


@overload
def act_once(request: HttpRequest, action: Callable[[], T], *, done: str | Callable[[T], str],
             back: str | Callable[[T], str], refused: Callable[[Refused], HttpResponse] | None = None,
             form: forms.BaseForm, repeated: str | None = None, again: str | None = None) -> HttpResponse | None: ...


def act_once(request: HttpRequest, action: Callable[[], T], *, done: str | Callable[[T], str],
             back: str | Callable[[T], str], refused: Callable[[Refused], HttpResponse] | None = None,
             form: forms.BaseForm | None = None, repeated: str | None = None, again: str | None = None
             ) -> HttpResponse | None:
    """Run `action` (see `attempt`); then redirect to `back` with `done` said.

    A second click of the same form says so (`repeated`, or a general sentence) and redirects to `again` when
    given, else to `back` (or, when `back` needs the result, to the page the click came from). A refusal
    returns `refused(error)` when given; with `form`, its reasons are put on the form's fields and None is
    returned, for the view to render the form again (status 400).
    """
    outcome = attempt(request, action)
    if outcome.repeated:
        messages.info(request, repeated or _("この操作はすでに受け付けています。"))
        if again is not None:
            return HttpResponseRedirect(again)
        if callable(back):
            return HttpResponseRedirect(request.get_full_path())
        return HttpResponseRedirect(back)
    if outcome.refused is not None:
        if form is not None:
            add_refusal(form, outcome.refused)
        if refused is not None:
            return refused(outcome.refused)
        if form is not None:
            return None
        for message in outcome.refused.messages:
            messages.error(request, message)
        return HttpResponseRedirect(back if isinstance(back, str) else request.get_full_path())
    result: Any = outcome.result
    messages.success(request, done if isinstance(done, str) else done(result))
    return HttpResponseRedirect(back if isinstance(back, str) else back(result))


def add_refusal(form: forms.BaseForm, refusal: Refused, *, field_of: Callable[[str], str | None] | None = None
                ) -> None:
    """Put each reason on the field it names (a hidden or unknown field's reason goes on top of the form).
    `field_of` maps a service's name for a field to the form's, when they differ. Several reasons given without
    fields (`Refused(["…", "…"])`) stay separate errors, one line each in the summary."""
    several = set(refusal.errors) == {NON_FIELD}
    for name, message in [(NON_FIELD, line) for line in refusal.messages] if several else refusal.errors.items():
        target = field_of(name) if field_of is not None else name
        visible = target in form.fields and not form.fields[target].widget.is_hidden
        form.add_error(target if visible else None, message)


def error_summary(form: forms.BaseForm | None = None, *, refused: Refused | None = None,
                  labels: dict[str, str] | None = None) -> list[dict[str, str]]:
    """The items of the kernel's error summary (ui/components/error_summary.html): each message linked to its
    field, in the form's field order, reasons that belong to no field first. `labels` overrides a field's label.
    Without a form, a refusal's reasons are the items (with a form, `add_refusal` has put them on it)."""
    items: list[dict[str, str]] = []
    if form is not None and form.is_bound:
        items += [{"id": "", "label": "", "message": str(error)} for error in form.non_field_errors()]
        for name in form.fields:
            bound = form[name]
            label = (labels or {}).get(name) or str(bound.label or "")
            items += [{"id": bound.auto_id or "", "label": label, "message": str(error)}
                      for error in form.errors.get(name, [])]
    if refused is not None and form is None:
        items += [{"id": "", "label": "", "message": message} for message in refused.messages]
    return items

"""One way to run a staff action from a button: once per click, a refusal shown on the page it came from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui import once

from ..services import ReservationError


def act_once(request: TownRequest, action: Callable[[], Any], *, done: str | Callable[[Any], str], back: str,
             refused: Callable[[list[str]], HttpResponse]) -> HttpResponse:
    """Run `action` in one transaction with the click's once-token; then back to `back` with `done` said, or the
    page again (400) with every reason when a rule refuses it. A second click of the same form acts no more."""
    try:
        with transaction.atomic():
            once.consume(request)
            result = action()
    except once.AlreadySubmitted:
        messages.info(request, _("この操作はすでに受け付けています。"))
    except ReservationError as error:
        return refused(error.messages)
    else:
        messages.success(request, done if isinstance(done, str) else done(result))
    return HttpResponseRedirect(back)

"""One submission per click: a form carries a token; the write and the token's use commit together.

A second POST of the same token (double click, back button, retry after a timeout) finds the token
used — the unique constraint decides, even when both arrive at once — and is told so instead of
writing twice. If the write fails, its transaction rolls the token back so the resident can retry.
"""

from __future__ import annotations

import re
import secrets

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from .models import UsedFormToken

FIELD = "_once"
# Set on the request when a page renders a token: the page is a form of one person's, never cached (middleware).
RENDERED = "yakuba_once_token_rendered"
_VALID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class AlreadySubmitted(Exception):
    """This form was already submitted once."""


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_from(request: HttpRequest) -> str:
    """The token posted with the form, or a fresh one to render into it."""
    posted = request.POST.get(FIELD, "")
    return posted if _VALID.match(posted) else new_token()


def consume(request: HttpRequest) -> None:
    """Mark the posted token used. Call inside the transaction of the write it guards."""
    consume_token(request.POST.get(FIELD, ""))


def consume_token(token: str | None) -> None:
    """`consume` for callers without a request that dedupe by a token they carry (benchmarks, tests), inside the
    transaction of the write. Services never take a token: the caller guards the call (kernel.ui.actions)."""
    if not token or not _VALID.match(token):
        # Forms rendered before tokens existed, or a client that dropped it: nothing to deduplicate on.
        return
    try:
        with transaction.atomic():
            UsedFormToken.objects.create(token=token)
    except IntegrityError as error:
        raise AlreadySubmitted from error

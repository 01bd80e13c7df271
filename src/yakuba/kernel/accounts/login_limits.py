"""Sign-in limits across accounts and addresses (password spraying), beside django-axes' username+IP lockout."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from yakuba.kernel.audit.services import record
from yakuba.kernel.forms import normalise
from yakuba.kernel.throttle import Limit, client_ip

# One address trying one password on many accounts, and one account tried from many addresses. Both sit well
# above what a person mistyping meets (axes locks a username+IP pair at AXES_FAILURE_LIMIT first).
_WINDOW = int(settings.AXES_COOLOFF_TIME * 3600)
PER_ADDRESS = Limit("accounts.login.address", settings.YAKUBA_LOGIN_ADDRESS_FAILURE_LIMIT, _WINDOW)
PER_ACCOUNT = Limit("accounts.login.account", settings.YAKUBA_LOGIN_ACCOUNT_FAILURE_LIMIT, _WINDOW)


def _account(username: Any) -> str:
    return normalise.text(str(username or "")).lower()


def refused(request: HttpRequest) -> bool:
    """True while this address, or the account named in the POST, has failed too often across the other."""
    if not settings.AXES_ENABLED:
        return False
    return (PER_ADDRESS.retry_after(client_ip(request)) is not None
            or PER_ACCOUNT.retry_after(_account(request.POST.get("username"))) is not None)


@receiver(user_login_failed, dispatch_uid="yakuba.accounts.login_limits")
def count_failure(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Count a failed sign-in against the address and the account; audit the moment either limit is reached."""
    if request is None or not settings.AXES_ENABLED:
        return
    by = []
    if PER_ADDRESS.add(client_ip(request)) == PER_ADDRESS.count:
        by.append("address")
    if PER_ACCOUNT.add(_account(credentials.get("username"))) == PER_ACCOUNT.count:
        by.append("account")
    if by:
        # No address or e-mail in the data: the entry's request fields carry the address already.
        record("accounts.login.throttled", municipality=getattr(request, "municipality", None), request=request,
               data={"by": by})

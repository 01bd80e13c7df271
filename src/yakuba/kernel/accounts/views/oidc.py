"""Resident login with マイナンバーカード through デジタル認証アプリ (OpenID Connect)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.views import safe_url

from .. import oidc, services


def _error(request: TownRequest, error: oidc.OIDCError) -> HttpResponse:
    return render(request, "accounts/public/oidc_error.html", {"message": error.message}, status=error.status)


@never_cache
@require_GET
def start(request: TownRequest) -> HttpResponse:
    """Send the browser to the provider. `?next=` is kept only if it stays on this site."""
    try:
        url = oidc.build_authorization_request(request, next_url=safe_url(request, request.GET.get("next", "")))
    except oidc.OIDCError as error:
        return _error(request, error)
    return HttpResponseRedirect(url)


@never_cache
@require_GET
def callback(request: TownRequest) -> HttpResponse:
    """The provider sends the browser back here with `code` and `state` (or `error`)."""
    try:
        result = oidc.complete(request)
        user = services.sign_in_with_verified_identity(
            request.municipality, result, current_user=request.user, request=request
        )
    except oidc.OIDCError as error:
        return _error(request, error)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    # login() keeps the session id when the same user was already signed in; a verified identity is a new privilege.
    request.session.cycle_key()
    messages.success(request, _("マイナンバーカードで本人確認しました。"))
    return HttpResponseRedirect(safe_url(request, result.next_url) or reverse("accounts:profile"))

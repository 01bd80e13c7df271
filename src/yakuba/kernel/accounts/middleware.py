"""Idle sessions end: after YAKUBA_SESSION_IDLE_SECONDS without a request the user is signed out and told."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from yakuba.kernel.http import TownRequest

LAST_SEEN = "yakuba_last_seen"
LAST_SEEN_STEP = 60  # seconds: how precisely the idle time is kept (an idle limit is counted in minutes)


class SessionIdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: TownRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_SEEN)
            if last is not None and now - int(last) > settings.SESSION_IDLE_SECONDS:
                logout(request)
                request.session_expired = True
                messages.warning(
                    request,
                    _("一定時間操作がなかったため、安全のためログアウトしました。"
                      "もう一度ログインしてください。"),
                )
            elif last is None or now - int(last) >= LAST_SEEN_STEP:
                # Written once a minute, not on every request: each write saves the whole session row again.
                request.session[LAST_SEEN] = now
        return self.get_response(request)

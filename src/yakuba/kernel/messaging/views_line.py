"""LINE's side of the town's account: the webhook (follow, block, account link) and the start of account linking."""

from __future__ import annotations

from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from yakuba.kernel.accounts.permissions import resident_required
from yakuba.kernel.http import TownRequest

from . import line_events
from .channels.line import line_channel


@csrf_exempt
@require_POST
def webhook(request: TownRequest) -> HttpResponse:
    """Verify LINE's signature with this town's channel secret before anything is read or stored."""
    channel = line_channel(request.municipality)
    if channel is None:
        raise Http404("LINE is not configured for this town")
    from linebot.v3 import WebhookParser  # imported on use: the SDK is slow to import
    from linebot.v3.exceptions import InvalidSignatureError

    signature = request.headers.get("X-Line-Signature", "")
    try:
        body = request.body.decode("utf-8")
        events = WebhookParser(channel.channel_secret).parse(body, signature)
    except InvalidSignatureError:
        return HttpResponseBadRequest("invalid signature")
    except (ValueError, KeyError, TypeError, AttributeError):  # not JSON, or not LINE's shape
        return HttpResponseBadRequest("malformed body")
    line_events.handle(request.municipality, channel, list(events))
    return HttpResponse("OK")


def _link_token(request: TownRequest) -> str:
    token = request.GET.get("linkToken", "").strip()
    return token if 0 < len(token) <= 200 and token.isprintable() else ""


@require_GET
def link(request: TownRequest) -> HttpResponse:
    """Opened from the welcome message: after login, send the resident to LINE with a nonce naming them."""
    if line_channel(request.municipality) is None:
        raise Http404("LINE is not configured for this town")
    if not _link_token(request):
        return render(request, "messaging/line/link_invalid.html", status=400)
    return _link_resident(request)


@resident_required
def _link_resident(request: TownRequest) -> HttpResponse:
    nonce = line_events.issue_nonce(request.municipality, request.resident)
    return HttpResponseRedirect(line_events.account_link_url(_link_token(request), nonce))


urlpatterns = [
    path("line/webhook/", webhook, name="line-webhook"),
    path("line/link/", link, name="line-link"),
]

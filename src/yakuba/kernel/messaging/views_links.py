"""The links in messages: confirm an address (double opt-in) and stop every delivery (one click, RFC 8058).

Mail scanners open GET links before the person does, so a GET only shows a button; the POST acts. The
unsubscribe POST is csrf-exempt: mail clients send it themselves (`List-Unsubscribe=One-Click`), with the
token in the URL as the only credential, as RFC 8058 intends."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from yakuba.kernel.http import TownRequest

from . import registry, services
from .models import Subscriber
from .residents import SOURCE as PERSONAL
from .staff import SOURCE as STAFF


def _manage_url(subscriber: Subscriber) -> str:
    """The page where this subscriber changes their choices (the app that keeps them registers its name); a staff
    member's browsers have only the kernel's own source, and a resident's never that one. Personal messages (one
    resident's own business) have no choices of their own: the resident manages what the town's notices send."""
    for source in registry.sources():
        if (source.name == STAFF) != (subscriber.staff_id is not None) or source.name == PERSONAL:
            continue
        try:
            return reverse(source.manage_url_name, args=[subscriber.token])
        except NoReverseMatch:
            continue
    return ""


@require_http_methods(["GET", "POST"])
def confirm(request: TownRequest, token: str) -> HttpResponse:
    try:
        if request.method == "GET":
            services.check_link(request.municipality, token)
            return render(request, "messaging/confirm.html", {"done": False})
        endpoint = services.confirm_email(request.municipality, token)
    except services.InvalidLink as error:
        return render(request, "messaging/link_error.html", {"message": str(error)}, status=400)
    return render(request, "messaging/confirm.html", {"done": True, "endpoint": endpoint,
                                                      "manage_url": _manage_url(endpoint.subscriber)})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: TownRequest, token: str) -> HttpResponse:
    subscriber = services.subscriber_by_token(request.municipality, token)
    if subscriber is None:
        raise Http404
    if request.method == "POST":
        services.unsubscribe(subscriber)
        subscriber.refresh_from_db()
    return render(request, "messaging/unsubscribe.html", {
        "done": request.method == "POST", "stopped": subscriber.unsubscribed_at is not None,
        "manage_url": _manage_url(subscriber)})


urlpatterns = [
    path("confirm/<str:token>/", confirm, name="confirm"),
    path("unsubscribe/<str:token>/", unsubscribe, name="unsubscribe"),
]

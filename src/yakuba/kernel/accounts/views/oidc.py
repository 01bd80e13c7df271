"""PLACEHOLDER written by the kernel author so the project imports; the OIDC helper replaces this file."""

from django.http import HttpRequest, HttpResponse


def start(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=503)


def callback(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=503)

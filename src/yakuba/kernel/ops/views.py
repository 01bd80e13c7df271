"""/healthz (the database answers and the task queue is reachable) and /api/openapi.json."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import get_script_prefix
from django.utils.cache import patch_cache_control

from yakuba.kernel import openapi


def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


def openapi_document(request: HttpRequest) -> JsonResponse:
    """/api/openapi.json: the town's public JSON APIs (kernel/openapi.py), with the town's own address as server."""
    municipality = getattr(request, "municipality", None)
    title = f"{municipality} API" if municipality is not None else "yakuba API"
    body = openapi.document(title=title, server_url=request.build_absolute_uri(get_script_prefix()))
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=300)
    return response

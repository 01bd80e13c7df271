"""The CKAN-compatible read API (mounted at api/3/action/ by yakuba.urls) and the DCAT (JSON-LD) documents.

Open to anyone, read-only, the request's town only; CORS-open so browser tools can read them too.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpResponse, QueryDict
from django.http.request import RawPostDataException
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from yakuba.kernel.http import TownRequest
from yakuba.kernel.throttle import Limit, limit_per_ip

from ..services import catalogue, ckan, dcat


def _site(request: TownRequest) -> ckan.Site:
    return ckan.Site(municipality=request.municipality, absolute=request.build_absolute_uri)


def _response(body: Any, *, status: int = 200, content_type: str = "application/json;charset=utf-8") -> HttpResponse:
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=content_type)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _mixed(values: QueryDict) -> dict[str, Any]:
    """As CKAN: a key given once is a string, given more often a list."""
    return {key: items[0] if len(items) == 1 else items for key, items in values.lists()}


def request_data(request: TownRequest) -> dict[str, Any]:
    """The action's parameters as CKAN reads them: the query string of a GET, a POSTed form, or a JSON body."""
    if request.method == "GET":
        return _mixed(request.GET)
    if request.POST:
        keys = list(request.POST.keys())
        if len(keys) == 1 and request.POST[keys[0]] in ("", "1"):  # a JSON body sent as a form (old clients)
            data = json.loads(keys[0])
        else:
            return _mixed(request.POST)
    else:
        try:
            data = json.loads(request.body or b"{}")
        except RawPostDataException:  # a multipart body with files only: no parameters for a read API
            data = {}
    if not isinstance(data, dict):
        raise ValueError(f"Request data JSON decoded to {data!r} but it needs to be a dictionary.")
    return data


# A harvester or a notebook reads a few calls a second at most; a loop faster than this is refused.
API_LIMIT = Limit("opendata.ckan", 300, 60)


@csrf_exempt
@limit_per_ip(API_LIMIT, headers={"Access-Control-Allow-Origin": "*"})
def action(request: TownRequest, name: str) -> HttpResponse:
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type, Authorization, X-CKAN-API-Key"
        return response
    if request.method not in ("GET", "POST"):
        return _response("Bad request: use GET or POST", status=405)
    try:
        data = request_data(request)
    except ValueError as error:  # json.JSONDecodeError is a ValueError
        return _response(f"Bad request: JSON Error: {error}", status=400)
    status, body = ckan.call(_site(request), name, data)
    return _response(body, status=status)


def dcat_catalog(request: TownRequest) -> HttpResponse:
    return _response(dcat.catalog_document(_site(request)), content_type="application/ld+json;charset=utf-8")


def dcat_dataset(request: TownRequest, kind: str) -> HttpResponse:
    entry = catalogue.entry(kind)
    if entry is None:
        raise Http404
    return _response(dcat.dataset_document(_site(request), entry), content_type="application/ld+json;charset=utf-8")


urlpatterns = [
    path("<str:name>", action, name="action"),
]

# Public paths in the opendata namespace (opendata/urls.py adds them to its urlpatterns).
dcat_urlpatterns = [
    path("opendata/catalog.jsonld", dcat_catalog, name="dcat-catalog"),
    path("opendata/<slug:kind>/dataset.jsonld", dcat_dataset, name="dcat-dataset"),
]

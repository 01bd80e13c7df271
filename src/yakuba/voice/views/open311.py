"""Open311 GeoReport v2 (JSON) under the town's root: /open311/v2/discovery.json, services.json,
services/<code>.json, requests.json (GET: public; POST: an API key of an Open311 client the town registered),
requests/<id>.json and tokens/<token>.json. Errors are the spec's array of {code, description}. GET requests takes
`bbox=west,south,east,north` or `lat`, `long` and `radius` (metres) for a place, as FixMyStreet-style clients do."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from yakuba.kernel.http import TownRequest
from yakuba.kernel.refusal import Refused
from yakuba.kernel.throttle import Limit, client_ip

from ..models import Report, ReportCategory
from ..services import open311 as api
from ..services import reports as services

GET_LIMIT = Limit("voice.open311.get", 600, 60)
POST_LIMIT = Limit("voice.open311.post", 60, 60)
CORS = {"Access-Control-Allow-Origin": "*"}


def errors(status: int, *messages: str, headers: dict[str, str] | None = None) -> JsonResponse:
    response = JsonResponse([{"code": status, "description": m} for m in messages], status=status, safe=False)
    for name, value in {**CORS, **(headers or {})}.items():
        response[name] = value
    return response


def answer(data: Any, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _limited(limit: Limit, who: str) -> JsonResponse | None:
    from django.conf import settings

    if not getattr(settings, "YAKUBA_RATE_LIMITS", True):
        return None
    wait = limit.take(who)
    if wait is None:
        return None
    return errors(429, _("短い時間に多くのリクエストがありました。しばらくたってからお試しください。"),
                  headers={"Retry-After": str(wait)})


View = Callable[..., HttpResponse]


def endpoint(view: View) -> View:
    """JSON only (a .xml request is answered 400), GET limited per address, a refusal as the error array."""

    @functools.wraps(view)
    def wrapped(request: TownRequest, *args: Any, fmt: str = "json", **kwargs: Any) -> HttpResponse:
        if fmt != "json":
            return errors(400, _("この API は JSON だけで答えます。末尾を .json にしてください。"))
        if request.method == "GET":
            refused = _limited(GET_LIMIT, client_ip(request))
            if refused is not None:
                return refused
        elif request.method != "POST":
            return errors(405, _("この操作には対応していません。"))
        try:
            return view(request, *args, **kwargs)
        except Refused as refusal:
            return errors(400, *refusal.messages)

    return csrf_exempt(wrapped)


@endpoint
def discovery(request: TownRequest) -> HttpResponse:
    if request.method != "GET":
        return errors(405, _("この操作には対応していません。"))
    town = request.municipality
    root = town.absolute_url(reverse("voice:open311-services", kwargs={"fmt": "json"})).rsplit("/", 1)[0] + "/"
    return answer({"changeset": "2026-01-01T00:00:00Z", "contact": f"{town.name} {town.phone}",
                   "key_service": _("APIキーは町の情報担当にお問い合わせください。"),
                   "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": root,
                                  "changeset": "2026-01-01T00:00:00Z", "type": "production",
                                  "formats": ["application/json"]}]})


@endpoint
def service_list(request: TownRequest) -> HttpResponse:
    if request.method != "GET":
        return errors(405, _("この操作には対応していません。"))
    return answer(api.services_list())


@endpoint
def service_definition(request: TownRequest, code: str) -> HttpResponse:
    if request.method != "GET":
        return errors(405, _("この操作には対応していません。"))
    category = ReportCategory.objects.filter(code=code, active=True).first()
    if category is None:
        return errors(404, _("service_code「%(code)s」の通報の種類はありません。") % {"code": code[:40]})
    return answer(api.definition(category))


def _media(request: HttpRequest, report: Report) -> str:
    photo = next((p for p in report.photos.all() if not p.after), None)
    if photo is None or not report.public:
        return ""
    return request.build_absolute_uri(reverse("voice:report-photo", args=[photo.uuid]))


def _attributes(request: HttpRequest) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key in request.POST:
        if key.startswith("attribute[") and "]" in key:
            code = key[len("attribute["):key.index("]")]
            found.setdefault(code, []).extend(request.POST.getlist(key))
    return found


@endpoint
def requests(request: TownRequest) -> HttpResponse:
    if request.method == "GET":
        params = {k: request.GET.get(k, "") for k in request.GET}
        return answer(api.request_rows(api.find_requests(params), lambda photo: request.build_absolute_uri(
            reverse("voice:report-photo", args=[photo]))))
    key = request.POST.get("api_key", "")
    client = services.client_for_key(request.municipality, key)
    if client is None:
        return errors(403, _("api_key がないか、正しくありません。"))
    refused = _limited(POST_LIMIT, f"{request.municipality.pk}:{client.pk}")
    if refused is not None:
        return refused
    params = {k: request.POST.get(k, "") for k in request.POST if not k.startswith("attribute[")}
    report = api.file_request(request.municipality, client, params, _attributes(request))
    return answer([{"service_request_id": report.number, "token": str(report.uuid),
                    "service_notice": _("通報を受け付けました。"), "account_id": None}], status=201)


@endpoint
def request_detail(request: TownRequest, number: str) -> HttpResponse:
    if request.method != "GET":
        return errors(405, _("この操作には対応していません。"))
    report = Report.objects.filter(number=number, hidden=False, duplicate_of__isnull=True).select_related(
        "category", "department").first()
    if report is None:
        return errors(404, _("service_request_id「%(id)s」の通報はありません。") % {"id": number[:40]})
    return answer([api.request_dict(report, _media(request, report))])


@endpoint
def token(request: TownRequest, value: str) -> HttpResponse:
    if request.method != "GET":
        return errors(405, _("この操作には対応していません。"))
    try:
        report = Report.objects.filter(uuid=UUID(value)).first()
    except ValueError:
        report = None
    if report is None:
        return errors(404, _("その token の通報はありません。"))
    return answer([{"service_request_id": report.number, "token": str(report.uuid)}])


urlpatterns = [
    path("open311/v2/discovery.<str:fmt>", discovery, name="open311-discovery"),
    path("open311/v2/services.<str:fmt>", service_list, name="open311-services"),
    path("open311/v2/services/<slug:code>.<str:fmt>", service_definition, name="open311-service"),
    path("open311/v2/requests.<str:fmt>", requests, name="open311-requests"),
    path("open311/v2/requests/<str:number>.<str:fmt>", request_detail, name="open311-request"),
    path("open311/v2/tokens/<str:value>.<str:fmt>", token, name="open311-token"),
]

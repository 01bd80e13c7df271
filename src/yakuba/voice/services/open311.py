"""Open311 GeoReport v2 for 通報: the service list and definitions (a category's own questions as attributes), a
request filed by a client (checked as a resident's report is), and reports as service requests. Statuses: 受付 and
対応中 are `open`, 対応済 is `closed`; status_notes is the town's public answer."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from yakuba.kernel.forms.definition import Field
from yakuba.kernel.refusal import Refused
from yakuba.kernel.tenancy.models import Municipality

from ..models import Open311Client, Report, ReportCategory, ReportPhoto, ReportStatus
from . import reports as services

DATATYPES = {
    "textarea": "text", "number": "number", "money": "number", "date": "datetime", "choice": "singlevaluelist",
    "multi_choice": "multivaluelist", "consent": "singlevaluelist",
}
NOT_ASKED = frozenset({"file", "group"})  # not expressible as an Open311 attribute
DEFAULT_DAYS = 90
MAX_RESULTS = 1000



def _when(moment: datetime) -> str:
    """ISO 8601 with the town's offset (2026-12-07T06:21:21+09:00), as the spec's examples give local time."""
    return timezone.localtime(moment).isoformat(timespec="seconds")

def status_of(report: Report) -> str:
    return "closed" if report.status == ReportStatus.DONE else "open"


def service(category: ReportCategory) -> dict[str, Any]:
    return {"service_code": category.code, "service_name": category.name,
            "description": category.description, "metadata": bool(attributes(category)), "type": "realtime",
            "keywords": "", "group": category.department.name}


def services_list() -> list[dict[str, Any]]:
    return [service(c) for c in ReportCategory.objects.filter(active=True).select_related("department")]


def _values(item: Field) -> list[dict[str, str]]:
    if item.type == "consent":
        return [{"key": "true", "name": _("はい")}, {"key": "false", "name": _("いいえ")}]
    return [{"key": value, "name": label} for value, label in item.options]


def attributes(category: ReportCategory) -> list[dict[str, Any]]:
    form = category.form
    if form is None:
        return []
    found = []
    for order, item in enumerate((f for f in form.all_fields() if f.type not in NOT_ASKED), start=1):
        datatype = DATATYPES.get(item.type, "string")
        entry: dict[str, Any] = {"variable": True, "code": item.name, "datatype": datatype,
                                 "required": item.required and item.condition is None,
                                 "datatype_description": item.help_text, "order": order,
                                 "description": item.label}
        if datatype in ("singlevaluelist", "multivaluelist"):
            entry["values"] = _values(item)
        found.append(entry)
    return found


def definition(category: ReportCategory) -> dict[str, Any]:
    return {"service_code": category.code, "attributes": attributes(category)}


def _answers(category: ReportCategory, raw: dict[str, list[str]]) -> dict[str, Any]:
    """attribute[code]=… (and attribute[code][]=… for a multivaluelist) as the form engine's answers."""
    form = category.form
    if form is None:
        return {}
    answers: dict[str, Any] = {}
    for item in form.all_fields():
        values = raw.get(item.name) or []
        if not values:
            continue
        if item.type == "multi_choice":
            answers[item.name] = [v for value in values for v in value.split(",") if v]
        elif item.type == "date":
            answers[item.name] = values[0][:10]
        else:
            answers[item.name] = values[0]
    return answers


def file_request(municipality: Municipality, client: Open311Client, params: dict[str, str],
                 attribute_values: dict[str, list[str]]) -> Report:
    """POST requests: checked as a resident's report (place inside the town, required attributes, lengths)."""
    code = params.get("service_code", "").strip()
    if not code:
        raise Refused(_("service_code がありません。"))
    category = ReportCategory.objects.select_related("department").filter(code=code, active=True).first()
    if category is None:
        raise Refused(_("service_code「%(code)s」の通報の種類はありません。") % {"code": code[:40]})
    lat, lon = params.get("lat", ""), params.get("long", "")
    address = params.get("address_string", "")
    if not lat and not lon and address:
        raise Refused(_("lat と long が必要です（この町は address_string だけでは場所を決められません）。"))
    name = " ".join(p for p in (params.get("last_name", "").strip(), params.get("first_name", "").strip()) if p)
    try:
        draft = services.check_report(
            municipality, category, latitude=lat, longitude=lon, address=address[:200],
            description=params.get("description", ""), answers=_answers(category, attribute_values), name=name,
            email=params.get("email", ""), phone=params.get("phone", ""))
    except Refused as refusal:
        raise Refused([f"{_attribute_name(key)}: {message}" for key, message in refusal.errors.items()]) from None
    return services.submit_report(municipality, draft, client=client)


def _attribute_name(key: str) -> str:
    return {"latitude": "lat", "description": "description", "email": "email", "name": "first_name/last_name",
            "phone": "phone", "address": "address_string"}.get(key, f"attribute[{key[2:]}]" if key.startswith(
                "q_") else key)


def _moment(raw: str, name: str) -> datetime:
    try:
        value = parse_datetime(raw.strip()) if raw.strip() else None
    except ValueError:  # well formed, but no such day or time
        value = None
    if value is None:
        raise Refused(_("%(name)s は 2026-01-31T00:00:00Z の形で指定してください。") % {"name": name})
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _bbox(params: dict[str, str], rows: QuerySet[Report]) -> QuerySet[Report]:
    """`bbox=west,south,east,north` (degrees), or `lat`, `long` and `radius` (metres, at most 5000)."""
    if params.get("bbox"):
        try:
            west, south, east, north = (float(v) for v in params["bbox"].split(","))
        except (TypeError, ValueError):
            raise Refused(_("bbox は 西経度,南緯度,東経度,北緯度 の4つの数で指定してください。")) from None
        if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
            raise Refused(_("bbox の範囲が正しくありません（西 ≤ 東、南 ≤ 北）。"))
        return rows.filter(latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east)
    if params.get("lat") or params.get("long"):
        try:
            lat, lon = float(params["lat"]), float(params["long"])
            radius = min(float(params.get("radius") or 500), 5000)
        except (KeyError, ValueError):
            raise Refused(_("lat、long、radius は数で指定してください。")) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or not 0 < radius <= 5000:
            raise Refused(_("lat、long、radius の範囲が正しくありません。"))
        dlat = radius / 111_000
        dlon = radius / (111_000 * 0.5)
        near = rows.filter(latitude__gte=lat - dlat, latitude__lte=lat + dlat, longitude__gte=lon - dlon,
                           longitude__lte=lon + dlon)
        keep = [r.pk for r in near if services.metres(lat, lon, float(r.latitude), float(r.longitude)) <= radius]
        return rows.filter(pk__in=keep)
    return rows


def find_requests(params: dict[str, str]) -> QuerySet[Report]:
    """GET requests: public reports, newest first, by ids or by service_code, status, dates and place."""
    rows = Report.objects.filter(hidden=False, duplicate_of__isnull=True)
    if params.get("service_request_id"):
        ids = [v.strip() for v in params["service_request_id"].split(",") if v.strip()][:MAX_RESULTS]
        return rows.filter(number__in=ids)
    if params.get("service_code"):
        rows = rows.filter(category__code__in=[v.strip() for v in params["service_code"].split(",")])
    if params.get("status"):
        wanted = {v.strip() for v in params["status"].split(",")}
        if not wanted <= {"open", "closed"}:
            raise Refused(_("status は open か closed で指定してください。"))
        if wanted == {"open"}:
            rows = rows.exclude(status=ReportStatus.DONE)
        elif wanted == {"closed"}:
            rows = rows.filter(status=ReportStatus.DONE)
    end = _moment(params["end_date"], "end_date") if params.get("end_date") else None
    start = _moment(params["start_date"], "start_date") if params.get("start_date") else None
    if start is None and end is None:
        start = timezone.now() - timedelta(days=DEFAULT_DAYS)
    if start is not None:
        rows = rows.filter(created_at__gte=start)
    if end is not None:
        rows = rows.filter(created_at__lte=end)
    return _bbox(params, rows)[:MAX_RESULTS]


ROW_FIELDS = ("pk", "number", "status", "public_answer", "category__name", "category__code", "description",
              "department__name", "created_at", "updated_at", "address", "latitude", "longitude")


def request_rows(reports: QuerySet[Report], media: Any) -> list[dict[str, Any]]:
    """GET requests as plain rows, read without building a model per report (a box may hold a thousand):
    `media(photo_uuid)` gives the public URL of a report's first photo."""
    rows = list(reports.values(*ROW_FIELDS))
    first: dict[int, Any] = {}
    for report_id, photo in ReportPhoto.objects.filter(report_id__in=[r["pk"] for r in rows], after=False).order_by(
            "-sort_order", "-pk").values_list("report_id", "uuid"):
        first[report_id] = photo  # the last written is the first in order
    return [{
        "service_request_id": r["number"], "status": "closed" if r["status"] == ReportStatus.DONE else "open",
        "status_notes": r["public_answer"], "service_name": r["category__name"], "service_code": r["category__code"],
        "description": r["description"], "agency_responsible": r["department__name"], "service_notice": "",
        "requested_datetime": _when(r["created_at"]), "updated_datetime": _when(r["updated_at"]),
        "expected_datetime": None, "address": r["address"], "address_id": None, "zipcode": None,
        "lat": float(r["latitude"]), "long": float(r["longitude"]),
        "media_url": media(first[r["pk"]]) if r["pk"] in first else "",
    } for r in rows]


def request_dict(report: Report, media_url: str = "") -> dict[str, Any]:
    return {
        "service_request_id": report.number, "status": status_of(report), "status_notes": report.public_answer,
        "service_name": report.category.name, "service_code": report.category.code,
        "description": report.description, "agency_responsible": report.department.name, "service_notice": "",
        "requested_datetime": _when(report.created_at), "updated_datetime": _when(report.updated_at),
        "expected_datetime": None, "address": report.address, "address_id": None, "zipcode": None,
        "lat": float(report.latitude), "long": float(report.longitude), "media_url": media_url,
    }

"""The CKAN Action API v3 (read-only) over a town's published catalogue, so harvesters (BODIK, ckanext-harvest,
the `ckanapi` client) read a town as if it were a CKAN site: the package, resource and organization dicts in
CKAN's shapes, the actions, and the errors CKAN's api view answers with (ckan/views/api.py).

Only datasets with at least one published version exist here; the town is the one organization. Times are UTC
without a time zone, as CKAN gives them (e.g. "2026-04-01T09:30:00.000000").
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from yakuba.kernel.tenancy.models import Municipality

from ..definitions import Definition
from ..models import Licence, Version
from . import catalogue
from .catalogue import Entry

Dict = dict[str, Any]
CKAN_VERSION = "2.10.0"  # the API level we answer like (status_show); some clients look at it
ROWS_DEFAULT, ROWS_MAX = 10, 1000
DEFAULT_SORT = "score desc, metadata_modified desc"
# Stable ids for what has no row of its own (the organization, tags, the JSON/GeoJSON resources).
NAMESPACE = uuid.UUID("58e242ae-9612-414c-8212-9105160dc56c")


class NotFound(Exception):
    """CKAN's "Not Found Error" (404)."""


class ValidationError(Exception):
    """CKAN's "Validation Error" (409): {field: [messages]}."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


class SearchQueryError(Exception):
    """CKAN's "Search Query Error" (400): an fq/q/sort we cannot read."""


@dataclass(frozen=True)
class Site:
    """The town being asked and how to make absolute URLs for it (request.build_absolute_uri)."""

    municipality: Municipality
    absolute: Callable[[str], str]

    def url(self, viewname: str, /, **kwargs: Any) -> str:
        return self.absolute(reverse(viewname, kwargs=kwargs or None))


@dataclass(frozen=True)
class Format:
    key: str  # as in the download URL (opendata:download fmt)
    label: str  # CKAN's resource format
    mimetype: str


CSV = Format("csv", "CSV", "text/csv")
JSON = Format("json", "JSON", "application/json")
GEOJSON = Format("geojson", "GeoJSON", "application/geo+json")


@dataclass(frozen=True)
class LicenceInfo:
    ckan_id: str
    url: str


LICENCES = {
    Licence.CC_BY: LicenceInfo("cc-by", "https://creativecommons.org/licenses/by/4.0/"),
    Licence.CC0: LicenceInfo("cc-zero", "https://creativecommons.org/publicdomain/zero/1.0/"),
    Licence.PDL: LicenceInfo("other-open", "https://www.digital.go.jp/resources/open_data/public_data_license_v1.0"),
}


def licence_of(code: str) -> LicenceInfo:
    return LICENCES.get(code, LicenceInfo("other-open", ""))  # type: ignore[call-overload]


def ckan_time(moment: dt.datetime) -> str:
    """A time as CKAN writes it: UTC, no time zone, microseconds."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def formats(definition: Definition) -> list[Format]:
    return [CSV, JSON, GEOJSON] if definition.located else [CSV, JSON]


def resource_id(version: Version, fmt: Format) -> str:
    """The CSV resource is the version itself (Version.public_id); the other formats get ids derived from it."""
    return str(version.public_id) if fmt is CSV else str(uuid.uuid5(version.public_id, fmt.key))


def package_name(municipality: Municipality, kind: str) -> str:
    """Unique across towns, so a harvester collecting many towns keeps them apart (CKAN: ^[a-z0-9_-]{2,100}$)."""
    return f"{municipality.code}-{kind}"


def schema_source(definition: Definition) -> str:
    """The URL of the published definition the schema was read from (dct:conformsTo)."""
    source = definition.source
    for key in ("url", "href", "path"):
        if isinstance(source.get(key), str) and source[key].startswith("http"):
            return str(source[key])
    return next((str(v) for v in source.values() if isinstance(v, str) and v.startswith("http")), "")


def modified(entry: Entry) -> dt.datetime:
    assert entry.version is not None
    return max(entry.dataset.updated_at, entry.version.published_at)


# --- dicts -----------------------------------------------------------------------------------------------------------

def organization(site: Site, *, package_count: int | None = None) -> Dict:
    town = site.municipality
    found: Dict = {
        "id": str(uuid.uuid5(NAMESPACE, f"municipality:{town.code}")), "name": town.code, "title": str(town),
        "display_name": str(town), "type": "organization",
        "description": _("%(town)sが公開しているオープンデータです。") % {"town": town},
        "image_url": site.absolute(town.logo.url) if town.logo else "", "created": ckan_time(town.created_at),
        "is_organization": True, "approval_status": "approved", "state": "active",
    }
    if package_count is not None:
        found.update(package_count=package_count, image_display_url=found["image_url"], num_followers=0,
                     users=[], tags=[], groups=[], extras=[])
    return found


def tag(name: str) -> Dict:
    return {"id": str(uuid.uuid5(NAMESPACE, f"tag:{name}")), "name": name, "display_name": name,
            "state": "active", "vocabulary_id": None}


def resource(site: Site, entry: Entry, fmt: Format, position: int) -> Dict:
    version, dataset = entry.version, entry.dataset
    assert version is not None
    published = ckan_time(version.published_at)
    return {
        "id": resource_id(version, fmt), "package_id": str(dataset.public_id),
        "name": _("%(title)s（%(format)s）") % {"title": dataset.title, "format": fmt.label},
        "description": _("第%(number)s版、%(rows)s件。%(note)s") % {
            "number": version.number, "rows": version.row_count, "note": version.note},
        "format": fmt.label, "mimetype": fmt.mimetype, "mimetype_inner": None,
        "url": site.url("opendata:download", kind=dataset.kind, fmt=fmt.key),
        "created": published, "last_modified": published, "metadata_modified": published,
        "size": version.size if fmt is CSV else None, "hash": version.sha256 if fmt is CSV else "",
        "position": position, "state": "active", "url_type": None, "resource_type": None,
        "cache_url": None, "cache_last_updated": None, "datastore_active": False,
    }


def package(site: Site, entry: Entry, org: Dict | None = None) -> Dict:
    """package_show's dict for a published entry."""
    dataset, definition, version = entry.dataset, entry.definition, entry.version
    assert version is not None
    licence = licence_of(dataset.licence)
    tags = [tag(name) for name in definition.tags]
    resources = [resource(site, entry, fmt, i) for i, fmt in enumerate(formats(definition))]
    extras = [{"key": "conforms_to", "value": schema_source(definition)}] if schema_source(definition) else []
    extras.append({"key": "language", "value": "ja"})
    org = org or organization(site)
    return {
        "id": str(dataset.public_id), "name": package_name(site.municipality, dataset.kind),
        "title": dataset.title, "notes": dataset.description or definition.description,
        "type": "dataset", "state": "active", "private": False, "isopen": True,
        "license_id": licence.ckan_id, "license_title": str(dataset.get_licence_display()),
        "license_url": licence.url,
        "author": str(site.municipality), "author_email": site.municipality.email or None,
        "maintainer": dataset.department.name if dataset.department else str(site.municipality),
        "maintainer_email": site.municipality.email or None,
        "organization": org, "owner_org": org["id"], "creator_user_id": None,
        "url": site.url("opendata:dataset", kind=dataset.kind), "version": str(version.number),
        "metadata_created": ckan_time(dataset.created_at), "metadata_modified": ckan_time(modified(entry)),
        "tags": tags, "num_tags": len(tags), "resources": resources, "num_resources": len(resources),
        "extras": extras, "groups": [], "relationships_as_object": [], "relationships_as_subject": [],
    }


def published(site: Site) -> list[tuple[Entry, Dict]]:
    """Every published dataset of the town with its package dict (call inside the town's scope)."""
    org = organization(site)
    return [(entry, package(site, entry, org)) for entry in catalogue.entries()]


def packages(site: Site) -> list[Dict]:
    return [package_dict for _entry, package_dict in published(site)]


# --- request data ----------------------------------------------------------------------------------------------------

def required(data: Dict, key: str) -> str:
    value = data.get(key)
    if value in (None, ""):
        raise ValidationError({key: [_("Missing value")]})
    return str(value)


def natural(data: Dict, key: str, default: int | None = None) -> int | None:
    value = data.get(key, default)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):  # JSON's Infinity and 1e309 are floats int() overflows on
        raise ValidationError({key: ["Invalid integer"]}) from None
    if number < 0:
        raise ValidationError({key: ["Must be a natural number"]})
    return number


def truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes", "on")


def page(items: list[Any], data: Dict, limit_key: str = "limit", offset_key: str = "offset") -> list[Any]:
    offset = natural(data, offset_key, 0) or 0
    limit = natural(data, limit_key)
    return items[offset:offset + limit] if limit else items[offset:]


# --- search: the part of Solr's syntax that harvesters send ----------------------------------------------------------

_CLAUSE = re.compile(r'\s*(?:(?P<bool>AND|OR|&&|\|\|)(?=\s|$)|(?P<sign>[+-])?(?:(?P<field>[A-Za-z_][\w.]*):)?'
                     r'(?P<value>"[^"]*"|\[[^\]]*\]|\{[^}]*\}|\([^)]*\)|[^\s()"\[\]{}]+))')
_RANGE = re.compile(r"^[\[{]\s*(\S+)\s+TO\s+(\S+)\s*[\]}]$")


@dataclass(frozen=True)
class Clause:
    field: str | None  # None: free text
    value: str
    negated: bool


def _values(package_dict: Dict, field: str) -> list[str] | None:
    """The package's values for a search field (None for a field we do not know)."""
    fields: dict[str, Callable[[Dict], list[str]]] = {
        "tags": lambda p: [t["name"] for t in p["tags"]],
        "res_format": lambda p: [r["format"] for r in p["resources"]],
        "organization": lambda p: [p["organization"]["name"]],
        "owner_org": lambda p: [p["owner_org"]], "groups": lambda p: [],
        "name": lambda p: [p["name"]], "id": lambda p: [p["id"]], "license_id": lambda p: [p["license_id"]],
        "type": lambda p: ["dataset"], "dataset_type": lambda p: ["dataset"], "state": lambda p: ["active"],
        "capacity": lambda p: ["public"], "site_id": lambda p: [p["organization"]["name"]],
        "title": lambda p: [p["title"]], "notes": lambda p: [p["notes"]], "text": lambda p: [p["_text"]],
        "res_name": lambda p: [r["name"] for r in p["resources"]],
    }
    getter = fields.get(field)
    return None if getter is None else getter(package_dict)


def _parse_time(text: str) -> dt.datetime | None:
    if text == "*":
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise SearchQueryError(f"cannot read the time {text!r}") from None
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _in_range(value: str, bounds: str) -> bool:
    match = _RANGE.match(bounds)
    if match is None:
        raise SearchQueryError(f"cannot read the range {bounds!r}")
    low, high = _parse_time(match[1]), _parse_time(match[2])
    moment = dt.datetime.fromisoformat(value)
    inclusive = bounds.startswith("[")
    above = low is None or (moment >= low if inclusive else moment > low)
    below = high is None or (moment <= high if inclusive else moment < high)
    return above and below


def _alternatives(value: str) -> list[str]:
    if value.startswith("("):
        parts = re.findall(r'"[^"]*"|[^\s()]+', value)
        return [p.strip('"') for p in parts if p not in ("OR", "AND", "||", "&&")]
    return [value.strip('"')]


def _matches(package_dict: Dict, clause: Clause) -> bool:
    if clause.field in ("metadata_modified", "metadata_created"):
        return _in_range(package_dict[clause.field], clause.value)
    if clause.field is None and clause.value == "*":
        return True
    field = clause.field or "text"
    values = _values(package_dict, field)
    if values is None:
        raise SearchQueryError(f"undefined field {field}")
    wanted = [w.casefold() for w in _alternatives(clause.value)]
    if "*" in wanted:
        return bool(values)
    if field in ("text", "title", "notes", "res_name"):
        return any(w in v.casefold() for w in wanted for v in values)
    return any(w == v.casefold() for w in wanted for v in values)


def parse_query(text: str) -> list[list[Clause]]:
    """Clauses grouped by OR; a package matches when every group has a clause that holds (negated: fails)."""
    groups: list[list[Clause]] = []
    joined = False
    position, text = 0, text.strip()
    while position < len(text):
        match = _CLAUSE.match(text, position)
        if match is None or match.end() == position:
            raise SearchQueryError(f"cannot read {text[position:]!r}")
        position = match.end()
        if match["bool"]:
            joined = match["bool"] in ("OR", "||")
            continue
        if match["value"] == "*:*":
            continue
        clause = Clause(match["field"], match["value"], match["sign"] == "-")
        if joined and groups:
            groups[-1].append(clause)
        else:
            groups.append([clause])
        joined = False
    return groups


def _holds(package_dict: Dict, groups: list[list[Clause]]) -> bool:
    return all(any(_matches(package_dict, c) != c.negated for c in group) for group in groups)


def _text(package_dict: Dict, definition: Definition) -> str:
    """What free text searches: title, description, tags, column names, name."""
    parts = [package_dict["title"], package_dict["notes"], package_dict["name"], definition.title,
             definition.title_en, *definition.tags, *definition.names]
    return "\n".join(parts)


def _sort(found: list[Dict], sort: str) -> list[Dict]:
    keys: dict[str, Callable[[Dict], Any]] = {
        "metadata_modified": lambda p: p["metadata_modified"], "metadata_created": lambda p: p["metadata_created"],
        "title_string": lambda p: p["title"], "title": lambda p: p["title"], "name": lambda p: p["name"],
        "id": lambda p: p["id"], "score": lambda p: 0,
    }
    ordered = list(found)
    for part in reversed([p.strip() for p in sort.split(",") if p.strip()]):
        field, _space, direction = part.partition(" ")
        if field not in keys or direction.strip().lower() not in ("", "asc", "desc"):
            raise SearchQueryError(f"cannot sort by {part!r}")
        ordered.sort(key=keys[field], reverse=direction.strip().lower() == "desc")
    return ordered


def _facet_fields(data: Dict) -> list[str]:
    value = data.get("facet.field") or []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = [value]
    return [str(v) for v in (value if isinstance(value, list) else [value])]


def _facets(found: list[Dict], data: Dict) -> tuple[Dict, Dict]:
    """CKAN's deprecated `facets` ({field: {value: count}}) and its `search_facets`."""
    try:
        limit = int(data.get("facet.limit") or 50)
    except (TypeError, ValueError, OverflowError):
        raise ValidationError({"facet.limit": ["Invalid integer"]}) from None
    mincount = natural(data, "facet.mincount", 1) or 0
    facets: Dict = {}
    search_facets: Dict = {}
    titles = {p["organization"]["name"]: p["organization"]["title"] for p in found}
    for field in _facet_fields(data):
        counts = Counter(v for p in found for v in (_values(p, field) or []))
        top = [(k, n) for k, n in counts.most_common(limit if limit >= 0 else None) if n >= mincount]
        facets[field] = dict(top)
        items = [{"name": k, "display_name": titles.get(k, k) if field == "organization" else k, "count": n}
                 for k, n in top]
        search_facets[field] = {"title": field, "items": sorted(items, key=lambda i: i["display_name"],
                                                                 reverse=True)}
    return facets, search_facets


# --- actions ---------------------------------------------------------------------------------------------------------

def package_list(site: Site, data: Dict) -> list[str]:
    """Return a list of the names of the site's datasets (packages). Params: limit, offset."""
    return page(sorted(p["name"] for p in packages(site)), data)


def current_package_list_with_resources(site: Site, data: Dict) -> list[Dict]:
    """Return a list of the site's datasets and their resources, newest first. Params: limit, offset."""
    return page(_sort(packages(site), "metadata_modified desc"), data)


def _find(site: Site, name_or_id: str) -> Dict:
    found = next((p for p in packages(site) if name_or_id in (p["name"], p["id"])), None)
    if found is None:
        raise NotFound()
    return found


def package_show(site: Site, data: Dict) -> Dict:
    """Return the metadata of a dataset (package) and its resources. Param: id (the dataset's name or id)."""
    return _find(site, str(data.get("id") or required(data, "name_or_id")))


def resource_show(site: Site, data: Dict) -> Dict:
    """Return the metadata of a resource. Param: id."""
    wanted = required(data, "id")
    for found in packages(site):
        for item in found["resources"]:
            if item["id"] == wanted:
                return dict(item)
    raise NotFound()


def package_search(site: Site, data: Dict) -> Dict:
    """Search the site's datasets: q (free text over title, description, tags and column names; field:value
    clauses too), fq (tags:, res_format:, organization:, name:, license_id:, metadata_modified:[a TO b], -field: …),
    rows (default 10, at most 1000), start, sort (metadata_modified desc, title_string asc, name, id),
    facet.field."""
    rows = min(natural(data, "rows", ROWS_DEFAULT) or 0, ROWS_MAX)
    start = natural(data, "start", 0) or 0
    groups = parse_query(str(data.get("q") or "")) + parse_query(str(data.get("fq") or ""))
    for fq in data.get("fq_list") or []:
        groups += parse_query(str(fq))
    found = [package_dict for entry, package_dict in published(site)
             if _holds({**package_dict, "_text": _text(package_dict, entry.definition)}, groups)]
    sort = str(data.get("sort") or DEFAULT_SORT)
    found = _sort(found, sort)
    facets, search_facets = _facets(found, data)
    return {"count": len(found), "results": found[start:start + rows], "sort": sort, "facets": facets,
            "search_facets": search_facets}


def organization_list(site: Site, data: Dict) -> list[Any]:
    """Return the site's organizations: the town. Param: all_fields."""
    if truthy(data.get("all_fields", False)):
        return [organization(site, package_count=len(catalogue.entries()))]
    return [site.municipality.code]


def organization_show(site: Site, data: Dict) -> Dict:
    """Return the town as an organization. Params: id (its name or id), include_datasets."""
    wanted = required(data, "id")
    found = organization(site, package_count=len(catalogue.entries()))
    if wanted not in (found["name"], found["id"]):
        raise NotFound(_("Organization was not found."))
    if truthy(data.get("include_datasets", False)):
        found["packages"] = packages(site)
    return found


def tag_list(site: Site, data: Dict) -> list[Any]:
    """Return the tags of the site's datasets. Params: query, all_fields."""
    names = sorted({t["name"] for p in packages(site) for t in p["tags"]})
    query = str(data.get("query") or data.get("q") or "").strip().casefold()
    names = [n for n in names if query in n.casefold()]
    return [tag(n) for n in names] if truthy(data.get("all_fields", False)) else names


def status_show(site: Site, data: Dict) -> Dict:
    """Return a dictionary with information about the site."""
    return {"site_title": _("%(town)s オープンデータ") % {"town": site.municipality},
            "site_description": organization(site)["description"],
            "site_url": site.url("opendata:index"),
            "ckan_version": CKAN_VERSION, "locale_default": "ja", "extensions": [], "error_emails_to": None}


def help_show(site: Site, data: Dict) -> str | None:
    """Return the help string for a particular API action. Param: name."""
    name = required(data, "name")
    if name not in ACTIONS:
        raise NotFound(_("Action function not found"))
    return ACTIONS[name].__doc__


Action = Callable[[Site, Dict], Any]
ACTIONS: dict[str, Action] = {function.__name__: function for function in (
    package_list, current_package_list_with_resources, package_show, resource_show, package_search,
    organization_list, organization_show, tag_list, status_show, help_show)}


def call(site: Site, name: str, data: Dict) -> tuple[int, Any]:
    """Run an action as CKAN's api view does: (HTTP status, body)."""
    function = ACTIONS.get(name)
    if function is None:
        return 400, f"Bad request: Action name not known: {name}"
    body: Dict = {"help": site.url("ckan:action", name="help_show") + f"?name={name}"}
    data = {k: v for k, v in data.items() if k != "callback"}
    try:
        return 200, {**body, "success": True, "result": function(site, data)}
    except NotFound as error:
        message = f"Not found: {error}" if str(error) else "Not found"
        return 404, {**body, "success": False, "error": {"__type": "Not Found Error", "message": message}}
    except ValidationError as error:
        return 409, {**body, "success": False, "error": {**error.errors, "__type": "Validation Error"}}
    except SearchQueryError as error:
        return 400, {**body, "success": False,
                     "error": {"__type": "Search Query Error", "message": f"Search Query is invalid: {error.args!r}"}}


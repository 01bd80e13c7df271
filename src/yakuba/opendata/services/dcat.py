"""DCAT metadata (JSON-LD) of a town's published catalogue: one dcat:Catalog with a dcat:Dataset per published
dataset and a dcat:Distribution per format, for harvesters that read DCAT instead of the CKAN API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from . import catalogue
from .catalogue import Entry
from .ckan import CSV, Site, formats, licence_of, modified, resource_id, schema_source

Dict = dict[str, Any]

CONTEXT: Dict = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "spdx": "http://spdx.org/rdf/terms#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dct:issued": {"@type": "xsd:dateTime"},
    "dct:modified": {"@type": "xsd:dateTime"},
    "dcat:byteSize": {"@type": "xsd:nonNegativeInteger"},
    "dcat:accessURL": {"@type": "@id"},
    "dcat:downloadURL": {"@type": "@id"},
    "dcat:landingPage": {"@type": "@id"},
    "dct:license": {"@type": "@id"},
    "dct:conformsTo": {"@type": "@id"},
    "foaf:homepage": {"@type": "@id"},
    "dcat:mediaType": {"@type": "@id"},
    "spdx:algorithm": {"@type": "@id"},
}
JAPANESE = {"@id": "http://id.loc.gov/vocabulary/iso639-1/ja"}
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"


def _time(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def publisher(site: Site) -> Dict:
    town = site.municipality
    found: Dict = {"@id": site.url("opendata:index") + "#publisher", "@type": "foaf:Organization",
                   "foaf:name": str(town), "dct:identifier": town.code}
    if town.website:
        found["foaf:homepage"] = town.website
    return found


def distributions(site: Site, entry: Entry) -> list[Dict]:
    version, dataset = entry.version, entry.dataset
    assert version is not None
    licence = licence_of(dataset.licence)
    found = []
    for fmt in formats(entry.definition):
        url = site.url("opendata:download", kind=dataset.kind, fmt=fmt.key)
        item: Dict = {
            "@id": url, "@type": "dcat:Distribution", "dct:identifier": resource_id(version, fmt),
            "dct:title": _("%(title)s（%(format)s）") % {"title": dataset.title, "format": fmt.label},
            "dcat:accessURL": url, "dcat:downloadURL": url, "dct:format": fmt.label,
            "dcat:mediaType": MEDIA_TYPES + fmt.mimetype, "dct:issued": _time(version.published_at),
            "dct:modified": _time(version.published_at),
        }
        if licence.url:
            item["dct:license"] = licence.url
        if fmt is CSV:
            item["dcat:byteSize"] = version.size
            item["spdx:checksum"] = {"@type": "spdx:Checksum", "spdx:algorithm": "spdx:checksumAlgorithm_sha256",
                                     "spdx:checksumValue": version.sha256}
        found.append(item)
    return found


def dataset(site: Site, entry: Entry) -> Dict:
    """One dcat:Dataset (without @context)."""
    version, record, definition = entry.version, entry.dataset, entry.definition
    assert version is not None
    page = site.url("opendata:dataset", kind=record.kind)
    found: Dict = {
        "@id": page + "#dataset", "@type": "dcat:Dataset", "dct:identifier": str(record.public_id),
        "dct:title": record.title, "dct:description": record.description or definition.description,
        "dcat:keyword": list(definition.tags), "dct:language": JAPANESE, "dcat:landingPage": page,
        "dct:issued": _time(record.created_at), "dct:modified": _time(modified(entry)),
        "dcat:version": str(version.number), "dct:publisher": publisher(site),
        "dcat:distribution": distributions(site, entry),
    }
    licence = licence_of(record.licence)
    if licence.url:
        found["dct:license"] = licence.url
    if schema_source(definition):
        found["dct:conformsTo"] = schema_source(definition)
    if record.department is not None:
        found["dcat:contactPoint"] = {"@type": "vcard:Organization",
                                      "vcard:fn": f"{site.municipality} {record.department.name}"}
    return found


def dataset_document(site: Site, entry: Entry) -> Dict:
    return {"@context": CONTEXT, **dataset(site, entry)}


def catalog_document(site: Site) -> Dict:
    """The town's dcat:Catalog with every published dataset (call inside the town's scope)."""
    entries = catalogue.entries()
    found: Dict = {
        "@context": CONTEXT, "@id": site.url("opendata:dcat-catalog"), "@type": "dcat:Catalog",
        "dct:title": _("%(town)s オープンデータ") % {"town": site.municipality},
        "dct:description": _("%(town)sが公開しているオープンデータです。") % {"town": site.municipality},
        "dct:language": JAPANESE, "foaf:homepage": site.url("opendata:index"), "dct:publisher": publisher(site),
        "dcat:dataset": [dataset(site, entry) for entry in entries],
    }
    if entries:
        found["dct:modified"] = _time(max(modified(entry) for entry in entries))
    return found

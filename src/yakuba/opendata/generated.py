"""Datasets the platform generates from its own public records instead of staff re-typing them:
公共施設一覧 and 子育て施設一覧 from the reservations facilities, イベント一覧 from the published 講座 sessions ahead,
and オープンデータ一覧 from the catalogue itself. Each value goes to the schema column of that name; columns the
platform has nothing for stay empty."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.timezone import localtime

from yakuba.kernel.tenancy.models import Municipality
from yakuba.reservations.models import Facility, OpendataList, Session

from . import definitions
from .definitions import TOWN_CODE, TOWN_NAME, Definition
from .models import Dataset, Origin, Version
from .services import publish as publishing

EVENTS_AHEAD = timedelta(days=366)
FORMATS = "CSV;JSON"


def _fit(defn: Definition, municipality: Municipality, values: dict[str, object]) -> dict[str, str]:
    base = {TOWN_CODE: municipality.code, TOWN_NAME: municipality.name}
    return {name: str(values.get(name, base.get(name, "")) or "") for name in defn.names}


def _address(facility: Facility) -> dict[str, str]:
    return {"所在地_連結表記": facility.address, "住所": facility.address, "所在地": facility.address}


def _facilities(defn: Definition, municipality: Municipality, which: str) -> list[dict[str, str]]:
    rows = []
    for facility in Facility.objects.filter(is_published=True, opendata_list=which).select_related("department"):
        url = municipality.absolute_url(reverse("reservations:facility", args=[facility.slug]))
        rows.append(_fit(defn, municipality, {
            "ID": facility.slug, "名称": facility.name, "名称_カナ": facility.name_kana, "種別": facility.category,
            **_address(facility), "緯度": facility.latitude or "", "経度": facility.longitude or "",
            "電話番号": facility.phone or (facility.department.phone if facility.department else ""),
            "利用可能日時特記事項": facility.opening_hours, "説明": facility.description, "URL": url,
            "収容定員": sum(room.people or 0 for room in facility.rooms.all()) or "", "備考": facility.remarks,
        }))
    return rows


def public_facilities(defn: Definition, municipality: Municipality) -> list[dict[str, str]]:
    return _facilities(defn, municipality, OpendataList.PUBLIC)


def childcare_facilities(defn: Definition, municipality: Municipality) -> list[dict[str, str]]:
    return _facilities(defn, municipality, OpendataList.CHILDCARE)


def events(defn: Definition, municipality: Municipality) -> list[dict[str, str]]:
    now = timezone.now()
    sessions = (Session.objects.filter(course__is_published=True, starts_at__gte=now, starts_at__lte=now + EVENTS_AHEAD)
                .select_related("course__department", "resource").order_by("starts_at", "pk"))
    rows = []
    for session in sessions:
        start, end = localtime(session.starts_at), localtime(session.ends_at)
        course = session.course
        department = course.department
        rows.append(_fit(defn, municipality, {
            "ID": f"session-{session.pk}", "イベント名": course.title, "開始日": start.date().isoformat(),
            "終了日": end.date().isoformat(), "開始時間": start.strftime("%H:%M"), "終了時間": end.strftime("%H:%M"),
            "説明": course.description, "料金(基本)": "", "場所名称": session.place, "定員": session.resource.capacity,
            "連絡先名称": department.name if department else "",
            "連絡先電話番号": (department.phone if department else "") or municipality.phone,
            "主催者": f"{municipality.name}{department.name if department else ''}",
            "参加申込方法": "ウェブサイトから申込", "URL": municipality.absolute_url(
                reverse("reservations:course", args=[course.slug])),
        }))
    return rows


def opendata_list(defn: Definition, municipality: Municipality) -> list[dict[str, str]]:
    rows = []
    datasets = Dataset.objects.exclude(kind="opendata-list").select_related("department")
    versions = Version.objects.filter(dataset__in=datasets).order_by("dataset", "number")
    first = {v.dataset_id: v for v in versions.reverse()}
    latest = {v.dataset_id: v for v in versions}
    for dataset in sorted(datasets, key=lambda d: definitions.ORDER.index(d.kind) if d.kind in definitions.ORDER
                          else 99):
        version, own = latest.get(dataset.pk), definitions.get(dataset.kind)
        if version is None or own is None:
            continue
        url = municipality.absolute_url(reverse("opendata:dataset", args=[dataset.kind]))
        rows.append(_fit(defn, municipality, {
            "ID": dataset.kind, "データ名称": dataset.title, "データ概要": dataset.description or own.description,
            "データ形式": FORMATS + (";GeoJSON" if own.located else ""), "更新頻度": "随時", "URL": url,
            "API対応有無": "有", "ライセンス": dataset.get_licence_display(),
            "登録日": localtime(first[dataset.pk].published_at).date().isoformat(),
            "最終更新日": localtime(version.published_at).date().isoformat(),
        }))
    return rows


GENERATORS: dict[str, Callable[[Definition, Municipality], list[dict[str, str]]]] = {
    "public-facilities": public_facilities, "childcare-facilities": childcare_facilities, "events": events,
    "opendata-list": opendata_list,
}


def refresh(municipality: Municipality) -> list[Version]:
    """Publish a new version of each generated dataset whose content changed (call inside the town's scope).
    The オープンデータ一覧 goes last, so that it lists what the others just became."""
    from .services.catalogue import ensure_datasets

    made = []
    for dataset in ensure_datasets(municipality):
        defn = definitions.get(dataset.kind)
        if defn is None or dataset.kind not in GENERATORS or dataset.kind == "opendata-list":
            continue
        made += _refresh_one(dataset, defn, municipality)
    listing = Dataset.objects.filter(kind="opendata-list").first()
    if listing is not None and (defn := definitions.get("opendata-list")) is not None:
        made += _refresh_one(listing, defn, municipality)
    return made


def _refresh_one(dataset: Dataset, defn: Definition, municipality: Municipality) -> list[Version]:
    rows = GENERATORS[dataset.kind](defn, municipality)
    current = publishing.current_version(dataset)
    if not rows and current is None:
        return []
    if current is not None and publishing.read(current).rows == rows:
        return []
    return [publishing.publish(dataset, rows, origin=Origin.GENERATED)]

"""Open data generated from the platform's own public records, never re-typed: 公共施設一覧 / 子育て施設一覧 from the
facilities, イベント一覧 from the 講座 sessions ahead, オープンデータ一覧 from the catalogue; a change queues a refresh,
and an unchanged source makes no new version."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django_scopes import scope

from tests import factories
from tests.opendata.conftest import valid_row
from tests.support.tasks import run_worker
from yakuba.kernel.scheduling.models import Resource
from yakuba.opendata import generated
from yakuba.opendata.models import Dataset, Listing, Origin
from yakuba.opendata.services import editing, publish
from yakuba.reservations.models import Course, Facility, Session

pytestmark = pytest.mark.django_db(transaction=True)
NOW = "2027-01-10 09:00 +09:00"


def rows_of(kind: str) -> list[dict[str, str]]:
    version = publish.current_version(Dataset.objects.get(kind=kind))
    return publish.read(version).rows if version else []


def list_facility(town, slug: str, dataset: str, remarks: str = "") -> None:
    Listing.objects.create(municipality=town, source="reservations.facility", key=slug, dataset=dataset,
                           remarks=remarks)


def make_facilities(town) -> None:
    department = factories.make_department(town, "教育課")
    Facility.objects.create(municipality=town, slug="kominkan", name="下仁田町公民館",
                            name_kana="シモニタマチコウミンカン", category="公民館", department=department,
                            latitude=Decimal("36.2145"), longitude=Decimal("138.7903"), address="下仁田町大字下仁田1")
    list_facility(town, "kominkan", "public-facilities", remarks="駐車場あり")
    Facility.objects.create(municipality=town, slug="kosodate", name="子育て支援センター",
                            category="子育て支援センター", department=department)
    list_facility(town, "kosodate", "childcare-facilities")
    Facility.objects.create(municipality=town, slug="private", name="非公開の倉庫", department=department,
                            is_published=False)
    list_facility(town, "private", "public-facilities")
    Facility.objects.create(municipality=town, slug="soko", name="一覧に載せない倉庫", department=department)


@time_machine.travel(NOW, tick=False)
def test_facilities_sessions_and_the_list_become_open_data(town_a, staff_a, aed):
    from django.utils import timezone

    with scope(municipality=town_a):
        make_facilities(town_a)
        course = Course.objects.create(municipality=town_a, slug="smartphone", title="スマホ教室",
                                       department=factories.make_department(town_a, "企画課"))
        start = timezone.now() + timedelta(days=5)
        for offset in (timedelta(days=-3), timedelta(0)):  # one past, one ahead
            resource = Resource.objects.create(municipality=town_a, key=f"session:{offset.days}", name="s",
                                               capacity=12)
            Session.objects.create(municipality=town_a, course=course, starts_at=start + offset * 3,
                                   ends_at=start + offset * 3 + timedelta(hours=2), place="公民館 第1会議室",
                                   resource=resource)
        editing.save_row(staff_a, aed, None, valid_row("aed", town_a, ID="1"))
        editing.publish(staff_a, aed)
        generated.refresh(town_a)

        public = rows_of("public-facilities")
        assert [(r["ID"], r["名称"], r["緯度"], r["全国地方公共団体コード"]) for r in public] == [
            ("kominkan", "下仁田町公民館", "36.214500", town_a.code)]
        assert public[0]["URL"].endswith("/reservations/facilities/kominkan/") and public[0]["備考"] == "駐車場あり"
        assert [r["名称"] for r in rows_of("childcare-facilities")] == ["子育て支援センター"]
        events = rows_of("events")
        assert [(e["イベント名"], e["開始日"], e["開始時間"], e["定員"]) for e in events] == [
            ("スマホ教室", "2027-01-15", "09:00", "12")]
        listed = {r["ID"]: r for r in rows_of("opendata-list")}
        assert set(listed) == {"aed", "public-facilities", "childcare-facilities", "events"}
        assert listed["aed"]["データ名称"] == "AED設置箇所一覧" and "GeoJSON" in listed["aed"]["データ形式"]
        assert publish.current_version(Dataset.objects.get(kind="events")).origin == Origin.GENERATED

        assert generated.refresh(town_a) == []  # nothing changed: no new version


def test_a_change_to_a_facility_refreshes_the_list(town_a):
    with scope(municipality=town_a):
        make_facilities(town_a)
    run_worker()
    with scope(municipality=town_a):
        assert [r["名称"] for r in rows_of("public-facilities")] == ["下仁田町公民館"]
        Facility.objects.filter(slug="kominkan").update(name="下仁田町中央公民館")
        Facility.objects.get(slug="kominkan").save()  # as the staff pages save it
    run_worker()
    with scope(municipality=town_a):
        assert [r["名称"] for r in rows_of("public-facilities")] == ["下仁田町中央公民館"]
        assert Dataset.objects.get(kind="public-facilities").versions.count() == 2


def test_towns_never_see_each_others_facilities(town_a, town_b):
    with scope(municipality=town_a):
        make_facilities(town_a)
    with scope(municipality=town_b):
        generated.refresh(town_b)
        assert rows_of("public-facilities") == []


def test_listing_a_facility_puts_it_in_the_list(town_a):
    with scope(municipality=town_a):
        make_facilities(town_a)
    run_worker()
    with scope(municipality=town_a):
        list_facility(town_a, "soko", "public-facilities", remarks="倉庫です")
    run_worker()
    with scope(municipality=town_a):
        assert [(r["名称"], r["備考"]) for r in rows_of("public-facilities")] == [
            ("一覧に載せない倉庫", "倉庫です"), ("下仁田町公民館", "駐車場あり")]

"""避難所: the shelters are the 指定避難所 rows of the town's published 指定緊急避難場所一覧 (オープンデータ); any staff
member sets one's status; a status left without its row is shown to staff only; bad input is 400."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from tests import factories
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused
from yakuba.notices.models import Shelter, ShelterStatus
from yakuba.notices.services import shelters as services

pytestmark = pytest.mark.django_db

SCHOOL = {"ID": "000002", "名称": "下仁田町立下仁田小学校", "所在地_連結表記": "群馬県甘楽郡下仁田町大字下仁田",
          "想定収容人数": "330", "緯度": "36.2140", "経度": "138.7850"}
HALL = {"ID": "000003", "名称": "下仁田町文化ホール", "想定収容人数": "400"}
PARK = {"ID": "000004", "名称": "青岩公園", "指定避難所との重複": ""}  # a 指定緊急避難場所 only: no one stays


def url(town, name: str, *args) -> str:
    return factories.town_url(town, reverse(f"staff:{name}", args=args))


def test_the_shelters_are_the_datasets_designated_rows(town_a):
    factories.publish_shelters(town_a, SCHOOL, PARK, HALL)
    with scope(municipality=town_a):
        places = services.places(town_a)
    assert [(p.key, p.name, p.capacity, p.status) for p in places] == [
        ("000002", "下仁田町立下仁田小学校", 330, "closed"), ("000003", "下仁田町文化ホール", 400, "closed")]
    assert places[0].address == "群馬県甘楽郡下仁田町大字下仁田" and str(places[0].latitude) == "36.2140"
    assert places[0].url.endswith("/opendata/evacuation-sites/items/000002/")


def test_any_staff_member_sets_the_status_with_audit(town_a, staff_a_other):
    factories.publish_shelters(town_a, SCHOOL)
    with scope(municipality=town_a):
        saved = services.set_shelter_status(staff_a_other, "000002", status=ShelterStatus.OPEN, note=" 駐車場あり ")
        assert saved.status == "open" and saved.note == "駐車場あり" and saved.name == "下仁田町立下仁田小学校"
        shelter = Shelter.objects.get(site="000002")
        assert shelter.updated_by == staff_a_other.user and shelter.opened_at is not None
        with pytest.raises(Refused) as caught:
            services.set_shelter_status(staff_a_other, "000002", status="flooded", note="")
        assert "status" in caught.value.errors
        services.set_shelter_status(staff_a_other, "000002", status=ShelterStatus.CLOSED, note="")
        assert Shelter.objects.get(site="000002").opened_at is None
    with scopes_disabled():
        entry = AuditEntry.objects.filter(action="notices.shelter.status_changed").order_by("pk").first()
    assert entry is not None
    assert entry.data == {"site": "000002", "name": "下仁田町立下仁田小学校", "from": "closed", "to": "open",
                          "note": "駐車場あり"}


def test_a_place_that_is_not_a_designated_row_cannot_be_opened(town_a, town_b, staff_a, staff_b):
    factories.publish_shelters(town_a, SCHOOL, PARK)
    with scope(municipality=town_a):
        for site in ("000004", "999999", ""):
            with pytest.raises(Refused):
                services.set_shelter_status(staff_a, site, status=ShelterStatus.OPEN, note="")
    with scope(municipality=town_b), pytest.raises(Refused):  # town B has no such shelter
        services.set_shelter_status(staff_b, "000002", status=ShelterStatus.OPEN, note="")
    with scopes_disabled():
        assert not Shelter.objects.exists()


def test_renaming_the_row_renames_the_shelter(town_a, staff_a):
    factories.publish_shelters(town_a, SCHOOL)
    with scope(municipality=town_a):
        services.set_shelter_status(staff_a, "000002", status=ShelterStatus.OPEN, note="")
    factories.publish_shelters(town_a, {**SCHOOL, "名称": "下仁田小学校 体育館"})
    with scope(municipality=town_a):
        [place] = services.places(town_a)
    assert (place.name, place.status) == ("下仁田小学校 体育館", "open")


def test_a_status_whose_row_is_gone_is_for_staff_only_and_may_be_removed(town_a, staff_a, staff_a_other):
    factories.publish_shelters(town_a, SCHOOL, HALL)
    with scope(municipality=town_a):
        services.set_shelter_status(staff_a, "000003", status=ShelterStatus.OPEN, note="")
    factories.publish_shelters(town_a, SCHOOL)
    with scope(municipality=town_a):
        assert [p.key for p in services.places(town_a)] == ["000002"]
        [orphan] = services.orphans(town_a)
        assert orphan.name == "下仁田町文化ホール"
    page = factories.staff_client(staff_a_other).get(url(town_a, "shelters")).content.decode()
    assert "指定避難所の一覧にない避難所の状況" in page and "下仁田町文化ホール" in page
    assert reverse("staff:shelter-remove", args=[orphan.pk]) not in page  # 住民課 may not remove it
    response = factories.staff_client(staff_a_other).post(url(town_a, "shelter-remove", orphan.pk))
    assert response.status_code == 302
    with scope(municipality=town_a):
        assert Shelter.objects.filter(pk=orphan.pk).exists()
    response = factories.staff_client(staff_a).post(url(town_a, "shelter-remove", orphan.pk))  # 総務課
    assert response.status_code == 302
    with scope(municipality=town_a):
        assert not Shelter.objects.filter(pk=orphan.pk).exists()


def test_the_board_updates_one_shelter(town_a, staff_a_other):
    factories.publish_shelters(town_a, SCHOOL, HALL)
    client = factories.staff_client(staff_a_other)
    page = client.get(url(town_a, "shelters")).content.decode()
    assert "下仁田町文化ホール" in page and 'value="crowded"' in page and "収容 400人" in page
    assert reverse("staff:opendata-dataset", args=["evacuation-sites"]) not in page  # 住民課 does not keep it
    response = client.post(url(town_a, "shelters"), {"shelter": "000003", "status": "crowded", "note": "残りわずか"})
    assert response.status_code == 302 and response["Location"].endswith("#shelter-2")
    with scope(municipality=town_a):
        places = {p.key: p for p in services.places(town_a)}
    assert (places["000002"].status, places["000003"].status, places["000003"].note) == (
        "closed", "crowded", "残りわずか")


def test_soumu_is_pointed_to_the_dataset(town_a, staff_a):
    factories.publish_shelters(town_a, SCHOOL)
    page = factories.staff_client(staff_a).get(url(town_a, "shelters")).content.decode()
    assert reverse("staff:opendata-dataset", args=["evacuation-sites"]) in page


def test_bad_status_is_400_with_the_note_kept(town_a, staff_a):
    factories.publish_shelters(town_a, SCHOOL)
    response = factories.staff_client(staff_a).post(url(town_a, "shelters"),
                                                     {"shelter": "000002", "status": "", "note": "書いた文"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "状況を選んでください。" in page and 'value="書いた文"' in page
    for odd in ("x", "²", "9" * 30, ""):
        response = factories.staff_client(staff_a).post(url(town_a, "shelters"), {"shelter": odd, "status": "open"})
        assert response.status_code == 400
        assert "この避難所はオープンデータの指定避難所の一覧にありません。" in response.content.decode()
    with scope(municipality=town_a):
        assert not Shelter.objects.exists()


def test_no_dataset_yet_says_where_shelters_come_from(town_a, staff_a):
    page = factories.staff_client(staff_a).get(url(town_a, "shelters")).content.decode()
    assert "指定避難所がありません。" in page

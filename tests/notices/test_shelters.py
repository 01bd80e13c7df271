"""避難所: any staff member sets a shelter's status; 情報担当 or 総務課 keep the list; bad input is 400."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from tests import factories
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused
from yakuba.notices.models import Shelter, ShelterStatus
from yakuba.notices.services import shelters as services
from yakuba.notices.services.shelters import ShelterData

pytestmark = pytest.mark.django_db


def url(town, name: str, *args) -> str:
    return factories.town_url(town, reverse(f"staff:{name}", args=args))


def make_shelter(town, name: str = "下仁田小学校 体育館") -> Shelter:
    with scope(municipality=town):
        return Shelter.objects.create(municipality=town, name=name, capacity=300)


def test_any_staff_member_sets_the_status_with_audit(town_a, staff_a_other):
    shelter = make_shelter(town_a)
    with scope(municipality=town_a):
        saved = services.set_shelter_status(staff_a_other, shelter, status=ShelterStatus.OPEN, note=" 駐車場あり ")
        assert saved.status == "open" and saved.note == "駐車場あり" and saved.updated_by == staff_a_other.user
        with pytest.raises(Refused) as caught:
            services.set_shelter_status(staff_a_other, shelter, status="flooded", note="")
        assert "status" in caught.value.errors
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="notices.shelter.status_changed")
    assert entry.data == {"from": "closed", "to": "open", "note": "駐車場あり"}


def test_staff_of_another_town_cannot_set_it(town_a, staff_b):
    shelter = make_shelter(town_a)
    with scope(municipality=town_a), pytest.raises(Refused):
        services.set_shelter_status(staff_b, shelter, status=ShelterStatus.OPEN, note="")


def test_the_list_is_kept_by_admin_or_soumu(town_a, staff_a, staff_a_other, admin_a):
    area = factories.make_area(town_a, "馬山地区")
    data = ShelterData(name="馬山小学校 体育館", area=area, capacity=200, latitude=Decimal("36.22"),
                       longitude=Decimal("138.77"))
    with scope(municipality=town_a):
        with pytest.raises(Refused):
            services.save_shelter(staff_a_other, data=data)  # 住民課
        shelter = services.save_shelter(staff_a, data=data)  # 総務課
        assert shelter.area == area and shelter.latitude == Decimal("36.22")
        with pytest.raises(Refused) as caught:
            services.save_shelter(admin_a, data=ShelterData(name="", latitude=Decimal("36.2")))
        assert set(caught.value.errors) == {"name", "latitude"}
        with pytest.raises(Refused) as caught:
            services.save_shelter(admin_a, data=ShelterData(name="馬山小学校 体育館"))
        assert caught.value.errors == {"name": "同じ名称の避難所がすでにあります。"}


def test_the_board_updates_one_shelter(town_a, staff_a_other):
    first, second = make_shelter(town_a), make_shelter(town_a, "下仁田町文化ホール")
    client = factories.staff_client(staff_a_other)
    page = client.get(url(town_a, "shelters")).content.decode()
    assert "下仁田町文化ホール" in page and 'value="crowded"' in page
    assert reverse("staff:shelter-new") not in page  # 住民課 may not edit the list
    response = client.post(url(town_a, "shelters"), {"shelter": second.pk, "status": "crowded", "note": "残りわずか"})
    assert response.status_code == 302 and response["Location"].endswith(f"#shelter-{second.pk}")
    with scope(municipality=town_a):
        first.refresh_from_db()
        second.refresh_from_db()
    assert (first.status, second.status, second.note) == ("closed", "crowded", "残りわずか")


def test_bad_status_is_400_with_the_note_kept(town_a, staff_a):
    shelter = make_shelter(town_a)
    response = factories.staff_client(staff_a).post(url(town_a, "shelters"),
                                                     {"shelter": shelter.pk, "status": "", "note": "書いた文"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "状況を選んでください。" in page and 'value="書いた文"' in page
    assert factories.staff_client(staff_a).post(url(town_a, "shelters"), {"shelter": "x"}).status_code == 404
    for odd in ("²", "9" * 30):  # '²' passes str.isdigit(); 30 digits overflow the id column
        assert factories.staff_client(staff_a).post(url(town_a, "shelters"), {"shelter": odd}).status_code == 404


def test_the_edit_pages_are_for_admin_and_soumu(town_a, staff_a_other, admin_a):
    shelter = make_shelter(town_a)
    assert factories.staff_client(staff_a_other).get(url(town_a, "shelter-new")).status_code == 403
    client = factories.staff_client(admin_a)
    response = client.post(url(town_a, "shelter-edit", shelter.pk), {"name": "", "capacity": "たくさん"})
    assert response.status_code == 400 and "名称を入力してください。" in response.content.decode()
    response = client.post(url(town_a, "shelter-new"), {"name": "西牧公民館", "capacity": "80",
                                                        "latitude": "36.236", "longitude": "138.706"})
    assert response.status_code == 302
    with scope(municipality=town_a):
        assert Shelter.objects.get(name="西牧公民館").capacity == 80

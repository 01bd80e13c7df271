"""情報担当 manages staff: invite (mail → choose password → enrol TOTP), suspend, reset a lost authenticator."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scope, scopes_disabled

from tests import factories
from tests.kernel.accounts.test_staff_login import totp_now
from tests.support.smtp import smtp_server  # noqa: F401 - fixture
from yakuba.kernel.accounts.models import Role, Staff
from yakuba.kernel.audit.models import AuditEntry


def invite(client, town, **overrides):
    department = factories.make_department(town, "住民税務課")
    data = {"email": "Newcomer@Example.JP", "family_name": "新人", "given_name": "花子",
            "department": department.pk, "section": "", "role": Role.STAFF, **overrides}
    return client.post("/t/10382/staff/members/new/", data)


@pytest.mark.django_db(transaction=True)
def test_invited_staff_sets_a_password_and_enrols_totp(town_a, admin_a, smtp_server):  # noqa: F811
    response = invite(factories.staff_client(admin_a), town_a)
    assert response.status_code == 302
    with scopes_disabled():
        staff = Staff.objects.get(user__email="newcomer@example.jp")
    assert not staff.user.has_usable_password()
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload")
    assert len(smtp_server) == 1
    body = smtp_server[0].get_payload(decode=True).decode()
    link = re.search(r"http://127\.0\.0\.1:8000(/t/10382/accounts/password/\S+/)", body).group(1)

    newcomer = Client()
    form_page = newcomer.get(link, follow=True)
    assert "パスワードを設定する" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    response = newcomer.post(set_url, {"new_password1": "kanra-hills-2026", "new_password2": "kanra-hills-2026"})
    assert response.status_code == 302 and response["Location"] == "/t/10382/staff/login/"
    assert "このリンクは使えません" in newcomer.get(link, follow=True).content.decode()  # single use

    response = newcomer.post("/t/10382/staff/login/", {"username": "newcomer@example.jp",
                                                       "password": "kanra-hills-2026"}, follow=True)
    assert "二段階認証が必須です" in response.content.decode()
    device = TOTPDevice.objects.get(user=staff.user, confirmed=False)
    newcomer.post("/t/10382/staff/login/otp/setup/", {"token": totp_now(device)})
    assert newcomer.get("/t/10382/staff/").status_code == 200
    with scope(municipality=town_a):
        assert AuditEntry.objects.filter(action="accounts.staff.invited", actor=admin_a.user).exists()


@pytest.mark.django_db
def test_invite_errors_keep_the_typing(town_a, admin_a, staff_b):
    client = factories.staff_client(admin_a)
    response = invite(client, town_a, family_name="", email=staff_b.user.email)
    assert response.status_code == 400
    assert "姓を入力してください" in response.content.decode()
    response = invite(client, town_a, email=staff_b.user.email)
    assert response.status_code == 400
    assert "すでに職員として登録されています" in response.content.decode()
    assert 'value="新人"' in response.content.decode()


@pytest.mark.django_db
def test_section_must_belong_to_the_department(town_a, admin_a):
    from yakuba.kernel.accounts.models import Section

    other = factories.make_department(town_a, "企画課")
    with scope(municipality=town_a):
        section = Section.objects.create(municipality=town_a, department=other, name="企画係")
    response = invite(factories.staff_client(admin_a), town_a, section=section.pk)
    assert response.status_code == 400
    assert "係は選んだ課のものを選んでください" in response.content.decode()


@pytest.mark.django_db
def test_suspend_and_reactivate(town_a, admin_a, staff_a):
    client = factories.staff_client(admin_a)
    member_client = factories.staff_client(staff_a)
    client.post(f"/t/10382/staff/members/{staff_a.pk}/", {"action": "suspend"})
    assert member_client.get("/t/10382/staff/").status_code == 403
    client.post(f"/t/10382/staff/members/{staff_a.pk}/", {"action": "reactivate"})
    assert member_client.get("/t/10382/staff/").status_code == 200


@pytest.mark.django_db
def test_reset_totp_forces_enrolment_again(town_a, admin_a, staff_a):
    factories.staff_client(admin_a).post(f"/t/10382/staff/members/{staff_a.pk}/", {"action": "reset_totp"})
    assert not TOTPDevice.objects.filter(user=staff_a.user).exists()
    with scope(municipality=town_a):
        assert AuditEntry.objects.filter(action="accounts.staff.totp_reset", object_id=str(staff_a.pk)).exists()


@pytest.mark.django_db
def test_an_admin_cannot_lock_themselves_out(town_a, admin_a):
    client = factories.staff_client(admin_a)
    response = client.post(f"/t/10382/staff/members/{admin_a.pk}/", {"action": "suspend"}, follow=True)
    assert "自分自身のアカウントには" in response.content.decode()
    admin_a.refresh_from_db()
    assert admin_a.is_active


@pytest.mark.django_db
def test_resident_search_folds_kana_and_phone_hyphens_and_needs_every_word(town_a, town_b):
    from datetime import date

    from django_scopes import scope

    from yakuba.kernel.accounts.services import search_residents

    hanako = factories.make_resident(town_a, phone="0274-82-1234", birthdate=date(1944, 5, 12))
    factories.make_resident(town_a, family_name="佐藤", family_name_kana="サトウ", given_name="一郎",
                            given_name_kana="イチロウ")
    factories.make_resident(town_b)  # another town's 山田 花子 is never found
    with scope(municipality=town_a):
        for query in ("やまだ", "ヤマダ ハナコ", "山田", "0274821234", "82-1234", "1944-05-12"):
            assert list(search_residents(query)) == [hanako], query
        assert not search_residents("やまだ いちろう").exists()
        assert not search_residents("   ").exists()

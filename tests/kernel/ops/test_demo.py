"""The demo towns load idempotently; demo logins work only with YAKUBA_DEMO=1."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scopes_disabled

from yakuba.kernel.accounts.models import Department, Role, Staff
from yakuba.kernel.ops import demo
from yakuba.kernel.tenancy.models import Municipality


def table_snapshot():
    with scopes_disabled():
        return {
            model._meta.label: sorted(map(repr, model._base_manager.values()))
            for model in apps.get_models()
            if model._meta.app_label in {"tenancy", "accounts", "otp_totp"}
        }


@pytest.mark.django_db
def test_demo_loads_the_four_seed_towns_and_twice_changes_nothing(settings):
    settings.DEMO = True
    call_command("demo", "--quiet")
    first = table_snapshot()
    call_command("demo", "--quiet")
    assert table_snapshot() == first
    codes = set(Municipality.objects.values_list("code", flat=True))
    assert codes == {"103829", "103845", "104213", "223441"}
    for town in Municipality.objects.all():
        town.full_clean()  # codes with valid check digits


@pytest.mark.django_db
def test_each_town_has_its_departments_and_staff_in_every_role(settings):
    settings.DEMO = True
    call_command("demo", "--quiet")
    with scopes_disabled():
        shimonita = Municipality.objects.get(code="103829")
        names = set(Department.objects.filter(municipality=shimonita).values_list("name", flat=True))
        expected = {"総務課", "企画課", "住民税務課", "福祉課", "保健課", "建設水道課", "会計課", "教育課", "農林課"}
        assert expected <= names
        for town in Municipality.objects.all():
            roles = set(Staff.objects.filter(municipality=town).values_list("role", flat=True))
            assert roles == set(Role.values)


@pytest.mark.django_db
def test_demo_otp_prints_a_code_the_device_accepts(settings):
    settings.DEMO = True
    call_command("demo", "--quiet")
    out = io.StringIO()
    call_command("demo_otp", "soumu@shimonita.demo", stdout=out)
    code = out.getvalue().strip()
    device = TOTPDevice.objects.get(user__email="soumu@shimonita.demo")
    assert code == f"{TOTP(device.bin_key).token():06d}"
    assert device.verify_token(code)


@pytest.mark.django_db
def test_demo_passwords_only_exist_in_demo_mode(settings, client):
    settings.DEMO = False
    call_command("demo", "--quiet")
    response = client.post("/t/10382/staff/login/", {"username": "soumu@shimonita.demo",
                                                     "password": demo.DEMO_PASSWORD})
    assert response.status_code == 400
    settings.DEMO = True
    call_command("demo", "--quiet")
    response = client.post("/t/10382/staff/login/", {"username": "soumu@shimonita.demo",
                                                     "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302


def test_demo_otp_refuses_outside_demo_mode(settings):
    from django.core.management.base import CommandError

    settings.DEMO = False
    with pytest.raises(CommandError):
        call_command("demo_otp", "soumu@shimonita.demo")

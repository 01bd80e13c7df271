"""The demo towns load idempotently (every table of every app: a second load changes no row); demo logins work only
with YAKUBA_DEMO=1."""

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


def table_snapshot() -> dict[str, list[str]]:
    """Every row of every table, as it is stored: a second load of the demo must leave each one as it was (this
    covers every app's loader; the apps' own demo tests check what their loader wrote, on one load)."""
    with scopes_disabled():
        return {
            model._meta.label: sorted(map(repr, model._base_manager.values_list(
                *[field.attname for field in model._meta.concrete_fields])))
            for model in apps.get_models()
        }


@pytest.mark.django_db
def test_demo_loads_the_four_seed_towns_and_twice_changes_nothing(settings):
    settings.DEMO = True
    call_command("demo", "--quiet")
    first = table_snapshot()
    call_command("demo", "--quiet")
    second = table_snapshot()
    assert [label for label in first if first[label] != second[label]] == []
    assert first["applications.Submission"] and first["website.Page"] and first["assistant.Passage"]
    codes = set(Municipality.objects.values_list("code", flat=True))
    assert codes == {"103829", "103845", "104213", "223441"}
    for town in Municipality.objects.all():
        town.full_clean()  # codes with valid check digits


def test_each_town_has_its_departments_and_staff_in_every_role(demo_for_module, db):
    with scopes_disabled():
        shimonita = Municipality.objects.get(code="103829")
        names = set(Department.objects.filter(municipality=shimonita).values_list("name", flat=True))
        expected = {"総務課", "企画課", "住民税務課", "福祉課", "保健課", "建設水道課", "会計課", "教育課", "農林課"}
        assert expected <= names
        for town in Municipality.objects.all():
            roles = set(Staff.objects.filter(municipality=town).values_list("role", flat=True))
            assert roles == set(Role.values)


def test_demo_otp_prints_a_code_the_device_accepts(demo_for_module, db, settings):
    settings.DEMO = True  # the command answers only in demo mode; the devices exist in every load
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

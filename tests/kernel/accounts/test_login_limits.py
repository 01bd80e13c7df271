"""Password spraying: one address across many accounts, and one account from many addresses, are stopped."""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from tests import factories
from yakuba.kernel.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = "/t/10382/accounts/login/"


def sign_in(email: str, password: str, address: str, path: str = LOGIN):
    return Client(REMOTE_ADDR=address).post(path, {"username": email, "password": password})


def test_one_address_trying_a_password_on_many_accounts_is_stopped(resident_a, settings):
    settings.YAKUBA_THROTTLE = {"accounts.login.address": (4, 900)}
    for n in range(4):  # one password, a different account each time: axes' username+IP pair never trips
        assert sign_in(f"someone{n}@example.jp", "Password1", "198.51.100.7").status_code == 400
    refused = sign_in(resident_a.user.email, factories.PASSWORD, "198.51.100.7")
    assert refused.status_code == 429
    assert "しばらくログインできません" in refused.content.decode()
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="accounts.login.throttled")
    assert entry.data == {"by": ["address"]}
    assert resident_a.user.email not in str(entry.data)
    # The same person from another address signs in.
    assert sign_in(resident_a.user.email, factories.PASSWORD, "203.0.113.5").status_code == 302


def test_one_account_tried_from_many_addresses_is_stopped_and_staff_login_too(staff_a, settings):
    settings.YAKUBA_THROTTLE = {"accounts.login.account": (3, 900)}
    email = staff_a.user.email
    for n in range(3):
        assert sign_in(email.upper(), "wrong", f"192.0.2.{n + 1}", "/t/10382/staff/login/").status_code == 400
    refused = sign_in(email, factories.PASSWORD, "192.0.2.99", "/t/10382/staff/login/")
    assert refused.status_code == 429
    assert "しばらくログインできません" in refused.content.decode()
    with scopes_disabled():
        assert AuditEntry.objects.get(action="accounts.login.throttled").data == {"by": ["account"]}
    # Other accounts from those addresses are not affected.
    other = factories.make_resident(staff_a.municipality, email="other@example.jp")
    assert sign_in(other.user.email, factories.PASSWORD, "192.0.2.1").status_code == 302


def test_a_person_mistyping_a_few_times_is_never_stopped_by_these_limits(resident_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(resident_a.user.email, "wrong", "198.51.100.8")
    assert sign_in(resident_a.user.email, factories.PASSWORD, "198.51.100.8").status_code == 302
    with scopes_disabled():
        assert not AuditEntry.objects.filter(action="accounts.login.throttled").exists()

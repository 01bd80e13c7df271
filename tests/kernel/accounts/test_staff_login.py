"""Staff sign in: password, then TOTP (enrolment first if the staff member has none)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scopes_disabled

from tests import factories
from yakuba.kernel.audit.models import AuditEntry


def totp_now(device: TOTPDevice) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def password_step(client: Client, staff) -> None:
    response = client.post("/t/10382/staff/login/", {"username": staff.user.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/t/10382/staff/login/otp/")


@pytest.mark.django_db
def test_password_then_totp_reaches_the_dashboard(client, staff_a):
    password_step(client, staff_a)
    assert client.get("/t/10382/staff/").status_code == 302  # not yet: second factor missing
    device = TOTPDevice.objects.get(user=staff_a.user)
    response = client.post("/t/10382/staff/login/otp/?next=/t/10382/staff/", {"token": totp_now(device)})
    assert response.status_code == 302
    assert response["Location"] == "/t/10382/staff/"
    assert client.get("/t/10382/staff/").status_code == 200
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="accounts.staff.login", actor=staff_a.user).exists()


@pytest.mark.django_db
def test_wrong_totp_code_is_refused_in_japanese(client, staff_a):
    password_step(client, staff_a)
    response = client.post("/t/10382/staff/login/otp/", {"token": "000000"})
    assert response.status_code == 400
    assert "確認コードが正しくありません" in response.content.decode()
    response = client.post("/t/10382/staff/login/otp/", {"token": "12ab"})
    assert "6桁の数字" in response.content.decode()
    assert client.get("/t/10382/staff/").status_code == 302


@pytest.mark.django_db
def test_full_width_code_is_accepted(client, staff_a):
    password_step(client, staff_a)
    device = TOTPDevice.objects.get(user=staff_a.user)
    code = totp_now(device).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    response = client.post("/t/10382/staff/login/otp/", {"token": code})
    assert response.status_code == 302, response.content.decode()[-1800:]


@pytest.mark.django_db
def test_staff_without_2fa_must_enrol_first(client, town_a):
    staff = factories.make_staff(town_a, with_totp=False)
    password_step(client, staff)
    response = client.get("/t/10382/staff/login/otp/")
    assert response.status_code == 302 and "/otp/setup/" in response["Location"]
    page = client.get("/t/10382/staff/login/otp/setup/").content.decode()
    assert "二段階認証が必須です" in page
    assert "<svg" in page
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1)
    device = TOTPDevice.objects.get(user=staff.user, confirmed=False)
    assert secret.replace(" ", "") in device.config_url
    # Reloading keeps the same key, so the QR code already scanned stays valid.
    assert secret in client.get("/t/10382/staff/login/otp/setup/").content.decode()
    response = client.post("/t/10382/staff/login/otp/setup/", {"token": "000000"})
    assert response.status_code == 400
    assert "確認コードが正しくありません" in response.content.decode()
    # A second wrong try at once is throttled (django-otp), and the page says to wait.
    assert "しばらく待って" in client.post("/t/10382/staff/login/otp/setup/", {"token": "000001"}).content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    response = client.post("/t/10382/staff/login/otp/setup/", {"token": totp_now(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/t/10382/staff/").status_code == 200


@pytest.mark.django_db
def test_wrong_password_keeps_the_email_and_says_so(client, staff_a):
    response = client.post("/t/10382/staff/login/", {"username": staff_a.user.email, "password": "nope"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "メールアドレスまたはパスワードが正しくありません" in body
    assert f'value="{staff_a.user.email}"' in body
    assert "error-summary" in body


@pytest.mark.django_db
def test_a_resident_cannot_sign_in_to_the_staff_site(client, resident_a):
    response = client.post("/t/10382/staff/login/", {"username": resident_a.user.email,
                                                     "password": factories.PASSWORD})
    assert response.status_code == 403
    assert "職員として登録されていません" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_staff_of_another_town_cannot_sign_in_here(client, town_a, staff_b):
    response = client.post("/t/10382/staff/login/", {"username": staff_b.user.email,
                                                     "password": factories.PASSWORD})
    assert response.status_code == 403


@pytest.mark.django_db
def test_login_is_throttled_after_repeated_failures(client, staff_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/t/10382/staff/login/", {"username": staff_a.user.email, "password": "wrong"})
    response = client.post("/t/10382/staff/login/", {"username": staff_a.user.email, "password": factories.PASSWORD})
    assert response.status_code == 429
    assert "しばらくログインできません" in response.content.decode()


@pytest.mark.django_db
def test_idle_session_expires_with_a_message(client, staff_a, settings):
    import time_machine

    client = factories.staff_client(staff_a, client)
    with time_machine.travel(0, tick=False) as traveller:
        assert client.get("/t/10382/staff/").status_code == 200
        traveller.shift(settings.SESSION_IDLE_SECONDS + 60)
        response = client.get("/t/10382/staff/", follow=True)
    assert response.redirect_chain[0][0].startswith("/t/10382/staff/login/")
    assert "一定時間操作がなかったため" in response.content.decode()


@pytest.mark.django_db
def test_logout_ends_the_session(client, staff_a):
    client = factories.staff_client(staff_a, client)
    assert client.post("/t/10382/staff/logout/").status_code == 302
    assert client.get("/t/10382/staff/").status_code == 302


@pytest.mark.django_db
def test_the_session_id_changes_at_the_code_step(client, staff_a):
    password_step(client, staff_a)
    after_password = client.session.session_key
    device = TOTPDevice.objects.get(user=staff_a.user)
    assert client.post("/t/10382/staff/login/otp/", {"token": totp_now(device)}).status_code == 302
    assert client.session.session_key != after_password
    assert client.get("/t/10382/staff/").status_code == 200  # the new session carries the sign-in


@pytest.mark.django_db
def test_the_session_id_changes_when_the_enrolment_is_confirmed(client, town_a):
    staff = factories.make_staff(town_a, with_totp=False)
    password_step(client, staff)
    client.get("/t/10382/staff/login/otp/setup/")
    after_password = client.session.session_key
    device = TOTPDevice.objects.get(user=staff.user, confirmed=False)
    assert client.post("/t/10382/staff/login/otp/setup/", {"token": totp_now(device)}).status_code == 302
    assert client.session.session_key != after_password
    assert client.get("/t/10382/staff/").status_code == 200

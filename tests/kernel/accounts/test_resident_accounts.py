"""Residents: sign up (once per click), sign in, keep their profile; Japanese input normalised."""

from __future__ import annotations

import re
import threading
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django_scopes import scope, scopes_disabled

from tests import factories
from tests.support.smtp import smtp_server  # noqa: F401 - fixture
from yakuba.kernel.accounts.models import Resident, User
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.ui import once

SIGNUP = {"email": "Hanako@Example.JP", "password": "yamanohana-2026", "consent": "on",
          "_once": "t" * 32}


@pytest.mark.django_db
def test_signup_creates_the_account_and_asks_to_confirm_then_sign_in(client, town_a,
                                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/t/10382/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == "/t/10382/accounts/login/"
    user = User.objects.get(email="hanako@example.jp")
    with scope(municipality=town_a):
        assert Resident.objects.filter(user=user).exists()
    assert len(callbacks) == 1  # the welcome mail is enqueued after commit
    # Nobody is signed in by sign-up (an existing address must get the same answer); the password works.
    assert "_auth_user_id" not in client.session
    assert "確認のメールをお送りしました" in client.get(response["Location"]).content.decode()
    login = client.post("/t/10382/accounts/login/", {"username": "hanako@example.jp", "password": SIGNUP["password"]})
    assert login.status_code == 302 and client.get("/t/10382/accounts/profile/").status_code == 200


@pytest.mark.django_db
def test_signup_posted_twice_counts_once(client, town_a):
    assert client.post("/t/10382/accounts/signup/", SIGNUP).status_code == 302
    again = Client().post("/t/10382/accounts/signup/", SIGNUP)
    # The email check or the used token stops the second post; either way nothing is written twice.
    assert again.status_code in (302, 400)
    assert User.objects.filter(email="hanako@example.jp").count() == 1


@pytest.mark.django_db
def test_same_token_with_different_data_is_refused_as_already_submitted(client, town_a):
    client.post("/t/10382/accounts/signup/", SIGNUP)
    response = Client().post("/t/10382/accounts/signup/", {**SIGNUP, "email": "other@example.jp"}, follow=True)
    assert "すでに受け付けています" in response.content.decode()
    assert not User.objects.filter(email="other@example.jp").exists()


@pytest.mark.django_db
def test_signup_errors_are_specific_and_keep_the_typing(client, town_a):
    response = client.post("/t/10382/accounts/signup/", {"email": "not-an-email", "password": "12345"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "メールアドレスの形式が正しくありません" in body
    assert "利用するには同意が必要です" in body
    assert 'value="not-an-email"' in body
    assert "error-summary" in body
    assert User.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_an_existing_address_gets_the_same_answer_and_its_owner_is_mailed(town_a, resident_a, smtp_server):  # noqa: F811
    from django.core.management import call_command

    def answer(email: str):
        client = Client()
        response = client.post("/t/10382/accounts/signup/", {**SIGNUP, "email": email, "_once": email[:32] * 2})
        page = client.get(response["Location"])
        return response.status_code, response["Location"], "_auth_user_id" in client.session, \
            re.sub(r'value="[^"]+"', "", page.content.decode().split("<main", 1)[1].split("</main>")[0])

    existing = answer(resident_a.user.email.upper())
    new = answer("newcomer@example.jp")
    assert existing == new
    assert existing[:3] == (302, "/t/10382/accounts/login/", False)
    user = User.objects.get(email=resident_a.user.email)
    assert user.check_password(factories.PASSWORD)  # the stranger's password changed nothing
    assert User.objects.filter(email__iexact=resident_a.user.email).count() == 1
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload")
    mails = {m["To"]: m.get_payload(decode=True).decode() for m in smtp_server}
    assert set(mails) == {resident_a.user.email, "newcomer@example.jp"}
    notice = mails[resident_a.user.email]
    assert "新規登録の申込みがありました" in notice
    assert "http://127.0.0.1:8000/t/10382/accounts/login/" in notice
    assert "http://127.0.0.1:8000/t/10382/accounts/password/" in notice
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="accounts.resident.signup_existing").count() == 1


@pytest.mark.django_db
def test_wrong_password_message_and_status(client, town_a, resident_a):
    response = client.post("/t/10382/accounts/login/", {"username": resident_a.user.email, "password": "x"})
    assert response.status_code == 400
    assert "メールアドレスまたはパスワードが正しくありません" in response.content.decode()
    assert f'value="{resident_a.user.email}"' in response.content.decode()


@pytest.mark.django_db
def test_login_redirects_only_to_safe_next(client, town_a, resident_a):
    data = {"username": resident_a.user.email, "password": factories.PASSWORD}
    response = client.post("/t/10382/accounts/login/?next=https://evil.example/", data)
    assert response["Location"] == "/t/10382/accounts/profile/"


@pytest.mark.django_db
def test_profile_normalises_japanese_input(client, town_a, resident_a):
    client.force_login(resident_a.user)
    response = client.post("/t/10382/accounts/profile/", {
        "family_name": "山田", "given_name": "花子", "family_name_kana": "やまだ", "given_name_kana": "ﾊﾅｺ",
        "postal_code": "３７０２６０１", "address": "下仁田町大字下仁田１", "phone": "０２７４ー８２ー２１１１",
    })
    assert response.status_code == 302
    with scope(municipality=town_a):
        resident = Resident.objects.get(pk=resident_a.pk)
    assert (resident.family_name_kana, resident.given_name_kana) == ("ヤマダ", "ハナコ")
    assert resident.postal_code == "370-2601"
    assert resident.phone == "0274-82-2111"
    assert resident.address == "下仁田町大字下仁田1"
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="accounts.resident.updated", object_id=str(resident.pk)).exists()


@pytest.mark.django_db
def test_profile_errors_are_specific(client, town_a, resident_a):
    client.force_login(resident_a.user)
    response = client.post("/t/10382/accounts/profile/", {"family_name_kana": "yamada", "postal_code": "12"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "カタカナで入力してください" in body
    assert "郵便番号は7桁の数字で入力してください" in body
    assert 'value="yamada"' in body


@pytest.mark.django_db
def test_verified_fields_cannot_be_changed(client, town_a):
    from django.utils import timezone

    resident = factories.make_resident(town_a, verified_at=timezone.now(), verified_fields=["family_name", "address"])
    client.force_login(resident.user)
    client.post("/t/10382/accounts/profile/", {"family_name": "偽名", "given_name": "花子", "address": "どこか"})
    with scope(municipality=town_a):
        resident.refresh_from_db()
    assert resident.family_name == "山田"
    assert resident.address == "群馬県甘楽郡下仁田町大字下仁田1"


@pytest.mark.django_db
def test_profile_needs_login(client, town_a):
    response = client.get("/t/10382/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/t/10382/accounts/login/?next=")


def test_production_settings_hash_with_argon2():
    import importlib

    import yakuba.settings as production

    importlib.reload(production)
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_writes_once(live_server, town_a):
    """Two posts of the same form at the same moment: the database lets exactly one through."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (YAKUBA_TEST_DATABASE_URL)")
    import requests

    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def post(index: int) -> None:
        session = requests.Session()
        page = session.get(f"{live_server.url}/t/10382/accounts/signup/")
        csrf = session.cookies["csrftoken"]
        assert page.status_code == 200
        barrier.wait()
        response = session.post(f"{live_server.url}/t/10382/accounts/signup/",
                                data={**SIGNUP, "email": f"racer{index}@example.jp", "csrfmiddlewaretoken": csrf},
                                headers={"Referer": live_server.url}, allow_redirects=False)
        statuses.append(response.status_code)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert User.objects.filter(email__startswith="racer").count() == 1
    assert sorted(statuses) == [302, 302, 302, 302]  # one registered, three told it was already received


@pytest.mark.django_db(transaction=True)
def test_forgotten_password_by_mail(client, town_a, resident_a, smtp_server):  # noqa: F811
    import re

    from django.core.management import call_command

    response = client.post("/t/10382/accounts/password/", {"email": resident_a.user.email.upper()})
    assert response.status_code == 200 and "メールを送りました" in response.content.decode()
    unknown = client.post("/t/10382/accounts/password/", {"email": "nobody@example.jp"})
    # Same answer for an unknown address: the form does not reveal who is registered.
    def main(page, email):
        return page.content.decode().split("<main", 1)[1].split("</main>")[0].replace(email, "ADDRESS")

    assert main(unknown, "nobody@example.jp") == main(response, resident_a.user.email)
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload")
    assert [m["To"] for m in smtp_server] == [resident_a.user.email]
    path = re.search(r"http://127\.0\.0\.1:8000(/t/10382/accounts/password/\S+/)",
                     smtp_server[0].get_payload(decode=True).decode()).group(1)
    page = client.get(path, follow=True)
    response = client.post(page.redirect_chain[-1][0], {"new_password1": "fresh-start-2026",
                                                        "new_password2": "fresh-start-2026"})
    assert response["Location"] == "/t/10382/accounts/login/"
    login = client.post("/t/10382/accounts/login/", {"username": resident_a.user.email,
                                                     "password": "fresh-start-2026"})
    assert login.status_code == 302


@pytest.mark.django_db
def test_password_reset_errors(client, town_a):
    response = client.post("/t/10382/accounts/password/", {"email": "not-an-email"})
    assert response.status_code == 400
    assert "メールアドレスの形式が正しくありません" in response.content.decode()


@pytest.mark.django_db
def test_email_verification_link(client, town_a, resident_a):
    from yakuba.kernel.accounts.services import email_verification_token

    user = resident_a.user
    client.force_login(user)
    assert "メールアドレスの確認が済んでいません" in client.get("/t/10382/accounts/profile/").content.decode()
    token = email_verification_token(user, town_a)
    response = client.get(f"/t/10382/accounts/verify/{token}/")
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email_verified_at is not None
    assert "確認済み" in client.get("/t/10382/accounts/profile/").content.decode()


@pytest.mark.django_db
def test_verification_link_is_refused_when_forged_or_for_an_old_address(client, town_a, resident_a):
    from yakuba.kernel.accounts.services import email_verification_token

    user = resident_a.user
    token = email_verification_token(user, town_a)
    assert client.get(f"/t/10382/accounts/verify/{token[:-2]}xx/").status_code == 400
    user.email = "changed@example.jp"
    user.save()
    response = client.get(f"/t/10382/accounts/verify/{token}/")
    assert response.status_code == 400
    assert "このリンクでは確認できませんでした" in response.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is None


@pytest.mark.django_db
def test_resend_verification_mail(client, town_a, resident_a, django_capture_on_commit_callbacks):
    client.force_login(resident_a.user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/t/10382/accounts/verify/resend/")
    assert response.status_code == 302
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_looking_at_resident_pages_makes_no_resident_row(client, town_a, resident_b):
    """A user signed in on another town's pages (共同利用: one account, several towns) who only looks at this
    town's resident pages is asked whether to use this town's services; no row is made until they say so."""
    client.force_login(resident_b.user)
    for path in ("/t/10382/accounts/profile/", "/t/10382/my/applications/", "/t/10382/my/reservations/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/t/10382/accounts/join/?" + urlencode({"next": path})
    page = client.get("/t/10382/accounts/join/?next=/t/10382/my/reservations/")
    assert page.status_code == 200 and "下仁田町のサービスを使い始める" in page.content.decode()
    with scope(municipality=town_a):
        assert not Resident.objects.filter(user=resident_b.user).exists()
    token = once.new_token()
    for _ in range(2):  # a double click joins once
        response = client.post("/t/10382/accounts/join/", {"next": "/t/10382/my/reservations/", once.FIELD: token})
        assert response.status_code == 302 and response["Location"] == "/t/10382/my/reservations/"
    with scope(municipality=town_a):
        resident = Resident.objects.get(user=resident_b.user)
        assert resident.family_name == ""  # nothing of town B's profile is copied over
        assert AuditEntry.objects.filter(action="accounts.resident.joined", object_id=str(resident.pk)).count() == 1
    assert client.get("/t/10382/my/reservations/").status_code == 200


@pytest.mark.django_db
def test_a_form_sent_here_or_signing_in_here_makes_the_row(client, town_a, resident_b):
    client.force_login(resident_b.user)
    response = client.post("/t/10382/accounts/profile/", {"family_name": "甘楽", "given_name": "太郎"})
    assert response.status_code == 302
    with scope(municipality=town_a):
        assert Resident.objects.get(user=resident_b.user).family_name == "甘楽"
        Resident.objects.filter(user=resident_b.user).delete()
    client.logout()
    response = client.post("/t/10382/accounts/login/", {"username": resident_b.user.email,
                                                        "password": factories.PASSWORD})
    assert response.status_code == 302
    with scope(municipality=town_a):
        assert Resident.objects.filter(user=resident_b.user).exists()


@pytest.mark.django_db
def test_join_asks_a_visitor_to_sign_in_first(client, town_a):
    response = client.get("/t/10382/accounts/join/")
    assert response.status_code == 302 and response["Location"].startswith("/t/10382/accounts/login/?next=")

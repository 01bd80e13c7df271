"""マイナンバーカード login (OpenID Connect) end to end, against a real local provider that signs real JWTs.

The browser's trip is split in two: the test client talks to our site, `requests` talks to the stub
provider (a real HTTP server on 127.0.0.1), and the provider's redirect is handed back to the test client.
"""

from __future__ import annotations

import json
import logging
import socket
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client
from django_scopes import scope

from tests import factories
from tests.support.oidc_provider import ID_TOKEN_FAULTS, StubProvider, generate_client_key, private_pem
from yakuba.kernel.accounts import oidc
from yakuba.kernel.accounts.models import Resident, User
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.tenancy.models import Municipality

TOWN = "/t/10382"
CALLBACK = "http://testserver/t/10382/accounts/oidc/callback/"


@pytest.fixture
def town(db):
    return Municipality.objects.create(code="103829", name="下仁田町", name_kana="しもにたまち", prefecture="群馬県")


def begin(client: Client, next_url: str | None = None) -> str:
    """Our start view; returns the provider's authorization URL it redirects to."""
    query = {"next": next_url} if next_url is not None else {}
    response = client.get(f"{TOWN}/accounts/oidc/start/", query)
    assert response.status_code == 302, response.content.decode()
    return response["Location"]


def at_provider(authorize_url: str) -> str:
    """The provider's /authorize (auto-approving); returns where it sends the browser back."""
    response = requests.get(authorize_url, allow_redirects=False, timeout=60)  # generous: a busy machine is no failure
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def back_at(client: Client, callback_url: str):
    parts = urlsplit(callback_url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CALLBACK
    return client.get(parts.path, parse_qs(parts.query))


def login(client: Client, next_url: str | None = None):
    return back_at(client, at_provider(begin(client, next_url)))


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def residents(town: Municipality) -> list[Resident]:
    with scope(municipality=town):
        return list(Resident.objects.select_related("user"))


# -- the happy path -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_creates_a_user_and_a_verified_resident(client, town, oidc_provider: StubProvider):
    authorize_url = begin(client)
    parts = urlsplit(authorize_url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == oidc_provider.issuer + "/authorize"
    assert query["response_type"] == "code"
    assert query["scope"] == "openid name address birthdate gender"
    assert query["code_challenge_method"] == "S256"
    assert query["redirect_uri"] == CALLBACK
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    assert "code_verifier" not in query  # the verifier stays with us
    assert client.session[oidc.SESSION_KEY]["state"] == query["state"]

    response = back_at(client, at_provider(authorize_url))

    assert response.status_code == 302
    assert response["Location"] == f"{TOWN}/accounts/profile/"
    assert logged_in(client)
    assert oidc.SESSION_KEY not in client.session
    user = User.objects.get()
    assert (user.oidc_issuer, user.oidc_subject) == (oidc_provider.issuer, oidc_provider.sub)
    assert user.email.startswith("oidc-") and user.email.endswith("@users.invalid")
    assert not user.has_usable_password()
    assert user.display_name == "下仁田 花子"
    [resident] = residents(town)
    assert resident.user == user
    assert (resident.family_name, resident.given_name) == ("下仁田", "花子")
    assert resident.address == "群馬県甘楽郡下仁田町大字下仁田682番地"
    assert resident.postal_code == "370-2601"
    assert resident.birthdate == date(1980, 4, 1)
    assert resident.gender == "female"
    assert resident.verified_at is not None
    assert resident.verified_fields == ["address", "birthdate", "family_name", "gender", "given_name", "postal_code"]

    with scope(municipality=town):
        entry = AuditEntry.objects.get(action="accounts.oidc.login")
    assert entry.actor == user and entry.object_id == str(resident.pk)
    assert "花子" not in json.dumps(entry.data, ensure_ascii=False)
    assert "1980" not in json.dumps(entry.data)

    # The client really authenticated with private_key_jwt.
    assertion = oidc_provider.last_client_assertion
    assert assertion is not None
    assert assertion["header"]["alg"] == "RS256" and assertion["header"]["kid"] == "yakuba-client-1"
    assert assertion["claims"]["iss"] == assertion["claims"]["sub"] == "yakuba-test-client"
    assert assertion["claims"]["aud"] == oidc_provider.token_endpoint

    page = client.get(f"{TOWN}/accounts/profile/")
    assert page.status_code == 200
    assert "マイナンバーカードで本人確認しました。" in page.content.decode()


@pytest.mark.django_db
def test_second_login_finds_the_same_user(town, oidc_provider):
    assert login(Client()).status_code == 302
    second = Client()
    assert login(second).status_code == 302
    assert logged_in(second)
    assert User.objects.count() == 1
    assert len(residents(town)) == 1
    # Discovery is cached: fetched once for both logins.
    assert oidc_provider.hits["/.well-known/openid-configuration"] == 1


@pytest.mark.django_db
def test_claims_from_a_newer_login_update_the_profile(town, oidc_provider):
    login(Client())
    oidc_provider.claims["address"] = "群馬県甘楽郡下仁田町大字本宿1番地"  # moved; a plain-string address
    login(Client())
    [resident] = residents(town)
    assert resident.address == "群馬県甘楽郡下仁田町大字本宿1番地"
    assert "postal_code" not in resident.verified_fields


@pytest.mark.django_db
def test_local_next_is_followed(client, town, oidc_provider):
    response = login(client, next_url=f"{TOWN}/")
    assert response["Location"] == f"{TOWN}/"


@pytest.mark.django_db
def test_foreign_next_is_dropped(client, town, oidc_provider):
    response = login(client, next_url="https://evil.example/phish")
    assert response["Location"] == f"{TOWN}/accounts/profile/"


@pytest.mark.django_db
def test_signed_in_email_user_gets_the_card_linked(client, town, oidc_provider):
    user = User.objects.create_user("hanako@example.jp", "yamanohana-2026")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    signed_in_by_password = client.session.session_key
    assert login(client, next_url=f"{TOWN}/accounts/profile/").status_code == 302
    assert client.session.session_key != signed_in_by_password  # the verified identity gets a new session id
    user.refresh_from_db()
    assert user.oidc_subject == oidc_provider.sub
    assert User.objects.count() == 1
    assert client.session["_auth_user_id"] == str(user.pk)
    [resident] = residents(town)
    assert resident.user == user and resident.is_verified


@pytest.mark.django_db
def test_an_email_account_is_never_taken_over_by_email_claim(client, town, oidc_provider):
    someone = User.objects.create_user("hanako@example.jp", "made-by-someone-else")
    oidc_provider.claims.update(email="hanako@example.jp", email_verified=True)
    assert login(client).status_code == 302
    assert client.session["_auth_user_id"] != str(someone.pk)
    someone.refresh_from_db()
    assert someone.oidc_subject == ""


@pytest.mark.django_db
def test_es256_client_key_works(client, town, oidc_provider, settings, tmp_path):
    key = generate_client_key("EC", kid="yakuba-ec-1")
    oidc_provider.register_client("yakuba-test-client", key.as_dict(private=False))
    (tmp_path / "ec.pem").write_bytes(private_pem(key))
    settings.OIDC = {**settings.OIDC, "PRIVATE_KEY_FILE": str(tmp_path / "ec.pem"), "KEY_ID": "yakuba-ec-1"}
    assert login(client).status_code == 302
    assert oidc_provider.last_client_assertion["header"] == {"alg": "ES256", "kid": "yakuba-ec-1", "typ": "JWT"}


@pytest.mark.django_db
def test_signed_userinfo_is_verified_and_used(client, town, oidc_provider):
    oidc_provider.userinfo_signed = True
    assert login(client).status_code == 302
    [resident] = residents(town)
    assert resident.family_name == "下仁田" and resident.birthdate == date(1980, 4, 1)


@pytest.mark.django_db
def test_provider_without_iss_parameter_is_fine_when_it_does_not_promise_one(client, town, oidc_provider):
    oidc_provider.send_iss = False
    assert login(client).status_code == 302


# -- what must fail -----------------------------------------------------------------------------------


def assert_refused(response, status: int = 400, text: str = "") -> str:
    body = response.content.decode()
    assert response.status_code == status, body
    assert 'class="notice notice--error" role="alert"' in body
    assert f'href="{TOWN}/accounts/login/"' in body
    if text:
        assert text in body
    return body


@pytest.mark.django_db
def test_state_mismatch_is_refused(client, town, oidc_provider):
    callback = at_provider(begin(client))
    forged = callback.replace("state=", "state=x")
    assert_refused(back_at(client, forged), text="最初からやり直してください")
    assert not logged_in(client)
    assert User.objects.count() == 0
    assert oidc_provider.hits["/token"] == 0  # the code was never redeemed
    # The pending login is gone: the genuine callback cannot be replayed afterwards either.
    assert_refused(back_at(client, callback))


@pytest.mark.django_db
def test_mixed_up_issuer_in_the_response_is_refused(client, town, oidc_provider):
    callback = at_provider(begin(client))
    assert_refused(back_at(client, callback.replace("iss=http", "iss=https")))
    assert oidc_provider.hits["/token"] == 0


@pytest.mark.django_db
def test_missing_iss_parameter_is_refused_when_promised(client, town, oidc_provider):
    callback = at_provider(begin(client))
    parts = urlsplit(callback)
    query = {k: v for k, v in parse_qs(parts.query).items() if k != "iss"}
    assert_refused(client.get(parts.path, query))
    assert oidc_provider.hits["/token"] == 0


@pytest.mark.django_db
def test_callback_without_a_started_login_is_refused(town, oidc_provider):
    callback = at_provider(begin(Client()))
    stranger = Client()  # login CSRF: someone else's code arrives in this browser
    assert_refused(back_at(stranger, callback))
    assert not logged_in(stranger)


@pytest.mark.django_db
def test_missing_state_is_refused(client, town, oidc_provider):
    callback = at_provider(begin(client))
    parts = urlsplit(callback)
    query = {k: v for k, v in parse_qs(parts.query).items() if k != "state"}
    assert_refused(client.get(parts.path, query))
    assert not logged_in(client)


@pytest.mark.django_db
def test_callback_replayed_in_the_same_browser_is_refused(client, town, oidc_provider):
    callback = at_provider(begin(client))
    assert back_at(client, callback).status_code == 302
    client.logout()
    assert_refused(back_at(client, callback))
    assert not logged_in(client)


@pytest.mark.django_db
def test_replayed_code_is_refused_by_the_provider(town, oidc_provider):
    victim = Client()
    stolen = at_provider(begin(victim))
    assert back_at(victim, stolen).status_code == 302
    # The attacker starts their own login and pastes the used code with their own state.
    attacker = Client()
    own_state = parse_qs(urlsplit(at_provider(begin(attacker))).query)["state"][0]
    code = parse_qs(urlsplit(stolen).query)["code"][0]
    response = attacker.get(urlsplit(CALLBACK).path, {"code": code, "state": own_state, "iss": oidc_provider.issuer})
    assert_refused(response)
    assert not logged_in(attacker)
    assert ("token", 400, "invalid_grant") in oidc_provider.log


@pytest.mark.django_db
def test_code_of_another_login_fails_pkce(town, oidc_provider):
    """A code issued for one browser's challenge cannot be redeemed with another browser's verifier."""
    first, second = Client(), Client()
    code = parse_qs(urlsplit(at_provider(begin(first))).query)["code"][0]
    state = parse_qs(urlsplit(at_provider(begin(second))).query)["state"][0]
    assert_refused(second.get(urlsplit(CALLBACK).path, {"code": code, "state": state, "iss": oidc_provider.issuer}))
    assert ("token", 400, "invalid_grant") in oidc_provider.log


# Each defect must be caught by its own check: the log names the check that refused the token.
FAULT_REASONS = {
    "bad_signature": "ID token rejected: BadSignatureError",
    "unknown_kid": "ID token rejected: InvalidKeyIdError",
    "wrong_nonce": "nonce does not match",
    "missing_nonce": "claim check failed: missing_claim",
    "wrong_aud": "aud does not name this client",
    "aud_list_without_azp": "azp does not name this client",
    "wrong_iss": "claim check failed: invalid_claim: Invalid claim: 'iss'",
    "expired": "ID token expired",
    "issued_in_future": "claim check failed: invalid_claim: The token was issued in the future",
    "bad_at_hash": "at_hash does not match",
    "alg_hs256": "ID token rejected: UnsupportedAlgorithmError",
}


def test_every_fault_has_a_reason():
    assert set(FAULT_REASONS) == set(ID_TOKEN_FAULTS)


@pytest.mark.django_db
@pytest.mark.parametrize("fault", ID_TOKEN_FAULTS)
def test_defective_id_tokens_are_refused(client, town, oidc_provider, fault, caplog):
    oidc_provider.id_token_fault = fault
    with caplog.at_level(logging.INFO, logger="yakuba.kernel.accounts.oidc"):
        assert_refused(login(client), text="本人確認の結果を確かめられなかった")
    assert FAULT_REASONS[fault] in caplog.text
    assert not logged_in(client)
    assert User.objects.count() == 0
    assert ("token", 200, "") in oidc_provider.log  # the provider did issue the (defective) token


@pytest.mark.django_db
def test_unknown_kid_refetches_the_jwks_once(client, town, oidc_provider):
    oidc_provider.id_token_fault = "unknown_kid"
    assert_refused(login(client))
    assert oidc_provider.hits["/jwks"] == 2  # cached copy, then one forced refresh
    assert_refused(login(Client()))
    assert oidc_provider.hits["/jwks"] == 2  # not again within the refresh interval


@pytest.mark.django_db
def test_rotated_provider_key_is_picked_up(client, town, oidc_provider):
    assert login(Client()).status_code == 302
    from joserfc.jwk import RSAKey

    oidc_provider.signing_key = RSAKey.generate_key(2048, parameters={"kid": "stub-signing-2", "use": "sig"})
    assert login(client).status_code == 302


@pytest.mark.django_db
def test_userinfo_about_someone_else_is_refused(client, town, oidc_provider):
    oidc_provider.userinfo_sub = "someone-else"
    assert_refused(login(client))
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_provider_error_is_explained(client, town, oidc_provider):
    oidc_provider.authorize_error = "access_denied"
    body = assert_refused(login(client), text="本人確認が中止されました")
    alert = body.split('role="alert"', 1)[1].split("</div>", 1)[0]
    assert "access_denied" not in alert  # the resident reads Japanese, not OAuth error codes
    assert oidc.SESSION_KEY not in client.session
    assert not logged_in(client)


@pytest.mark.django_db
def test_wrong_client_key_is_refused_by_the_token_endpoint(client, town, oidc_provider, settings, tmp_path):
    impostor = generate_client_key("RSA")  # same kid, but not the registered key
    (tmp_path / "impostor.pem").write_bytes(private_pem(impostor))
    settings.OIDC = {**settings.OIDC, "PRIVATE_KEY_FILE": str(tmp_path / "impostor.pem")}
    assert_refused(login(client), text="最初からやり直してください")
    assert ("token", 401, "invalid_client") in oidc_provider.log
    assert not logged_in(client)


@pytest.mark.django_db
def test_expired_pending_login_is_refused(client, town, oidc_provider):
    callback = at_provider(begin(client))
    session = client.session
    pending = session[oidc.SESSION_KEY]
    pending["created"] -= oidc.PENDING_MAX_AGE + 1
    session[oidc.SESSION_KEY] = pending
    session.save()
    assert_refused(back_at(client, callback), text="有効期限")
    assert oidc_provider.hits["/token"] == 0


@pytest.mark.django_db
def test_starting_again_replaces_the_pending_login(client, town, oidc_provider):
    first = at_provider(begin(client))
    second = at_provider(begin(client))
    assert_refused(back_at(client, first))  # state of the first start no longer matches
    assert not logged_in(client)
    assert back_at(client, at_provider(begin(client))).status_code == 302
    assert second != first


@pytest.mark.django_db
def test_not_configured_is_a_friendly_404(client, town, settings):
    settings.OIDC = {**settings.OIDC, "ISSUER": ""}
    body = assert_refused(client.get(f"{TOWN}/accounts/oidc/start/"), status=404)
    assert "現在ご利用いただけません" in body
    assert_refused(client.get(f"{TOWN}/accounts/oidc/callback/", {"code": "x", "state": "y"}), status=404)


@pytest.mark.django_db
def test_unreachable_provider_is_a_friendly_503(client, town, settings, tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    key = generate_client_key("RSA")
    (tmp_path / "k.pem").write_bytes(private_pem(key))
    settings.OIDC = {"ISSUER": f"http://127.0.0.1:{port}", "CLIENT_ID": "c", "KEY_ID": "k", "SCOPES": "openid",
                     "PRIVATE_KEY_FILE": str(tmp_path / "k.pem"), "VERIFY_TLS": True, "TIMEOUT": 2}
    assert_refused(client.get(f"{TOWN}/accounts/oidc/start/"), status=503, text="接続できませんでした")


@pytest.mark.django_db
def test_plain_http_issuer_is_only_allowed_on_loopback(client, town, settings):
    settings.OIDC = {**settings.OIDC, "ISSUER": "http://id.example.jp", "CLIENT_ID": "c",
                     "PRIVATE_KEY_FILE": "/nonexistent"}
    # Taken as not set up (the button is not offered either): 404, as without a provider.
    assert_refused(client.get(f"{TOWN}/accounts/oidc/start/"), status=404)


@pytest.mark.django_db
def test_start_only_answers_get(client, town, oidc_provider):
    assert client.post(f"{TOWN}/accounts/oidc/start/").status_code == 405


# -- claim mapping ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [
    ("下仁田　花子", ("下仁田", "花子")),
    ("下仁田 花子", ("下仁田", "花子")),
    ("  髙﨑　太郎 ", ("髙﨑", "太郎")),  # 異体字 kept as issued
    ("下仁田花子", ("下仁田花子", "")),
    ("Smith John Paul", ("Smith", "John Paul")),
    ("", ("", "")),
    (None, ("", "")),
])
def test_split_name(name, expected):
    assert oidc.split_name(name) == expected


def test_verified_values_mapping():
    values = oidc.verified_values({
        "name": "甘楽 太郎", "address": {"region": "群馬県", "locality": "甘楽郡甘楽町", "street_address": "小幡1",
                                       "postal_code": "３７０－２２０２"},
        "birthdate": "0000-01-02", "gender": "not known",
    })
    assert values == {"family_name": "甘楽", "given_name": "太郎", "address": "群馬県甘楽郡甘楽町小幡1",
                      "postal_code": "370-2202", "gender": "other"}
    assert oidc.verified_values({"gender": "MALE", "birthdate": "1990-2-3"}) == {"gender": "male"}
    assert oidc.verified_values({}) == {}


# ---------------------------------------------------------------------------------------------------------
# Whether the button is offered at all (issue 20: without a provider it dead-ended on the 503 above)


def test_identity_verification_is_available_only_with_a_usable_provider(settings, tmp_path):
    key = tmp_path / "k.pem"
    usable = {"ISSUER": "https://auth.example.jp", "CLIENT_ID": "c", "PRIVATE_KEY_FILE": str(key)}
    settings.OIDC = usable
    assert oidc.identity_verification_available()
    for broken in ({"ISSUER": ""}, {"CLIENT_ID": ""}, {"PRIVATE_KEY_FILE": ""}, {"ISSUER": "http://auth.example.jp"}):
        settings.OIDC = {**usable, **broken}
        assert not oidc.identity_verification_available(), broken


@pytest.mark.django_db
def test_without_a_provider_the_login_page_says_how_to_verify_instead(client, town, settings):
    settings.OIDC = {**settings.OIDC, "ISSUER": ""}
    body = client.get(f"{TOWN}/accounts/login/?next=/t/10382/").content.decode()
    assert "/accounts/oidc/start/" not in body
    assert "マイナンバーカードでログイン</a>" not in body
    assert "今はマイナンバーカードでログインできません" in body
    assert "役場の窓口で、マイナンバーカードか本人確認書類" in body
    assert "メールアドレスでログイン" in body


@pytest.mark.django_db
def test_without_a_provider_my_page_offers_no_verification(client, town, settings):
    settings.OIDC = {**settings.OIDC, "ISSUER": ""}
    client.force_login(factories.make_resident(town).user)
    body = client.get(f"{TOWN}/accounts/profile/").content.decode()
    assert "/accounts/oidc/start/" not in body and "本人確認をする" not in body
    assert "役場の窓口で、マイナンバーカードか本人確認書類" in body


@pytest.mark.django_db
def test_with_a_provider_the_button_is_offered(client, town, oidc_provider):
    body = client.get(f"{TOWN}/accounts/login/?next=/t/10382/").content.decode()
    assert f'href="{TOWN}/accounts/oidc/start/?next=/t/10382/"' in body
    assert "ログインできません" not in body
    client.force_login(factories.make_resident(town).user)
    assert "本人確認をする" in client.get(f"{TOWN}/accounts/profile/").content.decode()

"""OpenID Connect client for デジタル認証アプリ (マイナンバーカード) and providers speaking the same profile.

Authorization code flow with PKCE (S256), `state` and `nonce`; the client authenticates at the token
endpoint with `private_key_jwt` (RFC 7523 assertion signed with our RS256/ES256 key, with `kid`). The
provider's endpoints come from its discovery document, cached per issuer. The ID token is verified against
the provider's JWKS (signature, `iss`, `aud`/`azp`, `exp`, `iat`, `nonce`, `at_hash` when present) and the
userinfo response must be about the same `sub`.

Everything that goes wrong raises `OIDCError` with a message for the resident (Japanese, translatable);
technical detail goes to the log. Claims are personal data and are never logged.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import logging
import secrets
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlencode, urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import ECKey, KeySet, RSAKey

from .models import Gender, Resident, User

if TYPE_CHECKING:
    from yakuba.kernel.tenancy.models import Municipality

logger = logging.getLogger(__name__)

Claims = dict[str, Any]

SESSION_KEY: Final = "oidc_pending"
PENDING_MAX_AGE: Final = 10 * 60  # seconds a started login may take to come back
LEEWAY: Final = 60  # clock skew allowed on exp/iat
ASSERTION_LIFETIME: Final = 60  # seconds our client assertion is valid
DISCOVERY_TTL: Final = 60 * 60
JWKS_TTL: Final = 60 * 60
JWKS_FORCED_REFRESH_INTERVAL: Final = 60  # an unknown kid refetches the JWKS at most this often
SUPPORTED_ALGORITHMS: Final = ("RS256", "ES256")
CLIENT_ASSERTION_TYPE: Final = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
VERIFIED_NAME_FIELDS: Final = ("family_name", "given_name")


class OIDCError(Exception):
    """A login through the OpenID provider failed. `message` is shown to the resident as is."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


# User-facing messages. Functions, so gettext runs in the request's language.
def _not_configured() -> OIDCError:
    # 404, not 503: without a provider the town has no card login at all (no page offers it); an outage of a
    # provider that is set up is the 503 below.
    return OIDCError(
        _("マイナンバーカードでのログインは、現在ご利用いただけません。メールアドレスでログインしてください。"),
        status=404,
    )


def _unreachable() -> OIDCError:
    return OIDCError(
        _("認証サービスに接続できませんでした。しばらくたってから、もう一度お試しください。"), status=503
    )


def _restart() -> OIDCError:
    return OIDCError(_("ログインの手続きを確認できませんでした。お手数ですが、最初からやり直してください。"))


def _expired() -> OIDCError:
    return OIDCError(_("ログインの手続きの有効期限（10分）が切れました。最初からやり直してください。"))


def _failed() -> OIDCError:
    return OIDCError(
        _("本人確認の結果を確かめられなかったため、ログインできませんでした。最初からやり直してください。")
    )


# ---------------------------------------------------------------------------------------------------------
# Configuration and discovery


@dataclass(frozen=True)
class OIDCConfig:
    issuer: str
    client_id: str
    private_key_file: str
    key_id: str
    scopes: str
    verify_tls: bool | str
    timeout: float


def _read_config() -> tuple[OIDCConfig | None, str]:
    """settings.OIDC, read now (tests override it): the configuration, or None and why it cannot be used."""
    raw: Mapping[str, Any] = getattr(settings, "OIDC", {}) or {}
    issuer = str(raw.get("ISSUER") or "").strip()
    if not issuer:
        return None, ""
    config = OIDCConfig(
        issuer=issuer,
        client_id=str(raw.get("CLIENT_ID") or "").strip(),
        private_key_file=str(raw.get("PRIVATE_KEY_FILE") or "").strip(),
        key_id=str(raw.get("KEY_ID") or "").strip(),
        scopes=str(raw.get("SCOPES") or "openid name address birthdate gender"),
        verify_tls=raw.get("VERIFY_TLS", True),
        timeout=float(raw.get("TIMEOUT") or 10),
    )
    if not config.client_id or not config.private_key_file:
        return None, "OIDC issuer is set but CLIENT_ID or PRIVATE_KEY_FILE is missing"
    if not _acceptable_url(config.issuer):
        return None, "OIDC issuer must be an https URL (plain http only on loopback)"
    return config, ""


def identity_verification_available(municipality: Municipality | None = None) -> bool:
    """Whether the town's pages may offer マイナンバーカード login and 本人確認: an OpenID provider is set up.

    The provider belongs to the deployment (YAKUBA_OIDC_*), so today every town gets the same answer; the
    town is taken so callers need not change if towns ever choose their own provider. Nothing is fetched:
    a provider that is set up but down still gets the button, and the friendly 503 after it.
    """
    return _read_config()[0] is not None


def get_config() -> OIDCConfig:
    """settings.OIDC, read now (tests override it). Raises OIDCError (404) when OIDC is not set up."""
    config, problem = _read_config()
    if config is None:
        if problem:
            logger.error(problem)
        raise _not_configured()
    return config


def _acceptable_url(url: str) -> bool:
    """https, or http to a loopback address (local development and tests)."""
    parts = urlsplit(url)
    if not parts.hostname:
        return False
    if parts.scheme == "https":
        return True
    if parts.scheme != "http":
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def _cache_key(kind: str, value: str) -> str:
    return f"oidc:{kind}:" + hashlib.sha256(value.encode()).hexdigest()


def _get_json(url: str, config: OIDCConfig, what: str) -> dict[str, Any]:
    try:
        response = requests.get(
            url, timeout=config.timeout, verify=config.verify_tls, headers={"Accept": "application/json"}
        )
    except requests.RequestException as error:
        logger.warning("OIDC %s fetch failed: %s", what, type(error).__name__)
        raise _unreachable() from error
    if response.status_code != 200:
        logger.warning("OIDC %s fetch answered HTTP %s", what, response.status_code)
        raise _unreachable()
    try:
        data = response.json()
    except ValueError as error:
        logger.warning("OIDC %s is not JSON", what)
        raise _unreachable() from error
    if not isinstance(data, dict):
        logger.warning("OIDC %s is not a JSON object", what)
        raise _unreachable()
    return data


def discover(config: OIDCConfig) -> dict[str, Any]:
    """The provider metadata (OpenID Connect Discovery 1.0), validated and cached per issuer."""
    key = _cache_key("discovery", config.issuer)
    cached = cache.get(key)
    if isinstance(cached, dict):
        return cached
    url = config.issuer.rstrip("/") + "/.well-known/openid-configuration"
    metadata = _get_json(url, config, "discovery")
    if metadata.get("issuer") != config.issuer:
        logger.error("OIDC discovery issuer does not match the configured issuer")
        raise _unreachable()
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint"):
        value = metadata.get(name)
        if not isinstance(value, str) or not _acceptable_url(value):
            logger.error("OIDC discovery: %s missing or not https", name)
            raise _unreachable()
    methods = metadata.get("code_challenge_methods_supported")
    if isinstance(methods, list) and "S256" not in methods:
        logger.error("OIDC provider does not list PKCE S256")
        raise _unreachable()
    auth_methods = metadata.get("token_endpoint_auth_methods_supported")
    if isinstance(auth_methods, list) and "private_key_jwt" not in auth_methods:
        logger.error("OIDC provider does not list private_key_jwt")
        raise _unreachable()
    cache.set(key, metadata, DISCOVERY_TTL)
    return metadata


def _jwks(config: OIDCConfig, metadata: Mapping[str, Any], *, refresh: bool = False) -> KeySet:
    jwks_uri = str(metadata["jwks_uri"])
    key = _cache_key("jwks", jwks_uri)
    data = None if refresh else cache.get(key)
    if not isinstance(data, dict):
        data = _get_json(jwks_uri, config, "JWKS")
        cache.set(key, data, JWKS_TTL)
    try:
        keys = [k for k in data.get("keys", []) if isinstance(k, dict) and k.get("use", "sig") == "sig"]
        return KeySet.import_key_set({"keys": keys})
    except (JoseError, ValueError, TypeError) as error:
        logger.error("OIDC JWKS could not be read: %s", type(error).__name__)
        raise _unreachable() from error


def _allowed_algorithms(metadata: Mapping[str, Any]) -> list[str]:
    offered = metadata.get("id_token_signing_alg_values_supported")
    if isinstance(offered, list):
        return [alg for alg in SUPPORTED_ALGORITHMS if alg in offered] or list(SUPPORTED_ALGORITHMS)
    return list(SUPPORTED_ALGORITHMS)


def _decode_signed(value: str, config: OIDCConfig, metadata: Mapping[str, Any], what: str) -> jwt.Token:
    """Verify a provider-signed JWT's signature against the JWKS (refetched once for an unknown kid)."""
    algorithms = _allowed_algorithms(metadata)
    try:
        try:
            return jwt.decode(value, _jwks(config, metadata), algorithms=algorithms)
        except InvalidKeyIdError:
            flag = _cache_key("jwks-refreshed", str(metadata["jwks_uri"]))
            if not cache.add(flag, True, JWKS_FORCED_REFRESH_INTERVAL):
                raise
            logger.info("OIDC %s signed with an unknown kid; refetching the JWKS", what)
            return jwt.decode(value, _jwks(config, metadata, refresh=True), algorithms=algorithms)
    except (JoseError, ValueError, TypeError, KeyError) as error:
        logger.warning("OIDC %s rejected: %s", what, type(error).__name__)
        raise _failed() from error


# ---------------------------------------------------------------------------------------------------------
# Starting a login


def redirect_uri(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("accounts:oidc-callback"))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def pkce_challenge(verifier: str) -> str:
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def build_authorization_request(request: HttpRequest, *, next_url: str = "") -> str:
    """The provider URL to send the browser to. Remembers state, nonce and PKCE verifier in the session
    (one pending login per session: starting again replaces the previous one). `next_url` must already
    be checked by the caller."""
    config = get_config()
    metadata = discover(config)
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)  # 86 characters, inside RFC 7636's 43..128
    callback = redirect_uri(request)
    request.session[SESSION_KEY] = {
        "state": state,
        "nonce": nonce,
        "code_verifier": verifier,
        "redirect_uri": callback,
        "issuer": config.issuer,
        "next": next_url,
        "created": int(time.time()),
    }
    query = urlencode({
        "response_type": "code",
        "client_id": config.client_id,
        "redirect_uri": callback,
        "scope": config.scopes,
        "state": state,
        "nonce": nonce,
        "code_challenge": pkce_challenge(verifier),
        "code_challenge_method": "S256",
    })
    endpoint = str(metadata["authorization_endpoint"])
    return endpoint + ("&" if "?" in endpoint else "?") + query


# ---------------------------------------------------------------------------------------------------------
# Coming back


@dataclass(frozen=True)
class VerifiedLogin:
    """The outcome of a successful callback: verified claims (ID token + userinfo) and where to go next."""

    claims: Claims
    issuer: str
    next_url: str


def _pending(request: HttpRequest, config: OIDCConfig) -> dict[str, Any]:
    """The pending login of this session, removed from it (a callback is answered once)."""
    pending = request.session.pop(SESSION_KEY, None)
    if not isinstance(pending, dict):
        logger.info("OIDC callback without a pending login in the session")
        raise _restart()
    created = pending.get("created")
    if not isinstance(created, int) or time.time() - created > PENDING_MAX_AGE:
        logger.info("OIDC callback after the pending login expired")
        raise _expired()
    if pending.get("issuer") != config.issuer:
        logger.info("OIDC callback for a login started with another issuer")
        raise _restart()
    return pending


def _provider_error(code: str) -> OIDCError:
    logger.info("OIDC provider returned error=%s", code[:64])
    if code in {"access_denied", "login_required", "consent_required", "interaction_required"}:
        return OIDCError(
            _("マイナンバーカードでの本人確認が中止されました。ログインするには、もう一度お試しください。")
        )
    if code in {"server_error", "temporarily_unavailable"}:
        return _unreachable()
    return _failed()


def complete(request: HttpRequest) -> VerifiedLogin:
    """Handle the provider's redirect back: check state, exchange the code, verify the ID token, fetch
    userinfo. Returns the verified claims; raises OIDCError otherwise."""
    config = get_config()
    params = request.GET
    if "error" in params:
        request.session.pop(SESSION_KEY, None)
        raise _provider_error(str(params.get("error", "")))
    pending = _pending(request, config)
    state = params.get("state", "")
    if not state or not secrets.compare_digest(state.encode(), str(pending.get("state", "")).encode()):
        logger.warning("OIDC callback state mismatch")
        raise _restart()
    returned_issuer = params.get("iss")
    if returned_issuer is not None and returned_issuer != config.issuer:  # RFC 9207 mix-up defence
        logger.warning("OIDC callback iss parameter does not match the issuer")
        raise _failed()
    code = params.get("code", "")
    if not code:
        logger.warning("OIDC callback without a code")
        raise _failed()
    metadata = discover(config)
    if returned_issuer is None and metadata.get("authorization_response_iss_parameter_supported") is True:
        logger.warning("OIDC callback lacks the iss parameter the provider promises")
        raise _failed()
    tokens = exchange_code(
        config, metadata, code=code, code_verifier=str(pending["code_verifier"]),
        redirect_uri=str(pending["redirect_uri"]),
    )
    id_claims = verify_id_token(
        config, metadata, tokens["id_token"], nonce=str(pending["nonce"]), access_token=tokens["access_token"]
    )
    userinfo = fetch_userinfo(config, metadata, tokens["access_token"])
    if not secrets.compare_digest(str(userinfo.get("sub", "")).encode(), str(id_claims["sub"]).encode()):
        logger.warning("OIDC userinfo sub does not match the ID token sub")
        raise _failed()
    claims: Claims = {**userinfo, **id_claims}
    return VerifiedLogin(claims=claims, issuer=config.issuer, next_url=str(pending.get("next") or ""))


# ---------------------------------------------------------------------------------------------------------
# Token endpoint with private_key_jwt


def _load_signing_key(config: OIDCConfig) -> tuple[RSAKey | ECKey, str, str]:
    """Our private key, the JWS algorithm it signs with, and its key id."""
    try:
        with open(config.private_key_file, "rb") as handle:
            pem = handle.read()
        native = serialization.load_pem_private_key(pem, password=None)
    except (OSError, ValueError, TypeError) as error:
        logger.error("OIDC private key could not be read: %s", type(error).__name__)
        raise _not_configured() from error
    key: RSAKey | ECKey
    if isinstance(native, rsa.RSAPrivateKey) and native.key_size >= 2048:
        key, algorithm = RSAKey.import_key(pem), "RS256"
    elif isinstance(native, ec.EllipticCurvePrivateKey) and isinstance(native.curve, ec.SECP256R1):
        key, algorithm = ECKey.import_key(pem), "ES256"
    else:
        logger.error("OIDC private key must be RSA (2048 bits or more) or EC P-256")
        raise _not_configured()
    return key, algorithm, config.key_id or key.thumbprint()


def client_assertion(config: OIDCConfig, audience: str) -> str:
    """RFC 7523 client authentication JWT: iss = sub = client_id, aud = the token endpoint, single-use jti."""
    key, algorithm, kid = _load_signing_key(config)
    now = int(time.time())
    claims = {
        "iss": config.client_id,
        "sub": config.client_id,
        "aud": audience,
        "jti": secrets.token_urlsafe(32),
        "iat": now,
        "exp": now + ASSERTION_LIFETIME,
    }
    return jwt.encode({"alg": algorithm, "kid": kid, "typ": "JWT"}, claims, key, algorithms=[algorithm])


def _token_error(response: requests.Response) -> OIDCError:
    try:
        body = response.json()
        code = str(body.get("error", "")) if isinstance(body, dict) else ""
    except ValueError:
        code = ""
    if response.status_code >= 500:
        logger.warning("OIDC token endpoint answered HTTP %s", response.status_code)
        return _unreachable()
    if code == "invalid_client" or response.status_code == 401:
        logger.error("OIDC token endpoint refused our client authentication (HTTP %s, error=%s)",
                     response.status_code, code[:64])
    else:
        logger.warning("OIDC token endpoint refused the code (HTTP %s, error=%s)", response.status_code, code[:64])
    return _failed()


def exchange_code(
    config: OIDCConfig, metadata: Mapping[str, Any], *, code: str, code_verifier: str, redirect_uri: str
) -> dict[str, str]:
    """Exchange the authorization code; returns at least `access_token` and `id_token`."""
    token_endpoint = str(metadata["token_endpoint"])
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": code_verifier,
        "client_id": config.client_id,
        "client_assertion_type": CLIENT_ASSERTION_TYPE,
        "client_assertion": client_assertion(config, token_endpoint),
    }
    try:
        response = requests.post(
            token_endpoint, data=data, timeout=config.timeout, verify=config.verify_tls,
            headers={"Accept": "application/json"}, allow_redirects=False,
        )
    except requests.RequestException as error:
        logger.warning("OIDC token request failed: %s", type(error).__name__)
        raise _unreachable() from error
    if response.status_code != 200:
        raise _token_error(response)
    try:
        body = response.json()
    except ValueError as error:
        logger.warning("OIDC token response is not JSON")
        raise _failed() from error
    if not isinstance(body, dict):
        logger.warning("OIDC token response is not a JSON object")
        raise _failed()
    if str(body.get("token_type", "")).lower() != "bearer":
        logger.warning("OIDC token response has an unexpected token_type")
        raise _failed()
    tokens = {name: body.get(name) for name in ("access_token", "id_token")}
    missing = [name for name, value in tokens.items() if not isinstance(value, str) or not value]
    if missing:
        logger.warning("OIDC token response lacks %s", ", ".join(missing))
        raise _failed()
    return {name: str(value) for name, value in tokens.items()}


# ---------------------------------------------------------------------------------------------------------
# ID token and userinfo


def _half_hash(value: str) -> str:
    """at_hash/c_hash: left half of the SHA-256 digest (the hash of RS256 and ES256, all we accept)."""
    digest = hashlib.sha256(value.encode("ascii")).digest()
    return _b64url(digest[: len(digest) // 2])


def _check_audience(claims: Mapping[str, Any], client_id: str) -> None:
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or client_id not in audiences:
        logger.warning("OIDC ID token aud does not name this client")
        raise _failed()
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != client_id:
        logger.warning("OIDC ID token azp does not name this client")
        raise _failed()


def verify_id_token(
    config: OIDCConfig, metadata: Mapping[str, Any], id_token: str, *, nonce: str, access_token: str | None = None
) -> Claims:
    """Verify an ID token (OpenID Connect Core 3.1.3.7) and return its claims."""
    token = _decode_signed(id_token, config, metadata, "ID token")
    claims = dict(token.claims)
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY,
        iss={"essential": True, "value": config.issuer},
        sub={"essential": True},
        aud={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError as error:
        logger.warning("OIDC ID token expired")
        raise _failed() from error
    except JoseError as error:
        logger.warning("OIDC ID token claim check failed: %s", error)  # names the claim, not its value
        raise _failed() from error
    _check_audience(claims, config.client_id)
    if time.time() - float(claims["iat"]) > PENDING_MAX_AGE + LEEWAY:
        logger.warning("OIDC ID token was issued too long ago")
        raise _failed()
    if not secrets.compare_digest(str(claims["nonce"]).encode(), nonce.encode()):
        logger.warning("OIDC ID token nonce does not match the login's nonce")
        raise _failed()
    at_hash = claims.get("at_hash")
    if at_hash is not None and access_token is not None:
        expected = _half_hash(access_token)
        if not secrets.compare_digest(str(at_hash).encode(), expected.encode()):
            logger.warning("OIDC ID token at_hash does not match the access token")
            raise _failed()
    return claims


def fetch_userinfo(config: OIDCConfig, metadata: Mapping[str, Any], access_token: str) -> Claims:
    """The userinfo claims (plain JSON, or a JWT signed by the provider)."""
    try:
        response = requests.get(
            str(metadata["userinfo_endpoint"]), timeout=config.timeout, verify=config.verify_tls,
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json, application/jwt"},
            allow_redirects=False,
        )
    except requests.RequestException as error:
        logger.warning("OIDC userinfo request failed: %s", type(error).__name__)
        raise _unreachable() from error
    if response.status_code >= 500:
        logger.warning("OIDC userinfo answered HTTP %s", response.status_code)
        raise _unreachable()
    if response.status_code != 200:
        logger.warning("OIDC userinfo answered HTTP %s", response.status_code)
        raise _failed()
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type == "application/jwt":
        claims = dict(_decode_signed(response.text.strip(), config, metadata, "userinfo").claims)
        if claims.get("iss", config.issuer) != config.issuer:
            logger.warning("OIDC signed userinfo iss does not match")
            raise _failed()
        if "aud" in claims:
            _check_audience(claims, config.client_id)
        return claims
    try:
        body = response.json()
    except ValueError as error:
        logger.warning("OIDC userinfo is not JSON")
        raise _failed() from error
    if not isinstance(body, dict):
        logger.warning("OIDC userinfo is not a JSON object")
        raise _failed()
    return body


# ---------------------------------------------------------------------------------------------------------
# Users and residents


def placeholder_email(issuer: str, subject: str) -> str:
    digest = hashlib.sha256(f"{issuer}|{subject}".encode()).hexdigest()[:16]
    return f"oidc-{digest}@users.invalid"


def find_linked_user(issuer: str, subject: str) -> User | None:
    if not subject:
        return None
    return User.objects.filter(oidc_issuer=issuer, oidc_subject=subject).first()


def _inactive() -> OIDCError:
    return OIDCError(_("このアカウントは利用停止中です。役場にお問い合わせください。"), status=403)


def _new_user_email(claims: Mapping[str, Any], issuer: str, subject: str) -> str:
    email = claims.get("email")
    if isinstance(email, str) and email and claims.get("email_verified") is True:
        email = User.objects.normalize_email(email).lower()
        if not User.objects.filter(email=email).exists():
            return email
    return placeholder_email(issuer, subject)


def link_or_create_user(claims: Mapping[str, Any], issuer: str, *, current_user: Any = None) -> User:
    """The user this identity (issuer, sub) belongs to.

    An identity already linked logs in to its user. Otherwise a signed-in user without a linked identity
    (a resident who registered by email and now verifies with the card) gets it linked; else a new
    password-less user is made. Never links by email: e-mail sign-up does not prove the address, and an
    account someone else made with a victim's address must not receive the victim's verified identity.
    """
    subject = str(claims.get("sub") or "")
    if not subject or len(subject) > 255 or len(issuer) > 255:
        logger.warning("OIDC sub missing or too long for the user model")
        raise _failed()
    user = find_linked_user(issuer, subject)
    if user is None and isinstance(current_user, User) and current_user.is_authenticated:
        if not current_user.oidc_subject:
            user = current_user
            user.oidc_issuer, user.oidc_subject = issuer, subject
            user.save(update_fields=["oidc_issuer", "oidc_subject"])
            logger.info("OIDC identity linked to the signed-in user %s", user.pk)
    if user is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    _new_user_email(claims, issuer, subject), None,
                    oidc_issuer=issuer, oidc_subject=subject, display_name=_display_name(claims),
                )
                user.set_unusable_password()
                user.save(update_fields=["password"])
            logger.info("OIDC login created user %s", user.pk)
        except IntegrityError:  # the same identity signed in twice at once; the other request made it
            user = find_linked_user(issuer, subject)
            if user is None:
                raise
    if not user.is_active:
        logger.info("OIDC login refused for inactive user %s", user.pk)
        raise _inactive()
    if not user.display_name and _display_name(claims):
        user.display_name = _display_name(claims)
        user.save(update_fields=["display_name"])
    return user


def _display_name(claims: Mapping[str, Any]) -> str:
    family, given = split_name(claims.get("name"))
    return f"{family} {given}".strip()[:100]


def split_name(value: Any) -> tuple[str, str]:
    """姓 and 名 from a full name: split on the first space (half- or full-width). Characters are kept as
    issued (no NFKC: it would change 異体字 such as 﨑)."""
    if not isinstance(value, str):
        return "", ""
    name = value.strip().strip("\u3000").strip()
    for index, char in enumerate(name):
        if char.isspace():
            return name[:index].strip(), name[index + 1 :].strip().strip("\u3000").strip()
    return name, ""


def _address(value: Any) -> tuple[str, str]:
    """(address, postal code) from the OIDC address claim (object or plain string)."""
    if isinstance(value, str):
        return value.strip(), ""
    if not isinstance(value, Mapping):
        return "", ""
    formatted = value.get("formatted")
    if isinstance(formatted, str) and formatted.strip():
        address = formatted.strip()
    else:
        parts = [value.get(k) for k in ("region", "locality", "street_address")]
        address = "".join(p.strip() for p in parts if isinstance(p, str))
    postal = value.get("postal_code")
    return address, postal.strip() if isinstance(postal, str) else ""


def _postal_code(value: str) -> str:
    digits = "".join(c for c in unicodedata.normalize("NFKC", value) if c.isdigit())
    return f"{digits[:3]}-{digits[3:]}" if len(digits) == 7 else ""


def _birthdate(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.year > 1 else None  # "0000-MM-DD" means the year was withheld


def _gender(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        return ""
    value = value.strip().lower()
    if value in (Gender.MALE, Gender.FEMALE):
        return value
    return Gender.OTHER


def _fit(field: str, value: str) -> str:
    limit = getattr(Resident._meta.get_field(field), "max_length", None)
    if limit is not None and len(value) > limit:
        logger.warning("OIDC claim for %s is longer than the field; truncated", field)
        return value[:limit]
    return value


def verified_values(claims: Mapping[str, Any]) -> dict[str, Any]:
    """The resident fields the claims verify (基本4情報), by field name."""
    values: dict[str, Any] = {}
    family, given = split_name(claims.get("name"))
    if family:
        values["family_name"], values["given_name"] = family, given
    address, postal = _address(claims.get("address"))
    if address:
        values["address"] = address
    if postal and _postal_code(postal):
        values["postal_code"] = _postal_code(postal)
    birthdate = _birthdate(claims.get("birthdate"))
    if birthdate is not None:
        values["birthdate"] = birthdate
    elif claims.get("birthdate"):
        logger.warning("OIDC birthdate claim is not YYYY-MM-DD; ignored")
    gender = _gender(claims.get("gender"))
    if gender:
        values["gender"] = gender
    return values


def apply_verified_claims(resident: Resident, claims: Mapping[str, Any]) -> list[str]:
    """Write the verified 基本4情報 into the resident's profile, mark them verified and save.

    Returns the names of the verified fields (what `verified_fields` now holds)."""
    values = verified_values(claims)
    for field, value in values.items():
        setattr(resident, field, _fit(field, value) if isinstance(value, str) else value)
    resident.verified_fields = sorted(values)
    resident.verified_at = timezone.now()
    if resident.pk is None:
        resident.save()
    else:
        resident.save(update_fields=[*values, "verified_fields", "verified_at", "updated_at"])
    return list(resident.verified_fields)

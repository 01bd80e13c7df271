"""A small but real OpenID provider on loopback, for end-to-end tests of the OIDC client.

It speaks HTTP on 127.0.0.1 (ephemeral port) and signs real JWTs:

- ``/.well-known/openid-configuration`` and ``/jwks``
- ``/authorize``: approves at once and redirects to ``redirect_uri`` with a code, remembering the
  client, redirect URI, scope, nonce and PKCE challenge
- ``/token``: checks the grant, the redirect URI, PKCE (S256) and the ``private_key_jwt`` client
  assertion (signature by the registered client key, ``iss`` = ``sub`` = client id, ``aud``, ``exp``,
  single-use ``jti``); codes are single-use. Issues a bearer access token and an RS256 ID token.
- ``/userinfo``: bearer token -> claims

Tests set ``claims`` (what userinfo returns), ``id_token_fault`` (one of ``ID_TOKEN_FAULTS``) to make
the provider issue a defective ID token, ``authorize_error`` to make /authorize answer with an error,
``userinfo_sub`` to make userinfo speak about someone else, ``userinfo_signed`` for a JWT userinfo
response and ``send_iss`` to leave out the RFC 9207 ``iss`` authorization response parameter.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, RSAKey

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ID_TOKEN_FAULTS = (
    "bad_signature",  # signed by a key that is not in the JWKS, under the JWKS key's kid
    "unknown_kid",  # signed by a key that is not in the JWKS, under a kid nobody knows
    "wrong_nonce",
    "wrong_aud",
    "aud_list_without_azp",  # our client among several audiences, with no azp naming us
    "wrong_iss",
    "expired",
    "issued_in_future",
    "missing_nonce",
    "bad_at_hash",
    "alg_hs256",  # symmetric signature keyed with the provider's public key bytes (alg confusion)
)

DEFAULT_CLAIMS: dict[str, Any] = {
    "name": "下仁田　花子",
    "address": {
        "formatted": "群馬県甘楽郡下仁田町大字下仁田682番地",
        "postal_code": "370-2601",
        "region": "群馬県",
        "locality": "甘楽郡下仁田町",
        "street_address": "大字下仁田682番地",
        "country": "JP",
    },
    "birthdate": "1980-04-01",
    "gender": "female",
}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _shift_times(claims: dict[str, Any], seconds: int) -> None:
    claims["iat"] += seconds
    claims["exp"] += seconds


_CLAIM_FAULTS: dict[str, Callable[[dict[str, Any]], None]] = {
    "wrong_nonce": lambda c: c.update(nonce="not-the-nonce-you-sent"),
    "missing_nonce": lambda c: c.pop("nonce", None),
    "wrong_aud": lambda c: c.update(aud="some-other-client"),
    "aud_list_without_azp": lambda c: c.update(aud=[c["aud"], "some-other-client"]),
    "wrong_iss": lambda c: c.update(iss="https://impostor.example"),
    "expired": lambda c: _shift_times(c, -3600),
    "issued_in_future": lambda c: _shift_times(c, 3600),
    "bad_at_hash": lambda c: c.update(at_hash=_b64url(bytes(16))),
}


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str
    code_challenge_method: str
    sub: str
    used: bool = False
    access_tokens: list[str] = field(default_factory=list)


@dataclass
class _AccessToken:
    sub: str
    scope: str
    expires_at: float
    revoked: bool = False


class StubProvider:
    """The provider's state. Start with ``start()``, stop with ``stop()`` (or use the pytest fixture)."""

    def __init__(self) -> None:
        self.signing_key: RSAKey = RSAKey.generate_key(2048, parameters={"kid": "stub-signing-1", "use": "sig"})
        self.clients: dict[str, KeySet] = {}
        self.sub = "stub-subject-0001"
        self.claims: dict[str, Any] = json.loads(json.dumps(DEFAULT_CLAIMS))
        self.id_token_fault: str | None = None
        self.include_at_hash = True
        self.authorize_error: str | None = None
        self.userinfo_sub: str | None = None
        self.userinfo_signed = False  # answer userinfo as an RS256 JWT (application/jwt) instead of JSON
        self.send_iss = True  # RFC 9207 `iss` in the authorization response (and advertised in metadata)
        self.grants: dict[str, _Grant] = {}
        self.access_tokens: dict[str, _AccessToken] = {}
        self.used_jtis: set[str] = set()
        # What happened, for assertions: (endpoint, HTTP status, OAuth error code or "").
        self.log: list[tuple[str, int, str]] = []
        self.last_client_assertion: dict[str, Any] | None = None
        self.hits: Counter[str] = Counter()  # requests per path
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> StubProvider:
        provider = self

        class Handler(_Handler):
            stub = provider

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="oidc-stub", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the provider first"
        return int(self._server.server_address[1])

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def token_endpoint(self) -> str:
        return self.issuer + "/token"

    def register_client(self, client_id: str, public_jwk: dict[str, Any]) -> None:
        """Register a client and the public key its assertions must be signed with."""
        self.clients[client_id] = KeySet.import_key_set({"keys": [public_jwk]})

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.issuer + "/authorize",
            "token_endpoint": self.token_endpoint,
            "userinfo_endpoint": self.issuer + "/userinfo",
            "jwks_uri": self.issuer + "/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "name", "address", "birthdate", "gender"],
            "claims_supported": ["sub", "name", "address", "birthdate", "gender"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256", "ES256"],
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": self.send_iss,
        }

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.signing_key.as_dict(private=False, alg="RS256")]}

    # -- tokens --------------------------------------------------------------------------------------

    def id_token(self, grant: _Grant, client_id: str, access_token: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": grant.sub,
            "aud": client_id,
            "exp": now + 300,
            "iat": now,
            "auth_time": now,
        }
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        if self.include_at_hash:
            digest = hashlib.sha256(access_token.encode("ascii")).digest()
            claims["at_hash"] = _b64url(digest[:16])
        return self._sign_id_token(claims)

    def _sign_id_token(self, claims: dict[str, Any]) -> str:
        fault = self.id_token_fault
        if fault == "alg_hs256":
            return self._hs256_confusion(claims)
        header = {"alg": "RS256", "kid": self.signing_key.kid}
        key: RSAKey = self.signing_key
        if fault in ("bad_signature", "unknown_kid"):
            key = RSAKey.generate_key(2048)
            if fault == "unknown_kid":
                header["kid"] = "nobody-knows-this-kid"
        elif fault is not None:
            _CLAIM_FAULTS[fault](claims)
        return jwt.encode(header, claims, key, algorithms=["RS256"])

    def _hs256_confusion(self, claims: dict[str, Any]) -> str:
        import hmac

        header = {"alg": "HS256", "kid": self.signing_key.kid, "typ": "JWT"}
        signing_input = (
            _b64url(json.dumps(header).encode()) + "." + _b64url(json.dumps(claims).encode())
        ).encode()
        secret = json.dumps(self.jwks()["keys"][0]).encode()
        signature = hmac.new(secret, signing_input, hashlib.sha256).digest()
        return signing_input.decode() + "." + _b64url(signature)

    def check_client_assertion(self, form: dict[str, str]) -> str | None:
        """The authenticated client id, or None. Records the verified assertion for the tests."""
        if form.get("client_assertion_type") != CLIENT_ASSERTION_TYPE or not form.get("client_assertion"):
            return None
        assertion = form["client_assertion"]
        client_id = _unverified_issuer(assertion)
        keys = self.clients.get(client_id or "")
        if client_id is None or keys is None:
            return None
        try:
            token = jwt.decode(assertion, keys, algorithms=["RS256", "ES256"])
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": client_id},
                sub={"essential": True, "value": client_id},
                aud={"essential": True, "values": [self.token_endpoint, self.issuer]},
                exp={"essential": True},
                jti={"essential": True},
            ).validate(token.claims)
        except (JoseError, ValueError):
            return None
        if "kid" not in token.header or form.get("client_id") not in (None, client_id):
            return None
        with self._lock:
            if token.claims["jti"] in self.used_jtis:
                return None
            self.used_jtis.add(token.claims["jti"])
        self.last_client_assertion = {"header": dict(token.header), "claims": dict(token.claims)}
        return client_id


def _unverified_issuer(assertion: str) -> str | None:
    """The `iss` an assertion claims, read before verification only to pick the client's registered key."""
    try:
        payload = assertion.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return None
    issuer = claims.get("iss") if isinstance(claims, dict) else None
    return issuer if isinstance(issuer, str) else None


class _Handler(BaseHTTPRequestHandler):
    stub: StubProvider
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base class
        pass

    # -- helpers -------------------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode(), "application/json; charset=utf-8", headers)

    def _oauth_error(self, endpoint: str, status: int, error: str, headers: dict[str, str] | None = None) -> None:
        self.stub.log.append((endpoint, status, error))
        self._json(status, {"error": error}, headers)

    def _redirect(self, location: str) -> None:
        self._send(302, b"", "text/plain", {"Location": location})

    # -- routes --------------------------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 - http.server's hook name
        url = urlsplit(self.path)
        self.stub.hits[url.path] += 1
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/.well-known/openid-configuration":
            self._json(200, self.stub.metadata())
        elif url.path == "/jwks":
            self._json(200, self.stub.jwks())
        elif url.path == "/authorize":
            self._authorize(query)
        elif url.path == "/userinfo":
            self._userinfo()
        else:
            self._json(404, {"error": "not_found"})

    def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        form = {k: v[0] for k, v in parse_qs(body).items()}
        self.stub.hits[urlsplit(self.path).path] += 1
        if urlsplit(self.path).path == "/token":
            self._token(form)
        else:
            self._json(404, {"error": "not_found"})

    def _authorize(self, query: dict[str, str]) -> None:
        stub = self.stub
        redirect_uri = query.get("redirect_uri", "")
        client_id = query.get("client_id", "")
        if client_id not in stub.clients or not redirect_uri:
            stub.log.append(("authorize", 400, "invalid_request"))
            self._json(400, {"error": "invalid_request"})
            return
        back: dict[str, str] = {"iss": stub.issuer} if stub.send_iss else {}
        if "state" in query:
            back["state"] = query["state"]
        separator = "&" if "?" in redirect_uri else "?"
        error = self._authorize_error(query)
        if error:
            stub.log.append(("authorize", 302, error))
            self._redirect(redirect_uri + separator + urlencode({"error": error, **back}))
            return
        code = secrets.token_urlsafe(24)
        stub.grants[code] = _Grant(
            client_id=client_id, redirect_uri=redirect_uri, scope=query["scope"], nonce=query.get("nonce"),
            code_challenge=query["code_challenge"], code_challenge_method=query["code_challenge_method"],
            sub=stub.sub,
        )
        stub.log.append(("authorize", 302, ""))
        self._redirect(redirect_uri + separator + urlencode({"code": code, **back}))

    def _authorize_error(self, query: dict[str, str]) -> str:
        if self.stub.authorize_error:
            return self.stub.authorize_error
        if query.get("response_type") != "code":
            return "unsupported_response_type"
        if "openid" not in query.get("scope", "").split():
            return "invalid_scope"
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return "invalid_request"
        return ""

    def _token(self, form: dict[str, str]) -> None:
        stub = self.stub
        client_id = stub.check_client_assertion(form)
        if client_id is None:
            self._oauth_error("token", 401, "invalid_client")
            return
        if form.get("grant_type") != "authorization_code":
            self._oauth_error("token", 400, "unsupported_grant_type")
            return
        with stub._lock:
            grant = stub.grants.get(form.get("code", ""))
            replayed = grant is not None and grant.used
            if grant is not None:
                grant.used = True
        if grant is None or replayed:
            if grant is not None:  # RFC 6749 4.1.2: a replayed code revokes what it issued
                for token in grant.access_tokens:
                    stub.access_tokens[token].revoked = True
            self._oauth_error("token", 400, "invalid_grant")
            return
        verifier = form.get("code_verifier", "")
        challenge = _b64url(hashlib.sha256(verifier.encode()).digest())
        if (
            grant.client_id != client_id
            or grant.redirect_uri != form.get("redirect_uri")
            or not 43 <= len(verifier) <= 128
            or not secrets.compare_digest(challenge, grant.code_challenge)
        ):
            self._oauth_error("token", 400, "invalid_grant")
            return
        access_token = secrets.token_urlsafe(32)
        stub.access_tokens[access_token] = _AccessToken(sub=grant.sub, scope=grant.scope,
                                                        expires_at=time.time() + 300)
        grant.access_tokens.append(access_token)
        stub.log.append(("token", 200, ""))
        self._json(200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": grant.scope,
            "id_token": stub.id_token(grant, client_id, access_token),
        })

    def _userinfo(self) -> None:
        stub = self.stub
        authorization = self.headers.get("Authorization", "")
        scheme, _, value = authorization.partition(" ")
        token = stub.access_tokens.get(value) if scheme.lower() == "bearer" else None
        if token is None or token.revoked or token.expires_at < time.time():
            stub.log.append(("userinfo", 401, "invalid_token"))
            self._json(401, {"error": "invalid_token"}, {"WWW-Authenticate": 'Bearer error="invalid_token"'})
            return
        scopes = set(token.scope.split())
        claims = {name: value for name, value in stub.claims.items() if name in scopes or name not in
                  ("name", "address", "birthdate", "gender")}
        stub.log.append(("userinfo", 200, ""))
        claims["sub"] = stub.userinfo_sub or token.sub
        if stub.userinfo_signed:
            signed = jwt.encode({"alg": "RS256", "kid": stub.signing_key.kid},
                                {**claims, "iss": stub.issuer, "aud": next(iter(stub.clients))},
                                stub.signing_key, algorithms=["RS256"])
            self._send(200, signed.encode(), "application/jwt")
            return
        self._json(200, claims)


def generate_client_key(kind: str = "RSA", kid: str = "yakuba-client-1") -> RSAKey | ECKey:
    """A client key pair as the municipality would register its public half with the provider."""
    if kind == "EC":
        return ECKey.generate_key("P-256", parameters={"kid": kid})
    return RSAKey.generate_key(2048, parameters={"kid": kid})


def private_pem(key: RSAKey | ECKey) -> bytes:
    return key.as_pem(private=True)

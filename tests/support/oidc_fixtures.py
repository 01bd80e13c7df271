"""pytest fixtures for OIDC: a running stub provider and settings.OIDC pointing at it.

Load as a plugin: ``pytest_plugins = ["tests.support.oidc_fixtures"]``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .oidc_provider import StubProvider, generate_client_key, private_pem

OIDC_CLIENT_ID = "yakuba-test-client"


@pytest.fixture
def oidc_provider(settings, tmp_path, monkeypatch) -> Iterator[StubProvider]:
    """A stub provider on 127.0.0.1 with our client registered (RS256 key, kid ``yakuba-client-1``),
    and settings.OIDC set up to use it. The client's private key is written to tmp_path."""
    # Loopback must never go through a proxy configured in the environment.
    monkeypatch.setenv("NO_PROXY", ",".join(filter(None, [os.environ.get("NO_PROXY"), "127.0.0.1", "localhost"])))
    monkeypatch.setenv("no_proxy", os.environ["NO_PROXY"])
    provider = StubProvider().start()
    client_key = generate_client_key("RSA")
    provider.register_client(OIDC_CLIENT_ID, client_key.as_dict(private=False))
    key_file = tmp_path / "oidc-client.pem"
    key_file.write_bytes(private_pem(client_key))
    key_file.chmod(0o600)
    settings.OIDC = {
        "ISSUER": provider.issuer,
        "CLIENT_ID": OIDC_CLIENT_ID,
        "PRIVATE_KEY_FILE": str(key_file),
        "KEY_ID": str(client_key.kid),
        "SCOPES": "openid name address birthdate gender",
        "VERIFY_TLS": True,
        "TIMEOUT": 5,
    }
    try:
        yield provider
    finally:
        provider.stop()

"""Production settings pass `check --deploy`; refuse insecure defaults; responses carry security headers."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest


def run_yakuba(*args: str, env: dict[str, str], tmp_path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("YAKUBA_", "DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-m", "yakuba", *args], env={**base, "YAKUBA_DATA_DIR": str(tmp_path), **env},
        capture_output=True, text=True, timeout=600,  # a deadline for a hung command, not a speed check
    )


def production_env(tmp_path) -> dict[str, str]:
    return {
        "YAKUBA_PRODUCTION": "1",
        "YAKUBA_SECRET_KEY": secrets.token_urlsafe(64),
        "YAKUBA_ALLOWED_HOSTS": "shimonita.example.jp",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }


@pytest.mark.slow
def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run_yakuba("check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path),
                        tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_production_refuses_to_start_without_a_secret(tmp_path):
    env = production_env(tmp_path)
    del env["YAKUBA_SECRET_KEY"]
    result = run_yakuba("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "YAKUBA_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_security_headers(client, town_a):
    response = client.get("/t/10382/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Request-ID"]

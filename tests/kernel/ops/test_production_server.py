"""The production path: collectstatic, gunicorn with YAKUBA_PRODUCTION=1, a town page and its static files."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.kernel.ops.test_deploy import production_env, run_yakuba


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_gunicorn_serves_a_town_with_production_settings(tmp_path):
    env = {**production_env(tmp_path), "YAKUBA_ALLOWED_HOSTS": "127.0.0.1"}
    for args in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"],
                 ["add_town", "103829", "下仁田町", "しもにたまち", "群馬県"]):
        result = run_yakuba(*args, env=env, tmp_path=tmp_path)
        assert result.returncode == 0, result.stderr
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("YAKUBA_", "DJANGO_", "DATABASE_URL"))}
    server = subprocess.Popen(
        [str(gunicorn), "--workers", "2", "--bind", f"127.0.0.1:{port}", "yakuba.wsgi"],
        env={**base, "YAKUBA_DATA_DIR": str(tmp_path), **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                health = requests.get(f"{url}/healthz", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        assert health.json() == {"status": "ok", "database": "sqlite"}
        # As behind the TLS-terminating proxy (SECURE_PROXY_SSL_HEADER).
        page = requests.get(f"{url}/t/10382/", timeout=5, headers={"X-Forwarded-Proto": "https"})
        assert page.status_code == 200 and "下仁田町" in page.text
        assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "Secure" in page.headers["Set-Cookie"]
        plain = requests.get(f"{url}/t/10382/", timeout=5, allow_redirects=False)
        assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")
        css = page.text.split('rel="stylesheet" href="', 2)[2].split('"')[0]
        assert "yakuba." in css and css != "/static/yakuba/yakuba.css"  # hashed name from the manifest
        static = requests.get(url + css, timeout=5, headers={"X-Forwarded-Proto": "https"})
        assert static.status_code == 200 and "max-age" in static.headers["Cache-Control"]
    finally:
        server.terminate()
        server.wait(timeout=10)

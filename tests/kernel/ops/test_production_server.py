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

# A busy machine (CI beside other jobs) may take long to start gunicorn or answer: wait on a generous deadline, polling,
# never on a short timeout. An idle machine answers in well under a second, so the test stays fast there.
PATIENCE = 120


def _wait_until_ready(url: str, server: subprocess.Popen[bytes]) -> requests.Response:
    """The first answer of `url`, polling until PATIENCE seconds have passed or the server has exited."""
    deadline = time.monotonic() + PATIENCE
    while True:
        try:
            return requests.get(url, timeout=max(1.0, deadline - time.monotonic()))
        except (requests.ConnectionError, requests.Timeout) as error:
            if server.poll() is not None:
                output = server.stdout.read().decode(errors="replace") if server.stdout else ""
                raise AssertionError(f"gunicorn exited ({server.returncode}) before answering: {output}") from error
            if time.monotonic() > deadline:
                raise AssertionError(f"gunicorn did not answer {url} within {PATIENCE} s") from error
            time.sleep(0.2)


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
        health = _wait_until_ready(f"{url}/healthz", server)
        assert health.json() == {"status": "ok", "database": "sqlite"}
        # As behind the TLS-terminating proxy (SECURE_PROXY_SSL_HEADER).
        page = requests.get(f"{url}/t/10382/", timeout=PATIENCE, headers={"X-Forwarded-Proto": "https"})
        assert page.status_code == 200 and "下仁田町" in page.text
        assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "public" in page.headers["Cache-Control"]  # the home, from the shared page cache
        form = requests.get(f"{url}/t/10382/accounts/login/", timeout=PATIENCE, headers={"X-Forwarded-Proto": "https"})
        assert "Secure" in form.headers["Set-Cookie"]  # a page with a form: its CSRF cookie
        plain = requests.get(f"{url}/t/10382/", timeout=PATIENCE, allow_redirects=False)
        assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")
        css = page.text.split('rel="stylesheet" href="', 2)[2].split('"')[0]
        assert "yakuba." in css and css != "/static/yakuba/yakuba.css"  # hashed name from the manifest
        static = requests.get(url + css, timeout=PATIENCE, headers={"X-Forwarded-Proto": "https"})
        assert static.status_code == 200 and "max-age" in static.headers["Cache-Control"]
    finally:
        server.terminate()
        server.wait(timeout=PATIENCE)

"""Kernel request cost: a town page through tenancy, sessions, CSP, templates (and furigana), compared
with /healthz through the same middleware stack (the floor every request pays), measured in one run.

Run: .venv/bin/python bench/request_bench.py [runs]   (in-process, SQLite; prints, never asserts)
     .venv/bin/python bench/request_bench.py serve [seconds] [connections]
        served: gunicorn (2 workers x 4 threads) + PostgreSQL + production settings + Redis as the cache, loaded by
        `wrk` (apt install wrk): bare Django (the ceiling), /healthz, and each cached public page with the page cache
        on and off, all in one run. YAKUBA_BENCH_DATABASE_URL names the PostgreSQL server (a fresh test_ database).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from demo_db import setup_demo


def setup() -> None:
    setup_demo(YAKUBA_LOGIN_THROTTLE="0")


def median_ms(client, path: str, runs: int) -> float:
    for _ in range(3):
        assert client.get(path).status_code == 200, path
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main(runs: int) -> None:
    setup()
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from yakuba.kernel.accounts.models import User

    anonymous, furigana, staff = Client(), Client(), Client()
    furigana.cookies["yakuba_furigana"] = "1"
    user = User.objects.get(email="admin@shimonita.demo")
    staff.force_login(user)
    session = staff.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()

    floor = median_ms(anonymous, "/healthz", runs)
    rows = [
        ("GET /healthz (floor: middleware + one SELECT)", floor),
        ("GET /t/10382/ town home", median_ms(anonymous, "/t/10382/", runs)),
        ("GET /t/10382/ with furigana (page cache warm)", median_ms(furigana, "/t/10382/", runs)),
        ("GET /t/10382/staff/ signed-in 情報担当", median_ms(staff, "/t/10382/staff/", runs)),
        ("GET /t/10382/staff/residents/ (audited list)", median_ms(staff, "/t/10382/staff/residents/", runs)),
    ]
    print(f"median of {runs} in-process requests (Django test client, SQLite), on this machine:")
    for label, value in rows:
        print(f"  {label:48} {value:7.2f} ms  {value / floor:5.1f}x floor")


# Served: gunicorn + PostgreSQL + production settings, loaded by wrk -----------------------------------------------

PAGES = [  # (label, path): the anonymous public pages that are cached
    ("town home", "/t/10382/"),
    ("防災 board", "/t/10382/bousai/"),
    ("notice list", "/t/10382/notices/"),
    ("a notice", None),  # filled in from the demo
    ("procedure list", "/t/10382/procedures/"),
    ("a procedure page", None),
    ("facility list", "/t/10382/reservations/"),
    ("opendata catalogue", "/t/10382/opendata/"),
    ("map", "/t/10382/map/"),
    ("plans", "/t/10382/plans/"),
]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _gunicorn(app: str, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    import requests

    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = open(Path(env.get("YAKUBA_DATA_DIR", "/tmp")) / "gunicorn.log", "ab")  # noqa: SIM115 - for the server
    server = subprocess.Popen([str(gunicorn), "--workers", "2", "--threads", "4", "--bind", f"127.0.0.1:{port}",
                               "--log-level", "warning", app], env=env, cwd=str(Path(__file__).parent),
                              stdout=log, stderr=log)
    for _ in range(120):
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code < 500:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.5)
    server.terminate()
    server.wait(10)
    raise SystemExit(f"{app} did not start")


def _wrk(url: str, seconds: int, connections: int) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, errors) of `wrk --latency` against `url`, with a browser's Accept-Encoding."""
    import re

    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H",
                          "Accept-Encoding: gzip", url], capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        found = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not found:
            return float("nan")
        value, unit = float(found[1]), found[2]
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, ms("50"), ms("99"), errors + (int(bad[1]) if bad else 0)


def serve(seconds: int, connections: int) -> None:
    import os
    import shutil
    import uuid

    if shutil.which("wrk") is None:
        raise SystemExit("needs wrk (apt install wrk)")
    from pgdb import run_on_fresh_database

    def report(_runs: int) -> None:
        from django.conf import settings
        from django.core.management import call_command
        from django_scopes import scopes_disabled

        call_command("demo", "--quiet")
        from yakuba.applications.models import Procedure
        from yakuba.notices.models import Notice

        with scopes_disabled():
            notice = Notice.objects.filter(municipality__code="103829").visible().first()
            procedure = Procedure.objects.filter(municipality__code="103829", is_published=True).first()
        filled = {"a notice": f"/t/10382/notices/{notice.public_id}/" if notice else "",
                  "a procedure page": f"/t/10382/procedures/{procedure.slug}/" if procedure else ""}
        pages = [(label, path or filled[label]) for label, path in PAGES if path or filled[label]]
        database = settings.DATABASES["default"]
        url = (f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}")
        data = Path(os.environ["YAKUBA_DATA_DIR"])  # the demo's files are there
        base = {k: v for k, v in os.environ.items() if not k.startswith(("YAKUBA_", "DJANGO_", "DATABASE_URL"))}
        env = {**base, "DJANGO_SETTINGS_MODULE": "yakuba.settings", "PYTHONPATH": os.pathsep.join(sys.path),
               "YAKUBA_PRODUCTION": "1", "YAKUBA_SECRET_KEY": uuid.uuid4().hex * 2, "YAKUBA_DATA_DIR": str(data),
               "YAKUBA_ALLOWED_HOSTS": "127.0.0.1", "YAKUBA_SSL_REDIRECT": "0", "DATABASE_URL": url,
               "YAKUBA_CACHE_BACKEND": "redis", "YAKUBA_CACHE_LOCATION": "redis://127.0.0.1:6379/14",
               "YAKUBA_CACHE_KEY_PREFIX": f"bench-{uuid.uuid4().hex[:8]}", "YAKUBA_RATE_LIMITS": "0",
               "YAKUBA_LOGIN_THROTTLE": "0", "YAKUBA_LOG_LEVEL": "WARNING"}
        subprocess.run([sys.executable, "-m", "yakuba", "collectstatic", "--noinput", "-v0"], env=env, check=True)
        from pgdb import close_connections

        close_connections()
        rows: list[tuple[str, float, float, float, int]] = []

        def measure(label: str, target: str) -> None:
            _wrk(target, 2, connections)  # warm: connections, the cache, the workers' imports
            rows.append((label, *_wrk(target, seconds, connections)))

        port = _free_port()
        server = _gunicorn("bare_wsgi", {**base, "PYTHONPATH": env["PYTHONPATH"]}, port)
        try:
            measure("bare Django, constant (the ceiling)", f"http://127.0.0.1:{port}/")
        finally:
            server.terminate()
            server.wait(10)
        for cached in ("1", "0"):
            port = _free_port()
            server = _gunicorn("yakuba.wsgi", {**env, "YAKUBA_PAGE_CACHE": cached}, port)
            try:
                if cached == "1":
                    measure("/healthz (the middleware floor)", f"http://127.0.0.1:{port}/healthz")
                for label, path in pages:
                    measure(f"{label} {'cached' if cached == '1' else 'uncached'}", f"http://127.0.0.1:{port}{path}")
            finally:
                server.terminate()
                server.wait(10)
        ceiling = rows[0][1]
        print(f"\nwrk, {connections} connections, {seconds} s a row, gunicorn 2 workers x 4 threads, PostgreSQL, "
              "production settings, Redis cache, Accept-Encoding: gzip; one run:")
        print(f"  {'what':44} {'req/s':>8} {'of ceiling':>10} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
        for label, rate, p50, p99, errors in rows:
            print(f"  {label:44} {rate:8.0f} {rate / ceiling:9.1%} {p50:8.1f} {p99:8.1f} {errors:6d}")

    run_on_fresh_database("serve", report, 0)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(int(sys.argv[2]) if len(sys.argv) > 2 else 10, int(sys.argv[3]) if len(sys.argv) > 3 else 50)
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)

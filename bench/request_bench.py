"""Kernel request cost: a town page through tenancy, sessions, CSP, templates (and furigana), compared
with /healthz through the same middleware stack (the floor every request pays), measured in one run.

Run: .venv/bin/python bench/request_bench.py [runs]   (in-process, SQLite; prints, never asserts)
     .venv/bin/python bench/request_bench.py serve [seconds] [connections]
        served: gunicorn (2 workers x 4 threads) + PostgreSQL + production settings + Redis as the cache, loaded by
        `wrk` (apt install wrk): bare Django (the ceiling), /healthz, each cached public page with the page cache
        on and off, the signed-in pages (a resident's and a clerk's, with a session the bench made), the home and the
        board with the town in 災害モード and what a phone downloads for them, then the spikes (below), all in one
        run. YAKUBA_BENCH_DATABASE_URL names the PostgreSQL server (a fresh test_ database).
     .venv/bin/python bench/request_bench.py spike [seconds] [connections]
        only the spike: `connections` (default 200) on the town home and the 防災 board for `seconds` (default 60),
        split between one wrk per page; halfway through a clerk publishes a 防災 alert through the notices service
        (once without a level, once an 避難指示 at 警戒レベル4 that turns the site into 災害モード under the load).
        Prints errors, requests served, p50/p99 per page, and the seconds from the publication's commit until every
        response of each page shows it (a plain anonymous client polls each page every 50 ms).
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

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


# Signed-in pages (never cached): (label, who, path). `who` is a demo account the bench makes a session for.
SIGNED_IN = [
    ("resident: town home signed in", "resident1@shimonita.demo", "/t/10382/"),
    ("resident: my applications", "resident1@shimonita.demo", "/t/10382/my/applications/"),
    ("resident: my reservations", "resident1@shimonita.demo", "/t/10382/my/reservations/"),
    ("clerk: staff home (worklist)", "soumu@shimonita.demo", "/t/10382/staff/"),
    ("clerk: notices staff list", "soumu@shimonita.demo", "/t/10382/staff/notices/"),
    ("admin: submissions queue", "admin@shimonita.demo", "/t/10382/staff/applications/"),
]

# The spike: pages the whole town reloads at once when an alert comes, each loaded by its own wrk.
SPIKE_PAGES = [("town home", "/t/10382/"), ("防災 board", "/t/10382/bousai/")]
# Each scenario runs one spike: (label, the 警戒レベル of the alert the clerk publishes halfway). "normal": a 防災
# notice without a level (the site stays as it is, the notice is listed); "災害モード": an 避難指示 at 警戒レベル4, the
# town's threshold, so the whole site turns into disaster mode under the load (ended after the scenario).
SPIKE_SCENARIOS: list[tuple[str, int | None]] = [("normal", None), ("災害モード", 4)]
# Who may end disaster mode (所属長 or 情報担当): the bench ends it after measuring it.
MODE_STAFF = "admin@shimonita.demo"
SPIKE_CLERK = "soumu@shimonita.demo"


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


def _wrk_command(url: str, seconds: int, connections: int, headers: tuple[str, ...] = ()) -> list[str]:
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency", "-H",
               "Accept-Encoding: gzip"]
    for header in headers:
        command += ["-H", header]
    return [*command, url]


def _parse_wrk(out: str) -> dict[str, float]:
    """requests/s, requests, p50 and p99 (ms), errors (socket errors and non-2xx/3xx) from `wrk --latency`."""

    def ms(label: str) -> float:
        found = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not found:
            return float("nan")
        value, unit = float(found[1]), found[2]
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    served = re.search(r"(\d+) requests in", out)
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rate": float(rate[1]) if rate else 0.0, "requests": float(served[1]) if served else 0.0,
            "p50": ms("50"), "p99": ms("99"), "errors": errors + (int(bad[1]) if bad else 0)}


def _wrk(url: str, seconds: int, connections: int, headers: tuple[str, ...] = ()) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, errors) of `wrk --latency` against `url`, with a browser's Accept-Encoding."""
    out = subprocess.run(_wrk_command(url, seconds, connections, headers), capture_output=True, text=True,
                         check=True).stdout
    found = _parse_wrk(out)
    return found["rate"], found["p50"], found["p99"], int(found["errors"])


def _session_cookie(email: str) -> str:
    """A signed-in session for a demo account, as signing in leaves it (with the second factor for staff)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from yakuba.kernel.accounts.middleware import LAST_SEEN
    from yakuba.kernel.accounts.models import User

    user = User.objects.get(email=email)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[LAST_SEEN] = int(time.time())
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return f"Cookie: {settings.SESSION_COOKIE_NAME}={session.session_key}"


class _Poller(threading.Thread):
    """A plain anonymous client (no cookies) asking for one page every 50 ms: when each answer was received and
    whether it showed `needle`."""

    def __init__(self, port: int, path: str, needle: str, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.port, self.path, self.needle, self.stop = port, path, needle.encode(), stop
        self.seen: list[tuple[float, bool]] = []
        self.failures = 0

    def run(self) -> None:
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        while not self.stop.is_set():
            try:
                connection.request("GET", self.path, headers={"Host": "127.0.0.1"})
                response = connection.getresponse()
                body = response.read()
                self.seen.append((time.monotonic(), response.status == 200 and self.needle in body))
            except (OSError, http.client.HTTPException):
                self.failures += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            self.stop.wait(0.05)

    def shown_since(self) -> float | None:
        """When the needle appeared for good (every later answer showed it), or None."""
        since = None
        for when, shown in self.seen:
            if not shown:
                since = None
            elif since is None:
                since = when
        return since


def _publish_alert(clerk_email: str, title: str, level: int | None = None) -> float:
    """A clerk writes and publishes a 防災 notice through the notices service; the monotonic time of its commit."""
    from django.db import transaction
    from django_scopes import scope, scopes_disabled

    from yakuba.kernel.accounts.models import Staff
    from yakuba.notices.models import Category
    from yakuba.notices.services import notices
    from yakuba.notices.services.notices import NoticeData

    with scopes_disabled():
        clerk = Staff.objects.select_related("municipality", "department", "user").get(user__email=clerk_email)
    committed: list[float] = []
    with scope(municipality=clerk.municipality):
        category = Category.objects.get(slug="bousai")
        with transaction.atomic():
            notice = notices.save_notice(clerk, data=NoticeData(
                title=title, body="川の水位が上がっています。すぐに避難してください。", category=category,
                department=clerk.department, alert_level=level))
            notices.publish_notice(clerk, notice)
            transaction.on_commit(lambda: committed.append(time.monotonic()))
    return committed[0]


def spike(port: int, seconds: int, connections: int, label: str = "normal", level: int | None = None) -> list[str]:
    """The spike's lines: each page of SPIKE_PAGES under its share of `connections` for `seconds`; halfway, a clerk
    publishes a 防災 alert; every answer of each page shows it from when on."""
    import uuid

    title = f"避難指示（ベンチ {uuid.uuid4().hex[:6]}）"
    share = max(1, connections // len(SPIKE_PAGES))
    for _label, path in SPIKE_PAGES:  # the site was serving before the spike: pages cached, workers warm
        _wrk(f"http://127.0.0.1:{port}{path}", 2, 10)
    loads = [subprocess.Popen(_wrk_command(f"http://127.0.0.1:{port}{path}", seconds, share), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _label, path in SPIKE_PAGES]
    stop = threading.Event()
    pollers = [_Poller(port, path, title, stop) for _label, path in SPIKE_PAGES]
    for poller in pollers:
        poller.start()
    try:
        time.sleep(seconds / 2)
        committed = _publish_alert(SPIKE_CLERK, title, level)
        outputs = [load.communicate()[0] for load in loads]
        time.sleep(1)  # the pollers see the last answers of the load
    finally:
        stop.set()
        for load in loads:
            if load.poll() is None:
                load.kill()
        for poller in pollers:
            poller.join()
    lines = [f"spike ({label}): {connections} connections for {seconds} s on {len(SPIKE_PAGES)} pages "
             f"({share} each, one wrk per page); a clerk published a 防災 alert"
             f"{f' at 警戒レベル{level}' if level else ''} at {seconds / 2:.0f} s"]
    lines.append(f"  {'page':30} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} "
                 f"{'alert shown after (s)':>22}")
    for (page, _path), out, poller in zip(SPIKE_PAGES, outputs, pollers, strict=True):
        found = _parse_wrk(out)
        since = poller.shown_since()
        shown = f"{since - committed:.2f}" if since is not None else "never"
        lines.append(f"  {page:30} {found['requests']:9.0f} {found['rate']:7.0f} {found['p50']:8.1f} "
                     f"{found['p99']:8.1f} {int(found['errors']):6d} {shown:>22}  "
                     f"(polled {len(poller.seen)}x, {poller.failures} failed)")
    return lines


def serve(seconds: int, connections: int, *, table: bool = True, spike_seconds: int = 60,
          spike_connections: int = 200) -> None:
    import os
    import shutil
    import uuid

    if shutil.which("wrk") is None:
        raise SystemExit("needs wrk (apt install wrk)")
    from pgdb import run_on_fresh_database

    # What the servers and this process share: the secret (the sessions the bench makes) and the cache (the alert
    # the bench publishes replaces the page cache's tokens there).
    shared = {"YAKUBA_SECRET_KEY": uuid.uuid4().hex * 2, "YAKUBA_CACHE_BACKEND": "redis",
              "YAKUBA_CACHE_LOCATION": "redis://127.0.0.1:6379/14",
              "YAKUBA_CACHE_KEY_PREFIX": f"bench-{uuid.uuid4().hex[:8]}"}
    os.environ.update(shared)

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
            cookies = {email: _session_cookie(email) for _label, email, _path in SIGNED_IN}
        filled = {"a notice": f"/t/10382/notices/{notice.public_id}/" if notice else "",
                  "a procedure page": f"/t/10382/procedures/{procedure.slug}/" if procedure else ""}
        pages = [(label, path or filled[label]) for label, path in PAGES if path or filled[label]]
        database = settings.DATABASES["default"]
        url = (f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}")
        data = Path(os.environ["YAKUBA_DATA_DIR"])  # the demo's files are there
        base = {k: v for k, v in os.environ.items() if not k.startswith(("YAKUBA_", "DJANGO_", "DATABASE_URL"))}
        env = {**base, **shared, "DJANGO_SETTINGS_MODULE": "yakuba.settings", "PYTHONPATH": os.pathsep.join(sys.path),
               "YAKUBA_PRODUCTION": "1", "YAKUBA_DATA_DIR": str(data), "YAKUBA_ALLOWED_HOSTS": "127.0.0.1",
               "YAKUBA_SSL_REDIRECT": "0", "DATABASE_URL": url, "YAKUBA_RATE_LIMITS": "0",
               "YAKUBA_LOGIN_THROTTLE": "0", "YAKUBA_LOG_LEVEL": "WARNING"}
        subprocess.run([sys.executable, "-m", "yakuba", "collectstatic", "--noinput", "-v0"], env=env, check=True)
        from pgdb import close_connections

        close_connections()
        rows: list[tuple[str, float, float, float, int]] = []

        def measure(label: str, target: str, headers: tuple[str, ...] = ()) -> None:
            _wrk(target, 2, connections, headers)  # warm: connections, the cache, the workers' imports
            rows.append((label, *_wrk(target, seconds, connections, headers)))

        port = _free_port()
        server = _gunicorn("bare_wsgi", {**base, "PYTHONPATH": env["PYTHONPATH"]}, port)
        try:
            measure("bare Django, constant (the ceiling)", f"http://127.0.0.1:{port}/")
        finally:
            _stop(server)
        for cached in ("1", "0") if table else ():
            port = _free_port()
            server = _gunicorn("yakuba.wsgi", {**env, "YAKUBA_PAGE_CACHE": cached}, port)
            try:
                _table_rows(measure, port, cached == "1", pages, cookies)
            finally:
                _stop(server)
        sizes: list[str] = []
        if table:  # the town in disaster mode: the light home and the board, cached, and what a phone downloads
            port = _free_port()
            server = _gunicorn("yakuba.wsgi", env, port)
            try:
                _start_mode()
                for label, path in SPIKE_PAGES:
                    measure(f"{label} in 災害モード cached", f"http://127.0.0.1:{port}{path}")
                sizes = [_light_page_size(port, path) for _label, path in SPIKE_PAGES]
            finally:
                _end_mode()
                _stop(server)
        ceiling = rows[0][1]
        print(f"\nwrk, {connections} connections, {seconds} s a row, gunicorn 2 workers x 4 threads, PostgreSQL, "
              "production settings, Redis cache, Accept-Encoding: gzip; one run:", flush=True)
        print(f"  {'what':44} {'req/s':>8} {'of ceiling':>10} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
        for label, rate, p50, p99, errors in rows:
            print(f"  {label:44} {rate:8.0f} {rate / ceiling:9.1%} {p50:8.1f} {p99:8.1f} {errors:6d}", flush=True)
        print("\n".join(sizes), flush=True)
        if spike_seconds:
            port = _free_port()
            server = _gunicorn("yakuba.wsgi", env, port)
            try:
                print("\n".join(_spikes(port, spike_seconds, spike_connections)), flush=True)
            finally:
                _stop(server)

    run_on_fresh_database("serve", report, 0)


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(10)


def _table_rows(measure: Any, port: int, cached: bool, pages: list[tuple[str, str]], cookies: dict[str, str]) -> None:
    if cached:
        measure("/healthz (the middleware floor)", f"http://127.0.0.1:{port}/healthz")
    for label, path in pages:
        measure(f"{label} {'cached' if cached else 'uncached'}", f"http://127.0.0.1:{port}{path}")
    if cached:  # the signed-in pages are never cached: measured once
        for label, email, path in SIGNED_IN:
            measure(label, f"http://127.0.0.1:{port}{path}", (cookies[email],))


def _spikes(port: int, seconds: int, connections: int) -> list[str]:
    lines: list[str] = []
    for scenario, level in SPIKE_SCENARIOS:
        lines += ["", *spike(port, seconds, connections, scenario, level)]
        _end_mode()
    return lines


def _mode_staff() -> Any:
    from django_scopes import scopes_disabled

    from yakuba.kernel.accounts.models import Staff

    with scopes_disabled():
        return Staff.objects.select_related("municipality", "department", "user").get(user__email=MODE_STAFF)


def _start_mode() -> None:
    """Disaster mode on by the staff switch (as for an alert from outside), through the notices service."""
    from django_scopes import scope

    from yakuba.notices.services import disaster

    staff = _mode_staff()
    with scope(municipality=staff.municipality):
        disaster.start_mode(staff, level=4, title="避難指示（ベンチ）", message="指定避難所へ避難してください。")


def _end_mode() -> None:
    from django_scopes import scope

    from yakuba.notices.services import disaster

    staff = _mode_staff()
    with scope(municipality=staff.municipality):
        if disaster.active_mode(staff.municipality) is not None:
            disaster.end_mode(staff)


def _light_page_size(port: int, path: str) -> str:
    """What a phone downloads for the disaster-mode page: the HTML and its stylesheets, gzip as sent; its scripts."""
    import http.client

    def fetch(target: str) -> tuple[int, bytes, str]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", target, headers={"Accept-Encoding": "gzip", "Host": "127.0.0.1"})
        response = connection.getresponse()
        raw = response.read()
        encoding = response.getheader("Content-Encoding") or ""
        connection.close()
        return len(raw), raw, encoding

    import gzip

    size, raw, encoding = fetch(path)
    html = (gzip.decompress(raw) if encoding == "gzip" else raw).decode()
    sheets = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html) + re.findall(
        r'<link[^>]+href="([^"]+)"[^>]+rel="stylesheet"', html)
    sizes = [fetch(sheet) for sheet in dict.fromkeys(sheets)]
    sheet_bytes = sum(found[0] for found in sizes)
    encodings = ", ".join(found[2] or "identity" for found in sizes)
    total = size + sheet_bytes
    scripts = len(re.findall(r"<script\b", html))
    return (f"  {path} in 災害モード: HTML {size / 1024:.1f} KB ({encoding or 'identity'}) + {len(sizes)} "
            f"stylesheet(s) {sheet_bytes / 1024:.1f} KB ({encodings})"
            f" = {total / 1024:.1f} KB in all (goal <= 30 KB); {scripts} script element(s)")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(int(sys.argv[2]) if len(sys.argv) > 2 else 10, int(sys.argv[3]) if len(sys.argv) > 3 else 50)
    elif len(sys.argv) > 1 and sys.argv[1] == "spike":
        serve(10, 50, table=False, spike_seconds=int(sys.argv[2]) if len(sys.argv) > 2 else 60,
              spike_connections=int(sys.argv[3]) if len(sys.argv) > 3 else 200)
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)

"""Open311 GeoReport v2 of 通報: `POST requests.json` (a client filing a report with its api_key and a category's
attributes) and `GET requests.json?bbox=…` (the public reports in a box around the town centre), served by gunicorn
(2 workers x 4 threads) and loaded by `wrk`, against the floor measured in the same run: /healthz through the same
middleware stack. Prints requests/s, p50 and p99 and each figure's ratio to the floor; never asserts.

The town has REPORTS public reports spread over its area (the box holds about a quarter of them, capped by the
API's 1,000). POSTs go to SQLite by default, which takes one writer at a time: fewer connections are used for them;
set YAKUBA_BENCH_DATABASE_URL for PostgreSQL (a fresh test_ database, as the other benches).

Run: .venv/bin/python bench/open311_bench.py [seconds] [connections]   (default 10 s, 16 connections)
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from request_bench import _free_port, _gunicorn, _parse_wrk  # noqa: E402

REPORTS = 2000
CENTRE = (36.2123, 138.7878)


def build() -> tuple[str, str]:
    """The town, its categories, an Open311 client and REPORTS reports; the client's key and the bbox."""
    from django.utils import timezone
    from django_scopes import scope

    from yakuba.kernel.accounts.models import Department, Role, Staff, User
    from yakuba.kernel.tenancy.models import Municipality
    from yakuba.voice.demo.reports import CATEGORIES, _form
    from yakuba.voice.models import Report, ReportCategory, ReportEvent
    from yakuba.voice.services import reports as services

    town = Municipality.objects.create(code="103829", name="下仁田町", name_kana="しもにたまち", prefecture="群馬県")
    with scope(municipality=town):
        department = Department.objects.create(municipality=town, name="建設水道課")
        admin = Staff.objects.create(municipality=town, user=User.objects.create_user("admin@bench.example.jp", None),
                                     department=department, role=Role.ADMIN, family_name="情報", given_name="担当")
        categories = [ReportCategory.objects.create(
            municipality=town, code=code, name=name, department=department, definition=_form(name, fields),
            sort_order=n) for n, (code, name, _en, _d, _deps, fields) in enumerate(CATEGORIES)]
        rng = random.Random(311)
        south, west, north, east = services.area(town)
        rows = [Report(municipality=town, number=f"B-{n:06d}", category=categories[n % len(categories)],
                       latitude=round(rng.uniform(south, north), 6), longitude=round(rng.uniform(west, east), 6),
                       description="ベンチマークの通報です。", department=department,
                       status=("received", "in_progress", "done")[n % 3],
                       public_answer="対応しました。" if n % 3 == 2 else "", closed_at=timezone.now()
                       if n % 3 == 2 else None) for n in range(REPORTS)]
        Report.objects.bulk_create(rows, batch_size=500)
        ReportEvent.objects.bulk_create([ReportEvent(municipality=town, report=r, status="received")
                                         for r in Report.objects.all()], batch_size=500)
        _client, key = services.create_client(admin, "bench")
    dlat, dlon = (north - south) / 4, (east - west) / 4
    bbox = f"{CENTRE[1] - dlon:.4f},{CENTRE[0] - dlat:.4f},{CENTRE[1] + dlon:.4f},{CENTRE[0] + dlat:.4f}"
    return key, bbox


def wrk(url: str, seconds: int, connections: int, script: str | None = None) -> dict[str, float]:
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script:
        command += ["-s", script]
    out = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 60).stdout
    return _parse_wrk(out)


def main(seconds: int, connections: int) -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("needs wrk (apt install wrk)")
    data = Path(tempfile.mkdtemp(prefix="yakuba-open311-bench-"))
    database = os.environ.get("YAKUBA_BENCH_DATABASE_URL") or f"sqlite:///{data / 'bench.sqlite3'}"
    env = {"DJANGO_SETTINGS_MODULE": "yakuba.settings", "YAKUBA_DATA_DIR": str(data), "DATABASE_URL": database,
           "YAKUBA_LOG_LEVEL": "WARNING", "YAKUBA_RATE_LIMITS": "0", "YAKUBA_SECRET_KEY": uuid.uuid4().hex * 2}
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    key, bbox = build()
    from django.db import connections as databases

    databases.close_all()
    port = _free_port()
    server_env = {**os.environ, **env, "PYTHONPATH": os.pathsep.join(sys.path)}
    server = _gunicorn("yakuba.wsgi:application", server_env, port)
    base = f"http://127.0.0.1:{port}/t/10382"
    lua = data / "post.lua"
    body = (f"api_key={key}&service_code=streetlight&lat=36.2128&long=138.7891&attribute%5Bstate%5D=off"
            "&description=%E8%A1%97%E8%B7%AF%E7%81%AF%E3%81%8C%E7%82%B9%E3%81%8D%E3%81%BE%E3%81%9B%E3%82%93")
    lua.write_text('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
                   f'wrk.body = "{body}"\n', encoding="utf-8")
    writers = connections if database.startswith("postgres") else min(connections, 4)
    try:
        for url in (f"http://127.0.0.1:{port}/healthz", f"{base}/open311/v2/requests.json?bbox={bbox}"):
            wrk(url, 2, 4)  # warm up
        rows = [("GET /healthz (floor)", wrk(f"http://127.0.0.1:{port}/healthz", seconds, connections), connections),
                (f"GET requests.json?bbox (~{REPORTS // 4} in the box)",
                 wrk(f"{base}/open311/v2/requests.json?bbox={bbox}", seconds, connections), connections),
                ("POST requests.json", wrk(f"{base}/open311/v2/requests.json", seconds, writers, str(lua)),
                 writers)]
    finally:
        server.terminate()
        server.wait(10)
    floor = rows[0][1]["rate"] or 1.0
    print(f"Open311 GeoReport v2 — gunicorn 2x4, {'PostgreSQL' if database.startswith('postgres') else 'SQLite'}, "
          f"wrk {seconds} s, {REPORTS} reports")
    print(f"{'what':46} {'conn':>4} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} {'÷ floor':>8}")
    for label, found, conns in rows:
        print(f"{label:46} {conns:>4} {found['rate']:>8.0f} {found['p50']:>8.1f} {found['p99']:>8.1f} "
              f"{int(found['errors']):>6} {found['rate'] / floor:>8.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10, int(sys.argv[2]) if len(sys.argv) > 2 else 16)

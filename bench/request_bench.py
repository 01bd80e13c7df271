"""Kernel request cost: a town page through tenancy, sessions, CSP, templates (and furigana), compared
with /healthz through the same middleware stack (the floor every request pays), measured in one run.

Run: .venv/bin/python bench/request_bench.py [runs]   (prints; never asserts)
"""

from __future__ import annotations

import statistics
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


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)

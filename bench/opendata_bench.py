"""オープンデータ: checking and importing a 100,000-row file (time and peak memory, against the floor of merely
parsing the same CSV), and the API's package_show and a GeoJSON download under 50 concurrent clients (against
/healthz under the same load, through the same gunicorn), all measured in one run.

Run: .venv/bin/python bench/opendata_bench.py [rows] [requests]   (prints figures; never asserts)
"""

from __future__ import annotations

import csv
import io
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from demo_db import setup_demo

KIND = "fire-hydrants"  # 消防水利施設一覧: the dataset a town has most rows of
CLIENTS = 50


def setup() -> Path:
    return setup_demo()


def big_csv(town, rows: int) -> bytes:
    from yakuba.opendata import definitions

    defn = definitions.get(KIND)
    assert defn is not None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(defn.names)
    for i in range(rows):
        values = {"全国地方公共団体コード": town.code, "ID": f"{i + 1:06d}", "地方公共団体名": town.name,
                  "緯度": f"{36.15 + (i % 997) * 0.0001:.6f}", "経度": f"{138.65 + (i % 991) * 0.0002:.6f}",
                  "所在地_連結表記": f"群馬県甘楽郡下仁田町大字下仁田{i + 1}", "名称": f"消火栓{i + 1}"}
        for column in defn.columns:
            if column.required and column.name not in values:
                values[column.name] = column.example or "1"
        writer.writerow([values.get(name, "") for name in defn.names])
    return out.getvalue().encode("utf-8-sig")


def reset_peak() -> None:
    """Linux: start the process's peak resident size (VmHWM) again from what it uses now."""
    Path("/proc/self/clear_refs").write_text("5")


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure_import(rows: int) -> None:
    from django_scopes import scope

    from yakuba.kernel.tenancy.models import Municipality
    from yakuba.opendata.models import Dataset
    from yakuba.opendata.services import editing, publish

    town = Municipality.objects.get(code="103829")
    with scope(municipality=town):
        dataset = Dataset.objects.get(kind=KIND)
        data = big_csv(town, rows)
        print(f"file: {rows:,} rows, {len(data) / 1e6:.1f} MB (UTF-8 with BOM), {KIND}")
        before = rss_mb()
        reset_peak()
        started = time.perf_counter()
        parsed = sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        floor = time.perf_counter() - started
        print(f"  floor: csv.reader over the file                 {floor:7.2f} s  ({parsed:,} lines)")
        started = time.perf_counter()
        table, problems, _count = editing.load_table(dataset, data, "big.csv")
        checked = time.perf_counter() - started
        checked_peak = peak_mb()
        print(f"  read + map + frictionless + own checks          {checked:7.2f} s  ({checked / floor:.0f}x floor,"
              f" {rows / checked:,.0f} rows/s, {len(problems)} problems)")
        started = time.perf_counter()
        editing.replace_rows(dataset, table.rows)
        version = publish.publish(dataset, table.rows, origin="import", note="bench")
        stored = time.perf_counter() - started
        print(f"  replace rows + publish version (SQLite)         {stored:7.2f} s  (v{version.number},"
              f" {version.size / 1e6:.1f} MB CSV)")
        print(f"  peak RSS: {checked_peak:.0f} MB while checking, {peak_mb():.0f} MB through publishing"
              f" (resident before the file: {before:.0f} MB)")
        bad = data.replace(b",36.15", b",138.70", 1000)  # up to 1,000 rows with a latitude outside Japan
        started = time.perf_counter()
        _table, problems, count = editing.load_table(dataset, bad, "bad.csv")
        print(f"  the same file with broken latitudes: {time.perf_counter() - started:.2f} s, {count} problems "
              f"(first: line {problems[0].row}, {problems[0].column}: {problems[0].message[:40]}…)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def load(url: str, total: int) -> tuple[float, float, float, int]:
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=CLIENTS, pool_maxsize=CLIENTS)
    session.mount("http://", adapter)

    def one(_: int) -> tuple[float, int]:
        started = time.perf_counter()
        response = session.get(url, timeout=60)
        return (time.perf_counter() - started) * 1000, response.status_code

    one(0)
    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(one, range(total)))
    wall = time.perf_counter() - started
    times = sorted(t for t, _ in results)
    failures = sum(1 for _, status in results if status != 200)
    return statistics.median(times), times[int(len(times) * 0.95) - 1], total / wall, failures


def measure_api(total: int, rows: int) -> None:
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen([str(gunicorn), "--workers", "2", "--threads", "4", "--bind", f"127.0.0.1:{port}",
                               "--log-level", "warning", "yakuba.wsgi"],
                              env={**os.environ, "YAKUBA_RATE_LIMITS": "0"})  # one address, on purpose
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                requests.get(f"{base}/healthz", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        print(f"\n{CLIENTS} concurrent clients, {total} requests per row (a tenth for the big GeoJSON), gunicorn 2 "
              "workers x 4 threads, SQLite:")
        print("  what                                    median ms   p95 ms   req/s  failed")
        for label, path in (("/healthz (ceiling: the middleware floor)", "/healthz"),
                            ("package_show (AED, demo)", "/t/10382/api/3/action/package_show?id=103829-aed"),
                            ("GeoJSON AED (demo, 5 points)", "/t/10382/opendata/aed/data.geojson"),
                            (f"GeoJSON {KIND} ({rows:,} points)", f"/t/10382/opendata/{KIND}/data.geojson")):
            n = total if KIND not in label else max(total // 10, CLIENTS)
            median, p95, rate, failed = load(base + path, n)
            print(f"  {label:<40} {median:9.1f} {p95:8.1f} {rate:7.1f}  {failed}")
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    setup()
    measure_import(rows)
    measure_api(total, rows)


if __name__ == "__main__":
    main()

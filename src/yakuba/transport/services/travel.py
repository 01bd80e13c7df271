"""Travel times between the town's 乗降ポイント, from the source the service chose: straight line × 迂回率, the town's
own table (所要時間表, CSV), or a routing engine (OSRM, Valhalla). The matrix is cached per town under a version that
every stop, table or service save bumps, so a booking does not ask the engine (or rebuild the table) each time; an
engine that fails never fails a booking: the straight-line estimate stands in, briefly cached, and a warning is
logged."""

from __future__ import annotations

import csv
import io
import logging
import math
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Staff
from yakuba.kernel.audit.services import record
from yakuba.kernel.refusal import Refused

from ..models import Service, Stop, TravelSource, TravelTime
from ..routing import travel as routing
from ..routing.travel import Point, RoutingEngineError, TravelTimes
from . import access

log = logging.getLogger(__name__)

CACHE_SECONDS = 24 * 3600
FALLBACK_CACHE_SECONDS = 300  # an engine that failed is asked again after this, not at every booking
ENGINE_TIMEOUT = 5.0
MAX_SECONDS = 24 * 3600
MAX_METERS = 1_000_000
MAX_ERRORS_SHOWN = 20
HEADERS = {  # a column's name (NFKC, lower case) → what it holds
    "from": "from", "発": "from", "発地": "from", "出発": "from",
    "to": "to", "着": "to", "着地": "to", "到着": "to",
    "seconds": "seconds", "所要秒": "seconds", "所要時間(秒)": "seconds", "秒": "seconds",
    "meters": "meters", "metres": "meters", "距離m": "meters", "距離(m)": "meters", "距離": "meters",
}
TEMPLATE_HEADER = ["発", "着", "所要秒", "距離m", "発の名前", "着の名前"]


# --- the stops and the cache ----------------------------------------------------------------------------------

def stops() -> list[Stop]:
    """The usable 乗降ポイント of the town in scope, in a stable order; a stop's position is its matrix index."""
    return list(Stop.objects.filter(active=True).select_related("zone")
                .order_by("zone__sort_order", "zone_id", "sort_order", "pk"))


def index_of(rows: Sequence[Stop]) -> dict[int, int]:
    """Stop primary key → its index in `rows` (the order of `stops()` is the matrix's)."""
    return {stop.pk: index for index, stop in enumerate(rows)}


def _version_key(municipality_id: int) -> str:
    return f"transport:travel-version:{municipality_id}"


def _version(municipality_id: int) -> str:
    version = cache.get(_version_key(municipality_id))
    if version is None:
        version = uuid.uuid4().hex
        cache.set(_version_key(municipality_id), version, None)
    return str(version)


def bump(municipality_id: int) -> None:
    """Forget the town's cached matrix: now (for the rest of this transaction) and again after commit, so a reader
    that rebuilt it from the old rows in between is not kept."""
    def forget() -> None:
        cache.set(_version_key(municipality_id), uuid.uuid4().hex, None)

    forget()
    transaction.on_commit(forget)


@dataclass(frozen=True)
class Built:
    """A matrix with the stops it is for and, when the chosen source could not be used, why."""

    pks: tuple[int, ...]
    times: TravelTimes
    problem: str = ""


def _points(rows: Sequence[Stop]) -> list[Point]:
    return [Point(float(stop.latitude), float(stop.longitude)) for stop in rows]


def _straight(service: Service, rows: Sequence[Stop]) -> TravelTimes:
    return routing.straight_line(_points(rows), detour=float(service.detour_factor), speed_kmh=float(service.speed_kmh))


def _from_table(service: Service, rows: Sequence[Stop]) -> TravelTimes:
    index = index_of(rows)
    pairs = [(index[origin], index[destination], seconds, metres) for origin, destination, seconds, metres in
             TravelTime.objects.filter(origin_id__in=index, destination_id__in=index)
             .values_list("origin_id", "destination_id", "seconds", "meters")]
    return routing.from_pairs(len(rows), pairs, fallback=_straight(service, rows))


def _build(service: Service, rows: list[Stop]) -> Built:
    pks = tuple(stop.pk for stop in rows)
    source = service.travel_source
    if source == TravelSource.MATRIX:
        return Built(pks, _from_table(service, rows))
    if source in (TravelSource.OSRM, TravelSource.VALHALLA) and len(rows) > 1:
        ask = routing.osrm_table if source == TravelSource.OSRM else routing.valhalla_matrix
        try:
            return Built(pks, ask(service.engine_url, _points(rows), ENGINE_TIMEOUT))
        except RoutingEngineError as error:
            log.warning("transport: routing engine %s at %s failed (%s); using straight-line estimates",
                        source, service.engine_url, error.reason)
            return Built(pks, _straight(service, rows), problem=error.reason)
    return Built(pks, _straight(service, rows))


def built(service: Service, rows: list[Stop] | None = None) -> Built:
    """The cached matrix of the town's usable stops (built when the version moved or the stops differ)."""
    rows = stops() if rows is None else rows
    key = f"transport:travel:{service.municipality_id}:{_version(service.municipality_id)}"
    entry = cache.get(key)
    if isinstance(entry, Built) and entry.pks == tuple(stop.pk for stop in rows):
        return entry
    entry = _build(service, rows)
    cache.set(key, entry, FALLBACK_CACHE_SECONDS if entry.problem else CACHE_SECONDS)
    return entry


def matrix(service: Service) -> TravelTimes:
    """Seconds and metres between the stops of `stops()` (index = position)."""
    return built(service).times


def _pair(service: Service, a: Stop, b: Stop) -> tuple[int, int]:
    """(seconds, metres) from `a` to `b`; a stop outside the matrix (not usable) is estimated by straight line."""
    if a.pk == b.pk:
        return 0, 0
    rows = stops()
    index = index_of(rows)
    if a.pk in index and b.pk in index:
        times = built(service, rows).times
        return times.seconds(index[a.pk], index[b.pk]), times.meters(index[a.pk], index[b.pk])
    times = _straight(service, [a, b])
    return times.seconds(0, 1), times.meters(0, 1)


def direct_seconds(service: Service, a: Stop, b: Stop) -> int:
    """Driving seconds straight from `a` to `b` (the base of the ride-time cap)."""
    return _pair(service, a, b)[0]


def meters(service: Service, a: Stop, b: Stop) -> int:
    return _pair(service, a, b)[1]


# --- what the staff page shows ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Summary:
    source: str
    source_label: str
    stops: int
    pairs: int  # ordered pairs of usable stops
    given: int  # of them, in the town's table
    missing: list[tuple[Stop, Stop]]  # pairs the table lacks (straight line used), for MATRIX
    problem: str  # why the engine was not used, when it failed


def summary(service: Service) -> Summary:
    rows = stops()
    entry = built(service, rows)
    pks = [stop.pk for stop in rows]
    given = TravelTime.objects.filter(origin_id__in=pks, destination_id__in=pks).count()
    missing: list[tuple[Stop, Stop]] = []
    if service.travel_source == TravelSource.MATRIX:
        missing = [(rows[i], rows[j]) for i, j in entry.times.missing]
    return Summary(source=service.travel_source, source_label=str(service.get_travel_source_display()),
                   stops=len(rows), pairs=len(rows) * (len(rows) - 1), given=given, missing=missing,
                   problem=entry.problem)


def template_rows(service: Service) -> list[list[Any]]:
    """Every ordered pair of usable stops, with the town's figure where it has one (blank otherwise): the file to
    fill in and upload again."""
    rows = stops()
    pks = [stop.pk for stop in rows]
    table = {(origin, destination): (seconds, metres) for origin, destination, seconds, metres in
             TravelTime.objects.filter(origin_id__in=pks, destination_id__in=pks)
             .values_list("origin_id", "destination_id", "seconds", "meters")}
    lines: list[list[Any]] = []
    for a in rows:
        for b in rows:
            if a.pk != b.pk:
                seconds, metres = table.get((a.pk, b.pk), (None, None))
                lines.append([a.code, b.code, seconds, metres, a.name, b.name])
    return lines


# --- importing the town's table -------------------------------------------------------------------------------

def decode_csv(data: bytes) -> str:
    """The text of a CSV file saved as UTF-8 (with or without BOM) or as Shift_JIS (Excel's 「CSV」)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932")
    except UnicodeDecodeError as error:
        raise Refused({"file": _("ファイルの文字コードを読み取れません。UTF-8かShift_JISのCSVで保存してください。")}
                      ) from error


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _columns(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for position, name in enumerate(header):
        kind = HEADERS.get(_norm(name).lstrip("\ufeff").lower())
        if kind is not None and kind not in columns:
            columns[kind] = position
    missing = [name for name in ("from", "to", "seconds") if name not in columns]
    if missing:
        raise Refused([_("1行目に見出し「from,to,seconds」または「発,着,所要秒」を入れてください"
                         "（距離は「meters」または「距離m」の列で任意）。")])
    return columns


def _number(text: str, *, largest: int) -> int | None:
    """A whole number of seconds or metres (a decimal is rounded up); None when it is not one in 0..largest."""
    try:
        value = float(_norm(text).replace(",", ""))
    except ValueError:
        return None
    if not math.isfinite(value) or value < 0 or value > largest:
        return None
    return math.ceil(value)


def _cell(row: list[str], position: int) -> str:
    return row[position] if position < len(row) else ""


def _parse_line(row: list[str], line: int, columns: dict[str, int], by_code: dict[str, Stop],
                seen: set[tuple[int, int]]) -> tuple[str | None, TravelTime | None]:
    """(error, row) for one line: an error with its line number, a row to save, or neither (nothing given)."""
    origin_code, destination_code = (_norm(_cell(row, columns[name])).lower() for name in ("from", "to"))
    seconds_text = _norm(_cell(row, columns["seconds"]))
    meters_text = _norm(_cell(row, columns["meters"])) if "meters" in columns else ""
    if not seconds_text and not meters_text:
        return None, None  # a blank line, or a pair left to the straight-line estimate
    origin, destination = by_code.get(origin_code), by_code.get(destination_code)
    if origin is None or destination is None:
        code = origin_code if origin is None else destination_code
        return _("%(line)d行目: 乗降ポイントのコード「%(code)s」がありません。") % {"line": line, "code": code}, None
    if origin.pk == destination.pk:
        return _("%(line)d行目: 発と着が同じ乗降ポイントです。") % {"line": line}, None
    if (origin.pk, destination.pk) in seen:
        return _("%(line)d行目: %(a)s→%(b)sが2回あります。") % {"line": line, "a": origin.code,
                                                                 "b": destination.code}, None
    seconds = _number(seconds_text, largest=MAX_SECONDS)
    if seconds is None or seconds == 0:
        return _("%(line)d行目: 所要秒は1〜86400の数で入力してください（「%(value)s」）。") % {
            "line": line, "value": seconds_text}, None
    metres = _number(meters_text, largest=MAX_METERS) if meters_text else None
    if meters_text and metres is None:
        return _("%(line)d行目: 距離は0〜1,000,000メートルの数で入力してください（「%(value)s」）。") % {
            "line": line, "value": meters_text}, None
    seen.add((origin.pk, destination.pk))
    return None, TravelTime(origin=origin, destination=destination, seconds=seconds, meters=metres)


def parse_matrix(text: str) -> list[TravelTime]:
    """The rows of a 所要時間表 CSV, or Refused naming every bad line (up to 20 of them, then how many more)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise Refused([_("ファイルが空です。見出しと所要時間の行を入れてください。")])
        columns = _columns(header)
        by_code = {stop.code.lower(): stop for stop in Stop.objects.all()}
        errors: list[str] = []
        rows: list[TravelTime] = []
        seen: set[tuple[int, int]] = set()
        for row in reader:
            error, travel_time = _parse_line(row, reader.line_num, columns, by_code, seen)
            if error:
                errors.append(error)
            elif travel_time is not None:
                rows.append(travel_time)
    except csv.Error as error:
        raise Refused([_("%(line)d行目: CSVとして読めません。") % {"line": reader.line_num}]) from error
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        if len(errors) > MAX_ERRORS_SHOWN:
            shown.append(_("ほかに%(n)d行に問題があります。") % {"n": len(errors) - MAX_ERRORS_SHOWN})
        raise Refused(shown)
    if not rows:
        raise Refused([_("所要時間の行がありません。2行目から「発,着,所要秒」を入れてください。")])
    return rows


@transaction.atomic
def import_matrix(staff: Staff, text: str) -> int:
    """Replace the town's 所要時間表 with the rows of a CSV (any operator of the 担当課). Every bad line is refused
    with its line number and nothing is saved. Returns how many pairs were saved."""
    service = access.require_operator(staff)
    rows = parse_matrix(text)
    before = TravelTime.objects.count()
    TravelTime.objects.all().delete()
    for row in rows:
        row.municipality = staff.municipality
    TravelTime.objects.bulk_create(rows, batch_size=1000)
    record("transport.matrix.imported", municipality=staff.municipality, actor=staff.user, obj=service,
           data={"before": before, "after": len(rows)})
    bump(staff.municipality_id)
    return len(rows)


__all__ = ["Built", "Summary", "bump", "built", "decode_csv", "direct_seconds", "import_matrix", "index_of",
           "matrix", "meters", "parse_matrix", "stops", "summary", "template_rows"]

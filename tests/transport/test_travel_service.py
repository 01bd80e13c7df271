"""Travel times of デマンド交通 through services/travel.py: the matrix from each source (straight line, the town's
table, OSRM and Valhalla on a loopback server), its cache and what invalidates it, an engine failure falling back
to the straight line, and the import of the 所要時間表 CSV (UTF-8 with or without BOM, Shift_JIS, bad lines)."""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope, scopes_disabled

from tests import factories
from tests.transport.support import make_service, operator, stop
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused
from yakuba.transport.models import Stop, TravelSource, TravelTime
from yakuba.transport.routing.travel import Point, straight_line
from yakuba.transport.services import setup, travel

pytestmark = pytest.mark.django_db
PREFIX = "/t/10382/staff/transport/setup/"


@pytest.fixture
def service(town_a):
    return make_service(town_a)


@pytest.fixture
def clerk(town_a, service):
    return operator(town_a)


@pytest.fixture
def head(town_a, service):
    return operator(town_a, Role.APPROVER)


class Engine:
    """A loopback OSRM/Valhalla: every pair is 100 s and 1000 m per index step; `status` 500 makes it fail."""

    def __init__(self) -> None:
        self.calls = 0
        self.status = 200
        engine = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, body):
                engine.calls += 1
                data = json.dumps(body if engine.status == 200 else {"message": "broken"}).encode()
                self.send_response(engine.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # OSRM /table/v1/driving/lon,lat;...
                n = len(self.path.split("?")[0].rsplit("/", 1)[1].split(";"))
                self._reply({"code": "Ok", "durations": [[abs(i - j) * 100 for j in range(n)] for i in range(n)],
                             "distances": [[abs(i - j) * 1000 for j in range(n)] for i in range(n)]})

            def do_POST(self):  # Valhalla /sources_to_targets
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                n = len(body["sources"])
                self._reply({"sources_to_targets": [[{"time": abs(i - j) * 100, "distance": abs(i - j) * 1.0}
                                                     for j in range(n)] for i in range(n)]})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def engine():
    server = Engine()
    yield server
    server.close()


def _straight(service, rows):
    return straight_line([Point(float(s.latitude), float(s.longitude)) for s in rows],
                         detour=float(service.detour_factor), speed_kmh=float(service.speed_kmh))


def _use(service, head, **changes):
    data = setup.ServiceInput(**{**{name: getattr(service, name) for name in setup.SERVICE_FIELDS}, **changes})
    return setup.save_service(head, service, data)


# --- the matrix -------------------------------------------------------------------------------------------------

def test_straight_line_matrix_cached_until_a_save(town_a, service, head, clerk):
    with scope(municipality=town_a):
        rows = travel.stops()
        assert [s.code for s in rows][:3] == ["yakuba", "byoin", "super"] and len(rows) == 7
        first = travel.matrix(service)
        assert first == _straight(service, rows)
        service.speed_kmh = 50  # not saved: the cached matrix stands
        assert travel.matrix(service) is not None and travel.matrix(service).seconds(0, 3) == first.seconds(0, 3)
        service = _use(service, head, speed_kmh=50)
        faster = travel.matrix(service)
        assert faster.seconds(0, 3) < first.seconds(0, 3)
        # a new stop is a new row and column
        setup.save_stop(clerk, None, setup.StopInput(code="kominkan", name="公民館", zone=rows[0].zone,
                                                     latitude=Decimal("36.2110"), longitude=Decimal("138.7900")))
        assert travel.matrix(service).n == 8
        index = travel.index_of(travel.stops())
        assert index[stop(town_a, "yakuba").pk] == 0


def test_direct_seconds_and_meters(town_a, service):
    with scope(municipality=town_a):
        a, b = stop(town_a, "yakuba"), stop(town_a, "east2")
        times = _straight(service, travel.stops())
        index = travel.index_of(travel.stops())
        assert travel.direct_seconds(service, a, b) == times.seconds(index[a.pk], index[b.pk]) > 0
        assert travel.meters(service, a, b) == times.meters(index[a.pk], index[b.pk]) > 1000
        assert travel.direct_seconds(service, a, a) == 0
        Stop.objects.filter(pk=b.pk).update(active=False)
        b.refresh_from_db()
        assert travel.direct_seconds(service, a, b) == _straight(service, [a, b]).seconds(0, 1)


def test_matrix_from_the_towns_table(town_a, service, head, clerk):
    with scope(municipality=town_a):
        service = _use(service, head, travel_source=TravelSource.MATRIX)
        rows = travel.stops()
        travel.import_matrix(clerk, "from,to,seconds,meters\nyakuba,byoin,111,900\nbyoin,yakuba,222,\n")
        times = travel.matrix(service)
        assert times.seconds(0, 1) == 111 and times.meters(0, 1) == 900
        assert times.seconds(1, 0) == 222 and times.meters(1, 0) == _straight(service, rows).meters(1, 0)
        assert times.seconds(0, 2) == _straight(service, rows).seconds(0, 2)
        summary = travel.summary(service)
        assert summary.given == 2 and summary.pairs == 42 and len(summary.missing) == 40
        assert (rows[0], rows[1]) not in summary.missing and (rows[0], rows[2]) in summary.missing
        travel.import_matrix(clerk, "from,to,seconds\nyakuba,byoin,333\n")  # replaces, and the cache follows
        assert travel.matrix(service).seconds(0, 1) == 333 and travel.matrix(service).seconds(1, 0) != 222


@pytest.mark.parametrize("source", [TravelSource.OSRM, TravelSource.VALHALLA])
def test_matrix_from_an_engine_asked_once(town_a, service, head, clerk, engine, source):
    with scope(municipality=town_a):
        service = _use(service, head, travel_source=source, engine_url=engine.url)
        times = travel.matrix(service)
        assert times.seconds(0, 3) == 300 and times.meters(0, 3) == 3000
        for _ in range(3):
            travel.matrix(service)
            travel.direct_seconds(service, stop(town_a, "yakuba"), stop(town_a, "byoin"))
        assert engine.calls == 1
        yakuba = stop(town_a, "yakuba")
        setup.save_stop(clerk, yakuba, setup.StopInput(code="yakuba", name="役場前（正面）", zone=yakuba.zone,
                                                       latitude=yakuba.latitude, longitude=yakuba.longitude))
        travel.matrix(service)
        assert engine.calls == 2


def test_engine_failure_falls_back_to_straight_line(town_a, service, head, engine, caplog):
    engine.status = 500
    with scope(municipality=town_a):
        service = _use(service, head, travel_source=TravelSource.OSRM, engine_url=engine.url)
        with caplog.at_level("WARNING", logger="yakuba.transport.services.travel"):
            times = travel.matrix(service)
        assert times == _straight(service, travel.stops())
        assert "OSRM answered 500" in caplog.text
        assert "500" in travel.summary(service).problem
        travel.matrix(service)
        assert engine.calls == 1  # the fallback is cached for a while: not asked at every booking


def test_unreachable_engine_falls_back(town_a, service, head):
    with scope(municipality=town_a):
        service = _use(service, head, travel_source=TravelSource.VALHALLA, engine_url="http://127.0.0.1:9")
        assert travel.matrix(service) == _straight(service, travel.stops())
        assert travel.direct_seconds(service, stop(town_a, "yakuba"), stop(town_a, "byoin")) > 0


# --- importing the table ----------------------------------------------------------------------------------------

def _imported():
    with scopes_disabled():
        return {(row.origin.code, row.destination.code): (row.seconds, row.meters)
                for row in TravelTime.objects.select_related("origin", "destination")}


def test_import_japanese_headers_with_bom_and_audit(town_a, service, clerk):
    text = ("発,着,所要秒,距離m,発の名前\r\nyakuba,byoin,300,1200,役場前\r\n"
            "BYOIN,yakuba,３１０,1200,町立病院\r\n,,,,\r\n")
    with scope(municipality=town_a):
        count = travel.import_matrix(clerk, travel.decode_csv(("\ufeff" + text).encode("utf-8")))
    assert count == 2 and _imported() == {("yakuba", "byoin"): (300, 1200), ("byoin", "yakuba"): (310, 1200)}
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="transport.matrix.imported")
    assert entry.data == {"before": 0, "after": 2}


def test_import_shift_jis_as_excel_saves_it(town_a, service, clerk):
    text = "発,着,所要秒\r\nyakuba,east1,600\r\neast1,yakuba,610\r\n"
    data = text.encode("shift_jis")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    with scope(municipality=town_a):
        assert travel.import_matrix(clerk, travel.decode_csv(data)) == 2
    assert _imported()[("east1", "yakuba")] == (610, None)


def test_import_refuses_every_bad_line_and_saves_nothing(town_a, service, clerk):
    with scope(municipality=town_a):
        travel.import_matrix(clerk, "from,to,seconds\nyakuba,byoin,100\n")
        bad = ("from,to,seconds,meters\n"
               "yakuba,super,200,\n"  # 2: good
               "yakuba,nowhere,200,\n"  # 3
               "byoin,byoin,10,\n"  # 4
               "yakuba,super,250,\n"  # 5: twice
               "super,yakuba,-5,\n"  # 6
               "super,byoin,abc,\n"  # 7
               "east1,east2,100,far\n")  # 8
        with pytest.raises(Refused) as refused:
            travel.import_matrix(clerk, bad)
    lines = refused.value.messages
    assert [line.split("行目")[0] for line in lines] == ["3", "4", "5", "6", "7", "8"]
    assert "nowhere" in lines[0]
    assert _imported() == {("yakuba", "byoin"): (100, None)}  # the old table stands


@pytest.mark.parametrize(("text", "says"), [
    ("", "空"), ("\n\n", "空"), ("a,b,c\nyakuba,byoin,1\n", "見出し"), ("from,to,seconds\n", "行がありません"),
])
def test_import_refuses_files_without_rows(town_a, service, clerk, text, says):
    with scope(municipality=town_a), pytest.raises(Refused) as refused:
        travel.import_matrix(clerk, text)
    assert says in refused.value.message


def test_import_shows_twenty_errors_then_how_many_more(town_a, service, clerk):
    text = "from,to,seconds\n" + "".join(f"x{n},byoin,10\n" for n in range(25))
    with scope(municipality=town_a), pytest.raises(Refused) as refused:
        travel.import_matrix(clerk, text)
    assert len(refused.value.messages) == 21 and "ほかに5行" in refused.value.messages[-1]


def test_import_is_for_the_department(town_a, service, staff_a_other):
    with scope(municipality=town_a), pytest.raises(PermissionDenied):
        travel.import_matrix(staff_a_other, "from,to,seconds\nyakuba,byoin,100\n")


def test_undecodable_file_is_refused():
    with pytest.raises(Refused) as refused:
        travel.decode_csv(b"\x81\x00\xff\xfe")
    assert "文字コード" in refused.value.message


# --- the page ---------------------------------------------------------------------------------------------------

def test_template_lists_every_pair(town_a, service, clerk):
    with scope(municipality=town_a):
        travel.import_matrix(clerk, "from,to,seconds,meters\nyakuba,byoin,123,456\n")
    response = factories.staff_client(clerk).get(PREFIX + "travel/template.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "発,着,所要秒,距離m,発の名前,着の名前" and len(lines) == 1 + 42
    assert "yakuba,byoin,123,456,役場前,町立病院" in lines
    assert "yakuba,super,,,役場前,スーパー前" in lines
    with scope(municipality=town_a):  # the template goes back in as it is: the blank pairs are left out
        assert travel.import_matrix(clerk, response.content.decode("utf-8-sig")) == 1


def test_upload_page(town_a, service, clerk):
    client = factories.staff_client(clerk)
    page = client.get(PREFIX + "travel/")
    assert page.status_code == 200 and "42組のうち0組" in page.content.decode()
    upload = SimpleUploadedFile("table.csv", "発,着,所要秒\r\nyakuba,nowhere,100\r\n".encode("shift_jis"))
    response = client.post(PREFIX + "travel/", {"file": upload, "_once": "a" * 24})
    assert response.status_code == 400
    assert "2行目: 乗降ポイントのコード「nowhere」がありません" in response.content.decode()
    upload = SimpleUploadedFile("table.csv", "発,着,所要秒\r\nyakuba,byoin,100\r\n".encode("shift_jis"))
    response = client.post(PREFIX + "travel/", {"file": upload, "_once": "b" * 24})
    assert response.status_code == 302
    assert "42組のうち1組" in client.get(PREFIX + "travel/").content.decode()
    xlsx = SimpleUploadedFile("table.xlsx", b"PK\x03\x04" + b"\x00" * 100)
    response = client.post(PREFIX + "travel/", {"file": xlsx, "_once": "c" * 24})
    assert response.status_code == 400 and "CSVファイルではない" in response.content.decode()

"""kernel.records: what apps offer each other (dataset rows, documents, map points) and the `changed` signal, sent
after commit once per kind and town, nothing on rollback; a consumer that queues once per transaction queues once
however many kinds changed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from tests import factories
from yakuba.kernel import records
from yakuba.kernel.ops.queue import enqueue_once_on_commit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def heard():
    calls: list[tuple[str, int]] = []

    def listener(sender, *, kind, municipality_id, **kwargs):
        calls.append((kind, municipality_id))

    records.changed.connect(listener, dispatch_uid="tests.records.heard")
    yield calls
    records.changed.disconnect(dispatch_uid="tests.records.heard")


def test_changes_are_heard_once_per_kind_and_town_after_the_commit(heard):
    with transaction.atomic():
        for _ in range(3):
            records.announce("tests.a", 1)
        records.announce("tests.b", 1)
        records.announce("tests.a", 2)
        assert heard == []  # nothing before the commit
    assert heard == [("tests.a", 1), ("tests.b", 1), ("tests.a", 2)]


def test_a_rolled_back_change_is_not_heard_and_the_next_one_is(heard):
    with pytest.raises(RuntimeError), transaction.atomic():
        records.announce("tests.a", 1)
        raise RuntimeError
    assert heard == []
    with transaction.atomic():
        records.announce("tests.a", 1)
    assert heard == [("tests.a", 1)]
    records.announce("tests.b", 3)  # outside a transaction: at once
    assert heard == [("tests.a", 1), ("tests.b", 3)]


def test_a_consumer_queueing_once_per_transaction_queues_once_for_several_kinds():
    class Recorder:
        module_path = "tests.records.recorder"

        def __init__(self) -> None:
            self.calls: list[tuple[int, ...]] = []

        def enqueue(self, *args: int) -> None:
            self.calls.append(args)

    task = Recorder()

    def consumer(sender, *, kind, municipality_id, **kwargs):
        enqueue_once_on_commit(task, municipality_id)

    records.changed.connect(consumer, dispatch_uid="tests.records.consumer")
    try:
        with transaction.atomic():
            records.announce("tests.a", 1)
            records.announce("tests.b", 1)
        assert task.calls == [(1,)]
    finally:
        records.changed.disconnect(dispatch_uid="tests.records.consumer")


def test_saved_or_deleted_records_are_announced(town_a, heard):
    with scope(municipality=town_a):
        procedure = factories.make_procedure(town_a, slug="inu")
        assert ("applications.procedure", town_a.pk) in heard
        heard.clear()
        procedure.title = "犬の登録（変更）"
        procedure.save()
        assert heard == [("applications.procedure", town_a.pk)]
        notice = factories.make_notice(town_a)
        heard.clear()
        notice.delete()
    assert heard == [("notices.notice", town_a.pk)]


def test_the_apps_offer_their_records(town_a):
    kinds = {source.kind for source in records.row_sources()}
    assert {"reservations.facility", "reservations.session"} <= kinds
    assert [s.kind for s in records.row_sources("events")] == ["reservations.session"]
    assert {s.kind for s in records.document_sources()} == {"applications.procedure", "reservations.guide",
                                                            "notices.notice", "meetings.minutes", "website.page",
                                                            "voice.opinion_faq"}
    assert [s.kind for s in records.point_sources("disasters")] == ["opendata.point"]
    with scope(municipality=town_a):
        factories.make_procedure(town_a, slug="inu", title="犬の登録")
        found = records.find_document("applications.procedure", "inu")
        assert found is not None and found.title == "犬の登録" and found.url.endswith("/procedures/inu/")
        assert records.find_document("applications.procedure", "neko") is None
        assert records.find_document("notices.notice", "not-a-uuid") is None
        assert records.rows("tests.nothing", town_a) == []


def test_a_kind_cannot_be_offered_twice():
    source = records.RowSource("tests.twice", lambda town: [], datasets=("events",))
    records.register_rows(source)
    try:
        records.register_rows(source)  # the same source again (a module imported twice) is fine
        with pytest.raises(ValueError):
            records.register_rows(records.RowSource("tests.twice", lambda town: [], datasets=("events",)))
    finally:
        records._rows.pop("tests.twice")


def test_points_of_a_topic_merge_newest_first():
    now = timezone.now()

    def point(key, minutes):
        return records.MapPoint(key=key, title=key, layer="l", latitude=Decimal(36), longitude=Decimal(138),
                                observed_at=now - timedelta(minutes=minutes), url=f"/{key}/")

    records.register_points(records.PointSource("tests.one", "tests", lambda n: [point("a", 1), point("c", 30)][:n]))
    records.register_points(records.PointSource("tests.two", "tests", lambda n: [point("b", 10)][:n],
                                                map_url=lambda: "/map/"))
    try:
        assert [p.key for p in records.points("tests", 2)] == ["a", "b"]
        assert records.map_url("tests") == "/map/" and records.map_url("nothing") == ""
    finally:
        records._points.pop("tests.one")
        records._points.pop("tests.two")

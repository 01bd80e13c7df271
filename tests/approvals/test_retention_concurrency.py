"""On PostgreSQL, at the same moment: 20 letters received get 20 different 収受番号 with no gap (and the first ones
open the 簿冊 together), and two heads disposing of the same volume dispose of it once."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.db import connection
from django_scopes import scope

from tests import factories
from tests.approvals.filing_support import make_class
from tests.support.race import race
from yakuba.approvals.models import DocumentKind, Incoming, Volume, VolumeDecision
from yakuba.approvals.services import incoming, retention
from yakuba.approvals.services.filing import file_record
from yakuba.kernel.accounts.models import Role

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (YAKUBA_TEST_DATABASE_URL)")


def test_concurrent_arrivals_get_distinct_gapless_numbers_in_one_volume(town_a, staff_a):
    document_class = make_class(town_a)
    arrival = incoming.Arrival(title="要望書", sender="区長会", received_on=date(2026, 6, 1),
                               department=staff_a.department, document_class=document_class, text="本文")
    outcomes = race(town_a, [lambda: incoming.receive(town_a, arrival, actor=None)] * 20)
    assert outcomes == Counter({"ok": 20})
    with scope(municipality=town_a):
        numbers = sorted(int(n.removeprefix("R8収受第").removesuffix("号"))
                         for n in Incoming.objects.values_list("record__number", flat=True))
        assert numbers == list(range(1, 21))
        assert Volume.objects.count() == 1


def test_two_heads_disposing_of_one_volume_dispose_once(town_a):
    heads = [factories.make_staff(town_a, department="総務課", role=Role.APPROVER) for _ in range(2)]
    document_class = make_class(town_a, "A", retention=1)
    with scope(municipality=town_a):
        volume = file_record(kind=DocumentKind.DECIDED_PAPER, title="古い文書", number="下総第1号",
                             department=heads[0].department, document_class=document_class,
                             dated=date(2020, 6, 1), actor=None, text="本文").volume
    outcomes = race(town_a, [lambda head=head: retention.dispose(head, volume) for head in heads])
    assert outcomes == Counter({"ok": 1, "Refused": 1})
    with scope(municipality=town_a):
        assert VolumeDecision.objects.count() == 1

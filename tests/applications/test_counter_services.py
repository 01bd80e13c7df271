"""書かない窓口's verbs with the real database: the 本人確認 record, filing only after it, the visit's fees."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests import factories
from yakuba.applications import services
from yakuba.applications.models import CounterVisit, IdentityDocument, Submission
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused

pytestmark = pytest.mark.django_db

ANSWERS = {"applicant_name": {"family": "山田", "given": "花子"}, "address": "群馬県甘楽郡下仁田町大字下仁田1",
           "dog_name": "ポチ", "breed": "shiba"}


@pytest.fixture
def visit(town_a, staff_a, resident_a):
    procedure = factories.make_procedure(town_a, slug="dog", fee_schedule={"yen": 3000})
    with scope(municipality=town_a):
        visit = services.start_visit(resident_a, [procedure], staff=staff_a)
        for page in (0, 1):
            services.save_visit_page(visit, page, ANSWERS)
    return visit


def test_filing_is_refused_until_the_identity_check_is_recorded(town_a, staff_a, visit):
    with scope(municipality=town_a):
        with pytest.raises(services.IdentityNotChecked) as raised:
            services.file_visit(visit, staff=staff_a)
        assert "本人確認がまだです" in raised.value.message
        assert not Submission.objects.exists()
        assert CounterVisit.objects.get(pk=visit.pk).finished_at is None

        services.record_identity_check(visit, IdentityDocument.PASSPORT, staff=staff_a)
        filed = services.file_visit(visit, staff=staff_a)
        assert len(filed) == 1
        entry = AuditEntry.objects.get(action="applications.counter.visit_filed")
        assert entry.data["identity_document"] == "passport"


def test_the_identity_check_is_recorded_with_its_audit(town_a, staff_a, visit):
    with scope(municipality=town_a):
        services.record_identity_check(visit, IdentityDocument.MYNUMBER_CARD, "ignored for this kind",
                                       staff=staff_a)
        current = CounterVisit.objects.get(pk=visit.pk)
        entry = AuditEntry.objects.get(action="applications.counter.identity_checked")
    assert current.identity_document == "mynumber_card"
    assert current.identity_note == ""  # words are kept only where the kind needs them
    assert current.identity_checked_by == staff_a and current.identity_checked_at is not None
    assert current.identity_label == "マイナンバーカード"
    assert entry.actor == staff_a.user and entry.object_id == str(visit.pk)
    assert entry.data == {"document": "mynumber_card"}


@pytest.mark.parametrize(("document", "note", "message"), [
    ("", "", "確認した本人確認書類を選んでください。"),
    ("student_card", "", "確認した本人確認書類を選んでください。"),
    ("other", "  ", "「その他」の場合は、確認した書類の名前を入力してください。"),
    ("insurance_plus", "", "健康保険証と一緒に確認した書類"),
    ("other", "あ" * 101, "100文字以内"),
])
def test_an_incomplete_identity_check_is_refused(town_a, staff_a, visit, document, note, message):
    with scope(municipality=town_a):
        with pytest.raises(Refused) as raised:
            services.record_identity_check(visit, document, note, staff=staff_a)
        assert message in raised.value.message
        assert CounterVisit.objects.get(pk=visit.pk).identity_document == ""
        assert not AuditEntry.objects.filter(action="applications.counter.identity_checked").exists()


def test_a_filed_visits_identity_check_cannot_be_changed(town_a, staff_a, visit):
    with scope(municipality=town_a):
        services.record_identity_check(visit, IdentityDocument.OTHER, "社員証", staff=staff_a)
        services.file_visit(visit, staff=staff_a)
        with pytest.raises(Refused):
            services.record_identity_check(visit, IdentityDocument.PASSPORT, staff=staff_a)
        current = CounterVisit.objects.get(pk=visit.pk)
    assert current.identity_label == "その他（社員証）"


def test_the_visits_fees_add_up(town_a, staff_a, resident_a, visit):
    with scope(municipality=town_a):
        items, total = services.visit_fees(services.visit_review(visit))
    assert [item.yen for item in items] == [3000]
    assert (total.yen, total.unknown, total.free) == (3000, False, False)


def test_the_counter_kpi_counts_visits_checked_by_my_number_card(town_a, staff_a, resident_a, visit):
    from datetime import timedelta

    from django.utils import timezone

    from yakuba.kernel import metrics

    today = timezone.localdate()
    start, end = today.replace(day=1), today + timedelta(days=1)
    kpi = metrics.get("applications.counter_mynumber_card")
    with scope(municipality=town_a):
        assert kpi.value(start, end) is None  # nothing filed yet
        services.record_identity_check(visit, IdentityDocument.MYNUMBER_CARD, staff=staff_a)
        services.file_visit(visit, staff=staff_a)
        second = services.start_visit(resident_a, services.visit_procedures(visit), staff=staff_a)
        for page in (0, 1):
            services.save_visit_page(second, page, ANSWERS)
        services.record_identity_check(second, IdentityDocument.DRIVING_LICENCE, staff=staff_a)
        services.file_visit(second, staff=staff_a)
        assert kpi.value(start, end) == 50

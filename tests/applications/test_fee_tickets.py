"""粗大ごみ paid online after applying (fakepay): once paid, the submission gets its 処理券番号, one per item, gapless,
given once however often the payment's change is delivered; a postal request is still paid online."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.payments.conftest import fakepay, pay_on_fakepay, use_fakepay  # noqa: F401 - fakepay is a fixture
from yakuba.applications import payments as application_payments
from yakuba.applications import services as applications
from yakuba.applications.models import Ticket
from yakuba.kernel import payments as kernel_payments
from yakuba.kernel.audit.models import AuditEntry
from yakuba.payments import services
from yakuba.payments.models import Payment, Status

pytestmark = pytest.mark.django_db

FORM = {"pages": [{"title": "出す品目", "fields": [
    {"name": "items", "type": "group", "label": "品目", "min_items": 1, "max_items": 10, "fields": [
        {"name": "item", "type": "choice", "label": "品目",
         "options": [["bicycle", "自転車"], ["futon", "布団"], ["chest", "タンス（大）"]]},
        {"name": "quantity", "type": "number", "label": "数量", "min": 1, "max": 10}]}]}]}
SCHEDULE = {"group": "items", "choice": "item", "per": "quantity", "yen": {"bicycle": 500, "futon": 300, "chest": 1000},
            "online": True, "tickets": True, "revenue": "13-02-03"}


@pytest.fixture
def gomi(town_a, fakepay):  # noqa: F811 - the fixture imported above
    use_fakepay(town_a, fakepay)
    return factories.make_procedure(town_a, slug="sodai-gomi", title="粗大ごみ収集申込", department="総務課",
                                    definition=FORM, fee_schedule=SCHEDULE)


def _apply(procedure, resident, items):
    with scope(municipality=procedure.municipality):
        draft = applications.start_draft(procedure, resident)
        applications.save_page(draft, 0, {"items": items})
        return applications.submit(draft, actor=resident.user)


def _pay(submission, resident, django_capture_on_commit_callbacks):
    town = submission.municipality
    with scope(municipality=town):
        payment = Payment.objects.get(payable_kind="applications.submission", payable_key=str(submission.pk))
        started = services.start(payment, resident=resident)
    pay_on_fakepay(started.next_url)
    with scope(municipality=town), django_capture_on_commit_callbacks(execute=True):
        assert services.refresh(started).status == Status.SUCCESS
    return payment


def _numbers(submission):
    with scope(municipality=submission.municipality):
        return list(Ticket.objects.filter(submission=submission).order_by("position").values_list("number", flat=True))


def test_sodai_gomi_paid_online_gets_one_ticket_number_per_item(town_a, resident_a, gomi, staff_a,
                                                              django_capture_on_commit_callbacks):
    submission = _apply(gomi, resident_a, [{"item": "bicycle", "quantity": "2"}, {"item": "futon", "quantity": "1"}])
    with scope(municipality=town_a):
        payment = Payment.objects.get(payable_kind="applications.submission", payable_key=str(submission.pk))
        assert (payment.amount, payment.expires_at, payment.revenue_code) == (1300, None, "13-02-03")  # 衛生手数料
        assert payment.lines == [["自転車 ×2", 1000], ["布団 ×1", 300]]  # the 領収書's 内訳
    assert _numbers(submission) == []  # nothing before paying
    _pay(submission, resident_a, django_capture_on_commit_callbacks)
    year = timezone.localdate().year
    assert _numbers(submission) == [f"{year}-000001", f"{year}-000002", f"{year}-000003"]
    with scope(municipality=town_a):  # each number says which item of which price it goes on
        assert list(Ticket.objects.filter(submission=submission).order_by("position").values_list(
            "item", "yen")) == [("自転車", 500), ("自転車", 500), ("布団", 300)]

    client = Client()
    client.force_login(resident_a.user)
    page = client.get(town_a.path_prefix + reverse("applications:status", args=[submission.public_id]))
    assert "処理券番号" in page.content.decode() and f"{year}-000003</strong> （布団・300円）" in page.content.decode()
    staff = factories.staff_client(staff_a)
    detail = staff.get(town_a.path_prefix + reverse("staff:applications-detail", args=[submission.pk]))
    assert f"{year}-000001" in detail.content.decode() and "1,300円" in detail.content.decode()
    with scope(municipality=town_a):
        assert AuditEntry.objects.filter(action="applications.submission.tickets_issued",
                                         object_id=str(submission.pk)).count() == 1


def test_a_payment_change_delivered_twice_gives_the_numbers_once_and_the_series_stays_gapless(
        town_a, resident_a, gomi, django_capture_on_commit_callbacks):
    first = _apply(gomi, resident_a, [{"item": "chest", "quantity": "1"}])
    payment = _pay(first, resident_a, django_capture_on_commit_callbacks)
    for status in (kernel_payments.SUCCESS, kernel_payments.SUCCESS, kernel_payments.FAILED):
        kernel_payments.payment_changed.send(
            sender="applications.submission", kind="applications.submission", key=str(first.pk),
            municipality_id=town_a.pk, status=status, amount=1000, refunded_amount=0, payment_id=payment.pk)
    year = timezone.localdate().year
    assert _numbers(first) == [f"{year}-000001"]
    other = factories.make_resident(town_a)
    second = _apply(gomi, other, [{"item": "futon", "quantity": "2"}])
    with scope(municipality=town_a):
        assert applications.issue_tickets(second) == []  # not paid yet: no number stands for it
    _pay(second, other, django_capture_on_commit_callbacks)
    assert _numbers(second) == [f"{year}-000002", f"{year}-000003"]
    with scope(municipality=town_a):
        assert [t.number for t in applications.issue_tickets(second)] == _numbers(second)


def test_an_unpaid_or_failed_payment_gives_no_numbers(town_a, resident_a, gomi):
    submission = _apply(gomi, resident_a, [{"item": "bicycle", "quantity": "1"}])
    application_payments.on_payment_changed("applications.submission", kind="applications.submission",
                                            key=str(submission.pk), status=kernel_payments.FAILED)
    application_payments.on_payment_changed("reservations.reservation", kind="reservations.reservation",
                                            key=str(submission.pk), status=kernel_payments.SUCCESS)
    assert _numbers(submission) == []


def test_a_fee_payable_online_without_tickets_is_asked_for_and_gives_no_numbers(
        town_a, resident_a, fakepay, django_capture_on_commit_callbacks):  # noqa: F811
    use_fakepay(town_a, fakepay)
    procedure = factories.make_procedure(town_a, slug="kyoka", department="総務課", definition=FORM,
                                         fee_schedule={**SCHEDULE, "tickets": False})
    submission = _apply(procedure, resident_a, [{"item": "bicycle", "quantity": "1"}])
    _pay(submission, resident_a, django_capture_on_commit_callbacks)
    assert _numbers(submission) == []


def test_a_fee_not_payable_online_asks_for_no_payment(town_a, resident_a, fakepay):  # noqa: F811
    use_fakepay(town_a, fakepay)
    procedure = factories.make_procedure(town_a, slug="madoguchi", department="総務課", definition=FORM,
                                         fee_schedule={key: value for key, value in SCHEDULE.items()
                                                       if key not in ("online", "tickets")})
    submission = _apply(procedure, resident_a, [{"item": "bicycle", "quantity": "1"}])
    with scope(municipality=town_a):
        assert not Payment.objects.filter(payable_key=str(submission.pk)).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_payment_changes_delivered_at_once_give_the_numbers_once(town_a, fakepay):  # noqa: F811
    from django.db import connection

    from tests.support.race import race

    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (YAKUBA_TEST_DATABASE_URL)")
    use_fakepay(town_a, fakepay)
    procedure = factories.make_procedure(town_a, slug="sodai-gomi", department="総務課", definition=FORM,
                                         fee_schedule=SCHEDULE)
    resident = factories.make_resident(town_a)
    submission = _apply(procedure, resident, [{"item": "bicycle", "quantity": "3"}])
    # Paid with the receiver off, so that the deliveries below are the only ones, all at the same moment.
    kernel_payments.payment_changed.disconnect(dispatch_uid="applications.payment_changed")
    try:
        with scope(municipality=town_a):
            payment = Payment.objects.get(payable_kind="applications.submission", payable_key=str(submission.pk))
            started = services.start(payment, resident=resident)
        pay_on_fakepay(started.next_url)
        with scope(municipality=town_a):
            assert services.refresh(started).status == Status.SUCCESS
    finally:
        kernel_payments.payment_changed.connect(application_payments.on_payment_changed,
                                                dispatch_uid="applications.payment_changed")
    deliver = lambda: application_payments.on_payment_changed(  # noqa: E731
        "applications.submission", kind="applications.submission", key=str(submission.pk),
        status=kernel_payments.SUCCESS)
    assert race(town_a, [deliver] * 6) == {"ok": 6}
    year = timezone.localdate().year
    assert _numbers(submission) == [f"{year}-000001", f"{year}-000002", f"{year}-000003"]
    with scope(municipality=town_a):  # each number says which item of which price it goes on
        assert list(Ticket.objects.filter(submission=submission).order_by("position").values_list(
            "item", "yen")) == [("自転車", 500)] * 3

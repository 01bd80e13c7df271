"""Paying a room booking's fee through fakepay (a separate process): start, pay, the outcome read server-side, refunds,
expiry, counter payments, webhooks, and every bad input the issue lists."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
import requests
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from tests.factories import make_resident, make_room, make_staff
from tests.payments.conftest import ACCOUNTS, book, pay_on_fakepay, payment_of, use_fakepay
from yakuba.kernel import payments as kernel
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.refusal import Refused
from yakuba.payments import fakepay, services
from yakuba.payments.models import Payment, Refund, RefundStatus, Status, WebhookEvent
from yakuba.reservations.models import Reservation
from yakuba.reservations.models import Status as ReservationStatus

pytestmark = pytest.mark.django_db


def _in(town):
    return scope(municipality=town)


def _started(reservation):
    payment = payment_of(reservation)
    with _in(reservation.municipality):
        return services.start(payment, resident=reservation.resident)


def _refreshed(payment):
    with _in(payment.municipality):
        return services.refresh(Payment.objects.get(pk=payment.pk))


def test_a_booking_with_a_fee_asks_for_it_and_is_paid_through_the_provider(fee_room, payer):
    reservation = book(fee_room, payer)
    assert reservation.fee == 1200
    payment = payment_of(reservation)
    assert (payment.status, payment.amount, payment.revenue_code) == (Status.CREATED, 1200, "13-01-05")
    assert payment.expires_at is not None
    started = _started(reservation)
    assert started.status == Status.STARTED and started.next_url.startswith("http://127.0.0.1")
    assert pay_on_fakepay(started.next_url).status_code == 303
    paid = _refreshed(started)
    assert (paid.status, paid.method, paid.receipt_number) == (Status.SUCCESS, "card", 1)
    assert paid.fee == 1200 * 324 // 10000  # the provider's fee, for reconciliation
    with _in(fee_room.municipality):
        summary = kernel.summary(fee_room.municipality, "reservations.reservation", str(reservation.pk))
    assert summary.paid and summary.receipt_url and not summary.pay_url


def test_a_declined_card_leaves_the_payment_open_for_another_try(fee_room, payer):
    started = _started(book(fee_room, payer))
    declined = pay_on_fakepay(started.next_url, card=fakepay.FAILING_CARD)
    assert declined.status_code == 402 and "ご利用になれません" in declined.text
    assert _refreshed(started).status == Status.STARTED
    assert pay_on_fakepay(started.next_url, method="paypay").status_code == 303
    assert _refreshed(started).status == Status.SUCCESS


def test_konbini_is_submitted_until_paid_at_the_shop(fee_room, payer):
    started = _started(book(fee_room, payer))
    assert pay_on_fakepay(started.next_url, method="konbini").status_code == 200
    assert _refreshed(started).status == Status.SUBMITTED
    requests.post(started.next_url, data={"method": "konbini-paid"}, allow_redirects=False, timeout=5)
    paid = _refreshed(started)
    assert (paid.status, paid.method, paid.fee) == (Status.SUCCESS, "konbini", fakepay.KONBINI_FEE)


def test_a_double_click_or_second_tab_resumes_the_same_provider_payment(fee_room, payer):
    reservation = book(fee_room, payer)
    first, second = _started(reservation), _started(reservation)
    assert first.provider_id == second.provider_id and first.next_url == second.next_url
    with _in(fee_room.municipality):
        assert Payment.objects.filter(payable_key=str(reservation.pk)).count() == 1


def test_the_database_keeps_one_success_and_one_open_payment_per_item(paying_town):
    def make(status):
        return Payment.objects.create(municipality=paying_town, payable_kind="reservations.reservation",
                                      payable_key="7", amount=100, description="x", revenue_code="1",
                                      return_path="/", status=status)

    with _in(paying_town):
        make(Status.SUCCESS)
        with pytest.raises(IntegrityError), transaction.atomic():
            make(Status.SUCCESS)
        make(Status.STARTED)
        with pytest.raises(IntegrityError), transaction.atomic():
            make(Status.CREATED)
        with pytest.raises(IntegrityError), transaction.atomic():
            make(Status.EXPIRED).__class__.objects.create(
                municipality=paying_town, payable_kind="k", payable_key="1", amount=0, description="x",
                revenue_code="1", return_path="/")


@pytest.mark.parametrize("amount", [0, -100])
def test_an_amount_of_zero_or_less_is_refused(paying_town, amount):
    due = kernel.Due(paying_town, "reservations.reservation", "1", amount=amount, description="x", reference="r",
                     return_path="/")
    with _in(paying_town), pytest.raises(Refused, match="1円以上"):
        kernel.request_payment(due)


def test_a_forged_return_changes_nothing(fee_room, payer, client):
    reservation = book(fee_room, payer)
    started = _started(reservation)
    client.force_login(payer.user)
    # The resident comes back without paying (or with a made-up ?status=success): the provider says it is not paid.
    url = reverse("payments:return", args=[started.public_id]) + "?status=success&paid=1"
    response = client.get(f"/t/{fee_room.municipality.short_code}{url}")
    assert response.status_code == 302
    assert _refreshed(started).status == Status.STARTED


def test_another_residents_payment_is_not_found(fee_room, payer, client):
    started = _started(book(fee_room, payer))
    client.force_login(make_resident(fee_room.municipality).user)
    for name in ("payments:pay", "payments:return", "payments:receipt"):
        url = reverse(name, args=[started.public_id])
        assert client.get(f"/t/{fee_room.municipality.short_code}{url}").status_code == 404


def test_the_resident_pays_and_gets_the_receipt_pdf(fee_room, payer, client):
    reservation = book(fee_room, payer)
    client.force_login(payer.user)
    prefix = f"/t/{fee_room.municipality.short_code}"
    detail = client.get(f"{prefix}/my/reservations/{reservation.public_id}/")
    assert "お支払いへ進む" in detail.content.decode()
    payment = payment_of(reservation)
    page = client.get(f"{prefix}/payments/{payment.public_id}/pay/")
    assert page.status_code == 200 and 'name="_once"' in page.content.decode()
    response = client.post(f"{prefix}/payments/{payment.public_id}/pay/", {"_once": "t" * 32})
    assert response.status_code == 302 and response["Location"].startswith("http://127.0.0.1")
    pay_on_fakepay(response["Location"])
    back = client.get(f"{prefix}/payments/{payment.public_id}/return/", follow=True)
    assert "お支払いが完了しました" in back.content.decode()
    receipt = client.get(f"{prefix}/payments/{payment.public_id}/receipt.pdf")
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")


def test_paying_after_expiry_is_refused_and_the_booking_is_released(fee_room, payer,
                                                                       django_capture_on_commit_callbacks):
    reservation = book(fee_room, payer)
    started = _started(reservation)
    later = timezone.now() + timedelta(minutes=91)
    with _in(fee_room.municipality), django_capture_on_commit_callbacks(execute=True):
        Payment.objects.filter(pk=started.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        expired = services.expire(Payment.objects.get(pk=started.pk), now=later)
    assert expired.status == Status.EXPIRED
    with _in(fee_room.municipality):
        assert Reservation.objects.get(pk=reservation.pk).status == ReservationStatus.CANCELLED
        with pytest.raises(Refused):
            services.start(expired)
    # The provider's page no longer takes the money either.
    assert pay_on_fakepay(started.next_url).status_code == 409
    assert _refreshed(expired).status == Status.EXPIRED


def test_a_payment_made_just_before_expiry_is_kept(fee_room, payer):
    reservation = book(fee_room, payer)
    started = _started(reservation)
    pay_on_fakepay(started.next_url)
    with _in(fee_room.municipality):
        Payment.objects.filter(pk=started.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        kept = services.expire(Payment.objects.get(pk=started.pk))
        assert kept.status == Status.SUCCESS
        assert Reservation.objects.get(pk=reservation.pk).is_active


def test_the_provider_down_is_told_and_nothing_is_lost(fee_room, payer):
    reservation = book(fee_room, payer)
    use_fakepay(fee_room.municipality, "http://127.0.0.1:9")  # nothing listens there
    payment = payment_of(reservation)
    with _in(fee_room.municipality), pytest.raises(Refused, match="つながりません") as refusal:
        services.start(payment)
    assert "二重に請求" in refusal.value.message
    with _in(fee_room.municipality):
        assert Payment.objects.get(pk=payment.pk).status == Status.CREATED
        assert Reservation.objects.get(pk=reservation.pk).is_active


def test_cancelling_a_paid_booking_refunds_it(fee_room, payer):
    from yakuba.reservations import services as reservations

    reservation = book(fee_room, payer)
    started = _started(reservation)
    pay_on_fakepay(started.next_url)
    _refreshed(started)
    with _in(fee_room.municipality):
        reservations.cancel(Reservation.objects.get(pk=reservation.pk), resident=payer)
        payment = Payment.objects.get(pk=started.pk)
        assert payment.refunded_amount == 1200 and payment.refund_amount_available == 0
        assert Refund.objects.get(payment=payment).status == RefundStatus.SUCCESS
    remote = requests.get(f"{payment.next_url.split('/pay/')[0]}/v1/payments/{payment.provider_id}",
                          headers={"Authorization": "Bearer sk_test_town_a"}, timeout=5).json()
    assert remote["refunded_amount"] == 1200


def test_cancelling_an_unpaid_booking_cancels_its_payment(fee_room, payer):
    from yakuba.reservations import services as reservations

    reservation = book(fee_room, payer)
    started = _started(reservation)
    with _in(fee_room.municipality):
        reservations.cancel(Reservation.objects.get(pk=reservation.pk), resident=payer)
        assert Payment.objects.get(pk=started.pk).status == Status.CANCELLED
    assert "終わっています" in pay_on_fakepay(started.next_url).text


def _paid(fee_room, payer):
    started = _started(book(fee_room, payer))
    pay_on_fakepay(started.next_url)
    return _refreshed(started)


def test_refunds_never_exceed_what_remains(fee_room, payer):
    payment = _paid(fee_room, payer)
    clerk = make_staff(fee_room.municipality)
    with _in(fee_room.municipality):
        services.request_refund(payment, 500, reason="一部取消し", staff=clerk)
        with pytest.raises(Refused, match="700円まで"):
            services.request_refund(payment, 701, reason="多すぎる", staff=clerk)
        with pytest.raises(Refused):
            services.request_refund(payment, 0, reason="ゼロ", staff=clerk)
        with pytest.raises(Refused):
            services.request_refund(payment, 100, reason=" ", staff=clerk)
        services.request_refund(payment, 700, reason="残り", staff=clerk)
        assert Payment.objects.get(pk=payment.pk).refunded_amount == 1200
        # The database refuses what a service might miss.
        with pytest.raises(IntegrityError), transaction.atomic():
            Payment.objects.filter(pk=payment.pk).update(refunded_amount=1201)


def test_a_large_refund_waits_for_a_shocho(fee_room, payer):
    use_fakepay(fee_room.municipality, fee_room.municipality.settings["payments"]["api_base"], approval_above=1000)
    payment = _paid(fee_room, payer)
    clerk = make_staff(fee_room.municipality)
    chief = make_staff(fee_room.municipality, role=Role.APPROVER)
    with _in(fee_room.municipality):
        refund = services.request_refund(payment, 1200, reason="中止", staff=clerk)
        assert refund.status == RefundStatus.AWAITING
        assert Payment.objects.get(pk=payment.pk).refund_amount_available == 0  # held for the approval
        with pytest.raises(Refused, match="所属長"):
            services.approve_refund(clerk, refund)
        done = services.approve_refund(chief, refund)
        assert done.status == RefundStatus.SUCCESS and done.approved_by == chief
        assert Payment.objects.get(pk=payment.pk).refunded_amount == 1200


def _event(payment_id: str, event_id: str = "evt_1") -> bytes:
    return json.dumps({"id": event_id, "type": "payment.success", "payment_id": payment_id,
                       "created": int(time.time())}).encode()


def _post_webhook(client, town, body: bytes, signature: str | None):
    headers = {"HTTP_FAKEPAY_SIGNATURE": signature} if signature is not None else {}
    return client.post(f"/t/{town.short_code}/payments/webhooks/fake/", body, content_type="application/json",
                       **headers)


def test_webhooks_are_verified_and_a_replay_changes_nothing(fee_room, payer, client):
    town = fee_room.municipality
    started = _started(book(fee_room, payer))
    pay_on_fakepay(started.next_url)
    body = _event(started.provider_id)
    assert _post_webhook(client, town, body, None).status_code == 400  # unsigned
    assert _post_webhook(client, town, body, fakepay.sign("whsec_wrong", body, int(time.time()))).status_code == 400
    stale = fakepay.sign(ACCOUNTS["sk_test_town_a"], body, int(time.time()) - 3600)
    assert _post_webhook(client, town, body, stale).status_code == 400
    good = fakepay.sign(ACCOUNTS["sk_test_town_a"], body, int(time.time()))
    first = _post_webhook(client, town, body, good)
    assert (first.status_code, first.content) == (200, b"accepted")
    with _in(town):
        assert Payment.objects.get(pk=started.pk).status == Status.SUCCESS
    replay = _post_webhook(client, town, body, good)
    assert (replay.status_code, replay.content) == (200, b"replayed")
    with _in(town):
        assert WebhookEvent.objects.filter(event_id="evt_1").count() == 1


def test_a_signed_webhook_cannot_make_an_unpaid_payment_paid(fee_room, payer, client):
    town = fee_room.municipality
    started = _started(book(fee_room, payer))
    body = _event(started.provider_id, "evt_lie")
    good = fakepay.sign(ACCOUNTS["sk_test_town_a"], body, int(time.time()))
    assert _post_webhook(client, town, body, good).status_code == 200
    with _in(town):
        assert Payment.objects.get(pk=started.pk).status == Status.STARTED  # the provider is asked, not believed


def test_a_clerk_takes_a_payment_at_the_counter_once(fee_room, payer):
    reservation = book(fee_room, payer)
    clerk = make_staff(fee_room.municipality)
    payment = payment_of(reservation)
    with _in(fee_room.municipality):
        with pytest.raises(Refused, match="少なく"):
            services.take_at_counter(clerk, payment, method="cash", received=1000)
        paid = services.take_at_counter(clerk, payment, method="cash", received=2000)
        assert (paid.status, paid.provider, paid.taken_by) == (Status.SUCCESS, "counter", clerk)
        with pytest.raises(Refused):
            services.take_at_counter(clerk, Payment.objects.get(pk=payment.pk), method="cash")


def test_a_payment_started_online_then_paid_cannot_be_taken_at_the_counter(fee_room, payer):
    started = _started(book(fee_room, payer))
    pay_on_fakepay(started.next_url)
    clerk = make_staff(fee_room.municipality)
    with _in(fee_room.municipality), pytest.raises(Refused, match="オンラインで"):
        services.take_at_counter(clerk, started, method="cash")
    with _in(fee_room.municipality):
        assert Payment.objects.get(pk=started.pk).status == Status.SUCCESS


@pytest.fixture
def fresh_fakepay(fee_room):
    """A provider of this test alone: its settlement report holds only this test's payments."""
    from tests.payments.conftest import start_fakepay

    process, url = start_fakepay(ACCOUNTS)
    use_fakepay(fee_room.municipality, url)
    yield url
    process.terminate()
    process.wait(timeout=10)


def test_the_daily_report_reconciles_with_the_settlement_report(fee_room, payer, fresh_fakepay):
    from yakuba.payments import reports

    paid = _paid(fee_room, payer)
    other = _paid(fee_room, make_resident(fee_room.municipality))
    clerk = make_staff(fee_room.municipality)
    counter = payment_of(book(fee_room, payer, days=12))
    with _in(fee_room.municipality):
        services.request_refund(other, 200, reason="一部", staff=clerk)
        services.take_at_counter(clerk, counter, method="cash")
        lines = reports.our_lines(fee_room.municipality, timezone.localdate())
        rows = reports.revenue_rows(lines)
        theirs = services.client_for(services.config.of(fee_room.municipality)).settlement(timezone.localdate())
    assert [(r.code, r.count, r.received, r.cash, r.refunded) for r in rows] == [("13-01-05", 3, 3600, 1200, 200)]
    result = reports.reconcile(lines, theirs)
    assert (result.matched, result.unmatched) == (3, 0)  # two payments and a refund; the cash is not the provider's
    assert result.fees == 2 * (1200 * 324 // 10000)
    assert {d.reason for d in result.differences} == {"fee"}
    assert paid.provider_id in {d.provider_id for d in result.differences}


def test_the_reconciliation_lists_what_does_not_match_with_its_reason():
    from yakuba.payments import reports
    from yakuba.payments.providers import SettlementLine

    ours = [reports.Line("payment", "p1", "", "R1", "1", "card", 100, False),
            reports.Line("payment", "p2", "", "R2", "1", "card", 200, False)]
    theirs = [SettlementLine("payment", "p1", "", "R1", "card", 100, 3),
              SettlementLine("payment", "p3", "", "R3", "card", 300, 9),
              SettlementLine("payment", "p4", "", "R4", "card", 400, 9),
              SettlementLine("refund", "p1", "r9", "R1", "card", -50, 0)]
    result = reports.reconcile(ours, theirs, elsewhere={"p3"})
    reasons = sorted((d.reason, d.provider_id) for d in result.differences)
    assert reasons == [("fee", "p1"), ("refund", "p1"), ("timing", "p2"), ("timing", "p3"), ("unknown", "p4")]
    assert (result.matched, result.unmatched) == (1, 4)


def test_each_town_reads_only_its_own_payments(fee_room, payer, town_b, fakepay):
    use_fakepay(town_b, fakepay, key="sk_test_town_b")
    room_b = make_room(town_b, fee_per_hour=100)
    book(room_b, make_resident(town_b))
    book(fee_room, payer)
    with _in(town_b):
        assert Payment.objects.count() == 1
    with _in(fee_room.municipality):
        assert Payment.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_tabs_at_once_make_one_provider_payment(fee_room, payer):
    from django.db import connection

    from tests.support.race import race

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    reservation = book(fee_room, payer)
    payment = payment_of(reservation)
    outcomes = race(fee_room.municipality, [lambda: services.start(payment) for _ in range(8)])
    assert outcomes == {"ok": 8}
    with _in(fee_room.municipality):
        started = Payment.objects.get(pk=payment.pk)
    pay_on_fakepay(started.next_url)
    results = race(fee_room.municipality, [lambda: services.refresh(started) for _ in range(8)])
    assert results == {"ok": 8}
    with _in(fee_room.municipality):
        assert Payment.objects.filter(payable_key=str(reservation.pk), status=Status.SUCCESS).count() == 1
        assert Payment.objects.get(pk=payment.pk).receipt_number == 1

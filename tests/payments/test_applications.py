"""手数料 of applications through payments: a postal request paid online after submitting, and one counter payment
for a 書かない窓口 visit's procedures."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests import factories
from tests.payments.conftest import pay_on_fakepay
from yakuba.applications import fees
from yakuba.applications import payments as application_payments
from yakuba.kernel.refusal import Refused
from yakuba.payments import services
from yakuba.payments.models import Payment, Status

pytestmark = pytest.mark.django_db

POSTAL = {"yen": 300, "per": "count", "postage": 110}


def test_postage_is_added_once_and_checked():
    assert fees.amount(POSTAL, {"count": 2}) == 710
    fees.check_schedule(POSTAL)
    with pytest.raises(fees.ScheduleError):
        fees.check_schedule({"yen": 300, "postage": -1})


def _postal_procedure(town):
    form = {"pages": [{"title": "請求", "fields": [
        {"name": "count", "type": "number", "label": "通数", "required": True}]}]}
    return factories.make_procedure(town, slug="juminhyo-yuso", title="住民票の写しの郵送請求", definition=form,
                                    fee_schedule=POSTAL)


def test_a_postal_request_is_paid_online_after_submitting(paying_town, payer):
    from yakuba.applications import services as applications

    procedure = _postal_procedure(paying_town)
    with scope(municipality=paying_town):
        draft = applications.start_draft(procedure, payer)
        applications.save_page(draft, 0, {"count": "1"})
        submission = applications.submit(draft, actor=payer.user)
        payment = Payment.objects.get(payable_kind="applications.submission", payable_key=str(submission.pk))
        assert (payment.amount, payment.expires_at, payment.lines) == (410, None, [["手数料", 300], ["郵送料", 110]])
        started = services.start(payment, resident=payer)
    pay_on_fakepay(started.next_url)
    with scope(municipality=paying_town):
        assert services.refresh(started).status == Status.SUCCESS
        assert application_payments.submission_summary(submission).receipt_url


def test_a_counter_visit_takes_one_payment_for_its_procedures(paying_town):
    from yakuba.applications import services as applications

    clerk = factories.make_staff(paying_town)
    resident = factories.make_resident(paying_town)
    procedure = _postal_procedure(paying_town)
    with scope(municipality=paying_town):
        visit = applications.start_visit(resident, [procedure], staff=clerk)
        applications.save_visit_page(visit, 0, {"count": "2"})
        applications.record_identity_check(visit, "mynumber_card", staff=clerk)
        applications.file_visit(visit, staff=clerk)
        paid = application_payments.take_visit_fees(clerk, visit, method="cash", received=1000)
        assert (paid.status, paid.amount) == ("success", 710)
        with pytest.raises(Refused):
            application_payments.take_visit_fees(clerk, visit, method="cash", received=1000)
        assert Payment.objects.filter(payable_kind="applications.visit").count() == 1

"""運賃と減免: the reduced fare from the rider's birthday on (not the day before), for a confirmed 障害者手帳, never for
companions; the fare taken at boarding through the payments system when the town has one (cash otherwise), and never
twice."""

from __future__ import annotations

from datetime import date

import pytest
from django_scopes import scope

from tests import factories
from tests.payments.conftest import fakepay, use_fakepay  # noqa: F401 - the fixture
from tests.transport.rides import make_ride
from tests.transport.support import make_rider, make_service, next_weekday, operator
from yakuba.kernel import payments
from yakuba.kernel.audit.models import AuditEntry
from yakuba.transport.models import Reduction
from yakuba.transport.services import fares

pytestmark = pytest.mark.django_db


def rider_born(town, birthdate: date | None, **fields):
    return make_rider(town, factories.make_resident(town, birthdate=birthdate), **fields)


def fare(town, rider, passengers: int, day: date) -> tuple[int, str]:
    with scope(municipality=town):
        return fares.fare_for(rider, passengers, day)


def test_the_reduced_fare_starts_on_the_70th_birthday_not_the_day_before(town_a):
    make_service(town_a)  # 300円, 減免 150円 from 70
    rider = rider_born(town_a, date(1956, 12, 10))
    assert fare(town_a, rider, 1, date(2026, 12, 9)) == (300, "")
    assert fare(town_a, rider, 1, date(2026, 12, 10)) == (150, Reduction.ELDERLY)
    assert fare(town_a, rider, 1, date(2027, 1, 5)) == (150, Reduction.ELDERLY)


def test_a_leap_day_birthday_counts_from_the_first_of_march(town_a):
    make_service(town_a)
    rider = rider_born(town_a, date(1956, 2, 29))
    assert fare(town_a, rider, 1, date(2026, 2, 28)) == (300, "")
    assert fare(town_a, rider, 1, date(2026, 3, 1)) == (150, Reduction.ELDERLY)


def test_no_birthdate_or_no_age_rule_means_the_full_fare(town_a):
    make_service(town_a, reduced_age=0)
    assert fare(town_a, rider_born(town_a, None), 1, date(2026, 12, 10)) == (300, "")
    assert fare(town_a, rider_born(town_a, date(1930, 1, 1)), 1, date(2026, 12, 10)) == (300, "")


def test_a_confirmed_disability_certificate_reduces_at_any_age(town_a):
    make_service(town_a)
    rider = rider_born(town_a, date(1990, 5, 1), disability_certified=True)
    assert fare(town_a, rider, 1, date(2026, 12, 10)) == (150, Reduction.DISABILITY)


def test_companions_pay_the_full_fare(town_a):
    make_service(town_a)
    elderly = rider_born(town_a, date(1940, 1, 1))
    young = rider_born(town_a, date(1990, 1, 1))
    assert fare(town_a, elderly, 3, date(2026, 12, 10)) == (150 + 2 * 300, Reduction.ELDERLY)
    assert fare(town_a, young, 2, date(2026, 12, 10)) == (600, "")
    with scope(municipality=town_a):
        lines = fares.lines_for(elderly, 3, date(2026, 12, 10))
    assert lines == [("運賃（本人・高齢者減免）", 150), ("運賃（同乗者2人）", 600)]


def test_cash_without_the_payments_system_is_recorded_on_the_ride_once(town_a):
    make_service(town_a)
    driver = operator(town_a)
    ride = make_ride(town_a, rider_born(town_a, None), day=next_weekday())
    assert not payments.enabled(town_a)
    with scope(municipality=town_a):
        first = fares.record_cash(ride, driver)
        again = fares.record_cash(ride, driver)
        assert first.paid_cash_at is not None and again.paid_cash_at == first.paid_cash_at
        assert AuditEntry.objects.filter(action="transport.ride.fare_paid").count() == 1


def test_cash_is_not_taken_for_a_cancelled_ride(town_a):
    make_service(town_a)
    ride = make_ride(town_a, rider_born(town_a, None), day=next_weekday(), status="cancelled")
    with scope(municipality=town_a), pytest.raises(fares.Refused):
        fares.record_cash(ride, operator(town_a))


@pytest.mark.django_db(transaction=True)
def test_with_the_payments_system_the_fare_is_one_counter_payment_in_cash(town_a, fakepay):  # noqa: F811
    from yakuba.payments.models import Payment

    use_fakepay(town_a, fakepay)
    make_service(town_a)
    driver = operator(town_a)
    rider = rider_born(town_a, date(1940, 1, 1))
    ride = make_ride(town_a, rider, day=next_weekday(), passengers=2, fare_yen=450, reduction=Reduction.ELDERLY)
    assert payments.enabled(town_a)
    with scope(municipality=town_a):
        fares.record_cash(ride, driver)
        fares.record_cash(ride, driver)  # a double tap
        [payment] = Payment.objects.filter(payable_kind="transport.ride", payable_key=str(ride.pk))
        assert (payment.status, payment.amount, payment.method) == ("success", 450, "cash")
        expected = [("運賃（本人・高齢者減免）", 150), ("運賃（同乗者1人）", 300)]
        assert [tuple(line) for line in payment.lines] == expected
        assert payment.revenue_code == "13-01-07"
        summary = payments.summary(town_a, "transport.ride", str(ride.pk))
        assert summary is not None and summary.paid


def test_the_fare_is_a_payable_kind_paid_in_the_vehicle():
    kind = payments.kind_of("transport.ride")
    assert kind is not None and not kind.online
    assert str(kind.revenue_label) == "使用料（デマンド交通）"

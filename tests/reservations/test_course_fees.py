"""受講料 of 講座 through the kernel's payments (fakepay as its own process): asked for when a seat is taken online,
shown on the enrolment's page, the seat released and passed on when unpaid by the deadline, refunded on cancel;
staff set the fee on the course form; the KPI counts courses with a fee."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.payments.conftest import fakepay, pay_on_fakepay, use_fakepay  # noqa: F401 - the fixture
from tests.reservations.test_courses_views import at, public_url, resident_client, staff_url, token, verified
from yakuba.kernel import payments as kernel
from yakuba.kernel.refusal import Refused
from yakuba.payments import services as payment_services
from yakuba.payments.models import Payment, Refund, RefundStatus, Status
from yakuba.reservations.models import Channel, Course, Enrolment, EnrolmentStatus, Session
from yakuba.reservations.services import courses as services
from yakuba.reservations.tasks import courses as course_tasks

pytestmark = pytest.mark.django_db

KIND = "reservations.enrolment"


@pytest.fixture
def paying_town(town_a, fakepay):  # noqa: F811 - the fixture imported above
    use_fakepay(town_a, fakepay)
    return town_a


def fee_session(town, staff, *, fee: int = 500, seats: int = 2, title: str = "料理教室", **course) -> Session:
    with scope(municipality=town):
        made = services.create_course(town, staff=staff, title=title, department=staff.department, fee=fee,
                                      fee_note="材料費", **course)
        return services.add_session(made, staff=staff, starts_at=at(9), ends_at=at(9, 13), place="公民館 調理室",
                                    seats=seats)


def payments_of(town, enrolment) -> list[Payment]:
    with scope(municipality=town):
        return list(Payment.objects.filter(payable_kind=KIND, payable_key=str(enrolment.pk)).order_by("pk"))


def enrol_online(session, resident) -> Enrolment:
    with scope(municipality=session.municipality), transaction.atomic():
        return services.enrol(session, resident)


def paid(enrolment) -> Payment:
    (payment,) = payments_of(enrolment.municipality, enrolment)
    with scope(municipality=enrolment.municipality):
        started = payment_services.start(payment, resident=enrolment.resident)
    pay_on_fakepay(started.next_url)
    with scope(municipality=enrolment.municipality):
        return payment_services.refresh(Payment.objects.get(pk=payment.pk))


def test_a_seat_taken_online_asks_for_the_fee_and_its_pages_show_it(paying_town, admin_a):
    session = fee_session(paying_town, admin_a)
    resident = verified(paying_town, "cook@example.jp")
    client = resident_client(resident)
    confirm = client.get(public_url(paying_town, "enrol", session.pk)).content.decode()
    assert "500円（材料費）" in confirm and "申し込んだ後、受講料をオンラインでお支払いください" in confirm
    response = client.post(public_url(paying_town, "enrol", session.pk), token())
    assert response.status_code == 302
    result = client.get(response["Location"]).content.decode()
    assert "申込済みです" in result and "お支払いへ進む" in result
    with scope(municipality=paying_town):
        enrolment = Enrolment.objects.get(session=session, resident=resident)
    (payment,) = payments_of(paying_town, enrolment)
    assert (payment.amount, payment.status, payment.revenue_code, payment.lines) == (
        500, Status.CREATED, "13-01-06", [["講座受講料", 500]])
    assert payment.expires_at is not None and payment.resident_id == resident.pk  # the seat is held until then
    assert payment.return_path == f"/my/enrolments/{enrolment.public_id}/"
    with scope(municipality=paying_town):  # staff reach the seat from the payment's page through its roster
        assert kernel.kind_of(KIND).staff_url(str(enrolment.pk)).endswith(f"/reservations/sessions/{session.pk}/")
    page = client.get(public_url(paying_town, "enrolment", enrolment.public_id)).content.decode()
    assert "お支払いへ進む" in page and "500円" in page and "お申込みを取り消します" in page
    mine = client.get(public_url(paying_town, "mine")).content.decode()
    assert "お支払い待ち" in mine and "受講料を支払う" in mine
    assert course_tasks.send_enrolment.call(enrolment.pk)
    assert "受講料 500円のお支払いが必要です" in mail.outbox[-1].body
    assert f"/my/enrolments/{enrolment.public_id}/" in mail.outbox[-1].body

    assert paid(enrolment).status == Status.SUCCESS
    page = client.get(public_url(paying_town, "enrolment", enrolment.public_id)).content.decode()
    assert "領収書（PDF）" in page and "お支払いへ進む" not in page
    assert "お支払い待ち" not in client.get(public_url(paying_town, "mine")).content.decode()
    # Someone else's enrolment page is not found.
    other = resident_client(factories.make_resident(paying_town))
    assert other.get(public_url(paying_town, "enrolment", enrolment.public_id)).status_code == 404


def test_no_payment_for_a_free_course_a_phone_enrolment_the_waiting_list_or_a_town_without_payments(
        paying_town, admin_a, town_b, staff_b):
    free = fee_session(paying_town, admin_a, fee=0, title="スマホ教室")
    by_phone = fee_session(paying_town, admin_a, seats=1, title="パン教室")
    elsewhere = fee_session(town_b, staff_b, title="そば打ち教室")
    first, second = (factories.make_resident(paying_town) for _ in range(2))
    seats = [enrol_online(free, first)]
    with scope(municipality=paying_town):
        seats.append(services.enrol(by_phone, first, staff=admin_a, channel=Channel.PHONE))
    waiting = enrol_online(by_phone, second)
    assert waiting.status == EnrolmentStatus.WAITLISTED
    outsider = factories.make_resident(town_b)
    seats.append(enrol_online(elsewhere, outsider))
    assert all(e.status == EnrolmentStatus.ENROLLED for e in seats)
    assert not any(payments_of(e.municipality, e) for e in [*seats, waiting])
    page = resident_client(second).get(public_url(paying_town, "enrolment", waiting.public_id)).content.decode()
    assert "参加が決まってからお支払いいただきます" in page and "お支払いへ進む" not in page
    confirm = resident_client(factories.make_resident(town_b)).get(public_url(town_b, "enrol", elsewhere.pk))
    assert "受講料は、当日会場でお支払いください" in confirm.content.decode()


def test_an_unpaid_seat_is_released_at_expiry_and_the_next_waiting_is_asked_to_pay(
        paying_town, admin_a, django_capture_on_commit_callbacks):
    session = fee_session(paying_town, admin_a, seats=1)
    late = verified(paying_town, "late@example.jp")
    next_one = verified(paying_town, "next@example.jp")
    held = enrol_online(session, late)
    queued = enrol_online(session, next_one)
    assert (held.status, queued.status) == (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED)
    assert payments_of(paying_town, queued) == []  # the waiting list pays nothing yet
    (payment,) = payments_of(paying_town, held)
    with scope(municipality=paying_town), django_capture_on_commit_callbacks(execute=True):
        Payment.objects.filter(pk=payment.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        assert payment_services.expire(Payment.objects.get(pk=payment.pk)).status == Status.EXPIRED
    with scope(municipality=paying_town):
        released = Enrolment.objects.get(pk=held.pk)
        promoted = Enrolment.objects.get(pk=queued.pk)
    assert released.status == EnrolmentStatus.CANCELLED and released.booking_id is None
    assert promoted.status == EnrolmentStatus.ENROLLED and promoted.booking_id is not None
    (asked,) = payments_of(paying_town, promoted)
    assert (asked.amount, asked.status) == (500, Status.CREATED) and asked.expires_at is not None
    assert course_tasks.send_released_unpaid.call(held.pk)
    assert course_tasks.send_promotion.call(queued.pk)
    told = {m.to[0]: m for m in mail.outbox}
    assert "お支払いがなかったため" in told["late@example.jp"].subject
    assert "受講料 500円のお支払いが必要です" in told["next@example.jp"].body
    # The released resident's page shows the expired payment and no way to pay it any more.
    page = resident_client(late).get(public_url(paying_town, "enrolment", held.public_id)).content.decode()
    assert "取消し" in page and "お支払いへ進む" not in page
    # An expiry arriving twice (a replayed signal) changes nothing more.
    with scope(municipality=paying_town):
        assert services.release_unpaid(released) is None


def test_a_seat_whose_course_was_made_free_is_kept_at_expiry(paying_town, admin_a,
                                                            django_capture_on_commit_callbacks):
    session = fee_session(paying_town, admin_a)
    seat = enrol_online(session, factories.make_resident(paying_town))
    (payment,) = payments_of(paying_town, seat)
    with scope(municipality=paying_town):
        services.update_course(session.course, staff=admin_a, title="料理教室", description="", is_published=True,
                               fee=0)
    with scope(municipality=paying_town), django_capture_on_commit_callbacks(execute=True):
        Payment.objects.filter(pk=payment.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        assert payment_services.expire(Payment.objects.get(pk=payment.pk)).status == Status.EXPIRED
    with scope(municipality=paying_town):
        assert Enrolment.objects.get(pk=seat.pk).status == EnrolmentStatus.ENROLLED


def test_cancelling_a_paid_seat_refunds_it_and_an_unpaid_one_withdraws_its_payment(paying_town, admin_a):
    session = fee_session(paying_town, admin_a, seats=3)
    payer, undecided = (factories.make_resident(paying_town) for _ in range(2))
    seat = enrol_online(session, payer)
    assert paid(seat).status == Status.SUCCESS
    with scope(municipality=paying_town):
        services.enrol(session, factories.make_resident(paying_town), staff=admin_a, channel=Channel.PHONE)
    roster = factories.staff_client(admin_a).get(staff_url(paying_town, "reservations-session", session.pk))
    assert "受講料: 支払済み" in roster.content.decode()
    assert "受講料: オンラインの請求なし（窓口・会場で）" in roster.content.decode()
    client = resident_client(payer)
    response = client.post(public_url(paying_town, "enrolment-cancel", seat.public_id), token())
    assert response.status_code == 302
    with scope(municipality=paying_town):
        (payment,) = payments_of(paying_town, seat)
        assert payment.refunded_amount == 500 and payment.refund_amount_available == 0
        assert Refund.objects.get(payment=payment).status == RefundStatus.SUCCESS
    assert "500円を還付しました" in client.get(public_url(paying_town, "enrolment", seat.public_id)).content.decode()
    other = enrol_online(session, undecided)
    with scope(municipality=paying_town):
        services.cancel_enrolment(other, resident=undecided)
    assert [p.status for p in payments_of(paying_town, other)] == [Status.CANCELLED]


def test_staff_set_the_fee_with_bad_input_told_and_kept(town_a, staff_a):
    client = factories.staff_client(staff_a)
    form = {"title": "料理教室", "description": "", "department": staff_a.department_id, "is_published": "on",
            "fee_note": "材料費"}
    for typed, told in (("-100", "受講料は0円以上にしてください"), ("五百", "受講料は数字（円）で入力してください"),
                        ("1000000", "受講料が高すぎます")):
        bad = client.post(staff_url(town_a, "reservations-course-new"), {**form, "fee": typed, **token()})
        text = bad.content.decode()
        assert bad.status_code == 400 and told in text and f'value="{typed}"' in text and 'value="材料費"' in text
    assert client.post(staff_url(town_a, "reservations-course-new"),
                       {**form, "fee": "500", **token()}).status_code == 302
    with scope(municipality=town_a):
        course = Course.objects.get(title="料理教室")
    assert (course.fee, course.fee_note) == (500, "材料費")
    page = client.get(staff_url(town_a, "reservations-course", course.pk)).content.decode()
    assert "500円（材料費）" in page
    edit = client.get(staff_url(town_a, "reservations-course-edit", course.pk)).content.decode()
    assert 'value="500"' in edit
    assert client.post(staff_url(town_a, "reservations-course-edit", course.pk),
                       {**form, "fee": "", "fee_note": "", **token()}).status_code == 302
    with scope(municipality=town_a):
        course.refresh_from_db()
        assert (course.fee, course.fee_note) == (0, "")  # left empty: free
        with pytest.raises(Refused, match="受講料は0円から"):
            services.update_course(course, staff=staff_a, title="料理教室", description="", is_published=True,
                                   fee=-1)
        with pytest.raises(IntegrityError), transaction.atomic():
            Course.objects.filter(pk=course.pk).update(fee=-1)  # the database refuses it too


def test_the_kpi_counts_published_courses_with_a_fee(paying_town, admin_a):
    fee_session(paying_town, admin_a, title="料理教室")
    fee_session(paying_town, admin_a, title="非公開の教室", is_published=False)
    fee_session(paying_town, admin_a, fee=0, title="スマホ教室")
    kind = kernel.kind_of(KIND)
    assert kind is not None and str(kind.label) == "講座受講料" and kind.online
    with scope(municipality=paying_town):
        assert kind.fee_types() == (1, 1)
        from yakuba.payments.metrics import online_fee_types_share

        day = timezone.localdate()
        assert online_fee_types_share(day, day) == 100.0  # the one fee type of the town, payable online

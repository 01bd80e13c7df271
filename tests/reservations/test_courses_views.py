"""講座・スマホ教室 over HTTP: residents find a course, enrol (or wait), cancel with promotion and mail; staff make
courses and sessions, keep the roster (出欠, phone enrolments, cancellations), each department its own courses."""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from tests import factories
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.scheduling.models import Booking, BookingStatus
from yakuba.reservations.models import Channel, Course, Enrolment, EnrolmentStatus, Session
from yakuba.reservations.services import courses as services
from yakuba.reservations.tasks import courses as course_tasks
from yakuba.reservations.views.courses import my_enrolments

pytestmark = pytest.mark.django_db


def public_url(town, name: str, *args) -> str:
    return factories.town_url(town, reverse(f"reservations:{name}", args=args))


def staff_url(town, name: str, *args, query: str = "") -> str:
    return factories.town_url(town, reverse(f"staff:{name}", args=args)) + (f"?{query}" if query else "")


def token() -> dict[str, str]:
    return {"_once": secrets.token_urlsafe(24)}


def at(days: int, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(hour)))


def make_course(town, staff, *, title: str = "スマホ教室（初めての方向け）", seats: int = 2, days: int = 7,
                department: str = "総務課") -> Session:
    with scope(municipality=town):
        course = services.create_course(town, staff=staff, title=title, department=factories.make_department(
            town, department), description="電話のかけ方から、ゆっくりお教えします。")
        return services.add_session(course, staff=staff, starts_at=at(days), ends_at=at(days, 12),
                                    place="中央公民館 第1会議室", seats=seats)


def resident_client(resident) -> Client:
    client = Client()
    client.force_login(resident.user)
    return client


def verified(town, email: str, **fields):
    resident = factories.make_resident(town, email=email, **fields)
    resident.user.email_verified_at = timezone.now()
    resident.user.save()
    return resident


def audit_entries(town, action: str) -> list[AuditEntry]:
    with scope(municipality=town):
        return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def status_of(town, enrolment: Enrolment) -> str:
    with scope(municipality=town):
        return Enrolment.objects.get(pk=enrolment.pk).status


@pytest.fixture
def session(town_a, admin_a):
    return make_course(town_a, admin_a)


# Residents ------------------------------------------------------------------------------------------------------

def test_list_and_detail_show_dates_places_and_seats_to_anyone(client, town_a, admin_a, session, resident_a):
    past = make_course(town_a, admin_a, title="パソコン講座", seats=1, days=1)
    with scope(municipality=town_a):
        services.enrol(past, resident_a)
        services.enrol(past, factories.make_resident(town_a))
        Course.objects.create(municipality=town_a, slug="hidden", title="準備中の講座", is_published=False,
                              department=session.course.department)
    page = client.get(public_url(town_a, "courses")).content.decode()
    assert "スマホ教室（初めての方向け）" in page and "中央公民館 第1会議室" in page
    assert "残り2席（定員2人）" in page
    assert "満席（キャンセル待ち1人）" in page  # パソコン講座
    assert "準備中の講座" not in page
    day = timezone.localtime(session.starts_at)
    assert f"{day.month}月{day.day}日" in page
    detail = client.get(public_url(town_a, "course", session.course.slug)).content.decode()
    assert "電話のかけ方から" in detail and "この回に申し込む" in detail and "ログインする" in detail
    assert client.get(public_url(town_a, "course", "hidden")).status_code == 404


def test_enrol_confirms_then_enrols_once_and_shows_the_result(town_a, session):
    resident = verified(town_a, "hanako@example.jp")
    client = resident_client(resident)
    confirm = client.get(public_url(town_a, "enrol", session.pk))
    assert confirm.status_code == 200 and "申し込む" in confirm.content.decode()
    data = token()
    response = client.post(public_url(town_a, "enrol", session.pk), data)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "申込済みです" in page and "hanako@example.jp" in page
    assert "申込を取り消す" in page  # the session shows the resident's own enrolment
    assert "申込済みです" not in client.get(response["Location"]).content.decode()  # the panel shows once
    again = client.post(public_url(town_a, "enrol", session.pk), data, follow=True)  # the double click
    assert "この申込はすでに受け付けています" in again.content.decode()
    with scope(municipality=town_a):
        enrolments = list(Enrolment.objects.filter(session=session))
    assert [(e.resident_id, e.status, e.channel) for e in enrolments] == [
        (resident.pk, EnrolmentStatus.ENROLLED, Channel.ONLINE)]
    twice = client.post(public_url(town_a, "enrol", session.pk), token())
    assert twice.status_code == 400 and "この回にはすでに申し込んでいます" in twice.content.decode()
    assert "この回にはすでに申し込んでいます" in client.get(public_url(town_a, "enrol", session.pk)).content.decode()
    assert len(audit_entries(town_a, "reservations.enrolment.enrolled")) == 1


def test_a_full_session_offers_the_waiting_list_with_the_place(town_a, session):
    for _ in range(2):
        with scope(municipality=town_a):
            services.enrol(session, factories.make_resident(town_a))
    client = resident_client(factories.make_resident(town_a))
    confirm = client.get(public_url(town_a, "enrol", session.pk)).content.decode()
    assert "キャンセル待ち（1番目）として申し込めます" in confirm
    response = client.post(public_url(town_a, "enrol", session.pk), token(), follow=True)
    assert "キャンセル待ち（1番目）で受け付けました" in response.content.decode()


def test_started_sessions_other_towns_and_anonymous_users_are_refused(client, town_a, town_b, admin_a, staff_b,
                                                                     session, resident_a):
    assert client.get(public_url(town_a, "enrol", session.pk))["Location"].startswith(
        factories.town_url(town_a, reverse("accounts:login")))
    started = make_course(town_a, admin_a, title="始まった講座", days=1, seats=3)
    with scope(municipality=town_a):
        Session.objects.filter(pk=started.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    own = resident_client(resident_a)
    refused = own.post(public_url(town_a, "enrol", started.pk), token())
    assert refused.status_code == 400 and "開始時刻を過ぎた講座には申し込めません" in refused.content.decode()
    assert "申し込む</button>" not in own.get(public_url(town_a, "enrol", started.pk)).content.decode()
    # Town B's resident asks for town A's session through town B's address: not found there.
    other = factories.make_resident(town_b)
    assert resident_client(other).post(public_url(town_b, "enrol", session.pk), token()).status_code == 404
    with scope(municipality=town_a):
        assert not Enrolment.objects.filter(session__in=[session, started]).exists()


def test_cancel_promotes_the_first_waiting_and_mails_them(town_a, session, django_capture_on_commit_callbacks):
    first, second = (factories.make_resident(town_a) for _ in range(2))
    waiting = verified(town_a, "waiting@example.jp", family_name="佐藤")
    with scope(municipality=town_a):
        mine = services.enrol(session, first)
        services.enrol(session, second)
        queued = services.enrol(session, waiting)
    client = resident_client(first)
    page = client.get(public_url(town_a, "enrolment-cancel", mine.public_id)).content.decode()
    assert "席はキャンセル待ちの方に回ります" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(public_url(town_a, "enrolment-cancel", mine.public_id), token(), follow=True)
    assert "講座の申込を取り消しました" in response.content.decode()
    assert status_of(town_a, mine) == EnrolmentStatus.CANCELLED
    assert status_of(town_a, queued) == EnrolmentStatus.ENROLLED
    with scope(municipality=town_a):
        assert Booking.objects.filter(resource=session.resource, status=BookingStatus.CONFIRMED).count() == 2
    course_tasks.send_promotion.call(queued.pk)
    promoted = [m for m in mail.outbox if m.to == ["waiting@example.jp"] and "参加が決まりました" in m.subject]
    assert len(promoted) == 1 and "スマホ教室" in promoted[0].body
    again = client.post(public_url(town_a, "enrolment-cancel", mine.public_id), token())
    assert again.status_code == 400 and "すでに取り消されています" in again.content.decode()
    # Someone else's enrolment is simply not found.
    assert client.get(public_url(town_a, "enrolment-cancel", queued.public_id)).status_code == 404


def test_no_cancel_once_the_session_started(town_a, session, resident_a):
    with scope(municipality=town_a):
        enrolment = services.enrol(session, resident_a)
        Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() - timedelta(minutes=1))
    client = resident_client(resident_a)
    assert "講座が始まったため" in client.get(public_url(town_a, "enrolment-cancel", enrolment.public_id)
                                         ).content.decode()
    refused = client.post(public_url(town_a, "enrolment-cancel", enrolment.public_id), token())
    assert refused.status_code == 400 and "講座が始まったため、取り消せません" in refused.content.decode()
    assert status_of(town_a, enrolment) == EnrolmentStatus.ENROLLED


def test_enrolment_mail_goes_to_a_confirmed_address_only(town_a, session, resident_a):
    resident = verified(town_a, "confirmed@example.jp")
    with scope(municipality=town_a):
        enrolled = services.enrol(session, resident)
        unconfirmed = services.enrol(session, resident_a)
    assert course_tasks.send_enrolment.call(enrolled.pk) is True
    assert course_tasks.send_enrolment.call(unconfirmed.pk) is False
    assert [m.to for m in mail.outbox] == [["confirmed@example.jp"]]
    assert "講座の申込を受け付けました" in mail.outbox[0].subject and "中央公民館" in mail.outbox[0].body


def test_my_enrolments_lists_upcoming_with_queue_places_and_past(town_a, admin_a, session, resident_a):
    full = make_course(town_a, admin_a, title="パソコン講座", seats=1, days=3)
    with scope(municipality=town_a):
        services.enrol(full, factories.make_resident(town_a))
        waiting = services.enrol(full, resident_a)
        seat = services.enrol(session, resident_a)
        gone = services.enrol(make_course(town_a, admin_a, title="終わった講座", days=2), resident_a)
        services.cancel_enrolment(gone, resident=resident_a)
        context = my_enrolments(resident_a)
        html = render_to_string("reservations/public/_my_enrolments.html", context)
    assert [(row["enrolment"].pk, row["position"]) for row in context["enrolments_upcoming"]] == [
        (waiting.pk, 1), (seat.pk, None)]
    assert [e.pk for e in context["enrolments_past"]] == [gone.pk]
    assert "キャンセル待ち（1番目）" in html and "パソコン講座" in html and "終わった講座" in html


# Staff ----------------------------------------------------------------------------------------------------------

def test_staff_create_a_course_and_a_session_with_bad_input_kept(town_a, staff_a):
    client = factories.staff_client(staff_a)
    assert client.get(staff_url(town_a, "reservations-course-new")).status_code == 200
    bad = client.post(staff_url(town_a, "reservations-course-new"),
                      {"title": "", "description": "持ち物: スマホ", "department": staff_a.department_id, **token()})
    assert bad.status_code == 400
    assert "講座名を入力してください" in bad.content.decode() and "持ち物: スマホ" in bad.content.decode()
    response = client.post(staff_url(town_a, "reservations-course-new"), {
        "title": "スマホ教室", "description": "初めての方向け", "department": staff_a.department_id,
        "is_published": "on", **token()})
    assert response.status_code == 302
    with scope(municipality=town_a):
        course = Course.objects.get(title="スマホ教室")
    assert course.department_id == staff_a.department_id and course.slug
    day = (timezone.localdate() + timedelta(days=10)).isoformat()
    wrong = client.post(staff_url(town_a, "reservations-session-new", course.pk), {
        "day": day, "starts": "12:00", "ends": "10:00", "place": "公民館", "seats": "abc", **token()})
    assert wrong.status_code == 400
    text = wrong.content.decode()
    assert "終了時刻は開始時刻より後にしてください" in text and "定員は数字で入力してください" in text
    assert 'value="公民館"' in text
    past = client.post(staff_url(town_a, "reservations-session-new", course.pk), {
        "day": "2020-01-01", "starts": "10:00", "ends": "12:00", "place": "公民館", "seats": "10", **token()})
    assert past.status_code == 400 and "過去の日時には回を追加できません" in past.content.decode()
    created = client.post(staff_url(town_a, "reservations-session-new", course.pk), {
        "day": day, "starts": "10:00", "ends": "12:00", "place": "公民館 第1会議室", "seats": "10", **token()})
    assert created.status_code == 302
    with scope(municipality=town_a):
        session = Session.objects.get(course=course)
        assert session.resource.capacity == 10 and session.resource.key == f"session:{session.pk}"
    assert len(audit_entries(town_a, "reservations.session.created")) == 1
    edit = client.post(staff_url(town_a, "reservations-course-edit", course.pk), {
        "title": "スマホ教室（初めての方向け）", "description": "", "department": staff_a.department_id, **token()})
    assert edit.status_code == 302
    with scope(municipality=town_a):
        course.refresh_from_db()
    assert course.title == "スマホ教室（初めての方向け）" and not course.is_published
    listing = client.get(staff_url(town_a, "reservations-courses")).content.decode()
    assert "スマホ教室（初めての方向け）" in listing and "0/10人・待ち0人" in listing


def test_roster_attendance_phone_enrolment_and_cancel(town_a, staff_a, resident_a):
    session = make_course(town_a, staff_a, seats=1)
    caller = factories.make_resident(town_a, family_name="鈴木", given_name="次郎", family_name_kana="スズキ",
                                     given_name_kana="ジロウ", phone="0274-82-1234")
    with scope(municipality=town_a):
        seated = services.enrol(session, resident_a)
    client = factories.staff_client(staff_a)
    roster = client.get(staff_url(town_a, "reservations-session", session.pk, query="q=すずき"))
    text = roster.content.decode()
    assert roster.status_code == 200 and "山田 花子" in text and "鈴木 次郎" in text
    assert audit_entries(town_a, "reservations.session.viewed")[-1].data == {"count": 1, "searched": 1}

    response = client.post(staff_url(town_a, "reservations-session-enrol", session.pk),
                           {"resident": caller.pk, **token()}, follow=True)
    assert "キャンセル待ち（1番目）で受け付けました" in response.content.decode()
    with scope(municipality=town_a):
        queued = Enrolment.objects.get(resident=caller)
    assert queued.channel == Channel.PHONE and queued.status == EnrolmentStatus.WAITLISTED
    bad = client.post(staff_url(town_a, "reservations-session-enrol", session.pk), {"resident": "x", **token()})
    assert bad.status_code == 400 and "申し込む方を検索して選んでください" in bad.content.decode()

    marked = client.post(staff_url(town_a, "reservations-enrolment-attendance", seated.pk),
                         {"attended": "1", **token()}, follow=True)
    assert "出席にしました" in marked.content.decode()
    assert status_of(town_a, seated) == EnrolmentStatus.ATTENDED
    unclear = client.post(staff_url(town_a, "reservations-enrolment-attendance", seated.pk), {"attended": "?"})
    assert unclear.status_code == 400 and "出席か欠席かを選んでください" in unclear.content.decode()
    refused = client.post(staff_url(town_a, "reservations-enrolment-attendance", queued.pk),
                          {"attended": "1", **token()})
    assert refused.status_code == 400 and "出欠を記録できません" in refused.content.decode()

    client.post(staff_url(town_a, "reservations-enrolment-cancel", queued.pk), token())
    assert status_of(town_a, queued) == EnrolmentStatus.CANCELLED
    assert audit_entries(town_a, "reservations.enrolment.cancelled")[-1].actor_id == staff_a.user_id
    assert client.get(staff_url(town_a, "reservations-enrolment-cancel", queued.pk)).status_code == 405


def test_departments_see_only_their_courses_and_admin_sees_all(town_a, town_b, staff_a, staff_a_other, admin_a,
                                                               staff_b, resident_a):
    session = make_course(town_a, staff_a, title="総務課のスマホ教室")
    with scope(municipality=town_a):
        enrolment = services.enrol(session, resident_a)
    other = factories.staff_client(staff_a_other)
    assert "総務課のスマホ教室" not in other.get(staff_url(town_a, "reservations-courses")).content.decode()
    for name, args in (("reservations-course", session.course_id), ("reservations-course-edit", session.course_id),
                       ("reservations-session-new", session.course_id), ("reservations-session", session.pk)):
        assert other.get(staff_url(town_a, name, args)).status_code == 404
    assert other.post(staff_url(town_a, "reservations-enrolment-cancel", enrolment.pk), token()).status_code == 404
    assert other.post(staff_url(town_a, "reservations-enrolment-attendance", enrolment.pk),
                      {"attended": "1"}).status_code == 404
    # Their form offers only their own department; a forged department is refused with the typing kept.
    forged = other.post(staff_url(town_a, "reservations-course-new"), {
        "title": "よその講座", "department": staff_a.department_id, **token()})
    assert forged.status_code == 400 and 'value="よその講座"' in forged.content.decode()
    assert status_of(town_a, enrolment) == EnrolmentStatus.ENROLLED
    admin = factories.staff_client(admin_a)
    assert "総務課のスマホ教室" in admin.get(staff_url(town_a, "reservations-courses")).content.decode()
    assert admin.get(staff_url(town_a, "reservations-session", session.pk)).status_code == 200
    # Another town's staff: refused in town A, nothing found in their own town.
    client_b = factories.staff_client(staff_b)
    assert client_b.get(staff_url(town_a, "reservations-session", session.pk)).status_code == 403
    assert client_b.get(staff_url(town_b, "reservations-session", session.pk)).status_code == 404
    assert client_b.get(staff_url(town_b, "reservations-course", session.course_id)).status_code == 404


def test_residents_and_anonymous_cannot_reach_the_staff_pages(client, town_a, session, resident_a):
    assert client.get(staff_url(town_a, "reservations-courses"))["Location"].startswith(
        factories.town_url(town_a, reverse("staff:login")))
    assert resident_client(resident_a).get(staff_url(town_a, "reservations-session", session.pk)).status_code == 403

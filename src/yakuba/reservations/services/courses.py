"""講座・スマホ教室: seats counted by the database, a waiting list promoted in order when a seat frees up.

Staff of the course's department (担当課) create courses and their sessions (回) with a 受講料; residents enrol online
or by phone through a clerk. A seat taken online in a course with a fee is held until its payment
(reservations.payments) expires unpaid, then passed on like a cancelled one. Mail (申込, 繰り上げ, 取消し, 未払い) goes
out after commit from yakuba.reservations.tasks.courses.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from yakuba.kernel import payments as kernel_payments
from yakuba.kernel.accounts.models import Department, Resident, Role, Staff, User
from yakuba.kernel.audit.services import record
from yakuba.kernel.refusal import Refused
from yakuba.kernel.scheduling import services as scheduling
from yakuba.kernel.scheduling.models import Booking, Resource
from yakuba.kernel.tenancy.models import Municipality

from .. import payments
from ..models import Channel, Course, Enrolment, EnrolmentStatus, Session
from . import _now, _same_town

ACTIVE = (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED)
HOLDING_A_SEAT = (EnrolmentStatus.ENROLLED, EnrolmentStatus.ATTENDED, EnrolmentStatus.NO_SHOW)
MAX_SEATS = 500
MAX_FEE = 100_000  # 円: more is surely a typing slip for a class


def enrol(session: Session, resident: Resident, *, staff: Staff | None = None, channel: str = Channel.ONLINE,
          now: datetime | None = None, request: HttpRequest | None = None) -> Enrolment:
    """A seat if one is free (the database counts them), else a place on the waiting list."""
    _same_town(session.municipality_id, resident)
    if session.starts_at <= _now(now):
        raise Refused([_("開始時刻を過ぎた講座には申し込めません。")])
    with transaction.atomic():
        if Enrolment.objects.filter(session=session, resident=resident,
                                    status__in=(EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED)).exists():
            raise Refused([_("この回にはすでに申し込んでいます。")])
        try:
            with transaction.atomic():
                booking: Booking | None = scheduling.book(session.resource, session.starts_at, session.ends_at,
                                                          label=str(resident)[:200], owner="enrolment")
            status = EnrolmentStatus.ENROLLED
        except scheduling.Unavailable:
            booking, status = None, EnrolmentStatus.WAITLISTED
        enrolment = Enrolment.objects.create(municipality=session.municipality, session=session, resident=resident,
                                             booking=booking, status=status, channel=channel)
        actor = staff.user if staff is not None else resident.user
        record(f"reservations.enrolment.{status}", municipality=session.municipality, actor=actor, obj=enrolment,
               request=request, data={"session": session.pk, "channel": channel})
        if staff is None and channel == Channel.ONLINE:
            # A seat taken online is held until its 受講料 is paid; a place on the waiting list pays nothing yet.
            payments.ask_for_enrolment_fee(enrolment)
        _mail("send_enrolment", enrolment.pk)
    return enrolment


def cancel_enrolment(enrolment: Enrolment, *, staff: Staff | None = None, resident: Resident | None = None,
                     now: datetime | None = None, request: HttpRequest | None = None) -> Enrolment | None:
    """Give the seat up; the first on the waiting list takes it in the same transaction. Returns who was promoted.

    A resident may cancel until the session starts; staff at any time (a phone call)."""
    with transaction.atomic():
        current = Enrolment.objects.select_for_update().select_related("session__resource").get(pk=enrolment.pk)
        if current.status not in (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED):
            raise Refused([_("この申込はすでに取り消されています。")])
        if staff is None and current.session.starts_at <= _now(now):
            raise Refused([_("講座が始まったため、取り消せません。")])
        # 還付: a paid 受講料 comes back per the town's rule (all of it when staff cancel); an unpaid one is withdrawn.
        kernel_payments.settle_on_cancel(current.municipality, payments.ENROLMENT, str(current.pk),
                                         reason=_("講座の申込の取消し"), by_staff=staff, full=staff is not None)
        actor = staff.user if staff is not None else (resident.user if resident is not None else None)
        return _give_up(current, action="reservations.enrolment.cancelled", mail="send_cancellation", actor=actor,
                        request=request, data={"session": current.session_id, "by_staff": staff is not None})


def release_unpaid(enrolment: Enrolment) -> Enrolment | None:
    """The seat's 受講料 was not paid by its deadline: the enrolment is cancelled, the resident mailed, and the seat
    goes to the first on the waiting list (returned). Nothing happens to an enrolment no longer holding a seat."""
    with transaction.atomic():
        current = Enrolment.objects.select_for_update().select_related("session__resource").get(pk=enrolment.pk)
        if current.status != EnrolmentStatus.ENROLLED:
            return None
        return _give_up(current, action="reservations.enrolment.released_unpaid", mail="send_released_unpaid",
                        actor=None, request=None, data={"session": current.session_id})


def _give_up(current: Enrolment, *, action: str, mail: str, actor: User | None, request: HttpRequest | None,
             data: dict[str, Any]) -> Enrolment | None:
    """Cancel a locked enrolment, free its seat and promote the first waiting (inside the caller's transaction)."""
    freed = current.booking
    current.status = EnrolmentStatus.CANCELLED
    current.cancelled_at = timezone.now()
    current.booking = None
    current.save(update_fields=["status", "cancelled_at", "booking"])
    record(action, municipality=current.municipality, actor=actor, obj=current, request=request, data=data)
    _mail(mail, current.pk)
    if freed is None:
        return None
    scheduling.cancel(freed)
    return _promote(current.session)


def _promote(session: Session) -> Enrolment | None:
    """Move the longest-waiting resident into a free seat (call inside the transaction that freed it)."""
    waiting = (Enrolment.objects.select_for_update().filter(session=session, status=EnrolmentStatus.WAITLISTED)
               .order_by("created_at", "pk").first())
    if waiting is None or session.starts_at <= timezone.now():
        return None
    try:
        with transaction.atomic():
            waiting.booking = scheduling.book(session.resource, session.starts_at, session.ends_at,
                                              label=str(waiting.resident)[:200], owner="enrolment")
    except scheduling.Unavailable:
        return None
    waiting.status = EnrolmentStatus.ENROLLED
    waiting.promoted_at = timezone.now()
    waiting.save(update_fields=["booking", "status", "promoted_at"])
    record("reservations.enrolment.promoted", municipality=session.municipality, obj=waiting,
           data={"session": session.pk})
    if waiting.channel == Channel.ONLINE:
        payments.ask_for_enrolment_fee(waiting)  # the seat is theirs now: its 受講料 is due (the mail says so)
    _mail("send_promotion", waiting.pk)
    return waiting


def mark_session_attendance(enrolment: Enrolment, attended: bool, *, staff: Staff,
                            request: HttpRequest | None = None) -> Enrolment:
    with transaction.atomic():
        current = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if current.status not in (EnrolmentStatus.ENROLLED, EnrolmentStatus.ATTENDED, EnrolmentStatus.NO_SHOW):
            raise Refused([_("この申込には出欠を記録できません。")])
        current.status = EnrolmentStatus.ATTENDED if attended else EnrolmentStatus.NO_SHOW
        current.save(update_fields=["status"])
        record("reservations.enrolment.attendance", municipality=current.municipality, actor=staff.user,
               obj=current, request=request, data={"attended": attended})
    return current


def _mail(name: str, enrolment_id: int) -> None:
    """Enqueue one of tasks.courses' mails once the surrounding transaction commits (never for a rolled-back write)."""
    from ..tasks import courses as course_tasks

    transaction.on_commit(lambda: getattr(course_tasks, name).enqueue(enrolment_id))


# Courses and sessions (staff) -------------------------------------------------------------------------------------

def managed_courses(staff: Staff) -> QuerySet[Course]:
    """Courses of the staff member's department (担当課); every course for 情報担当."""
    courses = Course.objects.select_related("department")
    return courses if staff.has_role(Role.ADMIN) else courses.filter(department=staff.department_id)


def managed_sessions(staff: Staff) -> QuerySet[Session]:
    return Session.objects.filter(course__in=managed_courses(staff)).select_related("course__department", "resource")


def managed_enrolments(staff: Staff) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(session__in=managed_sessions(staff)).select_related("session__course",
                                                                                        "resident")


def _check_manages(staff: Staff, department: Department) -> None:
    if not (staff.has_role(Role.ADMIN) or staff.department_id == department.pk):
        raise Refused([_("この課の講座を管理する権限がありません。")])


def _check_course(title: str, description: str, fee: int = 0, fee_note: str = "") -> list[str]:
    problems = []
    if not title.strip():
        problems.append(_("講座名を入力してください。"))
    elif len(title.strip()) > 100:
        problems.append(_("講座名は100文字以内で入力してください。"))
    if "\x00" in title or "\x00" in description or len(description) > 4000:
        problems.append(_("説明は4000文字以内で入力してください。"))
    if isinstance(fee, bool) or not isinstance(fee, int) or not 0 <= fee <= MAX_FEE:
        problems.append(_("受講料は0円から%(max)s円までの数字で入力してください。") % {"max": f"{MAX_FEE:,}"})
    if "\x00" in fee_note or len(fee_note.strip()) > 200:
        problems.append(_("受講料の説明は200文字以内で入力してください。"))
    return problems


def _free_slug(title: str) -> str:
    """An ASCII slug for the course's address: from the title if it has latin letters, else "course", numbered."""
    base = slugify(title)[:50] or "course"
    slug, number = base, 1
    while Course.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def create_course(municipality: Municipality, *, staff: Staff, title: str, department: Department,
                  description: str = "", is_published: bool = True, slug: str = "", fee: int = 0,
                  fee_note: str = "", request: HttpRequest | None = None) -> Course:
    """A new 講座 of `department`; staff create courses for their own department only (情報担当 for any)."""
    _check_manages(staff, department)
    problems = _check_course(title, description, fee, fee_note)
    if problems:
        raise Refused(problems)
    with transaction.atomic():
        course = Course.objects.create(municipality=municipality, slug=slug or _free_slug(title), title=title.strip(),
                                       description=description.strip(), department=department,
                                       is_published=is_published, fee=fee, fee_note=fee_note.strip())
        record("reservations.course.created", municipality=municipality, actor=staff.user, obj=course,
               request=request, data={"department": department.pk, "fee": fee})
    return course


def update_course(course: Course, *, staff: Staff, title: str, description: str, is_published: bool,
                  department: Department | None = None, fee: int | None = None, fee_note: str | None = None,
                  request: HttpRequest | None = None) -> Course:
    """Change what residents read about a course; moving it to another department needs 情報担当 (or both ends).
    A new 受講料 applies to seats taken from now on: what residents were already asked for stands."""
    _check_manages(staff, course.department)
    if department is not None:
        _check_manages(staff, department)
    problems = _check_course(title, description, course.fee if fee is None else fee,
                             course.fee_note if fee_note is None else fee_note)
    if problems:
        raise Refused(problems)
    with transaction.atomic():
        current = Course.objects.select_for_update().get(pk=course.pk)
        values: dict[str, Any] = {
            "title": title.strip(), "description": description.strip(), "is_published": is_published,
            "department_id": (department or current.department).pk,
            "fee": current.fee if fee is None else fee,
            "fee_note": current.fee_note if fee_note is None else fee_note.strip()}
        changed = [name for name, value in values.items() if getattr(current, name) != value]
        for name in changed:
            setattr(current, name, values[name])
        if changed:
            current.save(update_fields=changed)
            record("reservations.course.updated", municipality=current.municipality, actor=staff.user, obj=current,
                   request=request, data={"fields": changed})
    return current


def add_session(course: Course, *, staff: Staff, starts_at: datetime, ends_at: datetime, place: str, seats: int,
                now: datetime | None = None, request: HttpRequest | None = None) -> Session:
    """One more 回 of a course; its seats are a kernel resource ("session:<pk>") with that capacity."""
    _check_manages(staff, course.department)
    problems = []
    if ends_at <= starts_at:
        problems.append(_("終了時刻は開始時刻より後にしてください。"))
    if starts_at <= _now(now):
        problems.append(_("過去の日時には回を追加できません。"))
    if not place.strip():
        problems.append(_("会場を入力してください。"))
    elif len(place.strip()) > 100:
        problems.append(_("会場は100文字以内で入力してください。"))
    if not 1 <= seats <= MAX_SEATS:
        problems.append(_("定員は1人から%(max)s人までで入力してください。") % {"max": MAX_SEATS})
    if problems:
        raise Refused(problems)
    with transaction.atomic():
        # The resource's key needs the session's pk; a placeholder key is replaced within this transaction.
        resource = Resource.objects.create(municipality=course.municipality, key=f"session:new:{uuid.uuid4().hex}",
                                           name=course.title[:100], capacity=seats)
        session = Session.objects.create(municipality=course.municipality, course=course, starts_at=starts_at,
                                         ends_at=ends_at, place=place.strip(), resource=resource)
        resource.key = f"session:{session.pk}"
        resource.save(update_fields=["key"])
        record("reservations.session.created", municipality=course.municipality, actor=staff.user, obj=session,
               request=request, data={"course": course.pk, "seats": seats, "starts_at": starts_at.isoformat()})
    return session


# Reading ----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Seats:
    """A session's seats at a glance: how many are taken and how many people wait."""

    seats: int
    taken: int
    waiting: int

    @property
    def left(self) -> int:
        return max(0, self.seats - self.taken)

    @property
    def full(self) -> bool:
        return self.left == 0


def with_seats(sessions: QuerySet[Session]) -> QuerySet[Session]:
    """Sessions annotated with `taken` and `waiting` counts, one query (read them with `seats_of`)."""
    return sessions.select_related("resource").annotate(
        taken=Count("enrolments", filter=Q(enrolments__status__in=HOLDING_A_SEAT), distinct=True),
        waiting=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.WAITLISTED), distinct=True))


def seats_of(session: Session) -> Seats:
    taken = getattr(session, "taken", None)
    waiting = getattr(session, "waiting", None)
    if taken is None or waiting is None:
        counts = Enrolment.objects.filter(session=session).aggregate(
            taken=Count("pk", filter=Q(status__in=HOLDING_A_SEAT)),
            waiting=Count("pk", filter=Q(status=EnrolmentStatus.WAITLISTED)))
        taken, waiting = counts["taken"], counts["waiting"]
    return Seats(seats=session.resource.capacity, taken=int(taken), waiting=int(waiting))


def upcoming_sessions(*, now: datetime | None = None) -> QuerySet[Session]:
    """Sessions of published courses that have not started: what residents may still apply for."""
    return with_seats(Session.objects.filter(course__is_published=True, starts_at__gt=_now(now),
                                             resource__is_active=True).select_related("course"))


def waiting_position(enrolment: Enrolment) -> int | None:
    """キャンセル待ちの順番 (1 = next to get a seat); None when not waiting."""
    if enrolment.status != EnrolmentStatus.WAITLISTED:
        return None
    ahead = Enrolment.objects.filter(session=enrolment.session_id, status=EnrolmentStatus.WAITLISTED).filter(
        Q(created_at__lt=enrolment.created_at) | Q(created_at=enrolment.created_at, pk__lt=enrolment.pk)).count()
    return ahead + 1


def active_enrolment(session: Session, resident: Resident) -> Enrolment | None:
    return Enrolment.objects.filter(session=session, resident=resident, status__in=ACTIVE).first()


def enrolment_cancel_refusal(enrolment: Enrolment, *, now: datetime | None = None) -> str | None:
    """None if the resident may still cancel, else why not: the rule `cancel_enrolment` applies to residents."""
    if enrolment.status not in ACTIVE:
        return _("この申込はすでに取り消されているか、終わっています。")
    if enrolment.session.starts_at <= _now(now):
        return _("講座が始まったため、取り消せません。")
    return None

"""Resident pages of 講座・スマホ教室: find a course, see each session's seats and 受講料, apply (or join the waiting
list), pay the 受講料 online from the enrolment's page, and cancel until the session starts. The lead mounts
`urlpatterns` and calls `my_enrolments` from 予約の確認."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yakuba.kernel import payments as kernel_payments
from yakuba.kernel.accounts.models import Resident
from yakuba.kernel.accounts.permissions import resident_required
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.actions import attempt

from .. import payments
from ..models import Course, Enrolment, Session
from ..services import courses as services
from .public import _login_url

JUST_ENROLLED = "reservations.just_enrolled"  # session key: show the result panel once
NEXT_SESSIONS = 3  # sessions shown per course on the list


def _sessions() -> QuerySet[Session]:
    return services.upcoming_sessions().order_by("starts_at", "pk")


def _courses() -> QuerySet[Course]:
    return Course.objects.filter(is_published=True).select_related("department").prefetch_related(
        Prefetch("sessions", queryset=_sessions(), to_attr="upcoming"))


def _rows(sessions: list[Session], resident: Resident | None) -> list[dict[str, Any]]:
    """Each session with its seats and, for a signed-in resident, their own enrolment and place in the queue."""
    own: dict[int, Enrolment] = {}
    if resident is not None and sessions:
        own = {e.session_id: e for e in Enrolment.objects.filter(
            resident=resident, session__in=sessions, status__in=services.ACTIVE)}
    rows = []
    for session in sessions:
        enrolment = own.get(session.pk)
        rows.append({"session": session, "seats": services.seats_of(session), "enrolment": enrolment,
                     "position": services.waiting_position(enrolment) if enrolment else None})
    return rows


def _resident(request: TownRequest) -> Resident | None:
    if not request.user.is_authenticated:
        return None
    return Resident.objects.filter(user=request.user).first()


@require_GET
def course_list(request: TownRequest) -> HttpResponse:
    courses: list[dict[str, Any]] = []
    for item in _courses():
        upcoming: list[Session] = item.upcoming  # type: ignore[attr-defined]
        courses.append({"course": item, "sessions": _rows(upcoming[:NEXT_SESSIONS], None),
                        "more": max(0, len(upcoming) - NEXT_SESSIONS)})
    courses.sort(key=lambda entry: (not entry["sessions"], entry["course"].title))
    return render(request, "reservations/public/courses.html", {"courses": courses})


@require_GET
def course(request: TownRequest, slug: str) -> HttpResponse:
    item = get_object_or_404(_courses(), slug=slug)
    just = request.session.pop(JUST_ENROLLED, None)
    result = None
    if just:
        result = Enrolment.objects.filter(public_id=just, session__course=item).select_related("session").first()
    return render(request, "reservations/public/course.html", {
        "course": item, "sessions": _rows(item.upcoming, _resident(request)),  # type: ignore[attr-defined]
        "result": result, "position": services.waiting_position(result) if result else None,
        "payment": _payment(result) if result else None, "login_url": _login_url(request.get_full_path()),
        "pays_online": item.fee > 0 and kernel_payments.enabled(request.municipality),
    })


def _payment(enrolment: Enrolment) -> kernel_payments.Summary | None:
    """The enrolment's 受講料 payment, if its course has a fee (no query for a free course)."""
    return payments.enrolment_summary(enrolment) if enrolment.session.course.fee > 0 else None


@resident_required
@require_GET
def enrolment(request: TownRequest, public_id: UUID) -> HttpResponse:
    """申込の内容: the resident's own enrolment, with its 受講料 and the payment box (where paying comes back to)."""
    item: Enrolment = get_object_or_404(Enrolment.objects.select_related("session__course__department"),
                                        public_id=public_id, resident=request.resident)
    return render(request, "reservations/public/enrolment.html", {
        "enrolment": item, "session": item.session, "course": item.session.course,
        "position": services.waiting_position(item), "payment": _payment(item),
        "may_cancel": services.enrolment_cancel_refusal(item) is None,
    })


@resident_required
@require_http_methods(["GET", "POST"])
def enrol(request: TownRequest, pk: int) -> HttpResponse:
    session: Session = get_object_or_404(Session.objects.filter(course__is_published=True).select_related(
        "course__department", "resource"), pk=pk)
    errors: list[str] = []
    if request.method == "POST":
        outcome = attempt(request, lambda: services.enrol(session, request.resident, request=request))
        if outcome.repeated:
            messages.info(request, _("この申込はすでに受け付けています。"))
            return HttpResponseRedirect(reverse("reservations:course", args=[session.course.slug]))
        if outcome.refused is not None:
            errors = outcome.refused.messages
        elif (enrolment := outcome.result) is not None:
            request.session[JUST_ENROLLED] = str(enrolment.public_id)
            return HttpResponseRedirect(reverse("reservations:course", args=[session.course.slug]) + "#result")
    existing = services.active_enrolment(session, request.resident)
    refusal = None
    if existing is not None:
        refusal = _("この回にはすでに申し込んでいます。")
    elif session.starts_at <= timezone.now():
        refusal = _("開始時刻を過ぎた講座には申し込めません。")
    seats = services.seats_of(session)
    return render(request, "reservations/public/enrol.html", {
        "session": session, "course": session.course, "seats": seats, "errors": errors,
        "refusal": None if errors else refusal, "existing": existing,
        "next_position": seats.waiting + 1, "resident": request.resident,
        "pays_online": session.course.fee > 0 and kernel_payments.enabled(request.municipality),
    }, status=400 if errors else 200)


@resident_required
@require_http_methods(["GET", "POST"])
def enrolment_cancel(request: TownRequest, public_id: UUID) -> HttpResponse:
    enrolment: Enrolment = get_object_or_404(Enrolment.objects.select_related("session__course", "session__resource"),
                                  public_id=public_id, resident=request.resident)
    errors: list[str] = []
    back = reverse("reservations:course", args=[enrolment.session.course.slug])
    if request.method == "POST":
        outcome = attempt(request, lambda: services.cancel_enrolment(enrolment, resident=request.resident,
                                                                     request=request))
        if outcome.repeated:
            return HttpResponseRedirect(back)
        if outcome.refused is not None:
            errors = outcome.refused.messages
        else:
            messages.success(request, _("講座の申込を取り消しました。"))
            return HttpResponseRedirect(back)
    return render(request, "reservations/public/enrolment_cancel.html", {
        "enrolment": enrolment, "session": enrolment.session, "course": enrolment.session.course,
        "position": services.waiting_position(enrolment), "errors": errors,
        "refusal": None if errors else services.enrolment_cancel_refusal(enrolment),
    }, status=400 if errors else 200)


def my_enrolments(resident: Resident) -> dict[str, Any]:
    """Context for 予約の確認: the resident's classes still to come (with queue places) and the past ones."""
    own = Enrolment.objects.filter(resident=resident).select_related("session__course")
    now = timezone.now()
    upcoming = list(own.filter(status__in=services.ACTIVE, session__ends_at__gt=now).order_by(
        "session__starts_at", "pk"))
    past = list(own.exclude(pk__in=[e.pk for e in upcoming]).order_by("-session__starts_at", "-pk")[:50])
    return {
        "enrolments_upcoming": [{"enrolment": e, "position": services.waiting_position(e),
                                 "may_cancel": services.enrolment_cancel_refusal(e, now=now) is None,
                                 "payment": _payment(e)}
                                for e in upcoming],
        "enrolments_past": past,
    }


urlpatterns = [
    path("reservations/courses/", course_list, name="courses"),
    path("reservations/courses/<slug:slug>/", course, name="course"),
    path("reservations/sessions/<int:pk>/enrol/", enrol, name="enrol"),
    path("my/enrolments/<uuid:public_id>/", enrolment, name="enrolment"),
    path("my/enrolments/<uuid:public_id>/cancel/", enrolment_cancel, name="enrolment-cancel"),
]

"""Staff pages of 講座・スマホ教室: the department's courses, new courses and sessions, and a session's roster
(出欠, 電話での申込, 取消し). Staff see their department's courses only; 情報担当 sees every course."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yakuba.kernel.accounts.models import Department, Resident, Role, Staff
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.accounts.services import search_residents
from yakuba.kernel.audit import services as audit
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.actions import act_once

from .. import payments
from ..models import Channel, Course, Enrolment, EnrolmentStatus, Session
from ..services import courses as services
from .staff import SEARCH_LIMIT, SearchForm, TimesForm

# Forms ----------------------------------------------------------------------------------------------------------

class CourseForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("講座名"), max_length=100,
                            help_text=gettext_lazy("例: スマホ教室（初めての方向け）"),
                            error_messages={"required": gettext_lazy("講座名を入力してください。"),
                                            "max_length": gettext_lazy("講座名は100文字以内で入力してください。")})
    description = forms.CharField(label=gettext_lazy("説明（住民に表示します）"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text=gettext_lazy("内容、対象の方、持ち物などをやさしい言葉で書きます。"),
                                  error_messages={"max_length": gettext_lazy("説明は4000文字以内で入力してください。")})
    department = forms.TypedChoiceField(label=gettext_lazy("担当課"), coerce=int,
                                        error_messages={"required": gettext_lazy("担当課を選んでください。"),
                                                        "invalid_choice": gettext_lazy("担当課を選び直してください。")})
    fee = forms.IntegerField(
        label=gettext_lazy("受講料（1回あたり・円）"), required=False, min_value=0, max_value=services.MAX_FEE,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=gettext_lazy("無料のときは0にします。材料費・教材費も含めた、1回の申込で納める金額です。"),
        error_messages={"invalid": gettext_lazy("受講料は数字（円）で入力してください。"),
                        "min_value": gettext_lazy("受講料は0円以上にしてください。"),
                        "max_value": gettext_lazy("受講料が高すぎます。金額を確かめてください。")})
    fee_note = forms.CharField(label=gettext_lazy("受講料の説明（材料費など）"), required=False, max_length=200,
                               help_text=gettext_lazy("例: 材料費500円を含みます"),
                               error_messages={"max_length": gettext_lazy(
                                   "受講料の説明は200文字以内で入力してください。")})
    is_published = forms.BooleanField(label=gettext_lazy("住民のページに公開する"), required=False, initial=True)

    def __init__(self, data: Any = None, *, staff: Staff, initial: dict[str, Any] | None = None) -> None:
        super().__init__(data, initial=initial)
        departments = Department.objects.order_by("sort_order", "name")
        if not staff.has_role(Role.ADMIN):
            departments = departments.filter(pk=staff.department_id)
        self.departments = {department.pk: department for department in departments}
        field = self.fields["department"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(pk, department.name) for pk, department in self.departments.items()]
        if "department" not in self.initial and staff.department_id in self.departments:
            self.initial["department"] = staff.department_id


class SessionForm(TimesForm):
    place = forms.CharField(label=gettext_lazy("会場"), max_length=100,
                            help_text=gettext_lazy("例: 中央公民館 第1会議室"),
                            error_messages={"required": gettext_lazy("会場を入力してください。"),
                                            "max_length": gettext_lazy("会場は100文字以内で入力してください。")})
    seats = forms.IntegerField(label=gettext_lazy("定員（人）"), min_value=1, max_value=services.MAX_SEATS,
                               widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                               error_messages={"required": gettext_lazy("定員を入力してください。"),
                                               "invalid": gettext_lazy("定員は数字で入力してください。"),
                                               "min_value": gettext_lazy("定員は1人以上にしてください。"),
                                               "max_value": gettext_lazy("定員が多すぎます。")})
    field_order = ["day", "starts", "ends", "place", "seats"]


# Courses --------------------------------------------------------------------------------------------------------

def _course(request: TownRequest, pk: int) -> Course:
    return get_object_or_404(services.managed_courses(request.staff), pk=pk)


@staff_required(role=Role.STAFF)
def courses(request: TownRequest) -> HttpResponse:
    now = timezone.now()
    items = [{"course": course,
              "upcoming": services.with_seats(course.sessions.filter(starts_at__gt=now)).order_by("starts_at")[:3]}
             for course in services.managed_courses(request.staff).order_by("department__name", "title")]
    return render(request, "reservations/staff/courses.html", {"items": items})


@staff_required(role=Role.STAFF)
def course(request: TownRequest, pk: int) -> HttpResponse:
    item = _course(request, pk)
    sessions = services.with_seats(item.sessions.all()).order_by("-starts_at")
    now = timezone.now()
    return render(request, "reservations/staff/course.html", {
        "course": item,
        "upcoming": [{"session": s, "seats": services.seats_of(s)} for s in sessions if s.starts_at > now][::-1],
        "past": [{"session": s, "seats": services.seats_of(s)} for s in sessions if s.starts_at <= now][:20],
    })


def _course_form(request: TownRequest, form: CourseForm, save: Callable[[dict[str, Any]], Course],
                 done: str, template_context: dict[str, Any]) -> HttpResponse:
    """Validate, then save once per click; refusals come back on the form (400) with the typing kept."""
    if request.method == "POST":
        if form.is_valid():
            data = {**form.cleaned_data, "department": form.departments[form.cleaned_data["department"]],
                    "fee": form.cleaned_data["fee"] or 0}  # left empty: free
            response = act_once(request, lambda: save(data), done=done, form=form,
                                back=lambda saved: reverse("staff:reservations-course", args=[saved.pk]),
                                again=reverse("staff:reservations-courses"))
            if response is not None:
                return response
    return render(request, "reservations/staff/course_form.html", {"form": form, **template_context},
                  status=400 if form.is_bound else 200)


@staff_required(role=Role.STAFF)
def course_new(request: TownRequest) -> HttpResponse:
    form = CourseForm(request.POST if request.method == "POST" else None, staff=request.staff)
    return _course_form(request, form, lambda data: services.create_course(
        request.municipality, staff=request.staff, title=data["title"], description=data["description"],
        department=data["department"], is_published=data["is_published"], fee=data["fee"],
        fee_note=data["fee_note"], request=request),
        _("講座を作りました。続けて日程（回）を追加してください。"), {"course": None})


@staff_required(role=Role.STAFF)
def course_edit(request: TownRequest, pk: int) -> HttpResponse:
    item = _course(request, pk)
    initial = {"title": item.title, "description": item.description, "department": item.department_id,
               "is_published": item.is_published, "fee": item.fee, "fee_note": item.fee_note}
    form = CourseForm(request.POST if request.method == "POST" else None, staff=request.staff, initial=initial)
    return _course_form(request, form, lambda data: services.update_course(
        item, staff=request.staff, title=data["title"], description=data["description"],
        department=data["department"], is_published=data["is_published"], fee=data["fee"],
        fee_note=data["fee_note"], request=request),
        _("講座の内容を変更しました。"), {"course": item})


@staff_required(role=Role.STAFF)
def session_new(request: TownRequest, pk: int) -> HttpResponse:
    item = _course(request, pk)
    form = SessionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.period()
        response = act_once(request, lambda: services.add_session(
            item, staff=request.staff, starts_at=starts_at, ends_at=ends_at, place=form.cleaned_data["place"],
            seats=form.cleaned_data["seats"], request=request), done=_("日程（回）を追加しました。"), form=form,
            back=lambda session: reverse("staff:reservations-session", args=[session.pk]),
            again=reverse("staff:reservations-course", args=[item.pk]))
        if response is not None:
            return response
    return render(request, "reservations/staff/session_form.html", {"course": item, "form": form},
                  status=400 if form.is_bound else 200)


# A session's roster ---------------------------------------------------------------------------------------------

def _session(request: TownRequest, pk: int) -> Session:
    return get_object_or_404(services.with_seats(services.managed_sessions(request.staff)), pk=pk)


def _roster(request: TownRequest, session: Session, *, errors: list[str] | None = None,
            status: int = 200) -> HttpResponse:
    enrolments = list(Enrolment.objects.filter(session=session).select_related("resident", "resident__user")
                      .order_by("created_at", "pk"))
    seated = [e for e in enrolments if e.status in services.HOLDING_A_SEAT]
    if session.course.fee > 0:  # each seat's 受講料: paid, awaiting payment, or none asked (a phone enrolment)
        for enrolment in seated:
            setattr(enrolment, "fee_payment", payments.enrolment_summary(enrolment))  # noqa: B010 - for the template
    waiting = [e for e in enrolments if e.status == EnrolmentStatus.WAITLISTED]
    cancelled = [e for e in enrolments if e.status == EnrolmentStatus.CANCELLED]
    search = SearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    found = list(search_residents(query)[:SEARCH_LIMIT]) if query else []
    audit.record("reservations.session.viewed", municipality=request.municipality, actor=request.user, obj=session,
                 request=request, data={"count": len(enrolments), **({"searched": len(found)} if query else {})})
    active = {e.resident_id for e in enrolments if e.status in services.ACTIVE}
    return render(request, "reservations/staff/session.html", {
        "session": session, "course": session.course, "seats": services.seats_of(session), "seated": seated,
        "waiting": waiting, "cancelled": cancelled, "search": search, "query": query, "limit": SEARCH_LIMIT,
        "found": [{"resident": r, "enrolled": r.pk in active} for r in found],
        "started": session.starts_at <= timezone.now(), "errors": errors or [],
    }, status=status)


@staff_required(role=Role.STAFF)
def session(request: TownRequest, pk: int) -> HttpResponse:
    return _roster(request, _session(request, pk))


def _act(request: TownRequest, session: Session, action: Callable[[], Any],
         done: str | Callable[[Any], str]) -> HttpResponse:
    """Run `action` once per click; a refused action shows the roster again with the reasons (400)."""
    return act_once(request, action, done=done, back=reverse("staff:reservations-session", args=[session.pk]),
                    refused=lambda error: _roster(request, session, errors=error.messages, status=400))


def _enrolment(request: TownRequest, pk: int) -> Enrolment:
    return get_object_or_404(services.managed_enrolments(request.staff), pk=pk)


@staff_required(role=Role.STAFF)
@require_POST
def session_enrol(request: TownRequest, pk: int) -> HttpResponse:
    item = _session(request, pk)
    resident_pk = request.POST.get("resident", "")
    if not resident_pk.isdigit():
        return _roster(request, item, errors=[_("申し込む方を検索して選んでください。")], status=400)
    resident = Resident.objects.filter(pk=resident_pk).first()
    if resident is None:
        raise Http404

    def done(enrolment: Enrolment) -> str:
        if enrolment.status == EnrolmentStatus.WAITLISTED:
            return _("満席のため、%(name)s 様をキャンセル待ち（%(position)s番目）で受け付けました。") % {
                "name": resident, "position": services.waiting_position(enrolment)}
        return _("%(name)s 様の申込を受け付けました。") % {"name": resident}

    return _act(request, item, lambda: services.enrol(item, resident, staff=request.staff, channel=Channel.PHONE,
                                                      request=request), done)


@staff_required(role=Role.STAFF)
@require_POST
def enrolment_attendance(request: TownRequest, pk: int) -> HttpResponse:
    enrolment = _enrolment(request, pk)
    item = _session(request, enrolment.session_id)
    choice = request.POST.get("attended", "")
    if choice not in ("1", "0"):
        return _roster(request, item, errors=[_("出席か欠席かを選んでください。")], status=400)
    attended = choice == "1"
    return _act(request, item,
                lambda: services.mark_session_attendance(enrolment, attended, staff=request.staff, request=request),
                (_("%(name)s 様を出席にしました。") if attended else _("%(name)s 様を欠席にしました。"))
                % {"name": enrolment.resident})


@staff_required(role=Role.STAFF)
@require_POST
def enrolment_cancel(request: TownRequest, pk: int) -> HttpResponse:
    enrolment = _enrolment(request, pk)
    item = _session(request, enrolment.session_id)
    return _act(request, item,
                lambda: services.cancel_enrolment(enrolment, staff=request.staff, request=request),
                _("%(name)s 様の申込を取り消しました。キャンセル待ちの方がいれば繰り上げてお知らせします。")
                % {"name": enrolment.resident})


urlpatterns = [
    path("reservations/courses/", courses, name="reservations-courses"),
    path("reservations/courses/new/", course_new, name="reservations-course-new"),
    path("reservations/courses/<int:pk>/", course, name="reservations-course"),
    path("reservations/courses/<int:pk>/edit/", course_edit, name="reservations-course-edit"),
    path("reservations/courses/<int:pk>/sessions/new/", session_new, name="reservations-session-new"),
    path("reservations/sessions/<int:pk>/", session, name="reservations-session"),
    path("reservations/sessions/<int:pk>/enrol/", session_enrol, name="reservations-session-enrol"),
    path("reservations/enrolments/<int:pk>/attendance/", enrolment_attendance,
         name="reservations-enrolment-attendance"),
    path("reservations/enrolments/<int:pk>/cancel/", enrolment_cancel, name="reservations-enrolment-cancel"),
]

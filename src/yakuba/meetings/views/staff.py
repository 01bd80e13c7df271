"""The 事務局's pages: meetings of the bodies it serves, each body's members, a meeting's agenda, pack,
recordings, 出欠 and minutes, and the actions that close, cancel or publish it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from django import forms as django_forms
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.actions import act_once, error_summary

from ..models import AgendaItem, Attendance, Body, Meeting, MeetingState, Member, Recording
from ..services import access
from ..services import meetings as services
from . import forms


def _render(request: TownRequest, template: str, context: dict[str, Any], *forms_: django_forms.Form | None,
            status: int | None = None) -> HttpResponse:
    bound = [form for form in forms_ if form is not None and form.is_bound]
    errors = [item for form in bound for item in error_summary(form)]
    return render(request, f"meetings/staff/{template}", {**context, "errors": errors},
                  status=status or (400 if errors else 200))


def _body(request: TownRequest, pk: int) -> Body:
    body: Body = get_object_or_404(Body.objects.select_related("department"), pk=pk)
    if not access.is_clerk(request.staff, body):
        raise Http404
    return body


def _meeting(request: TownRequest, uuid: UUID) -> Meeting:
    meeting: Meeting = get_object_or_404(Meeting.objects.select_related("body", "body__department"), uuid=uuid)
    if not access.is_clerk(request.staff, meeting.body):
        raise Http404
    return meeting


@staff_required(role=Role.STAFF)
def home(request: TownRequest) -> HttpResponse:
    """会議・議事録: the meetings of the bodies this clerk serves, and those this staff member sits in (庁議)."""
    bodies = access.clerk_bodies(request.staff)
    now = timezone.now()
    rows = Meeting.objects.filter(body__in=bodies).select_related("body")
    sitting = Meeting.objects.filter(body__members__user=request.staff.user, body__members__active=True).exclude(
        body__in=bodies).select_related("body").distinct()
    return render(request, "meetings/staff/home.html", {
        "bodies": bodies, "upcoming": rows.filter(state=MeetingState.PLANNED).order_by("starts_at"),
        "past": rows.exclude(state=MeetingState.PLANNED).order_by("-starts_at")[:30],
        "sitting": sitting.filter(starts_at__gte=now - timedelta(days=60)).order_by("starts_at"),
        "is_admin": request.staff.role >= Role.ADMIN,
        "body_form": forms.BodyForm(initial={"public": True}, prefix="body")})


@staff_required(role=Role.ADMIN)
@require_POST
def body_add(request: TownRequest) -> HttpResponse:
    form = forms.BodyForm(request.POST, prefix="body")
    if form.is_valid():
        response = act_once(request, lambda: services.save_body(request.staff, services.BodyFields(
            **form.cleaned_data)), form=form, done=_("会議体を追加しました。"),
            back=lambda body: reverse("staff:meetings-body", args=[body.pk]))
        if response is not None:
            return response
    bodies = access.clerk_bodies(request.staff)
    return _render(request, "home.html", {"bodies": bodies, "upcoming": [], "past": [], "sitting": [],
                                          "is_admin": True, "body_form": form}, form)


def _body_page(request: TownRequest, body: Body, *, body_form: forms.BodyForm | None = None,
               member_form: forms.MemberForm | None = None, meeting_form: forms.MeetingForm | None = None
               ) -> HttpResponse:
    initial = {"name": body.name, "name_en": body.name_en, "kind": body.kind, "department": body.department_id,
               "public": body.public, "sort_order": body.sort_order}
    return _render(request, "body.html", {
        "body": body, "members": Member.objects.filter(body=body).select_related("user"),
        "meetings": body.meetings.order_by("-starts_at")[:20],
        "body_form": body_form or forms.BodyForm(initial=initial, prefix="body"),
        "member_form": member_form or forms.MemberForm(initial={"sort_order": body.members.count()}, prefix="member"),
        "meeting_form": meeting_form or forms.MeetingForm(initial={"public": body.public, "place": ""}),
    }, body_form, member_form, meeting_form)


@staff_required(role=Role.STAFF)
def body(request: TownRequest, pk: int) -> HttpResponse:
    return _body_page(request, _body(request, pk))


@staff_required(role=Role.STAFF)
@require_POST
def body_change(request: TownRequest, pk: int) -> HttpResponse:
    row = _body(request, pk)
    form = forms.BodyForm(request.POST, prefix="body")
    if form.is_valid():
        response = act_once(request, lambda: services.save_body(request.staff, services.BodyFields(
            **form.cleaned_data), row), form=form, done=_("会議体を保存しました。"),
            back=reverse("staff:meetings-body", args=[row.pk]))
        if response is not None:
            return response
    return _body_page(request, row, body_form=form)


@staff_required(role=Role.STAFF)
@require_POST
def member_add(request: TownRequest, pk: int) -> HttpResponse:
    row = _body(request, pk)
    form = forms.MemberForm(request.POST, prefix="member")
    if form.is_valid():
        response = act_once(request, lambda: services.add_member(request.staff, row, **form.cleaned_data),
                            form=form, done=_("委員を追加しました。"),
                            back=reverse("staff:meetings-body", args=[row.pk]))
        if response is not None:
            return response
    return _body_page(request, row, member_form=form)


@staff_required(role=Role.STAFF)
@require_POST
def member_active(request: TownRequest, pk: int) -> HttpResponse:
    member: Member = get_object_or_404(Member.objects.select_related("body"), pk=pk)
    _body(request, member.body_id)
    active = request.POST.get("active") == "1"
    return act_once(request, lambda: services.set_member_active(request.staff, member, active),
                    done=_("委員の在任を更新しました。"), back=reverse("staff:meetings-body", args=[member.body_id]))


@staff_required(role=Role.STAFF)
@require_POST
def meeting_add(request: TownRequest, pk: int) -> HttpResponse:
    row = _body(request, pk)
    form = forms.MeetingForm(request.POST)
    if form.is_valid():
        response = act_once(request, lambda: services.schedule_meeting(request.staff, row, services.MeetingFields(
            **form.cleaned_data)), form=form, done=_("会議を登録しました。議題と資料を登録してください。"),
            back=lambda meeting: reverse("staff:meetings-meeting", args=[meeting.uuid]))
        if response is not None:
            return response
    return _body_page(request, row, meeting_form=form)


def _meeting_page(request: TownRequest, meeting: Meeting, *, meeting_form: forms.MeetingForm | None = None,
                  item_form: forms.ItemForm | None = None, cancel_form: forms.ReasonForm | None = None,
                  status: int | None = None, errors: list[dict[str, str]] | None = None) -> HttpResponse:
    members = list(Member.objects.filter(body=meeting.body, active=True))
    presence = {row.member_id: row.presence for row in Attendance.objects.filter(meeting=meeting)}
    local = timezone.localtime
    initial = {"title": meeting.title, "title_en": meeting.title_en, "starts_at": local(meeting.starts_at),
               "ends_at": local(meeting.ends_at) if meeting.ends_at else None, "place": meeting.place,
               "online_url": meeting.online_url, "public": meeting.public}
    documents = list(meeting.documents.select_related("current", "item"))
    response = _render(request, "meeting.html", {
        "meeting": meeting, "items": list(AgendaItem.objects.filter(meeting=meeting)), "documents": documents,
        "loose": [document for document in documents if document.item_id is None],
        "attendance": [(member, presence.get(member.pk, "")) for member in members],
        "presence_choices": forms.attendance_choices(),
        "recordings": Recording.objects.filter(meeting=meeting),
        "meeting_form": meeting_form or forms.MeetingForm(initial=initial),
        "item_form": item_form or forms.ItemForm(prefix="item"), "cancel_form": cancel_form or forms.ReasonForm(),
        "started": meeting.starts_at <= timezone.now(), "extra_errors": errors or [],
    }, meeting_form, item_form, cancel_form, status=status)
    return response


@staff_required(role=Role.STAFF)
def meeting(request: TownRequest, uuid: UUID) -> HttpResponse:
    return _meeting_page(request, _meeting(request, uuid))


def _back(meeting: Meeting, anchor: str = "") -> str:
    return reverse("staff:meetings-meeting", args=[meeting.uuid]) + (f"#{anchor}" if anchor else "")


@staff_required(role=Role.STAFF)
@require_POST
def meeting_change(request: TownRequest, uuid: UUID) -> HttpResponse:
    row = _meeting(request, uuid)
    form = forms.MeetingForm(request.POST)
    if form.is_valid():
        response = act_once(request, lambda: services.change_meeting(request.staff, row, services.MeetingFields(
            **form.cleaned_data)), form=form, done=_("会議を保存しました。"), back=_back(row))
        if response is not None:
            return response
    return _meeting_page(request, row, meeting_form=form)


@staff_required(role=Role.STAFF)
@require_POST
def item_add(request: TownRequest, uuid: UUID) -> HttpResponse:
    row = _meeting(request, uuid)
    form = forms.ItemForm(request.POST, prefix="item")
    if form.is_valid():
        response = act_once(request, lambda: services.add_item(
            request.staff, row, number=form.cleaned_data["number"], title=form.cleaned_data["title"]),
            form=form, done=_("議題を追加しました。"), back=_back(row, "agenda"))
        if response is not None:
            return response
    return _meeting_page(request, row, item_form=form)


@staff_required(role=Role.STAFF)
@require_POST
def item_change(request: TownRequest, pk: int) -> HttpResponse:
    item: AgendaItem = get_object_or_404(AgendaItem.objects.select_related("meeting", "meeting__body"), pk=pk)
    row = _meeting(request, item.meeting.uuid)
    if request.POST.get("remove"):
        return act_once(request, lambda: services.remove_item(request.staff, item), done=_("議題を削除しました。"),
                        back=_back(row, "agenda"))
    form = forms.ItemForm(request.POST, prefix="item")
    if form.is_valid():
        response = act_once(request, lambda: services.change_item(request.staff, item, **form.cleaned_data),
                            form=form, done=_("議題を保存しました。"), back=_back(row, "agenda"))
        if response is not None:
            return response
    return _meeting_page(request, row, item_form=form)


@staff_required(role=Role.STAFF)
@require_POST
def attendance(request: TownRequest, uuid: UUID) -> HttpResponse:
    row = _meeting(request, uuid)
    presence: dict[int, str] = {}
    for key, value in request.POST.dict().items():
        if key.startswith("member-") and value:
            try:
                presence[int(key.removeprefix("member-"))] = value
            except ValueError:
                raise Http404 from None
    return act_once(request, lambda: services.record_attendance(request.staff, row, presence),
                    done=_("出欠を記録しました。"), back=_back(row, "attendance"))


@staff_required(role=Role.STAFF)
@require_POST
def close(request: TownRequest, uuid: UUID) -> HttpResponse:
    row = _meeting(request, uuid)
    return act_once(request, lambda: services.close_meeting(request.staff, row),
                    done=_("閉会にしました。資料は会議の時点の内容で確定しました。"), back=_back(row))


@staff_required(role=Role.STAFF)
@require_POST
def cancel(request: TownRequest, uuid: UUID) -> HttpResponse:
    row = _meeting(request, uuid)
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        response = act_once(request, lambda: services.cancel_meeting(request.staff, row, form.cleaned_data["reason"]),
                            form=form, done=_("会議を中止にしました。"), back=_back(row))
        if response is not None:
            return response
    return _meeting_page(request, row, cancel_form=form)


@staff_required(role=Role.STAFF)
@require_POST
def publish(request: TownRequest, uuid: UUID) -> HttpResponse:
    row = _meeting(request, uuid)
    on = request.POST.get("publish") == "1"
    said = _("資料を公開しました。") if on else _("資料の公開をやめました。")
    return act_once(request, lambda: services.publish_pack(request.staff, row, on), done=said, back=_back(row))


staff_urlpatterns = [
    path("meetings/", home, name="meetings"),
    path("meetings/bodies/new/", body_add, name="meetings-body-add"),
    path("meetings/bodies/<int:pk>/", body, name="meetings-body"),
    path("meetings/bodies/<int:pk>/change/", body_change, name="meetings-body-change"),
    path("meetings/bodies/<int:pk>/members/", member_add, name="meetings-member-add"),
    path("meetings/members/<int:pk>/active/", member_active, name="meetings-member-active"),
    path("meetings/bodies/<int:pk>/meetings/", meeting_add, name="meetings-meeting-add"),
    path("meetings/<uuid:uuid>/", meeting, name="meetings-meeting"),
    path("meetings/<uuid:uuid>/change/", meeting_change, name="meetings-meeting-change"),
    path("meetings/<uuid:uuid>/items/", item_add, name="meetings-item-add"),
    path("meetings/items/<int:pk>/", item_change, name="meetings-item-change"),
    path("meetings/<uuid:uuid>/attendance/", attendance, name="meetings-attendance"),
    path("meetings/<uuid:uuid>/close/", close, name="meetings-close"),
    path("meetings/<uuid:uuid>/cancel/", cancel, name="meetings-cancel"),
    path("meetings/<uuid:uuid>/publish/", publish, name="meetings-publish"),
]
urlpatterns: list[Any] = []

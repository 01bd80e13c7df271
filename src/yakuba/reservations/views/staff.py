"""Staff back office of 予約: the day and the week per room and counter, a reservation's record and its actions,
blocked slots, bookings taken by phone, and 稼働率."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yakuba.kernel.accounts.models import Resident, Role, Staff
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.accounts.services import search_residents
from yakuba.kernel.audit import services as audit
from yakuba.kernel.files import tables
from yakuba.kernel.http import TownRequest
from yakuba.kernel.scheduling import calendar
from yakuba.kernel.scheduling import services as scheduling
from yakuba.kernel.scheduling.models import Booking, BookingStatus, Resource
from yakuba.kernel.ui.actions import act_once

from .. import services
from ..models import AppointmentType, Channel, Kind, Reservation, Room, Status

SEARCH_LIMIT = 20
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


# Helpers ------------------------------------------------------------------------------------------------------

def _parse_day(value: str | None, default: date) -> date | None:
    """A date from ?day=/?start=; the default when absent, None when malformed."""
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _at(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def _resources(staff: Staff) -> list[dict[str, Any]]:
    """Managed rooms then appointment types, each as {resource, label, kind}, in the town's order."""
    rooms = [{"resource": room.resource, "label": str(room), "kind": Kind.ROOM, "target": room}
             for room in services.managed_rooms(staff)]
    kinds = [{"resource": kind.resource, "label": _("%(name)s（来庁予約）") % {"name": kind.name},
              "kind": Kind.APPOINTMENT, "target": kind}
             for kind in services.managed_appointment_types(staff)]
    return rooms + kinds


def _entries(bookings: QuerySet[Booking]) -> dict[int, list[dict[str, Any]]]:
    """Active bookings by resource id, each with its reservation (None for a blocked slot), in time order."""
    by_resource: dict[int, list[dict[str, Any]]] = {}
    for booking in bookings.select_related("reservation__resident").order_by("starts_at", "pk"):
        reservation = getattr(booking, "reservation", None)
        by_resource.setdefault(booking.resource_id, []).append({
            "booking": booking, "reservation": reservation,
            "starts_at": reservation.starts_at if reservation else booking.starts_at,
            "ends_at": reservation.ends_at if reservation else booking.ends_at,
            "blocked": booking.status == BookingStatus.BLOCKED,
        })
    return by_resource


# Day and week -------------------------------------------------------------------------------------------------

@staff_required(role=Role.STAFF)
def day(request: TownRequest) -> HttpResponse:
    today = timezone.localdate()
    shown = _parse_day(request.GET.get("day"), today)
    status = 200
    if shown is None:
        messages.error(request, _("日付は YYYY-MM-DD の形で指定してください。"))
        shown, status = today, 400
    start = _at(shown, time.min)
    resources = _resources(request.staff)
    entries = _entries(scheduling.bookings_between(start, start + timedelta(days=1),
                                                   resources=services.managed_resources(request.staff)))
    groups = [{**item, "entries": entries.get(item["resource"].pk, []),
               "closed": calendar.is_closed(services.rules_of(item["resource"]), shown)} for item in resources]
    count = sum(len(group["entries"]) for group in groups)
    audit.record("reservations.day.viewed", municipality=request.municipality, actor=request.user, request=request,
                 data={"day": shown.isoformat(), "count": count})
    return render(request, "reservations/staff/day.html", {
        "day": shown, "today": today, "groups": groups, "count": count,
        "previous": shown - timedelta(days=1), "next": shown + timedelta(days=1),
    }, status=status)


@staff_required(role=Role.STAFF)
def week(request: TownRequest) -> HttpResponse:
    resources = _resources(request.staff)
    chosen = request.GET.get("resource", "")
    if chosen:
        item = next((r for r in resources if str(r["resource"].pk) == chosen), None)
        if item is None:
            raise Http404
    else:
        item = resources[0] if resources else None
    today = timezone.localdate()
    first = _parse_day(request.GET.get("start"), today - timedelta(days=today.weekday()))
    status = 200
    if first is None:
        first, status = today - timedelta(days=today.weekday()), 400
        messages.error(request, _("日付は YYYY-MM-DD の形で指定してください。"))
    days: list[dict[str, Any]] = []
    if item is not None:
        start = _at(first, time.min)
        bookings = scheduling.bookings_between(start, start + timedelta(days=7),
                                               resources=Resource.objects.filter(pk=item["resource"].pk))
        entries = _entries(bookings).get(item["resource"].pk, [])
        rules = services.rules_of(item["resource"])
        for offset in range(7):
            current = first + timedelta(days=offset)
            days.append({"day": current, "closed": calendar.is_closed(rules, current), "is_today": current == today,
                         "entries": [e for e in entries if timezone.localdate(e["starts_at"]) == current]})
        audit.record("reservations.week.viewed", municipality=request.municipality, actor=request.user,
                     obj=item["resource"], request=request,
                     data={"start": first.isoformat(), "count": sum(len(d["entries"]) for d in days)})
    return render(request, "reservations/staff/week.html", {
        "resources": resources, "item": item, "days": days, "first": first,
        "previous": first - timedelta(days=7), "next": first + timedelta(days=7),
    }, status=status)


# One reservation ----------------------------------------------------------------------------------------------

def _managed(request: TownRequest, pk: int) -> Reservation:
    return get_object_or_404(services.managed_reservations(request.staff), pk=pk)


def _detail(request: TownRequest, reservation: Reservation, *, errors: list[str] | None = None,
            status: int = 200) -> HttpResponse:
    audit.record_read(request, reservation)
    on_or_after_day = timezone.localdate(reservation.starts_at) <= timezone.localdate()
    return render(request, "reservations/staff/detail.html", {
        "reservation": reservation, "errors": errors or [],
        "may_approve": reservation.status == Status.PENDING,
        "may_mark": on_or_after_day and reservation.status in (Status.CONFIRMED, Status.ATTENDED, Status.NO_SHOW),
        "may_cancel": reservation.is_active,
        "attended": Status.ATTENDED, "no_show": Status.NO_SHOW,
    }, status=status)


@staff_required(role=Role.STAFF)
def detail(request: TownRequest, pk: int) -> HttpResponse:
    return _detail(request, _managed(request, pk))


def _act(request: TownRequest, reservation: Reservation, action: Callable[[], object], done: str) -> HttpResponse:
    """Run `action` once per click; a refused action shows the record again with the reasons (400)."""
    return act_once(request, action, done=done, back=reverse("staff:reservations-detail", args=[reservation.pk]),
                    refused=lambda error: _detail(request, reservation, errors=error.messages, status=400))


@staff_required(role=Role.STAFF)
@require_POST
def approve(request: TownRequest, pk: int) -> HttpResponse:
    reservation = _managed(request, pk)
    return _act(request, reservation,
                lambda: services.approve(reservation, staff=request.staff, request=request),
                _("予約を承認しました。"))


@staff_required(role=Role.STAFF)
@require_POST
def attendance(request: TownRequest, pk: int) -> HttpResponse:
    reservation = _managed(request, pk)
    choice = request.POST.get("attended", "")
    if choice not in ("1", "0"):
        return _detail(request, reservation, errors=[_("受付済みか無断キャンセルかを選んでください。")], status=400)
    attended = choice == "1"
    return _act(request, reservation,
                lambda: services.mark_attendance(reservation, attended, staff=request.staff, request=request),
                _("受付済みにしました。") if attended else _("無断キャンセルとして記録しました。"))


@staff_required(role=Role.STAFF)
@require_POST
def cancel(request: TownRequest, pk: int) -> HttpResponse:
    reservation = _managed(request, pk)
    return _act(request, reservation,
                lambda: services.cancel(reservation, staff=request.staff, request=request),
                _("予約を取り消しました。予約者にお知らせします。"))


# Blocked slots ------------------------------------------------------------------------------------------------

class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class TimesForm(forms.Form):
    """A day and a start/end time; the end after the start."""

    day = forms.DateField(label=gettext_lazy("日付"), widget=DateInput(),
                          error_messages={"required": gettext_lazy("日付を入力してください。"),
                                          "invalid": gettext_lazy("日付を正しく入力してください。")})
    starts = forms.TimeField(label=gettext_lazy("開始時刻"), widget=TimeInput(),
                             error_messages={"required": gettext_lazy("開始時刻を入力してください。"),
                                             "invalid": gettext_lazy("開始時刻を正しく入力してください（例: 9:00）。")})
    ends = forms.TimeField(label=gettext_lazy("終了時刻"), widget=TimeInput(),
                           error_messages={"required": gettext_lazy("終了時刻を入力してください。"),
                                           "invalid": gettext_lazy("終了時刻を正しく入力してください（例: 12:00）。")})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts"), data.get("ends")
        if starts is not None and ends is not None and ends <= starts:
            self.add_error("ends", _("終了時刻は開始時刻より後にしてください。"))
        return data

    def period(self) -> tuple[datetime, datetime]:
        data = self.cleaned_data
        return _at(data["day"], data["starts"]), _at(data["day"], data["ends"])


class BlockForm(TimesForm):
    resource = forms.TypedChoiceField(label=gettext_lazy("施設・窓口"), coerce=int,
                                      error_messages={"required": gettext_lazy("施設・窓口を選んでください。")})
    reason = forms.CharField(label=gettext_lazy("理由"), max_length=200, help_text=gettext_lazy(
                                 "例: 設備点検、町の行事。住民の予約画面では空いていない時間になります。"),
                             error_messages={"required": gettext_lazy("理由を入力してください。")})
    field_order = ["resource", "day", "starts", "ends", "reason"]

    def __init__(self, data: Any = None, *, resources: list[dict[str, Any]]) -> None:
        super().__init__(data)
        self.resources = {item["resource"].pk: item["resource"] for item in resources}
        field = self.fields["resource"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("選んでください")), *((item["resource"].pk, item["label"]) for item in resources)]


@staff_required(role=Role.STAFF)
def block(request: TownRequest) -> HttpResponse:
    resources = _resources(request.staff)
    form = BlockForm(request.POST if request.method == "POST" else None, resources=resources)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            starts_at, ends_at = form.period()
            response = act_once(request, lambda: services.block(
                form.resources[form.cleaned_data["resource"]], starts_at, ends_at, reason=form.cleaned_data["reason"],
                staff=request.staff, request=request), done=_("利用停止にしました。"),
                back=reverse("staff:reservations-block"), form=form)
            if response is not None:
                return response
        status = 400
    blocks = Booking.objects.filter(status=BookingStatus.BLOCKED, ends_at__gt=timezone.now(),
                                    resource__in=services.managed_resources(request.staff)).select_related("resource")
    labels = {item["resource"].pk: item["label"] for item in resources}
    return render(request, "reservations/staff/block.html", {
        "form": form, "blocks": [{"booking": b, "label": labels.get(b.resource_id, b.resource.name)} for b in blocks],
    }, status=status)


@staff_required(role=Role.STAFF)
@require_POST
def unblock(request: TownRequest, pk: int) -> HttpResponse:
    booking: Booking = get_object_or_404(Booking.objects.filter(
        status=BookingStatus.BLOCKED, resource__in=services.managed_resources(request.staff)), pk=pk)
    return act_once(request, lambda: services.unblock(booking, staff=request.staff, request=request),
                    done=_("利用停止を解除しました。"), back=reverse("staff:reservations-block"))


# A booking taken by phone -------------------------------------------------------------------------------------

class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("氏名・フリガナ・電話番号"), max_length=60, required=False)


class NewBookingForm(TimesForm):
    target = forms.ChoiceField(label=gettext_lazy("予約するもの"),
                               error_messages={"required": gettext_lazy("施設・窓口を選んでください。")})
    purpose = forms.CharField(label=gettext_lazy("利用目的・ご用件"), max_length=200,
                              error_messages={"required": gettext_lazy("利用目的・ご用件を入力してください。")})
    people = forms.IntegerField(label=gettext_lazy("人数（施設予約のみ）"), required=False, min_value=1,
                                max_value=9999)
    field_order = ["target", "day", "starts", "ends", "purpose", "people"]

    def __init__(self, data: Any = None, *, rooms: list[Room], kinds: list[AppointmentType]) -> None:
        super().__init__(data)
        self.targets: dict[str, Room | AppointmentType] = {
            **{f"room:{room.pk}": room for room in rooms}, **{f"appointment:{kind.pk}": kind for kind in kinds}}
        field = self.fields["target"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("選んでください")),
                         (_("施設"), [(f"room:{room.pk}", str(room)) for room in rooms]),
                         (_("来庁予約"), [(f"appointment:{kind.pk}",
                                       _("%(name)s（%(minutes)s分）") % {"name": kind.name,
                                                                       "minutes": kind.duration_minutes})
                                      for kind in kinds])]
        self.fields["ends"].required = False
        self.fields["ends"].help_text = _("施設予約のときに入力します。来庁予約は所要時間で決まります。")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        target = self.targets.get(data.get("target") or "")
        if isinstance(target, Room) and data.get("starts") and not data.get("ends") and "ends" not in self.errors:
            self.add_error("ends", _("終了時刻を入力してください。"))
        data["resolved"] = target
        return data


def _book(request: TownRequest, form: NewBookingForm, resident: Resident) -> Reservation:
    data = form.cleaned_data
    target = data["resolved"]
    starts_at = _at(data["day"], data["starts"])
    if isinstance(target, Room):
        return services.reserve_room(target, resident, starts_at, _at(data["day"], data["ends"]),
                                     purpose=data["purpose"], people=data.get("people"), staff=request.staff,
                                     channel=Channel.PHONE, request=request)
    return services.reserve_appointment(target, resident, starts_at, purpose=data["purpose"], staff=request.staff,
                                        channel=Channel.PHONE, request=request)


@staff_required(role=Role.STAFF)
def new(request: TownRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    resident_pk = source.get("resident", "")
    if not resident_pk:
        return _search(request)
    if not resident_pk.isdigit():
        raise Http404
    resident = get_object_or_404(Resident, pk=resident_pk)
    form = NewBookingForm(request.POST if request.method == "POST" else None,
                          rooms=list(services.managed_rooms(request.staff)),
                          kinds=list(services.managed_appointment_types(request.staff)))
    if request.method == "POST":
        if form.is_valid():
            response = act_once(request, lambda: _book(request, form, resident),
                                done=_("電話での予約を受け付けました。"),
                                back=lambda reservation: reverse("staff:reservations-detail", args=[reservation.pk]),
                                form=form, repeated=_("この予約はすでに受け付けています。"),
                                again=reverse("staff:reservations-day"))
            if response is not None:
                return response
    audit.record_read(request, resident, fields=["name", "phone"])
    return render(request, "reservations/staff/new.html", {"resident": resident, "form": form},
                  status=400 if form.is_bound else 200)


def _search(request: TownRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    residents = list(search_residents(query)[:SEARCH_LIMIT])
    if query:
        audit.record("reservations.resident.searched", municipality=request.municipality, actor=request.user,
                     request=request, data={"count": len(residents)})
    return render(request, "reservations/staff/search.html", {
        "form": form, "query": query, "residents": residents, "limit": SEARCH_LIMIT,
    })


# 稼働率 -------------------------------------------------------------------------------------------------------

def _month(request: TownRequest) -> tuple[int, int, bool]:
    """(year, month, valid) from ?month=YYYY-MM; this month when absent or malformed."""
    today = timezone.localdate()
    value = request.GET.get("month", "")
    match = MONTH_RE.match(value)
    if match and 1 <= int(match[2]) <= 12 and 2000 <= int(match[1]) <= 2100:
        return int(match[1]), int(match[2]), True
    return today.year, today.month, not value


def _occupancy_rows(staff: Staff, year: int, month: int) -> list[dict[str, Any]]:
    rows = []
    for item in services.occupancy(list(services.managed_rooms(staff)), year, month):
        rate = item.rate
        rows.append({"room": item.room, "open_hours": round(item.open_hours, 1),
                     "booked_hours": round(item.booked_hours, 1),
                     "percent": None if rate is None else round(rate * 100, 1),
                     "bar": 0 if rate is None else max(0, min(100, round(rate * 100)))})
    return rows


def _counts(staff: Staff, year: int, month: int) -> dict[str, Any]:
    first = _at(date(year, month, 1), time.min)
    after = _at(date(year + month // 12, month % 12 + 1, 1), time.min)
    reservations = services.managed_reservations(staff).filter(starts_at__gte=first, starts_at__lt=after)
    cells = {(row["kind"], row["channel"]): row["n"] for row in
             reservations.exclude(status=Status.CANCELLED).order_by().values("kind", "channel").annotate(n=Count("pk"))}
    table = [{"label": channel.label, "cells": [cells.get((kind.value, channel.value), 0) for kind in Kind],
              "total": sum(cells.get((kind.value, channel.value), 0) for kind in Kind)} for channel in Channel]
    return {"kinds": [kind.label for kind in Kind], "table": table,
            "total": sum(row["total"] for row in table),
            "no_show": reservations.filter(status=Status.NO_SHOW).count(),
            "cancelled": reservations.filter(status=Status.CANCELLED).count()}


@staff_required(role=Role.STAFF)
def stats(request: TownRequest) -> HttpResponse:
    year, month, valid = _month(request)
    if not valid:
        messages.error(request, _("月は YYYY-MM の形で指定してください（例: 2026-11）。"))
    shown = date(year, month, 1)
    previous = shown - timedelta(days=1)
    return render(request, "reservations/staff/stats.html", {
        "month": shown, "month_value": f"{year:04d}-{month:02d}", "rows": _occupancy_rows(request.staff, year, month),
        "counts": _counts(request.staff, year, month),
        "previous": f"{previous.year:04d}-{previous.month:02d}",
        "next": f"{year + month // 12:04d}-{month % 12 + 1:02d}",
    }, status=200 if valid else 400)


@staff_required(role=Role.STAFF)
def stats_csv(request: TownRequest) -> HttpResponse:
    year, month, valid = _month(request)
    if not valid:
        return HttpResponse(_("月は YYYY-MM の形で指定してください（例: 2026-11）。"), status=400,
                            content_type="text/plain; charset=utf-8")
    rows = _occupancy_rows(request.staff, year, month)
    audit.record("reservations.stats.exported", municipality=request.municipality, actor=request.user,
                 request=request, data={"month": f"{year:04d}-{month:02d}", "count": len(rows)})
    response, writer = tables.csv_download(f"occupancy-{year:04d}-{month:02d}.csv")
    writer.writerow([_("月"), _("施設"), _("部屋"), _("利用可能時間（時間）"), _("予約時間（時間）"), _("稼働率（%）")])
    for row in rows:
        writer.writerow([f"{year:04d}-{month:02d}", row["room"].facility.name, row["room"].name, row["open_hours"],
                         row["booked_hours"], "" if row["percent"] is None else row["percent"]])
    return response


urlpatterns = [
    path("reservations/", day, name="reservations-day"),
    path("reservations/week/", week, name="reservations-week"),
    path("reservations/<int:pk>/", detail, name="reservations-detail"),
    path("reservations/<int:pk>/approve/", approve, name="reservations-approve"),
    path("reservations/<int:pk>/attendance/", attendance, name="reservations-attendance"),
    path("reservations/<int:pk>/cancel/", cancel, name="reservations-cancel"),
    path("reservations/block/", block, name="reservations-block"),
    path("reservations/blocks/<int:pk>/unblock/", unblock, name="reservations-unblock"),
    path("reservations/new/", new, name="reservations-new"),
    path("reservations/stats/", stats, name="reservations-stats"),
    path("reservations/stats.csv", stats_csv, name="reservations-stats-csv"),
]

"""Resident pages of 予約: find a room or a counter, see when it is free, book it, and cancel before the deadline."""

from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django import forms
from django.contrib import messages
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from yakuba.kernel.accounts.models import Resident
from yakuba.kernel.accounts.permissions import resident_required
from yakuba.kernel.files.http import bytes_response
from yakuba.kernel.http import TownRequest
from yakuba.kernel.refusal import Refused
from yakuba.kernel.scheduling import calendar
from yakuba.kernel.ui.actions import Attempt, attempt
from yakuba.kernel.ui.pagecache import DEPARTMENTS, cacheable_public

from .. import payments, records, services
from ..models import AppointmentType, Facility, Group, Reservation, Room, Series, Status
from ..services import groups as groups_service
from . import fields

JUST_BOOKED = "reservations.just_booked"  # session key: show the confirmation panel once
APPOINTMENT_DAYS = 14  # days offered as links on an appointment page


# Forms --------------------------------------------------------------------------------------------------------

class RoomBookingForm(forms.Form):
    length = fields.length_field(widget=forms.RadioSelect, template_name=fields.RADIOS)
    purpose = fields.purpose_field(gettext_lazy("例: 自治会の会議、サークルの練習"))
    people = fields.people_field()

    def __init__(self, *args: Any, choices: list[tuple[int, str]], room: Room, groups: list[Group] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["length"].choices = choices  # type: ignore[attr-defined]
        if room.people:
            self.fields["people"].help_text = _("定員%(people)s人") % {"people": room.people}
        fields.add_group_field(self, groups or [], radios=True)

    def chosen_group(self) -> Group | None:
        return fields.chosen_group(self)


class AppointmentBookingForm(forms.Form):
    purpose = forms.CharField(
        label=gettext_lazy("ご用件"), max_length=200, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("例: 固定資産税の納付について相談したい（200文字まで）"),
        error_messages={"required": gettext_lazy("ご用件を入力してください。"),
                        "max_length": gettext_lazy("ご用件は200文字以内で入力してください。")})


# Browsing -----------------------------------------------------------------------------------------------------

@require_GET
@cacheable_public(kinds=(records.FACILITY, records.PAGES, DEPARTMENTS))
def index(request: TownRequest) -> HttpResponse:
    facilities = Facility.objects.filter(is_published=True).prefetch_related(Prefetch("rooms", queryset=_rooms()))
    kinds = _appointment_types().order_by("department__sort_order", "department__name", "sort_order", "name")
    return render(request, "reservations/public/index.html", {
        "facilities": [facility for facility in facilities if facility.rooms.all()], "appointment_types": kinds})


@require_GET
@cacheable_public(kinds=(records.FACILITY, records.PAGES, DEPARTMENTS))
def facility(request: TownRequest, slug: str) -> HttpResponse:
    item: Facility = get_object_or_404(Facility.objects.filter(is_published=True).select_related("department"),
                                       slug=slug)
    rooms = [{"room": room, "week": _week(room.resource.rules)} for room in _rooms().filter(facility=item)]
    return render(request, "reservations/public/facility.html", {"facility": item, "rooms": rooms})


@require_GET
def room(request: TownRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(_rooms(), pk=pk)
    rules = services.rules_of(item.resource)
    groups = _groups(request)
    within = services.reach(item, groups)
    chosen = _parse_day(request.GET.get("day"))
    year, month = _parse_month(request.GET.get("month")) or _month_of(chosen or timezone.localdate())
    days = services.room_availability(item, date(year, month, 1), monthrange(year, month)[1], within)
    if chosen is None:
        chosen = next((entry.day for entry in days if entry.bookable and entry.free and not entry.closed), None)
    entry = next((entry for entry in days if entry.day == chosen), None)
    if chosen is not None and entry is None:
        entry = services.room_availability(item, chosen, 1, within)[0]
    held = services.held_days(item, date(year, month, 1), date(year, month, monthrange(year, month)[1]))
    if entry is not None and entry.day not in held:
        held.update(services.held_days(item, entry.day, entry.day))
    return render(request, "reservations/public/room.html", {
        "room": item, "facility": item.facility, "rules": _rules_summary(rules), "week": _week(item.resource.rules),
        "calendar": _month_table(reverse("reservations:room", args=[pk]), year, month, days, chosen, rules,
                                 last=within.today + timedelta(days=within.furthest), held=held),
        "chosen": entry, "chosen_note": _held_note(held[entry.day]) if entry and entry.day in held and not entry.closed
        else (_day_note(entry, rules, within.normal) if entry else ""),
        "held": held.get(entry.day) if entry and not entry.closed else None, "groups": groups,
        "chosen_spans": calendar.spans_text(entry.spans) if entry else "",
        "slots": services.free_slots(item.resource, chosen, window_days=within.furthest)
        if chosen and entry and entry.free and entry.bookable else [],
        "login_url": _login_url(request.get_full_path()),
    })


def _held_note(lottery: Any) -> str:
    note = _("この日は抽選で受け付けています（申込は%(closes)sまで）。"
             "抽選のあと、空いている時間は先着順で予約できます。")
    return note % {"closes": calendar.moment_text(lottery.closes_at)}


def _groups(request: TownRequest) -> list[Group]:
    """The signed-in resident's approved groups (none for visitors and staff)."""
    if not request.user.is_authenticated:
        return []
    resident = Resident.objects.filter(user=request.user).first()
    return list(groups_service.bookable_groups(resident)) if resident is not None else []


@require_GET
def appointment(request: TownRequest, slug: str) -> HttpResponse:
    kind = get_object_or_404(_appointment_types(), slug=slug)
    rules = services.rules_of(kind.resource)
    length = timedelta(minutes=kind.duration_minutes)
    days = services.open_days(kind.resource, APPOINTMENT_DAYS, length=length)
    chosen = _parse_day(request.GET.get("day"))
    entry = services.availability(kind.resource, chosen, 1, length=length)[0] if chosen else None
    today = timezone.localdate()
    return render(request, "reservations/public/appointment.html", {
        "kind": kind, "chosen": entry,
        "days": [{"entry": day, "label": _day_label(day, rules),
                  "spans": calendar.spans_text(day.spans) if day.free and day.bookable else ""} for day in days],
        "chosen_note": _day_note(entry, rules) if entry else "",
        "times": services.appointment_slots(kind, chosen) if chosen and entry and entry.free else [],
        "min_day": today, "max_day": calendar.last_bookable_day(rules, timezone.now()),
        "login_url": _login_url(request.get_full_path()),
    })


# Booking ------------------------------------------------------------------------------------------------------

@resident_required
@require_http_methods(["GET", "POST"])
def room_book(request: TownRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(_rooms(), pk=pk)
    starts_at = _moment(request.POST if request.method == "POST" else request.GET)
    if starts_at is None:
        messages.error(request, _("予約する日時を、空き状況から選んでください。"))
        return HttpResponseRedirect(reverse("reservations:room", args=[pk]))
    groups = _groups(request)
    fitting = services.room_lengths(item, starts_at, window_days=services.reach(item, groups).furthest)
    choices = _length_choices(item, starts_at, fitting, request.POST.get("length", ""))
    form = RoomBookingForm(request.POST if request.method == "POST" else None, choices=choices, room=item,
                           groups=groups, initial={"length": choices[0][0], "group": ""})
    if request.method == "POST" and form.is_valid():
        length = timedelta(minutes=form.cleaned_data["length"])
        done = _booked(request, form, lambda: services.reserve_room(
            item, request.resident, starts_at, starts_at + length, purpose=form.cleaned_data["purpose"],
            people=form.cleaned_data["people"], group=form.chosen_group(), request=request))
        if done is not None:
            return done
    return render(request, "reservations/public/room_book.html", {
        "room": item, "facility": item.facility, "form": form, "starts_at": starts_at,
        "series_url": f"{reverse('reservations:series-new', args=[item.pk])}?day={timezone.localdate(starts_at)}"
                      f"&start={timezone.localtime(starts_at):%H:%M}",
        "back_url": _day_url("reservations:room", item.pk, starts_at), "taken": not fitting,
    }, status=400 if form.errors else 200)


@resident_required
@require_http_methods(["GET", "POST"])
def appointment_book(request: TownRequest, slug: str) -> HttpResponse:
    kind = get_object_or_404(_appointment_types(), slug=slug)
    starts_at = _moment(request.POST if request.method == "POST" else request.GET)
    if starts_at is None:
        messages.error(request, _("予約する日時を、空いている時間から選んでください。"))
        return HttpResponseRedirect(reverse("reservations:appointment", args=[slug]))
    form = AppointmentBookingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        done = _booked(request, form, lambda: services.reserve_appointment(
            kind, request.resident, starts_at, purpose=form.cleaned_data["purpose"], request=request))
        if done is not None:
            return done
    return render(request, "reservations/public/appointment_book.html", {
        "kind": kind, "form": form, "starts_at": starts_at,
        "ends_at": starts_at + timedelta(minutes=kind.duration_minutes),
        "back_url": _day_url("reservations:appointment", slug, starts_at),
    }, status=400 if form.errors else 200)


def _booked(request: TownRequest, form: forms.Form, reserve: Any) -> HttpResponse | None:
    """Reserve once per form: the redirect to the new reservation, or None with the refusals on the form."""
    outcome: Attempt[Reservation] = attempt(request, reserve)
    if outcome.repeated:
        messages.info(request, _("この予約はすでに受け付けています。"))
        return HttpResponseRedirect(reverse("reservations:mine"))
    if outcome.refused is not None:
        for message in outcome.refused.messages:
            form.add_error(None, message)
        return None
    reservation = outcome.result
    assert reservation is not None
    request.session[JUST_BOOKED] = str(reservation.public_id)
    return HttpResponseRedirect(reverse("reservations:detail", args=[reservation.public_id]))


# My reservations ----------------------------------------------------------------------------------------------

@resident_required
@require_GET
def mine(request: TownRequest) -> HttpResponse:
    own = Reservation.objects.filter(resident=request.resident).select_related(
        "room__facility", "appointment_type__department")
    active = own.filter(status__in=(Status.CONFIRMED, Status.PENDING), ends_at__gt=timezone.now())
    upcoming = active.filter(series__isnull=True)  # a 定期予約's weeks are listed under it, not one by one
    past = own.exclude(pk__in=active.values("pk")).order_by("-starts_at", "-pk")[:50]
    series = [{"series": item, "next": item.ahead[0] if item.ahead else None, "count": len(item.ahead)}
              for item in Series.objects.filter(resident=request.resident, last_day__gte=timezone.localdate())
              .select_related("room__facility").prefetch_related(
                  Prefetch("reservations", queryset=active.order_by("starts_at"), to_attr="ahead"))
              .order_by("first_day")]
    from .courses import my_enrolments
    from .lottery import my_entries

    return render(request, "reservations/public/mine.html", {
        "upcoming": upcoming, "past": past, "series": series,
        "groups": Group.objects.filter(representative=request.resident).exists(),
        **my_enrolments(request.resident), **my_entries(request.resident)})


@resident_required
@require_GET
def detail(request: TownRequest, public_id: UUID) -> HttpResponse:
    reservation = _own(request, public_id)
    return render(request, "reservations/public/detail.html", {
        "reservation": reservation, "resident": request.resident,
        "just_booked": request.session.pop(JUST_BOOKED, None) == str(reservation.public_id),
        "cancel_refusal": services.cancel_refusal(reservation), "payment": payments.summary(reservation),
    })


@resident_required
@require_GET
def ics(request: TownRequest, public_id: UUID) -> HttpResponse:
    reservation = _own(request, public_id)
    url = request.municipality.absolute_url(reverse("reservations:detail", args=[reservation.public_id]))
    return bytes_response(services.ics(reservation, url=url), content_type="text/calendar; charset=utf-8",
                          filename=f"reservation-{timezone.localtime(reservation.starts_at):%Y%m%d-%H%M}.ics")


@resident_required
@require_http_methods(["GET", "POST"])
def cancel(request: TownRequest, public_id: UUID) -> HttpResponse:
    reservation = _own(request, public_id)
    errors: list[str] = []
    if request.method == "POST":
        outcome = attempt(request, lambda: services.cancel(reservation, resident=request.resident, request=request))
        if outcome.repeated:
            return HttpResponseRedirect(reverse("reservations:detail", args=[public_id]))
        if outcome.refused is not None:
            errors = outcome.refused.messages
        else:
            messages.success(request, _("予約を取り消しました。"))
            return HttpResponseRedirect(reverse("reservations:detail", args=[public_id]))
    return render(request, "reservations/public/cancel.html", {
        "reservation": reservation, "errors": errors,
        "refusal": None if errors else services.cancel_refusal(reservation),
    }, status=400 if errors else 200)


class ChangeForm(forms.Form):
    start = fields.start_field()
    length = fields.length_field()

    def __init__(self, *args: Any, starts: list[datetime], lengths: list[timedelta] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        start: Any = self.fields["start"]
        start.widget = forms.RadioSelect()
        start.template_name = fields.RADIOS
        start.choices = fields.start_choices(timezone.localtime(moment).time() for moment in starts)
        if lengths:
            self.fields["length"].choices = fields.length_choices(lengths)  # type: ignore[attr-defined]
        else:
            del self.fields["length"]


@resident_required
@require_http_methods(["GET", "POST"])
def change(request: TownRequest, public_id: UUID) -> HttpResponse:
    """予約の変更: pick another day and time of the same room or counter; the old time is freed only when the new
    one is booked."""
    reservation = _own(request, public_id)
    refusal = services.cancel_refusal(reservation)
    source = request.POST if request.method == "POST" else request.GET
    day = _parse_day(source.get("day")) or timezone.localdate(reservation.starts_at)
    if reservation.room is not None:
        place = reservation.room
        window = services.reach(place, _groups(request)).furthest
        starts = [start for start, _end in services.free_slots(place.resource, day, window_days=window)]
        lengths: list[timedelta] | None = calendar.lengths(services.rules_of(place.resource))
    else:
        assert reservation.appointment_type is not None
        starts = [start for start, _end in services.appointment_slots(reservation.appointment_type, day)]
        lengths = None
    form = ChangeForm(request.POST if request.method == "POST" else None, starts=starts, lengths=lengths,
                      initial={"length": (reservation.ends_at - reservation.starts_at) // timedelta(minutes=1)})
    errors: list[str] = []
    if request.method == "POST" and (refusal or form.is_valid()):
        def move() -> Reservation:
            # The token is consumed first: a second click after the change finds it done, not refused.
            if refusal:
                raise Refused([refusal])
            starts_at = timezone.make_aware(datetime.combine(day, time.fromisoformat(form.cleaned_data["start"])))
            ends_at = starts_at + timedelta(minutes=form.cleaned_data["length"]) if lengths else None
            return services.change(reservation, starts_at, ends_at, resident=request.resident, request=request)

        outcome = attempt(request, move)
        if outcome.repeated:
            return HttpResponseRedirect(reverse("reservations:mine"))
        if outcome.refused is not None:
            errors = outcome.refused.messages
        else:
            new = outcome.result
            assert new is not None
            messages.success(request, _("予約の日時を変更しました。"))
            request.session[JUST_BOOKED] = str(new.public_id)
            return HttpResponseRedirect(reverse("reservations:detail", args=[new.public_id]))
    return render(request, "reservations/public/change.html", {
        "reservation": reservation, "form": form, "day": day, "refusal": refusal, "errors": errors,
        "has_times": bool(starts),
    }, status=400 if form.errors or errors else 200)


# Helpers ------------------------------------------------------------------------------------------------------

def _rooms() -> QuerySet[Room]:
    return Room.objects.filter(facility__is_published=True, resource__is_active=True).select_related(
        "facility__department", "resource")


def _appointment_types() -> QuerySet[AppointmentType]:
    return AppointmentType.objects.filter(is_published=True, resource__is_active=True).select_related(
        "department", "resource")


def _own(request: TownRequest, public_id: UUID) -> Reservation:
    """The signed-in resident's own reservation in this town; anyone else's is simply not found."""
    reservations = Reservation.objects.select_related(
        "room__facility__department", "appointment_type__department", "booking__resource", "municipality")
    return get_object_or_404(reservations, public_id=public_id, resident=request.resident)


def _login_url(next_url: str) -> str:
    return reverse("accounts:login") + "?" + urlencode({"next": next_url})


def _parse_day(value: str | None) -> date | None:
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2100 else None


def _parse_month(value: str | None) -> tuple[int, int] | None:
    day = _parse_day(f"{value}-01") if value and len(value) == 7 else None
    return (day.year, day.month) if day else None


def _month_of(day: date) -> tuple[int, int]:
    return day.year, day.month


def _moment(data: QueryDict) -> datetime | None:
    """The start a slot link or a booking form carries: ?day=YYYY-MM-DD&start=HH:MM, in the town's time."""
    day = _parse_day(data.get("day"))
    try:
        start = time.fromisoformat(data.get("start", ""))
    except ValueError:
        return None
    if day is None or start.tzinfo is not None:
        return None
    return timezone.make_aware(datetime.combine(day, start))


def _day_url(name: str, key: Any, moment: datetime) -> str:
    return f"{reverse(name, args=[key])}?day={timezone.localdate(moment).isoformat()}"


def _length_choices(item: Room, starts_at: datetime, fitting: list[timedelta], posted: str
                    ) -> list[tuple[int, str]]:
    """Lengths free from `starts_at`, each with its end and fee; a posted length stays so its refusal is told."""
    every = calendar.lengths(services.rules_of(item.resource))
    offered = [length for length in every if length in fitting or str(length // timedelta(minutes=1)) == posted]
    choices = []
    for length in offered or every[:1]:
        ends_at = timezone.localtime(starts_at + length)
        fee = services.room_fee(item, starts_at, ends_at)
        label = _("%(length)s（%(end)sまで）　使用料 %(fee)s") % {
            "length": calendar.duration_text(length), "end": f"{ends_at:%H:%M}",
            "fee": _("%(fee)s円") % {"fee": f"{fee:,}"} if fee else _("無料")}
        choices.append((length // timedelta(minutes=1), label))
    return choices


def _week(rules_data: dict[str, Any]) -> list[tuple[str, str]]:
    """Opening hours per weekday, Monday first: 「9:00〜21:00」 or 「休館」."""
    rules = calendar.Rules.from_dict(rules_data or {})
    return [(str(calendar.WEEKDAY_SHORT[index]), calendar.hours_text(hours) or _("休館"))
            for index, hours in enumerate(rules.hours)]


def _rules_summary(rules: calendar.Rules) -> dict[str, Any]:
    return {"min": calendar.duration_text(rules.min_length), "max": calendar.duration_text(rules.max_length),
            "slot": calendar.duration_text(rules.slot), "window_days": rules.window_days,
            "cancel": calendar.duration_text(rules.cancel_deadline), "holidays": rules.closed_on_holidays,
            "year_end": rules.year_end_closure}


def _day_label(entry: services.DayAvailability, rules: calendar.Rules, last: date | None = None) -> str:
    """The day's state in a word or two, as the calendar cell says it: how much time is free, or why none."""
    if entry.closed:
        return _("休館")
    if not entry.bookable:
        if entry.day < timezone.localdate():
            return _("過ぎた日")
        if last is not None and entry.day > last:
            return _("受付前")
        if entry.day == timezone.localdate() and rules.min_notice >= timedelta(days=1):
            return _("受付は前日まで")
        return _("受付終了")
    if not entry.free:
        return _("満")
    return _("空き%(time)s") % {"time": calendar.duration_text(entry.free_time)}


def _day_note(entry: services.DayAvailability, rules: calendar.Rules, window_days: int | None = None) -> str:
    """Why a chosen day offers nothing, in a sentence; empty when it has free times."""
    if entry.closed:
        return entry.closed
    if not entry.bookable:
        if entry.day < timezone.localdate():
            return _("過去の日は予約できません。")
        last = calendar.last_bookable_day(rules, timezone.now(), window_days)
        if entry.day > last:
            return _("予約は%(month)d月%(day)d日の分まで受け付けています") % {"month": last.month, "day": last.day}
        if entry.day == timezone.localdate() and rules.min_notice >= timedelta(days=1):
            return _("当日の予約は受け付けていません。予約は、使う日の前日までにしてください"
                     "（利用開始の%(notice)s前まで）。") % {"notice": calendar.duration_text(rules.min_notice)}
        return _("この日の受付は終了しました。予約は、利用開始の%(notice)s前までです。") % {
            "notice": calendar.duration_text(rules.min_notice)}
    if not entry.free:
        return _("この日は空きがありません。別の日をお選びください。")
    return ""


def _month_table(base: str, year: int, month: int, days: list[services.DayAvailability], chosen: date | None,
                 rules: calendar.Rules, *, last: date | None = None, held: dict[date, Any] | None = None
                 ) -> dict[str, Any]:
    """The month as rows of 7 (Sunday first) for the calendar table, with links to the months around it."""
    by_day = {entry.day: entry for entry in days}
    today = timezone.localdate()
    last = last or calendar.last_bookable_day(rules, timezone.now())
    weeks = [[None if day is None else {
        "day": day, "label": _("抽選") if held and day in held and not by_day[day].closed
        else _day_label(by_day[day], rules, last),
        "url": f"{base}?month={year:04d}-{month:02d}&day={day}#slots",
        "chosen": day == chosen, "today": day == today, "free": by_day[day].free and by_day[day].bookable,
    } for day in week] for week in calendar.month_weeks(year, month)]
    first = date(year, month, 1)
    before = first - timedelta(days=1)
    after = first + timedelta(days=monthrange(year, month)[1])
    return {
        "first": first, "weeks": weeks,
        "weekdays": [str(calendar.WEEKDAY_SHORT[index]) for index in (6, 0, 1, 2, 3, 4, 5)],
        "previous": f"{base}?month={before:%Y-%m}" if before >= today.replace(day=1) else "",
        "previous_month": before, "next_month": after,
        "next": f"{base}?month={after:%Y-%m}" if after <= last else "",
    }


urlpatterns = [
    path("reservations/", index, name="index"),
    path("reservations/facilities/<slug:slug>/", facility, name="facility"),
    path("reservations/rooms/<int:pk>/", room, name="room"),
    path("reservations/rooms/<int:pk>/book/", room_book, name="room-book"),
    path("reservations/appointments/<slug:slug>/", appointment, name="appointment"),
    path("reservations/appointments/<slug:slug>/book/", appointment_book, name="appointment-book"),
    path("my/reservations/", mine, name="mine"),
    path("my/reservations/<uuid:public_id>/", detail, name="detail"),
    path("my/reservations/<uuid:public_id>/calendar.ics", ics, name="ics"),
    path("my/reservations/<uuid:public_id>/cancel/", cancel, name="cancel"),
    path("my/reservations/<uuid:public_id>/change/", change, name="change"),
]

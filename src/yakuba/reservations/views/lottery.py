"""Resident pages of 抽選: the lotteries open or coming, one lottery's rules and the resident's entries with the
application form, and 取下げ. The resident's entries also show on 予約の確認 (my_entries)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from yakuba.kernel.accounts.models import Resident
from yakuba.kernel.accounts.permissions import resident_required
from yakuba.kernel.http import TownRequest
from yakuba.kernel.scheduling import calendar
from yakuba.kernel.ui.actions import act_once, attempt

from .. import services
from ..models import EntryStatus, Group, Lottery, LotteryEntry, LotteryStatus, Room
from ..services import groups as groups_service
from ..services import lottery as lotteries
from . import fields

RECENT_DAYS = 60  # drawn lotteries stay on 予約の確認 this long after their period ends


class EntryForm(forms.Form):
    room = forms.TypedChoiceField(
        label=gettext_lazy("部屋"), coerce=int,
        error_messages={"required": gettext_lazy("部屋を選んでください。"),
                        "invalid_choice": gettext_lazy("部屋を選び直してください。")})
    day = forms.DateField(
        label=gettext_lazy("利用日"),
        error_messages={"required": gettext_lazy("利用日を入力してください。"),
                        "invalid": gettext_lazy("利用日は 2026-06-06 のように入力してください。")})
    start = fields.start_field()
    length = fields.length_field()
    purpose = fields.purpose_field(gettext_lazy("例: バレーボールの練習"))
    people = fields.people_field()

    def __init__(self, *args: Any, lottery: Lottery, rooms: list[Room], groups: list[Group], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rooms = {room.pk: room for room in rooms}
        self._field("room").choices = [("", _("選んでください"))] + [(room.pk, str(room)) for room in rooms]
        self.fields["day"].widget = forms.DateInput(attrs={
            "type": "date", "min": lottery.period_start.isoformat(), "max": lottery.period_end.isoformat()})
        self.fields["day"].help_text = _("%(first)sから%(last)sまでの日") % {
            "first": _day(lottery.period_start), "last": _day(lottery.period_end)}
        every_rules = [services.rules_of(room.resource) for room in rooms]
        self._field("start").choices = [("", _("選んでください"))] + fields.start_choices(
            start for rules in every_rules for start in _starts(rules, lottery))
        self._field("length").choices = fields.length_choices(
            length for rules in every_rules for length in calendar.lengths(rules))
        fields.add_group_field(self, groups)

    def _field(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field

    def request(self) -> dict[str, Any]:
        data = self.cleaned_data
        starts_at = timezone.make_aware(datetime.combine(data["day"], time.fromisoformat(data["start"])))
        return {"room": self.rooms[data["room"]], "starts_at": starts_at,
                "ends_at": starts_at + timedelta(minutes=data["length"]), "purpose": data["purpose"],
                "people": data["people"], "group": fields.chosen_group(self)}


def _starts(rules: calendar.Rules, lottery: Lottery) -> set[time]:
    """Every start the room's calendar offers on some day of the period (the service checks the chosen day)."""
    result: set[time] = set()
    day, seen = lottery.period_start, 0
    while day <= lottery.period_end and seen < 7 * 8:  # a few weeks show every weekday and its hours
        result.update(timezone.localtime(start).time() for start, _end in calendar.slots(rules, day))
        day, seen = day + timedelta(days=1), seen + 1
    return result


def _day(day: date) -> str:
    return _("%(year)d年%(month)d月%(day)d日") % {"year": day.year, "month": day.month, "day": day.day}


def _published_rooms(lottery: Lottery) -> list[Room]:
    return list(lottery.rooms.filter(facility__is_published=True, resource__is_active=True).select_related(
        "facility", "resource"))


# Pages ------------------------------------------------------------------------------------------------------------

@require_GET
def index(request: TownRequest) -> HttpResponse:
    items = [{"lottery": item, "accepting": lotteries.is_accepting(item), "rooms": list(item.rooms.all())}
             for item in lotteries.visible_lotteries()]
    return render(request, "reservations/public/lotteries.html", {"items": items})


@resident_required
@require_http_methods(["GET", "POST"])
def detail(request: TownRequest, public_id: UUID) -> HttpResponse:
    lottery: Lottery = get_object_or_404(Lottery.objects.exclude(status=LotteryStatus.CANCELLED), public_id=public_id)
    rooms = _published_rooms(lottery)
    groups = list(groups_service.bookable_groups(request.resident))
    accepting = lotteries.is_accepting(lottery)
    form = EntryForm(request.POST if request.method == "POST" else None, lottery=lottery, rooms=rooms,
                     groups=groups, initial={"room": rooms[0].pk if len(rooms) == 1 else ""})
    if request.method == "POST" and form.is_valid():
        response = act_once(
            request, lambda: lotteries.apply(lottery, request.resident, **form.request(), request=request),
            done=lambda entry: _("第%(preference)s希望として申し込みました。結果は抽選のあとにお知らせします。")
            % {"preference": entry.preference},
            back=lambda entry: reverse("reservations:lottery", args=[public_id]) + "#my-entries", form=form,
            repeated=_("この申込はすでに受け付けています。"), again=reverse("reservations:lottery", args=[public_id]))
        if response is not None:
            return response
    entries = list(LotteryEntry.objects.filter(lottery=lottery, resident=request.resident).exclude(
        status=EntryStatus.WITHDRAWN).select_related("room__facility", "reservation").order_by("preference"))
    return render(request, "reservations/public/lottery.html", {
        "lottery": lottery, "rooms": [{"room": room, "rules": _rules(room)} for room in rooms], "form": form,
        "accepting": accepting, "not_yet": lottery.status == LotteryStatus.OPEN and timezone.now() < lottery.opens_at,
        "entries": entries, "left": max(0, lottery.max_entries - len(entries)),
    }, status=400 if form.errors else 200)


def _rules(room: Room) -> dict[str, Any]:
    rules = services.rules_of(room.resource)
    return {"min": calendar.duration_text(rules.min_length), "max": calendar.duration_text(rules.max_length),
            "slot": calendar.duration_text(rules.slot),
            "week": [(str(calendar.WEEKDAY_SHORT[index]), calendar.hours_text(hours) or _("休館"))
                     for index, hours in enumerate(rules.hours)]}


@resident_required
@require_http_methods(["GET", "POST"])
def withdraw(request: TownRequest, public_id: UUID) -> HttpResponse:
    entry: LotteryEntry = get_object_or_404(LotteryEntry.objects.select_related("lottery", "room__facility"),
                                            public_id=public_id, resident=request.resident)
    errors: list[str] = []
    back = reverse("reservations:lottery", args=[entry.lottery.public_id])
    if request.method == "POST":
        outcome = attempt(request, lambda: lotteries.withdraw(entry, resident=request.resident, request=request))
        if outcome.repeated:
            return HttpResponseRedirect(back)
        if outcome.refused is not None:
            errors = outcome.refused.messages
        else:
            messages.success(request, _("申込を取り下げました。"))
            return HttpResponseRedirect(back + "#my-entries")
    may = entry.status == EntryStatus.APPLIED and lotteries.is_accepting(entry.lottery)
    return render(request, "reservations/public/lottery_withdraw.html", {
        "entry": entry, "lottery": entry.lottery, "errors": errors, "may_withdraw": may and not errors,
        "back_url": back}, status=400 if errors else 200)


# 予約の確認 ----------------------------------------------------------------------------------------------------------

def my_entries(resident: Resident) -> dict[str, Any]:
    """Context for reservations/public/_my_lottery_entries.html: the resident's entries of lotteries not yet
    drawn, and the results of recent draws."""
    since = timezone.localdate() - timedelta(days=RECENT_DAYS)
    entries = (LotteryEntry.objects.filter(resident=resident, lottery__period_end__gte=since)
               .exclude(status=EntryStatus.WITHDRAWN).exclude(lottery__status=LotteryStatus.CANCELLED)
               .select_related("lottery", "room__facility", "reservation")
               .order_by("lottery__closes_at", "lottery__pk", "preference"))
    return {"lottery_entries": list(entries)}


urlpatterns = [
    path("reservations/lotteries/", index, name="lotteries"),
    path("reservations/lotteries/<uuid:public_id>/", detail, name="lottery"),
    path("my/lottery-entries/<uuid:public_id>/withdraw/", withdraw, name="lottery-withdraw"),
]

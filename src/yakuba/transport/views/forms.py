"""The booking form residents and operators share: from, to (the rider's usual stops first), day, time, people."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Stop
from ..services.booking import Wish


def stop_choices(stops: list[Stop], usual: list[Stop]) -> list[tuple[Any, Any]]:
    """Stops grouped by zone, with the rider's usual ones first in a group of their own."""
    groups: list[tuple[Any, Any]] = [("", _("選んでください"))]
    if usual:
        groups.append((_("よく使う場所"), [(s.pk, s.shown_name) for s in usual]))
    by_zone: dict[str, list[tuple[int, str]]] = {}
    for stop in stops:
        by_zone.setdefault(stop.zone.shown_name, []).append((stop.pk, stop.shown_name))
    groups.extend(by_zone.items())
    return groups


class RideForm(forms.Form):
    pickup = forms.TypedChoiceField(label=_("乗る場所"), coerce=int,
                                    error_messages={"required": _("乗る場所を選んでください。"),
                                                    "invalid_choice": _("乗る場所を選んでください。")})
    dropoff = forms.TypedChoiceField(label=_("降りる場所"), coerce=int,
                                     error_messages={"required": _("降りる場所を選んでください。"),
                                                     "invalid_choice": _("降りる場所を選んでください。")})
    day = forms.DateField(label=_("乗る日"), widget=forms.DateInput(attrs={"type": "date"}),
                          error_messages={"required": _("乗る日を入力してください。"),
                                          "invalid": _("乗る日は 2026-12-24 のように入力してください。")})
    arrive_by = forms.TypedChoiceField(label=_("時刻の指定"), coerce=lambda v: v == "1", initial="0",
                                       widget=forms.RadioSelect,
                                       choices=[("0", _("この時刻以降に迎えに来てほしい")),
                                                ("1", _("この時刻までに着きたい"))])
    at = forms.TimeField(label=_("時刻"), widget=forms.TimeInput(attrs={"type": "time", "step": 300}),
                         error_messages={"required": _("時刻を入力してください。"),
                                         "invalid": _("時刻は 10:30 のように入力してください。")})
    passengers = forms.IntegerField(label=_("乗る人数（ご本人を含む）"), min_value=1, max_value=20, initial=1,
                                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                                    error_messages={"required": _("人数を入力してください。"),
                                                    "invalid": _("人数は数字で入力してください。"),
                                                    "min_value": _("人数は1人以上にしてください。"),
                                                    "max_value": _("人数が多すぎます。")})
    wheelchairs = forms.IntegerField(label=_("うち車いすのまま乗る人数"), min_value=0, max_value=20, initial=0,
                                     widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                                     error_messages={"invalid": _("人数は数字で入力してください。"),
                                                     "min_value": _("0人以上にしてください。"),
                                                     "max_value": _("人数が多すぎます。")})
    note = forms.CharField(label=_("運転手に伝えること（任意）"), required=False, max_length=200,
                           help_text=_("例：荷物が多い、玄関まで手を貸してほしい"))

    def __init__(self, *args: Any, stops: list[Stop], usual: list[Stop] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stops = {s.pk: s for s in stops}
        choices = stop_choices(stops, usual or [])
        for name in ("pickup", "dropoff"):
            field: Any = self.fields[name]
            field.choices = choices
        if usual and not self.is_bound:
            self.initial.setdefault("pickup", usual[0].pk)
        self.initial.setdefault("day", timezone.localdate() + timedelta(days=1))

    def clean_wheelchairs(self) -> int:
        return self.cleaned_data.get("wheelchairs") or 0

    def wish(self) -> Wish:
        data = self.cleaned_data
        return Wish(pickup=self.stops[data["pickup"]], dropoff=self.stops[data["dropoff"]], day=data["day"],
                    at=data["at"], arrive_by=bool(data["arrive_by"]), passengers=data["passengers"],
                    wheelchairs=data["wheelchairs"], note=data.get("note", ""))


def again(form: RideForm, at: time, day: date) -> dict[str, Any]:
    """The form's answers with another pickup time: what an alternative's button posts."""
    data = form.cleaned_data
    return {"pickup": data["pickup"], "dropoff": data["dropoff"], "day": day.isoformat(), "arrive_by": "0",
            "at": at.strftime("%H:%M"), "passengers": data["passengers"], "wheelchairs": data["wheelchairs"],
            "note": data.get("note", "")}


class RiderForm(forms.Form):
    """利用登録: what the driver should know. The 障害者手帳 is confirmed by staff only."""

    home_stop = forms.TypedChoiceField(label=_("自宅に近い乗降ポイント"), coerce=int, required=False,
                                       help_text=_("予約のとき最初に表示します。"))
    wheelchair = forms.BooleanField(label=_("車いすを使う"), required=False)
    needs = forms.CharField(label=_("運転手に伝えること（任意）"), required=False, max_length=200,
                            help_text=_("例：杖を使う、乗り降りに手助けが要る"))

    def __init__(self, *args: Any, stops: list[Stop], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["home_stop"]
        field.choices = stop_choices(stops, [])
        self.stops = {s.pk: s for s in stops}

    def home(self) -> Stop | None:
        return self.stops.get(self.cleaned_data.get("home_stop") or 0)


class StaffRiderForm(RiderForm):
    disability_certified = forms.BooleanField(label=_("障害者手帳を確認した（運賃の減免）"), required=False)

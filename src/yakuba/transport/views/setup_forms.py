"""Forms of the service definition pages: each field's Japanese message, the typing kept on a refusal; they turn
into the services' inputs (services/setup.py), which hold the rules."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Department, Staff
from yakuba.kernel.scheduling.calendar import WEEKDAY_SHORT

from ..models import FixedRoute, Service, Stop, TravelSource, Vehicle, Zone
from ..services import setup

DAYS = list(enumerate(WEEKDAY_SHORT))


def _required(name: Any) -> dict[str, Any]:
    return {"required": format_lazy(_("{name}を入力してください。"), name=name)}


def _whole(label: Any, *, required: bool = True, help_text: Any = "") -> forms.IntegerField:
    return forms.IntegerField(label=label, required=required, help_text=help_text, widget=forms.NumberInput(
        attrs={"inputmode": "numeric"}), error_messages={
        **_required(label), "invalid": format_lazy(_("{name}は半角の整数で入力してください。"), name=label)})


def _decimal(label: Any, *, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(label=label, help_text=help_text, widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                              error_messages={**_required(label), "invalid": format_lazy(
                                  _("{name}は「1.5」のような数で入力してください。"), name=label)})


def _time(label: Any) -> forms.TimeField:
    return forms.TimeField(label=label, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                           error_messages={**_required(label), "invalid": format_lazy(
                               _("{name}は「8:30」のように時:分で入力してください。"), name=label)})


def _text(label: Any, max_length: int, *, required: bool = False, help_text: Any = "") -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=required, help_text=help_text,
                           error_messages={**_required(label), "max_length": format_lazy(
                               _("{name}は{n}文字以内で入力してください。"), name=label, n=max_length)})


def _days() -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(
        label=_("運行する曜日"), choices=DAYS, coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("運行する曜日を1つ以上選んでください。"),
                        "invalid_choice": _("曜日を選び直してください。")})


class ServiceForm(forms.Form):
    """デマンド交通の運行: 名前、運行日と時間、予約の決まり、運賃、所要時間の求め方、お知らせ."""

    GROUPS = [
        (_("運行の名前と連絡先"), ["department", "name", "name_en", "description", "phone", "active"]),
        (_("運行日と時間"), ["days", "closed_on_holidays", "opens", "closes"]),
        (_("予約の決まり"), ["book_days_ahead", "book_minutes_before", "window_minutes", "ride_factor",
                             "ride_extra_minutes", "dwell_seconds"]),
        (_("運賃"), ["fare_yen", "reduced_fare_yen", "reduced_age"]),
        (_("所要時間と配車計算"), ["travel_source", "engine_url", "detour_factor", "speed_kmh", "solver_seconds"]),
        (_("利用者へのお知らせ"), ["remind_hours", "arriving_minutes"]),
    ]

    department: forms.ModelChoiceField[Department] = forms.ModelChoiceField(
        label=_("担当課"), queryset=Department.objects.none(), error_messages={
        "required": _("担当課を選んでください。"), "invalid_choice": _("担当課を選び直してください。")})
    name = _text(_("運行の名前"), 60, required=True, help_text=_("例：のりあい号"))
    name_en = _text(_("英語名"), 100)
    description = forms.CharField(label=_("説明"), required=False, max_length=2000, widget=forms.Textarea(
        attrs={"rows": 3}), error_messages={"max_length": _("説明は2000文字以内で入力してください。")})
    phone = _text(_("予約センターの電話番号"), 20)
    active = forms.BooleanField(label=_("予約を受け付ける"), required=False)
    days = _days()
    closed_on_holidays = forms.BooleanField(label=_("祝日は運休"), required=False)
    opens = _time(_("運行開始"))
    closes = _time(_("運行終了（最終降車）"))
    book_days_ahead = _whole(_("何日先まで予約できるか"))
    book_minutes_before = _whole(_("乗車の何分前まで予約できるか"))
    window_minutes = _whole(_("お迎えの時間帯（分）"), help_text=_("お客様に伝えるお迎えの幅です（例：15分）。"))
    ride_factor = _decimal(_("乗車時間の上限（直行の何倍）"), help_text=_("例：1.5（直行の1.5倍＋下の分まで）"))
    ride_extra_minutes = _whole(_("乗車時間の上限に加える分"))
    dwell_seconds = _whole(_("乗り降りにかかる秒数"))
    fare_yen = _whole(_("運賃（1人1回、円）"))
    reduced_fare_yen = _whole(_("減免後の運賃（円）"))
    reduced_age = _whole(_("高齢者減免の年齢（0は減免なし）"))
    travel_source = forms.ChoiceField(label=_("所要時間の求め方"), choices=TravelSource.choices,
                                      widget=forms.RadioSelect, error_messages={
                                          "required": _("所要時間の求め方を選んでください。"),
                                          "invalid_choice": _("所要時間の求め方を選び直してください。")})
    engine_url = forms.URLField(label=_("経路検索エンジンのURL"), required=False, max_length=200, assume_scheme="https",
                                help_text=_("OSRMかValhallaを使うときだけ。例：http://osrm.example.lg.jp:5000"),
                                error_messages={"invalid": _("経路検索エンジンのURLを正しく入力してください。")})
    detour_factor = _decimal(_("迂回率"), help_text=_("直線距離に掛ける数（道は直線ではないため）。例：1.3"))
    speed_kmh = _whole(_("平均速度（km/h）"))
    solver_seconds = _whole(_("配車計算の時間上限（秒）"))
    remind_hours = _whole(_("前日のお知らせ（乗車の何時間前、0は送らない）"))
    arriving_minutes = _whole(_("「まもなく到着」を送る分（0は送らない）"))

    def __init__(self, *args: Any, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            field = self.fields["department"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = Department.objects.all()
        else:
            del self.fields["department"]

    @staticmethod
    def initial_of(service: Service) -> dict[str, Any]:
        return {name: getattr(service, name) for name in setup.SERVICE_FIELDS}

    def groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names if name in self.fields]) for title, names in self.GROUPS]

    def data_input(self) -> setup.ServiceInput:
        data = self.cleaned_data
        return setup.ServiceInput(**{name: data[name] for name in setup.SERVICE_FIELDS},
                                  department=data.get("department"))


class ZoneForm(forms.Form):
    name = _text(_("区域の名前"), 60, required=True, help_text=_("例：中心部、東地区"))
    name_en = _text(_("英語名"), 100)
    connects: forms.ModelMultipleChoiceField[Zone] = forms.ModelMultipleChoiceField(
        label=_("行き来できる区域"), queryset=Zone.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("この区域から乗って降りられるほかの区域です（同じ区域の中はいつでも行き来できます）。"),
        error_messages={"invalid_choice": _("区域を選び直してください。")})
    sort_order = _whole(_("表示順"))

    def __init__(self, *args: Any, zone: Zone | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["connects"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Zone.objects.exclude(pk=zone.pk) if zone is not None else Zone.objects.all()
        if zone is not None and not self.is_bound:
            self.initial = {"name": zone.name, "name_en": zone.name_en, "sort_order": zone.sort_order,
                            "connects": list(zone.connects.all())}
        self.initial.setdefault("sort_order", 0)

    def data_input(self) -> setup.ZoneInput:
        data = self.cleaned_data
        return setup.ZoneInput(name=data["name"], name_en=data["name_en"], connects=list(data["connects"]),
                               sort_order=data["sort_order"])


class CoordinateField(forms.CharField):
    """A latitude or longitude typed as a decimal number (full-width digits accepted); the service checks the
    range, so a wrong one comes back with its reason."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        import unicodedata

        text = unicodedata.normalize("NFKC", str(value or "")).strip()
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation as error:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from error
        # A coordinate is within ±180: anything larger (1e309) is a typing slip, not a place.
        if not number.is_finite() or abs(number) >= 1000:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number.quantize(Decimal("0.000001"))


def _coordinate(label: Any, example: str) -> CoordinateField:
    return CoordinateField(label=label, widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                           help_text=format_lazy(_("例：{example}"), example=example),
                           error_messages={**_required(label), "invalid": format_lazy(
                               _("{name}は「{example}」のような数で入力してください。"), name=label, example=example)})


class StopForm(forms.Form):
    code = _text(_("コード"), 20, required=True, help_text=_("半角英数字。所要時間表とGTFSで使います（例：yakuba）。"))
    name = _text(_("乗降ポイントの名前"), 60, required=True)
    kana = _text(_("よみがな"), 100)
    name_en = _text(_("英語名"), 100)
    zone: forms.ModelChoiceField[Zone] = forms.ModelChoiceField(
        label=_("区域"), queryset=Zone.objects.none(), error_messages={
        "required": _("区域を選んでください。"), "invalid_choice": _("区域を選び直してください。")})
    latitude = _coordinate(_("緯度"), "36.2123")
    longitude = _coordinate(_("経度"), "138.7878")
    note = _text(_("目印"), 200, help_text=_("例：役場正面玄関の前、ベンチのある所"))
    sort_order = _whole(_("表示順"))
    active = forms.BooleanField(label=_("利用できる"), required=False)

    def __init__(self, *args: Any, stop: Stop | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["zone"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Zone.objects.all()
        if stop is not None and not self.is_bound:
            self.initial = {name: getattr(stop, name) for name in
                            ("code", "name", "kana", "name_en", "zone", "latitude", "longitude", "note",
                             "sort_order", "active")}
        self.initial.setdefault("active", True)
        self.initial.setdefault("sort_order", 0)

    def data_input(self) -> setup.StopInput:
        data = self.cleaned_data
        return setup.StopInput(code=data["code"], name=data["name"], kana=data["kana"], name_en=data["name_en"],
                               zone=data["zone"], latitude=data["latitude"], longitude=data["longitude"],
                               note=data["note"], sort_order=data["sort_order"], active=data["active"])


class VehicleForm(forms.Form):
    name = _text(_("車両の名前"), 60, required=True, help_text=_("例：1号車"))
    capacity = _whole(_("定員（乗客）"))
    wheelchair_spaces = _whole(_("車いすスペース"))
    days = _days()
    starts = _time(_("運行開始"))
    ends = _time(_("運行終了"))
    home: forms.ModelChoiceField[Stop] = forms.ModelChoiceField(
        label=_("車庫（発着地）"), queryset=Stop.objects.none(), error_messages={
        "required": _("車庫（発着地）の乗降ポイントを選んでください。"),
        "invalid_choice": _("車庫（発着地）を選び直してください。")})
    driver: forms.ModelChoiceField[Staff] = forms.ModelChoiceField(
        label=_("運転手（任意）"), queryset=Staff.objects.none(), required=False,
                                    error_messages={"invalid_choice": _("運転手を選び直してください。")})
    active = forms.BooleanField(label=_("運行する"), required=False)

    def __init__(self, *args: Any, vehicle: Vehicle | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        home, driver = self.fields["home"], self.fields["driver"]
        assert isinstance(home, forms.ModelChoiceField) and isinstance(driver, forms.ModelChoiceField)
        home.queryset = Stop.objects.filter(active=True)
        driver.queryset = Staff.objects.filter(is_active=True).select_related("department").order_by(
            "department__name", "family_name", "pk")
        if vehicle is not None and not self.is_bound:
            self.initial = {name: getattr(vehicle, name) for name in
                            ("name", "capacity", "wheelchair_spaces", "days", "starts", "ends", "home", "driver",
                             "active")}
        for name, value in (("active", True), ("days", [0, 1, 2, 3, 4]), ("wheelchair_spaces", 0)):
            self.initial.setdefault(name, value)

    def data_input(self) -> setup.VehicleInput:
        data = self.cleaned_data
        return setup.VehicleInput(name=data["name"], capacity=data["capacity"],
                                  wheelchair_spaces=data["wheelchair_spaces"], days=data["days"],
                                  starts=data["starts"], ends=data["ends"], home=data["home"],
                                  driver=data["driver"], active=data["active"])


class RouteForm(forms.Form):
    name = _text(_("路線の名前"), 60, required=True, help_text=_("例：下仁田駅〜役場線"))
    name_en = _text(_("英語名"), 100)
    color = _text(_("路線の色（16進数6桁）"), 7, required=True, help_text=_("例：1F6FB2"))
    days = _days()
    departures = _text(_("始発からの発車時刻"), 1000, required=True,
                       help_text=_("「7:30, 12:00, 16:45」のように、読点かコンマで区切って入力します。"))
    stops = forms.CharField(
        label=_("通る乗降ポイントと始発からの分"), widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("1行に1つ、通る順に「コード,始発からの分」と入力します（例：1行目「yakuba,0」、2行目「byoin,5」）。"),
        error_messages=_required(_("通る乗降ポイント")))
    fare_yen = _whole(_("運賃（円）"))
    active = forms.BooleanField(label=_("運行中"), required=False)

    def __init__(self, *args: Any, route: FixedRoute | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if route is not None and not self.is_bound:
            self.initial = {"name": route.name, "name_en": route.name_en, "color": route.color, "days": route.days,
                            "departures": ", ".join(route.departures), "fare_yen": route.fare_yen,
                            "active": route.active,
                            "stops": "\n".join(f"{row.stop.code},{row.minutes}"
                                               for row in route.stops.select_related("stop"))}
        for name, value in (("active", True), ("days", [0, 1, 2, 3, 4]), ("color", "1F6FB2"), ("fare_yen", 200)):
            self.initial.setdefault(name, value)

    def clean_stops(self) -> list[tuple[Stop, int]]:
        import unicodedata

        by_code = {stop.code: stop for stop in Stop.objects.all()}
        rows: list[tuple[Stop, int]] = []
        for number, line in enumerate(unicodedata.normalize("NFKC", self.cleaned_data["stops"]).splitlines(), 1):
            if not line.strip():
                continue
            code, _sep, minutes = (part.strip() for part in line.replace("、", ",").partition(","))
            stop = by_code.get(code.lower())
            if stop is None:
                raise forms.ValidationError(_("%(n)d行目: 乗降ポイントのコード「%(code)s」がありません。"),
                                            params={"n": number, "code": code})
            if not minutes.isdigit():
                raise forms.ValidationError(
                    _("%(n)d行目: 始発からの分を半角の整数で入力してください（例：yakuba,0）。"), params={"n": number})
            rows.append((stop, int(minutes)))
        return rows

    def data_input(self) -> setup.RouteInput:
        data = self.cleaned_data
        departures = [part for part in data["departures"].replace("、", ",").split(",") if part.strip()]
        return setup.RouteInput(name=data["name"], name_en=data["name_en"], color=data["color"], days=data["days"],
                                departures=departures, stops=data["stops"], fare_yen=data["fare_yen"],
                                active=data["active"])


class MatrixUploadForm(forms.Form):
    file = forms.FileField(
        label=_("所要時間表（CSV）"),
        help_text=_("見出しは「発,着,所要秒,距離m」（または from,to,seconds,meters）。"
                    "UTF-8でもExcelのCSV（Shift_JIS）でもかまいません。"),
        error_messages={"required": _("CSVファイルを選んでください。"), "empty": _("ファイルが空です。"),
                        "invalid": _("ファイルを選び直してください。")})

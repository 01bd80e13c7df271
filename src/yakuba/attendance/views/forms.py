"""Forms of the 勤怠 pages: each field's Japanese message, the typing kept on a refusal."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Department

from ..models import LeaveType, Place, Unit
from ..services import leave, rules


def _date(label: Any, name: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}), error_messages={
        "required": format_lazy(_("{name}を入力してください。"), name=name),
        "invalid": format_lazy(_("{name}は「年-月-日」の形で入力してください。"), name=name)})


def _time(label: Any, name: Any, *, required: bool = True) -> forms.TimeField:
    return forms.TimeField(label=label, required=required, widget=forms.TimeInput(attrs={"type": "time"}),
                           error_messages={"required": format_lazy(_("{name}を入力してください。"), name=name),
                                           "invalid": format_lazy(_("{name}は「時:分」の形で入力してください。"),
                                                                  name=name)})


class ClockForm(forms.Form):
    place = forms.ChoiceField(label=_("勤務場所"), choices=Place.choices, initial=Place.OFFICE,
                              widget=forms.RadioSelect,
                              error_messages={"required": _("勤務場所を選んでください。"),
                                              "invalid_choice": _("勤務場所を選び直してください。")})


class LeaveForm(forms.Form):
    leave_type = forms.TypedChoiceField(label=_("休暇の種類"), coerce=int, error_messages={
        "required": _("休暇の種類を選んでください。"), "invalid_choice": _("休暇の種類を選び直してください。")})
    unit = forms.ChoiceField(label=_("休暇の単位"), choices=Unit.choices, initial=Unit.DAY, widget=forms.RadioSelect,
                             error_messages={"required": _("休暇の単位を選んでください。"),
                                             "invalid_choice": _("休暇の単位を選び直してください。")})
    first_day = _date(_("休暇の初日"), _("休暇の初日"))
    last_day = forms.DateField(label=_("休暇の最終日（1日単位で複数日のとき）"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}),
                               error_messages={"invalid": _("最終日は「年-月-日」の形で入力してください。")})
    starts = _time(_("開始時刻（時間単位のとき）"), _("開始時刻"), required=False)
    ends = _time(_("終了時刻（時間単位のとき）"), _("終了時刻"), required=False)
    reason = forms.CharField(label=_("休暇の事由（特別休暇のとき）"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.types = {kind.pk: kind for kind in LeaveType.objects.filter(is_active=True)}
        field = self.fields["leave_type"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(pk, kind.name) for pk, kind in self.types.items()]

    def ask(self) -> leave.Ask:
        data = self.cleaned_data
        return leave.Ask(leave_type=self.types[data["leave_type"]], unit=data["unit"], first_day=data["first_day"],
                         last_day=data["last_day"], starts=data["starts"], ends=data["ends"],
                         reason=data["reason"])


class OvertimeForm(forms.Form):
    day = _date(_("時間外勤務の日"), _("時間外勤務の日"))
    start = _time(_("開始時刻"), _("開始時刻"))
    end = _time(_("終了時刻"), _("終了時刻"))
    work = forms.CharField(label=_("時間外に行う業務"), max_length=200,
                           error_messages={"required": _("時間外に行う業務を入力してください。")})
    excess_reason = forms.CharField(label=_("上限を超える理由（超えるときだけ）"), max_length=300, required=False)

    def moments(self) -> tuple[date, datetime, datetime]:
        data = self.cleaned_data
        day = data["day"]
        return day, rules.at(day, data["start"]), rules.at(day, data["end"])


class TeleworkForm(forms.Form):
    day = _date(_("テレワークの実施日"), _("実施日"))
    work = forms.CharField(label=_("テレワークで行う業務"), max_length=200,
                           error_messages={"required": _("テレワークで行う業務を入力してください。")})


class CorrectionForm(forms.Form):
    day = _date(_("修正する勤務日"), _("勤務日"))
    start = _time(_("正しい出勤時刻"), _("出勤時刻"))
    end = _time(_("正しい退勤時刻"), _("退勤時刻"))
    place = forms.ChoiceField(label=_("勤務場所"), choices=Place.choices, initial=Place.OFFICE,
                              error_messages={"invalid_choice": _("勤務場所を選び直してください。")})
    reason = forms.CharField(label=_("修正の理由"), max_length=200,
                             error_messages={"required": _("修正の理由を入力してください。")})


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("締めを解除する理由"), max_length=200,
                             error_messages={"required": _("締めを解除する理由を入力してください。")})


class DeviceForm(forms.Form):
    name = forms.CharField(label=_("端末名（設置場所）"), max_length=60,
                           error_messages={"required": _("端末名を入力してください。")})


def parse_month(text: str | None, default: date) -> date | None:
    """"2026-06" → 2026-06-01; empty → default's month; anything else → None."""
    if not text:
        return default.replace(day=1)
    try:
        return datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        return None


def clock_time(value: time) -> str:
    return f"{value:%H:%M}"


# --- 総務課の設定 ---------------------------------------------------------------------------------------------

def _int(label: Any, name: Any, *, required: bool = True, initial: int | None = None) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=required, initial=initial, error_messages={
        "required": format_lazy(_("{name}を入力してください。"), name=name),
        "invalid": format_lazy(_("{name}は半角の整数で入力してください。"), name=name)})


def _days(label: Any, name: Any, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=required, max_digits=5, decimal_places=2, error_messages={
        "required": format_lazy(_("{name}を入力してください。"), name=name),
        "invalid": format_lazy(_("{name}は半角の数字で入力してください。"), name=name),
        "max_digits": format_lazy(_("{name}が大きすぎます。"), name=name),
        "max_decimal_places": format_lazy(_("{name}は小数第2位までで入力してください。"), name=name),
        "max_whole_digits": format_lazy(_("{name}が大きすぎます。"), name=name)})


class PatternForm(forms.Form):
    name = forms.CharField(label=_("勤務パターン名"), max_length=60,
                           error_messages={"required": _("勤務パターン名を入力してください。")})
    starts = _time(_("始業"), _("始業の時刻"))
    ends = _time(_("終業"), _("終業の時刻"))
    break_minutes = _int(_("休憩（分）"), _("休憩の分数"), initial=60)
    is_default = forms.BooleanField(label=_("標準の勤務パターンにする（割当のない職員に使う）"), required=False)


class AssignForm(forms.Form):
    staff = forms.TypedChoiceField(label=_("職員"), coerce=int, error_messages={
        "required": _("職員を選んでください。"), "invalid_choice": _("職員を選び直してください。")})
    pattern = forms.TypedChoiceField(label=_("割り当てる勤務パターン"), coerce=int, error_messages={
        "required": _("勤務パターンを選んでください。"), "invalid_choice": _("勤務パターンを選び直してください。")})
    valid_from = _date(_("適用開始日"), _("適用開始日"))

    def __init__(self, *args: Any, people: list[Any], patterns: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {person.pk: person for person in people}
        self.patterns = {pattern.pk: pattern for pattern in patterns}
        for name, choices in (("staff", [(pk, f"{p}（{p.department}）") for pk, p in self.people.items()]),
                              ("pattern", [(pk, str(p)) for pk, p in self.patterns.items()])):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", _("選んでください")), *choices]


class ClosedDayForm(forms.Form):
    first = _date(_("閉庁日（期間のときは初日）"), _("閉庁日"))
    last = forms.DateField(label=_("期間の最終日（1日だけのときは空欄）"), required=False,
                           widget=forms.DateInput(attrs={"type": "date"}),
                           error_messages={"invalid": _("期間の最終日は「年-月-日」の形で入力してください。")})
    name = forms.CharField(label=_("閉庁日の名称（例: 町民の日）"), max_length=60,
                           error_messages={"required": _("閉庁日の名称を入力してください。")})


class LeaveTypeForm(forms.Form):
    name = forms.CharField(label=_("休暇の名称"), max_length=40,
                           error_messages={"required": _("休暇の名称を入力してください。")})
    code = forms.SlugField(label=_("休暇コード（半角英数字、CSVの見出しに使う）"), max_length=20, error_messages={
        "required": _("休暇コードを入力してください。"),
        "invalid": _("休暇コードは半角の英数字・ハイフン・下線で入力してください。")})
    days_per_year = _days(_("年間の日数（決まりがなければ空欄）"), _("年間の日数"), required=False)
    sort_order = _int(_("表示順"), _("表示順"), initial=0)
    is_active = forms.BooleanField(label=_("申請で選べるようにする"), required=False, initial=True)


class GrantForm(forms.Form):
    staff = forms.TypedChoiceField(label=_("職員"), coerce=int, error_messages={
        "required": _("職員を選んでください。"), "invalid_choice": _("職員を選び直してください。")})
    valid_from = _date(_("付与日（休暇年度の初日）"), _("付与日"))
    days = _days(_("付与日数"), _("付与日数"))

    def __init__(self, *args: Any, people: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {person.pk: person for person in people}
        field = self.fields["staff"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("選んでください")),
                         *[(pk, f"{p}（{p.department}）") for pk, p in self.people.items()]]


class DepartmentOptionForm(forms.Form):
    department: forms.ModelChoiceField[Department] = forms.ModelChoiceField(
        queryset=None, widget=forms.HiddenInput, error_messages={
            "required": _("課を選び直してください。"), "invalid_choice": _("課を選び直してください。")})
    uses_shifts = forms.BooleanField(label=_("交替制勤務（日ごとのシフトで勤務する）"), required=False)
    demanding = forms.BooleanField(label=_("他律的業務の比重が高い部署（時間外勤務の上限が月100時間未満・年720時間）"),
                                   required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Department.objects.all()  # the town's 課, in the request's scope

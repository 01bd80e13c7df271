"""Forms of the 事務局's pages: they parse and check the shape of input; the rules are in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Department

from ..models import BodyKind, Presence


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class BodyForm(forms.Form):
    name = forms.CharField(label=_("会議体の名前"), max_length=100, help_text=_("例：総務常任委員会、庁議"))
    name_en = forms.CharField(label=_("英語名"), max_length=150, required=False)
    kind = forms.ChoiceField(label=_("種類"), choices=BodyKind.choices)
    department: forms.ModelChoiceField[Department] = forms.ModelChoiceField(
        label=_("事務局の課"), queryset=Department.objects.none(),
        help_text=_("この課の職員が資料と会議録を用意します。"))
    public = forms.BooleanField(label=_("公開の会議（資料と会議録を住民に公開できる）"), required=False)
    sort_order = forms.IntegerField(label=_("表示順"), min_value=0, max_value=999, initial=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Department.objects.all()


class MemberForm(forms.Form):
    name = forms.CharField(label=_("氏名"), max_length=60)
    title = forms.CharField(label=_("会議録での呼び方"), max_length=60, required=False,
                            help_text=_("例：議長、山田議員、町長。空欄なら氏名です。"))
    email = forms.EmailField(label=_("メールアドレス"), required=False,
                             help_text=_("資料の差し替えをお知らせします。同じアドレスのアカウントで資料を開けます。"))
    sort_order = forms.IntegerField(label=_("表示順"), min_value=0, max_value=999, initial=0)


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("会議名"), max_length=150, help_text=_("例：令和8年第4回定例会 総務常任委員会"))
    title_en = forms.CharField(label=_("英語の会議名"), max_length=200, required=False)
    starts_at = forms.DateTimeField(label=_("開始日時"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"])
    ends_at = forms.DateTimeField(label=_("終了予定"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"],
                                  required=False)
    place = forms.CharField(label=_("場所"), max_length=100, required=False, help_text=_("例：第1委員会室"))
    online_url = forms.URLField(label=_("オンライン会議のURL"), required=False, assume_scheme="https")
    public = forms.BooleanField(label=_("公開の会議"), required=False, initial=True)


class ItemForm(forms.Form):
    number = forms.CharField(label=_("番号"), max_length=30, required=False, help_text=_("例：議案第45号"))
    title = forms.CharField(label=_("議題"), max_length=200)
    outcome = forms.CharField(label=_("結果"), max_length=100, required=False, help_text=_("例：原案可決"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("中止の理由"), max_length=300)


def attendance_choices() -> list[tuple[str, Any]]:
    return [("", _("未記録")), *Presence.choices]

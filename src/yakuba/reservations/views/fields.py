"""Form fields every room request shares (a booking, a 定期予約, a lottery application): the same labels, the
same Japanese messages and the same choices, so a resident meets one wording everywhere."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time, timedelta
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakuba.kernel.scheduling import calendar

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from ..models import Group

RADIOS = "reservations/public/_choice_field.html"


def purpose_field(example: StrOrPromise) -> forms.CharField:
    return forms.CharField(
        label=gettext_lazy("利用目的"), max_length=200, help_text=example,
        error_messages={"required": gettext_lazy("利用目的を入力してください。"),
                        "max_length": gettext_lazy("利用目的は200文字以内で入力してください。")})


def people_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=gettext_lazy("利用人数（任意）"), required=False, min_value=1, max_value=9999,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": gettext_lazy("利用人数は数字で入力してください。"),
                        "min_value": gettext_lazy("利用人数は1人以上で入力してください。"),
                        "max_value": gettext_lazy("利用人数は9999人以下で入力してください。")})


def start_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=gettext_lazy("開始時刻"),
        error_messages={"required": gettext_lazy("開始時刻を選んでください。"),
                        "invalid_choice": gettext_lazy("開始時刻を選び直してください。")})


def length_field(**options: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=gettext_lazy("利用時間"), coerce=int,
        error_messages={"required": gettext_lazy("利用時間を選んでください。"),
                        "invalid_choice": gettext_lazy("利用時間を選び直してください。")}, **options)


def start_choices(starts: Iterable[time]) -> list[tuple[str, str]]:
    """"19:00" → "19:00", "09:30" → "9:30", as times are written elsewhere."""
    return [(f"{start:%H:%M}", f"{start.hour}:{start:%M}") for start in sorted(set(starts))]


def length_choices(lengths: Iterable[timedelta]) -> list[tuple[int, str]]:
    return [(length // timedelta(minutes=1), calendar.duration_text(length)) for length in sorted(set(lengths))]


def group_label(group: Group) -> str:
    percent = group.category.reduction_percent
    if percent:
        return _("%(name)s（使用料%(percent)s%%減免）") % {"name": group.name, "percent": percent}
    return group.name


def add_group_field(form: forms.Form, groups: list[Group], *, radios: bool = False) -> None:
    """「利用する団体」 for a resident who represents approved groups: 個人 or one of them (減免 shown)."""
    form.groups = {group.pk: group for group in groups}  # type: ignore[attr-defined]
    if not groups:
        return
    widget: dict[str, Any] = {"widget": forms.RadioSelect, "template_name": RADIOS} if radios else {}
    form.fields["group"] = forms.TypedChoiceField(
        label=_("利用する団体"), required=False, coerce=int, empty_value=None,
        choices=[("", _("個人で利用"))] + [(group.pk, group_label(group)) for group in groups],
        help_text=_("登録団体として利用すると、区分に応じて使用料が減免されます。"),
        error_messages={"invalid_choice": _("利用する団体を選び直してください。")}, **widget)


def chosen_group(form: forms.Form) -> Group | None:
    pk = form.cleaned_data.get("group")
    groups: dict[int, Group] = getattr(form, "groups", {})
    return groups.get(pk) if pk else None

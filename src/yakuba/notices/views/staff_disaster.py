"""Staff pages of 災害モード: whether the public site is in disaster mode and why; the switch for an alert from outside
(J-ALERT, the prefecture) and the end (所属長 and 情報担当); the town's threshold, what residents should do and the
numbers the light home page gives."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakuba.kernel.accounts.models import Department, Role
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.actions import act_once, error_summary

from .. import levels
from ..models import AlertLevel, DisasterMode
from ..services import disaster as services


class StartForm(forms.Form):
    level = forms.TypedChoiceField(
        label=gettext_lazy("警戒レベル"), coerce=int, empty_value=None, required=False,
        choices=[("", gettext_lazy("なし（Jアラートなど、警戒レベルのない情報）")), *AlertLevel.choices],
        error_messages={"invalid_choice": gettext_lazy("警戒レベルを選び直してください。")})
    title = forms.CharField(label=gettext_lazy("住民に示す見出し"), max_length=services.TITLE_MAX,
                            help_text=gettext_lazy("例: 「群馬県に大雨特別警報」「Jアラート 弾道ミサイル発射」"),
                            error_messages={"required": gettext_lazy("住民に示す見出しを入力してください。"),
                                            "max_length": gettext_lazy("見出しは120文字以内で入力してください。")})
    message = forms.CharField(label=gettext_lazy("住民へのひとこと（任意）"), required=False,
                              max_length=services.MESSAGE_MAX, widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"max_length": gettext_lazy(
                                  "住民へのひとことは500文字以内で入力してください。")})


class SettingsForm(forms.Form):
    threshold = forms.TypedChoiceField(
        label=gettext_lazy("災害モードにする警戒レベル"), coerce=int, choices=AlertLevel.choices,
        help_text=gettext_lazy("この警戒レベル以上の防災のお知らせを公開すると、公開サイトが災害モードになります。"),
        error_messages={"required": gettext_lazy("災害モードにする警戒レベルを選んでください。"),
                        "invalid_choice": gettext_lazy("災害モードにする警戒レベルを選んでください。")})
    department = forms.TypedChoiceField(label=gettext_lazy("防災の担当課（電話番号を載せます）"), coerce=int,
                                        empty_value=None, required=False,
                                        error_messages={"invalid_choice": gettext_lazy("担当課を選び直してください。")})
    radio_phone = forms.CharField(label=gettext_lazy("防災行政無線の電話応答サービスの番号（任意）"), required=False,
                                  max_length=services.PHONE_MAX,
                                  help_text=gettext_lazy("放送の内容を電話で聞ける番号があれば入力します。"),
                                  error_messages={"max_length": gettext_lazy(
                                      "電話番号は数字とハイフンで入力してください（例: 0274-82-2111）。")})
    guidance = forms.CharField(label=gettext_lazy("住民がすること（日本語）"), required=False,
                               max_length=services.GUIDANCE_MAX, widget=forms.Textarea(attrs={"rows": 5}),
                               help_text=gettext_lazy("空欄なら標準の文を表示します。1行に1つずつ書きます。"),
                               error_messages={"max_length": gettext_lazy("1000文字以内で入力してください。")})
    guidance_easy = forms.CharField(label=gettext_lazy("住民がすること（やさしい日本語）"), required=False,
                                    max_length=services.GUIDANCE_MAX, widget=forms.Textarea(attrs={"rows": 4}),
                                    error_messages={"max_length": gettext_lazy("1000文字以内で入力してください。")})
    guidance_en = forms.CharField(label=gettext_lazy("住民がすること（英語）"), required=False,
                                  max_length=services.GUIDANCE_MAX, widget=forms.Textarea(attrs={"rows": 4}),
                                  error_messages={"max_length": gettext_lazy("1000文字以内で入力してください。")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.departments = {d.pk: d for d in Department.objects.order_by("sort_order", "name")}
        field = self.fields["department"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("選ばない（役場の代表番号だけ）")),
                         *[(pk, d.name) for pk, d in self.departments.items()]]

    def to_data(self) -> services.SettingsData:
        data = self.cleaned_data
        return services.SettingsData(
            threshold=data["threshold"], guidance=data["guidance"], guidance_easy=data["guidance_easy"],
            guidance_en=data["guidance_en"], department=self.departments.get(data["department"] or 0),
            radio_phone=data["radio_phone"])


def _page(request: TownRequest, *, form: StartForm | None = None, status: int = 200) -> HttpResponse:
    mode = services.active_mode(request.municipality)
    if mode is not None:
        mode = DisasterMode.objects.select_related("cause", "notice", "started_by").get(pk=mode.pk)
    settings = services.settings_of(request.municipality)
    history = DisasterMode.objects.filter(municipality=request.municipality, ended_at__isnull=False)[:10]
    form = form or StartForm()
    return render(request, "notices/staff/disaster.html", {
        "mode": mode, "level_label": levels.label(mode.level) if mode else "", "settings": settings,
        "threshold_label": levels.label(settings.threshold), "may_switch": services.may_switch(request.staff),
        "form": form, "errors": error_summary(form), "history": history,
    }, status=status)


@staff_required(role=Role.STAFF)
def disaster(request: TownRequest) -> HttpResponse:
    """Whether the public site is in disaster mode, what started it, and (for 所属長・情報担当) the switch."""
    return _page(request)


@staff_required(role=Role.APPROVER)
def disaster_start(request: TownRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    form = StartForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        response = act_once(request, lambda: services.start_mode(request.staff, level=data["level"],
                                                                 title=data["title"], message=data["message"]),
                            done=_("災害モードにしました。公開サイトのホームページは災害時の軽量ページになり、"
                                   "すべてのページに緊急情報を表示しています。"),
                            back=reverse("staff:disaster"), form=form)
        if response is not None:
            return response
    return _page(request, form=form, status=400)


@staff_required(role=Role.APPROVER)
def disaster_end(request: TownRequest) -> HttpResponse:
    """The confirmation, then the end: one action, recorded."""
    mode = services.active_mode(request.municipality)

    def page(errors: list[str], status: int = 200) -> HttpResponse:
        return render(request, "notices/staff/disaster_end.html", {
            "mode": mode, "level_label": levels.label(mode.level) if mode else "",
            "errors": [{"id": "", "label": "", "message": message} for message in errors]}, status=status)

    if request.method == "POST":
        try:
            mode_id = int(request.POST.get("mode", ""))
        except ValueError:
            mode_id = 0
        return act_once(request, lambda: services.end_mode(request.staff, mode_id),
                        done=_("災害モードを終えました。公開サイトはいつもの表示に戻りました。"),
                        back=reverse("staff:disaster"), refused=lambda error: page(error.messages, 400))
    return page([])


@staff_required(role=Role.APPROVER)
def disaster_settings(request: TownRequest) -> HttpResponse:
    current = services.settings_of(request.municipality)
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            response = act_once(request, lambda: services.save_settings(request.staff, form.to_data()),
                                done=_("災害モードの設定を保存しました。"), back=reverse("staff:disaster"), form=form)
            if response is not None:
                return response
    else:
        form = SettingsForm(initial={
            "threshold": current.threshold, "department": current.department_id, "radio_phone": current.radio_phone,
            "guidance": current.guidance, "guidance_easy": current.guidance_easy, "guidance_en": current.guidance_en})
    return render(request, "notices/staff/disaster_settings.html", {
        "form": form, "errors": error_summary(form), "default_guidance": levels.GUIDANCE,
    }, status=400 if form.is_bound else 200)


urlpatterns = [
    path("disaster/", disaster, name="disaster"),
    path("disaster/start/", disaster_start, name="disaster-start"),
    path("disaster/end/", disaster_end, name="disaster-end"),
    path("disaster/settings/", disaster_settings, name="disaster-settings"),
]

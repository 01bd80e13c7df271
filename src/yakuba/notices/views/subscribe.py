"""Resident pages for receiving notices: subscribe (with or without an account), and the manage page every
message links to (change choices, remove a way of receiving, add an address, stop everything)."""

from __future__ import annotations

from datetime import time
from typing import Any

import segno
from django import forms
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yakuba.kernel.accounts.models import Resident
from yakuba.kernel.accounts.permissions import town_resident
from yakuba.kernel.http import TownRequest
from yakuba.kernel.messaging import consent
from yakuba.kernel.messaging import services as messaging
from yakuba.kernel.messaging.consent import Purpose, Reason
from yakuba.kernel.messaging.models import Channel, Language, Subscriber
from yakuba.kernel.tenancy.models import Municipality
from yakuba.kernel.ui.actions import add_refusal, attempt

from ..models import Area, Category
from ..services import subscriptions
from ..services.subscriptions import EmailState

SUBSCRIBED = "notices.subscribed"  # session key: what the 「確認メールを送りました」 page says
CHANGED = "notices.subscription_changed"  # session key: what the manage page says after a change
HOURS = [(hour, f"{hour}:00") for hour in range(24)]
NOT_HERE_CATEGORY = gettext_lazy("選んだ分類の中に、この町にないものがあります。選び直してください。")
NOT_HERE_AREA = gettext_lazy("選んだ地区の中に、この町にないものがあります。選び直してください。")


# Forms --------------------------------------------------------------------------------------------------------

class ChoicesForm(forms.Form):
    """Parses the choices; the service decides whether they may be saved."""

    categories = forms.TypedMultipleChoiceField(
        label=gettext_lazy("受け取るお知らせ"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": NOT_HERE_CATEGORY})
    areas = forms.TypedMultipleChoiceField(
        label=gettext_lazy("地区"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": NOT_HERE_AREA})
    language = forms.ChoiceField(
        label=gettext_lazy("言語"), choices=Language.choices, initial=Language.JA, widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("言語を選んでください。"),
                        "invalid_choice": gettext_lazy("言語を選んでください。")})
    quiet_start = forms.TypedChoiceField(
        label=gettext_lazy("開始"), choices=[("", gettext_lazy("設定しない")), *HOURS], coerce=int, empty_value=None,
        required=False, error_messages={"invalid_choice": gettext_lazy("時刻を一覧から選んでください。")})
    quiet_end = forms.TypedChoiceField(
        label=gettext_lazy("終了"), choices=[("", gettext_lazy("設定しない")), *HOURS], coerce=int, empty_value=None,
        required=False, error_messages={"invalid_choice": gettext_lazy("時刻を一覧から選んでください。")})

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category_rows = list(Category.objects.filter(municipality=municipality))
        self.area_rows = list(Area.objects.filter(municipality=municipality))
        self.fields["categories"].choices = [(c.pk, c.name) for c in self.category_rows]  # type: ignore[attr-defined]
        self.fields["areas"].choices = [(a.pk, a.name) for a in self.area_rows]  # type: ignore[attr-defined]

    def choices(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"categories": data.get("categories", []), "areas": data.get("areas", []),
                "language": data.get("language", ""), "quiet_start": _hour(data.get("quiet_start")),
                "quiet_end": _hour(data.get("quiet_end"))}


class SubscribeForm(ChoicesForm):
    email = forms.CharField(label=gettext_lazy("メールアドレス"), required=False, max_length=254,
                            widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
                            error_messages={"max_length": gettext_lazy("メールアドレスが長すぎます。")})


class EmailForm(forms.Form):
    email = forms.CharField(label=gettext_lazy("追加するメールアドレス"), required=False, max_length=254,
                            widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
                            error_messages={"max_length": gettext_lazy("メールアドレスが長すぎます。")})


def _hour(value: int | None) -> time | None:
    return time(value) if value is not None else None


def _initial(subscriber: Subscriber | None, municipality: Municipality) -> dict[str, Any]:
    subscription = subscriptions.subscription_of(subscriber) if subscriber is not None else None
    if subscriber is None or subscription is None:
        return {"categories": [c.pk for c in subscriptions.emergency_categories(municipality)],
                "language": subscriber.language if subscriber is not None else Language.JA}
    return {"categories": list(subscription.categories.values_list("pk", flat=True)),
            "areas": list(subscription.areas.values_list("pk", flat=True)), "language": subscriber.language,
            "quiet_start": subscriber.quiet_start.hour if subscriber.quiet_start is not None else "",
            "quiet_end": subscriber.quiet_end.hour if subscriber.quiet_end is not None else ""}


def _own_subscriber(request: TownRequest, resident: Resident | None) -> Subscriber | None:
    if resident is None:
        return None
    return Subscriber.objects.filter(municipality=request.municipality, resident=resident).first()


def _line(municipality: Municipality) -> dict[str, str] | None:
    """The town's LINE official account: the 友だち追加 link and its QR code (for reading with a phone)."""
    basic_id = (municipality.settings or {}).get("line", {}).get("basic_id")
    if not basic_id:
        return None
    url = f"https://line.me/R/ti/p/{basic_id}"
    return {"url": url, "basic_id": basic_id, "qr": segno.make(url, error="m").svg_data_uri(scale=4, border=2)}


def _page(request: TownRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    return render(request, template, {"line": _line(request.municipality), **context}, status=status)


# Subscribe ----------------------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def subscribe(request: TownRequest) -> HttpResponse:
    resident = town_resident(request)
    subscriber = _own_subscriber(request, resident)
    account = consent.to_person(resident, Purpose.NOTICE)  # may the account's address receive notices yet?
    unconfirmed = resident.user.email if resident and resident.user and account.reason is Reason.UNCONFIRMED else ""
    if request.method == "GET":
        initial = _initial(subscriber, request.municipality)
        initial["email"] = _current_email(subscriber) or account.address or unconfirmed
        form = SubscribeForm(initial=initial, municipality=request.municipality)
    else:
        form = SubscribeForm(request.POST, municipality=request.municipality)
        if form.is_valid():
            def save() -> tuple[Resident | None, subscriptions.SubscribeResult]:
                resident = town_resident(request, create=True)
                return resident, subscriptions.subscribe(request.municipality, resident=resident,
                                                         email=form.cleaned_data["email"], **form.choices())

            outcome = attempt(request, save)
            if outcome.repeated:
                return HttpResponseRedirect(reverse("notices:subscribe-done"))
            if outcome.refused is not None:
                add_refusal(form, outcome.refused)
            elif outcome.result is not None:
                resident, result = outcome.result
                request.session[SUBSCRIBED] = {
                    "email": result.email.value,
                    "manage": result.subscriber.token if resident is not None and result.subscriber else ""}
                return HttpResponseRedirect(reverse("notices:subscribe-done"))
    return _page(request, "notices/public/subscribe.html", {
        "form": form, "resident": resident, "subscriber": subscriber,
        "verified_email": account.address,
        "unconfirmed_email": unconfirmed,
        "emergency_ids": {c.pk for c in form.category_rows if c.is_emergency},
    }, status=400 if form.errors else 200)


def _current_email(subscriber: Subscriber | None) -> str:
    if subscriber is None:
        return ""
    endpoint = subscriber.endpoints.filter(channel=Channel.EMAIL).first()
    return endpoint.address if endpoint is not None else ""


@require_GET
def subscribe_done(request: TownRequest) -> HttpResponse:
    done = request.session.get(SUBSCRIBED)
    if not isinstance(done, dict):
        return HttpResponseRedirect(reverse("notices:subscribe"))
    manage = done.get("manage") or ""
    return _page(request, "notices/public/subscribe_done.html", {
        "sent": done.get("email") == EmailState.SENT.value,
        "account_unconfirmed": done.get("email") == EmailState.ACCOUNT_UNCONFIRMED.value,
        "confirmed": done.get("email") == EmailState.CONFIRMED.value,
        "manage_url": reverse("notices:subscription", args=[manage]) if manage else ""})


# Manage -------------------------------------------------------------------------------------------------------

def _by_token(request: TownRequest, token: str) -> Subscriber:
    subscriber = messaging.subscriber_by_token(request.municipality, token)
    if subscriber is None:
        raise Http404(_("このリンクの配信設定は見つかりません。"))
    return subscriber


def _channels(subscriber: Subscriber) -> list[dict[str, Any]]:
    """The subscriber's ways of receiving, one row per channel, in words."""
    grouped: dict[str, list[Any]] = {}
    for endpoint in subscriber.endpoints.order_by("channel", "pk"):
        grouped.setdefault(endpoint.channel, []).append(endpoint)
    rows = []
    for channel, endpoints in grouped.items():
        if channel == Channel.EMAIL:
            detail = ", ".join(endpoint.address for endpoint in endpoints)
        elif channel == Channel.WEBPUSH:
            detail = _("%(count)s台の端末") % {"count": len(endpoints)}
        else:
            detail = ""
        if any(endpoint.is_active for endpoint in endpoints):
            state = _("受け取っています")
        elif any(endpoint.confirmed_at is None for endpoint in endpoints):
            state = _("確認待ち（確認メールのリンクを開いてください）")
        else:
            state = _("停止中")
        rows.append({"channel": channel, "label": Channel(channel).label, "detail": detail, "state": state})
    return rows


def _manage(request: TownRequest, subscriber: Subscriber, *, form: ChoicesForm | None = None,
            email_form: EmailForm | None = None, status: int = 200) -> HttpResponse:
    form = form or ChoicesForm(initial=_initial(subscriber, request.municipality), municipality=request.municipality)
    return _page(request, "notices/public/subscription.html", {
        "subscriber": subscriber, "form": form, "email_form": email_form or EmailForm(),
        "channels": _channels(subscriber), "stopped": subscriber.unsubscribed_at is not None,
        "paused": subscriber.endpoints.filter(pause_reason="unsubscribed").exists(),
        "emergency_ids": {c.pk for c in form.category_rows if c.is_emergency},
        "changed": request.session.pop(CHANGED, ""),
    }, status=status)


def _back(subscriber: Subscriber, message: str, request: TownRequest) -> HttpResponse:
    request.session[CHANGED] = message
    return HttpResponseRedirect(reverse("notices:subscription", args=[subscriber.token]))


@require_http_methods(["GET", "POST"])
def subscription(request: TownRequest, token: str) -> HttpResponse:
    subscriber = _by_token(request, token)
    if request.method == "GET":
        return _manage(request, subscriber)
    form = ChoicesForm(request.POST, municipality=request.municipality)
    if form.is_valid():
        outcome = attempt(request, lambda: subscriptions.update_choices(subscriber, **form.choices()))
        if outcome.repeated:
            return _back(subscriber, _("変更はすでに受け付けています。"), request)
        if outcome.refused is not None:
            add_refusal(form, outcome.refused)
        else:
            return _back(subscriber, _("受け取るお知らせを変更しました。"), request)
    return _manage(request, subscriber, form=form, status=400)


@require_POST
def add_email(request: TownRequest, token: str) -> HttpResponse:
    subscriber = _by_token(request, token)
    email_form = EmailForm(request.POST)
    if email_form.is_valid():
        resident = subscriber.resident if subscriber.resident_id else None
        outcome = attempt(request, lambda: subscriptions.add_address(subscriber, email_form.cleaned_data["email"],
                                                                     resident=resident))
        if outcome.repeated:
            return _back(subscriber, _("この操作はすでに受け付けています。"), request)
        if outcome.refused is not None:
            add_refusal(email_form, outcome.refused)
        elif (state := outcome.result) is not None:
            return _back(subscriber, _added(state), request)
    return _manage(request, subscriber, email_form=email_form, status=400)


def _added(state: EmailState) -> str:
    if state is EmailState.CONFIRMED:
        return _("メールアドレスを登録しました。")
    if state is EmailState.ACCOUNT_UNCONFIRMED:
        return _("アカウントのメールアドレスの確認がまだです。確認メールを送りました。"
                 "メールのリンクを開いて確認が済むまで、メールは届きません。")
    return _("確認メールを送りました。メールに書かれたリンクを開くと、登録が完了します。")


@require_POST
def remove_channel(request: TownRequest, token: str) -> HttpResponse:
    subscriber = _by_token(request, token)
    channel = request.POST.get("channel", "")
    if channel not in Channel.values:
        return _back(subscriber, _("やめる受け取り方を選んでください。"), request)
    messaging.unsubscribe(subscriber, channel=channel)
    done = _("「%(channel)s」での受け取りをやめました。") % {"channel": Channel(channel).label}
    return _back(subscriber, done, request)


@require_POST
def stop_all(request: TownRequest, token: str) -> HttpResponse:
    subscriber = _by_token(request, token)
    messaging.unsubscribe(subscriber)
    return _back(subscriber, _("すべての配信を停止しました。"), request)


@require_POST
def resume(request: TownRequest, token: str) -> HttpResponse:
    subscriber = _by_token(request, token)
    state = subscriptions.resume(subscriber)
    waits = state in (EmailState.SENT, EmailState.ACCOUNT_UNCONFIRMED)
    return _back(subscriber, _("配信を再開しました。メールは、確認メールのリンクを開くと再開します。") if waits else
                 _("配信を再開しました。"), request)


urlpatterns = [
    path("notices/subscribe/", subscribe, name="subscribe"),
    path("notices/subscribe/done/", subscribe_done, name="subscribe-done"),
    path("notices/subscription/<str:token>/", subscription, name="subscription"),
    path("notices/subscription/<str:token>/email/", add_email, name="subscription-email"),
    path("notices/subscription/<str:token>/remove/", remove_channel, name="subscription-remove"),
    path("notices/subscription/<str:token>/stop/", stop_all, name="subscription-stop"),
    path("notices/subscription/<str:token>/resume/", resume, name="subscription-resume"),
]

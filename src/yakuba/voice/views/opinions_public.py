"""The public pages of ご意見箱 and the 住民の声 front page: send an opinion or a question (anonymous or signed in),
get a 受付番号; read the published よくある質問."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from yakuba.kernel.accounts.models import Resident
from yakuba.kernel.accounts.permissions import town_resident
from yakuba.kernel.http import TownRequest
from yakuba.kernel.throttle import Limit, client_ip
from yakuba.kernel.ui.actions import add_refusal, attempt, error_summary
from yakuba.kernel.ui.pagecache import DEPARTMENTS, cacheable_public
from yakuba.kernel.ui.registry import legal_url

from ..models.opinions import OpinionCategory
from ..services import opinions as services

# Spam: at most this many opinions per address and window (settings.YAKUBA_THROTTLE may change it).
SEND_LIMIT = Limit("voice.opinion", 5, 600)
SENT_KEY = "voice.opinion_sent"


class CategoryChoice(forms.ModelChoiceField[OpinionCategory]):
    def label_from_instance(self, obj: OpinionCategory) -> str:
        return f"{obj.name}（{obj.description}）" if obj.description else obj.name


class OpinionForm(forms.Form):
    category = CategoryChoice(label=_("分類"), queryset=OpinionCategory.objects.none(), widget=forms.RadioSelect,
                              empty_label=None, error_messages={"required": _("分類を選んでください。"),
                                                                "invalid_choice": _("分類を選んでください。")})
    body = forms.CharField(label=_("ご意見・ご質問"), widget=forms.Textarea(attrs={"rows": 8}), strip=False,
                           help_text=_("%(max)s文字まで。お名前や電話番号は、ここではなく下の欄にお書きください。")
                           % {"max": services.BODY_MAX},
                           error_messages={"required": _("ご意見・ご質問を入力してください。")})
    name = forms.CharField(label=_("お名前（任意）"), required=False, max_length=services.NAME_MAX,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.CharField(label=_("メールアドレス（任意）"), required=False, max_length=254,
                            help_text=_("入力すると、受付番号をお知らせするメールと、回答をこのアドレスにお送りします。"),
                            widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}))
    wants_answer = forms.BooleanField(label=_("回答を希望する"), required=False)
    consent = forms.BooleanField(label=_("プライバシーポリシーに同意して送信します"),
                                 error_messages={"required": _("プライバシーポリシーに同意してください。")})

    def __init__(self, *args: Any, resident: Resident | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category: Any = self.fields["category"]
        category.queryset = services.open_categories()
        if resident is not None:  # a signed-in resident's name and address are known: not asked again
            del self.fields["name"], self.fields["email"]

    def sending(self, resident: Resident | None) -> services.Sending:
        data = self.cleaned_data
        name = f"{resident.family_name} {resident.given_name}".strip() if resident is not None else data["name"]
        return services.Sending(category_id=data["category"].pk, body=data["body"], name=name,
                                email="" if resident is not None else data["email"],
                                wants_answer=data["wants_answer"], consented=data["consent"])


def url_or_empty(name: str) -> str:
    """The URL of another part's page, or "" while that part is not there (the front page never breaks)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


@require_http_methods(["GET", "HEAD"])
@cacheable_public(kinds=(services.FAQ,))
def index(request: TownRequest) -> HttpResponse:
    """住民の声: one place to send an opinion, report a fault on a road or a street light, answer a survey, and read
    the questions the town answered."""
    return render(request, "voice/public/opinions/index.html", {
        "reports_url": url_or_empty("voice:reports"), "surveys_url": url_or_empty("voice:surveys"),
        "faq": services.published()[:5]})


@require_http_methods(["GET", "HEAD"])
@cacheable_public(kinds=(services.FAQ, DEPARTMENTS))
def faq(request: TownRequest) -> HttpResponse:
    """よくある質問 from ご意見箱, by category (anonymised by staff before publishing)."""
    groups: dict[OpinionCategory, list[Any]] = {}
    for opinion in services.published():
        groups.setdefault(opinion.category, []).append(opinion)
    return render(request, "voice/public/opinions/faq.html", {"groups": list(groups.items())})


def _form_page(request: TownRequest, form: OpinionForm, resident: Resident | None, *, status: int = 200,
               errors: list[dict[str, str]] | None = None) -> HttpResponse:
    return render(request, "voice/public/opinions/send.html", {
        "form": form, "resident": resident, "resident_email": services.account_address(resident),
        "privacy_url": legal_url(request, "privacy"), "errors": errors if errors is not None else error_summary(form),
        "open": services.open_categories().exists()}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def send(request: TownRequest) -> HttpResponse:
    """ご意見・ご質問を送る: the form; on success the 受付番号 page."""
    resident = town_resident(request)
    if request.method != "POST":
        return _form_page(request, OpinionForm(resident=resident), resident)
    form = OpinionForm(request.POST, resident=resident)
    wait = SEND_LIMIT.take(client_ip(request)) if getattr(settings, "YAKUBA_RATE_LIMITS", True) else None
    if wait is not None:
        message = gettext("短い時間にたくさん送信されました。%(minutes)s分ほどたってから、もう一度送信してください"
                          "（入力した内容は残してあります）。") % {"minutes": max(1, -(-wait // 60))}
        response = _form_page(request, form, resident, status=429, errors=[{"id": "", "label": "", "message": message}])
        response["Retry-After"] = str(wait)
        return response
    if form.is_valid():
        outcome = attempt(request, lambda: services.send(request.municipality, form.sending(resident),
                                                         resident=resident, request=request))
        if outcome.repeated:
            return HttpResponseRedirect(reverse("voice:opinion-sent"))
        if outcome.refused is not None:
            add_refusal(form, outcome.refused)
        elif outcome.result is not None:
            request.session[SENT_KEY] = {"number": outcome.result.number, "mailed": services.mailable(outcome.result),
                                         "wants_answer": outcome.result.wants_answer}
            return HttpResponseRedirect(reverse("voice:opinion-sent"))
    return _form_page(request, form, resident, status=400)


@require_http_methods(["GET", "HEAD"])
def sent(request: TownRequest) -> HttpResponse:
    """受付番号: shown once to whoever sent it (kept in their session)."""
    found = request.session.get(SENT_KEY)
    if not found:
        return HttpResponseRedirect(reverse("voice:opinion-send"))
    return render(request, "voice/public/opinions/sent.html", {"sent": found})

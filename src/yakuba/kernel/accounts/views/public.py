"""Resident-facing account pages: sign in, sign up, sign out, my profile."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import PasswordResetConfirmView
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yakuba.kernel.audit.services import record
from yakuba.kernel.http import TownRequest
from yakuba.kernel.refusal import Refused
from yakuba.kernel.ui.actions import act_once, add_refusal, attempt
from yakuba.kernel.ui.views import safe_next

from .. import login_limits, services
from ..forms import LoginForm, PasswordResetRequestForm, ProfileForm, SignupForm
from ..models import Resident, User
from ..permissions import resident_required, staff_of


def lockout(request: TownRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """django-axes calls this when a username+IP pair has failed too often; the login views call it when an
    address has failed across accounts or an account across addresses (login_limits)."""
    form = LoginForm(request, data=request.POST or None)
    form.is_valid()
    form.errors.clear()
    form.add_error(None, _("ログインに続けて失敗したため、しばらくログインできません。"
                           "15分ほどたってからお試しください。"))
    template = "accounts/staff/login.html" if request.path_info.startswith("/staff/") else "accounts/public/login.html"
    return render(request, template, {"form": form}, status=429)


@require_http_methods(["GET", "POST"])
def login_view(request: TownRequest) -> HttpResponse:
    if request.method == "POST" and login_limits.refused(request):
        return lockout(request)
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            user = form.get_user()
            login(request, user)
            services.sign_in_resident(request.municipality, user, request=request)
            return HttpResponseRedirect(safe_next(request, reverse("accounts:profile")))
        return render(request, "accounts/public/login.html", {"form": form}, status=400)
    return render(request, "accounts/public/login.html", {"form": form})


@require_POST
def logout_view(request: TownRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record("accounts.logout", municipality=request.municipality, actor=request.user, request=request)
    logout(request)
    messages.success(request, _("ログアウトしました。"))
    return HttpResponseRedirect(reverse("ui:home"))


@require_http_methods(["GET", "POST"])
def signup(request: TownRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "accounts/public/signup.html", {"form": form}, status=400)
        outcome = attempt(request, lambda: services.register_resident(
            request.municipality, email=form.cleaned_data["email"], password=form.cleaned_data["password"],
            request=request))
        if outcome.refused is not None:
            add_refusal(form, outcome.refused)
            return render(request, "accounts/public/signup.html", {"form": form}, status=400)
        if outcome.repeated:
            messages.info(request, _("この登録はすでに受け付けています。ログインしてください。"))
            return HttpResponseRedirect(reverse("accounts:login"))
        # The same answer whether the address was new (an account was made) or already registered (its owner
        # was mailed): nobody is signed in here, so the page after sign-up never tells which it was.
        messages.success(request, _("登録を受け付けました。入力したメールアドレスに確認のメールをお送りしました。"
                                    "メールの案内に沿って、ログインしてください。"))
        return HttpResponseRedirect(reverse("accounts:login"))
    return render(request, "accounts/public/signup.html", {"form": form})


@require_http_methods(["GET", "POST"])
def join(request: TownRequest) -> HttpResponse:
    """A signed-in user with no profile in this town yet (signed in on another town's pages) starts using this
    town's services: one button, so that looking at a page never makes anyone a resident of a town."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(reverse("accounts:login") + "?" + urlencode({"next": request.get_full_path()}))
    target = safe_next(request, reverse("accounts:profile"))
    if request.method == "POST":
        user = request.user
        assert isinstance(user, User)
        return act_once(request, lambda: services.join_town(request.municipality, user, request=request),
                        done=_("%(town)sのサービスを使えるようになりました。") % {"town": request.municipality.name},
                        back=target)
    return render(request, "accounts/public/join.html", {"next": target})


@resident_required
@require_http_methods(["GET", "POST"])
def profile(request: TownRequest) -> HttpResponse:
    resident = request.resident
    # The form validates a copy: a ModelForm writes into its instance, the service decides what changes.
    form = ProfileForm(request.POST or None, instance=Resident.objects.get(pk=resident.pk))
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "accounts/public/profile.html", {"form": form, "resident": resident}, status=400)
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        services.update_profile(resident, changes, actor=request.user, request=request)
        messages.success(request, _("登録内容を保存しました。"))
        return HttpResponseRedirect(reverse("accounts:profile"))
    return render(request, "accounts/public/profile.html", {"form": form, "resident": resident})


@require_GET
def verify_email(request: TownRequest, token: str) -> HttpResponse:
    """The link in the welcome mail."""
    try:
        user = services.verify_email(token, municipality=request.municipality, request=request)
    except Refused as refused:
        return render(request, "accounts/public/verify_email.html", {"message": refused.message}, status=400)
    if user is None:
        return render(request, "accounts/public/verify_email.html", {"failed": True}, status=400)
    messages.success(request, _("メールアドレスを確認しました。"))
    target = "accounts:profile" if request.user.is_authenticated else "accounts:login"
    return HttpResponseRedirect(reverse(target))


@resident_required
@require_POST
def resend_verification(request: TownRequest) -> HttpResponse:
    user = request.resident.user
    assert user is not None  # resident_required makes the profile from the signed-in user
    with transaction.atomic():
        services.resend_verification(user, request.municipality)
    messages.info(request, _("確認のメールをもう一度送りました。"))
    return HttpResponseRedirect(reverse("accounts:profile"))


@require_http_methods(["GET", "POST"])
def password_reset(request: TownRequest) -> HttpResponse:
    """Forgot password: the same answer whether or not the address is registered."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "accounts/public/password_reset.html", {"form": form}, status=400)
        with transaction.atomic():
            services.request_password_reset(request.municipality, form.cleaned_data["email"], request=request)
        return render(request, "accounts/public/password_reset.html", {"sent_to": form.cleaned_data["email"]})
    return render(request, "accounts/public/password_reset.html", {"form": form})


class SetPasswordView(PasswordResetConfirmView):
    """The link in a staff invitation (or a password reset): choose a password, then sign in."""

    template_name = "accounts/public/set_password.html"
    success_url = reverse_lazy("accounts:login")

    request: TownRequest

    def dispatch(self, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # A link works only under the town that mailed it (the town is in the token's key salt).
        self.token_generator = services.password_link_tokens(self.request.municipality)
        return super().dispatch(*args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        super().form_valid(form)
        user = form.user
        record("accounts.password.set", municipality=self.request.municipality, actor=user, request=self.request)
        messages.success(self.request, _("パスワードを設定しました。ログインしてください。"))
        is_staff = staff_of(user, self.request.municipality) is not None
        return HttpResponseRedirect(reverse("staff:login" if is_staff else "accounts:login"))

"""Staff site: sign in with password and TOTP, the dashboard, residents' records, colleagues, audit log."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from yakuba.kernel import worklist
from yakuba.kernel.audit import services as audit
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.actions import act_once
from yakuba.kernel.ui.views import safe_next

from .. import login_limits, services
from ..forms import LoginForm, OTPForm, ResidentSearchForm, StaffInviteForm
from ..models import Resident, Role, Staff
from ..permissions import can, staff_of, staff_required
from .public import lockout

WRONG_CODE = gettext_lazy("確認コードが正しくありません。認証アプリに表示されている最新のコードを入力してください。")
THROTTLED = gettext_lazy("確認コードの誤りが続いたため、しばらく待ってからお試しください。")


@require_http_methods(["GET", "POST"])
def login_view(request: TownRequest) -> HttpResponse:
    if request.method == "POST" and login_limits.refused(request):
        return lockout(request)
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            user = form.get_user()
            if staff_of(user, request.municipality) is None:
                form.add_error(None, _("このアカウントは%(town)sの職員として登録されていません。")
                               % {"town": request.municipality.name})
                return render(request, "accounts/staff/login.html", {"form": form}, status=403)
            login(request, user)
            audit.record("accounts.staff.password_ok", municipality=request.municipality, actor=user,
                         request=request)
            target = safe_next(request, reverse("staff:dashboard"))
            return HttpResponseRedirect(reverse("staff:otp") + "?" + urlencode({"next": target}))
        return render(request, "accounts/staff/login.html", {"form": form}, status=400)
    return render(request, "accounts/staff/login.html", {"form": form})


def _password_stage_staff(request: TownRequest) -> HttpResponse | None:
    """Redirect unless a staff member of this town has passed the password step."""
    if not request.user.is_authenticated or staff_of(request.user, request.municipality) is None:
        return HttpResponseRedirect(reverse("staff:login"))
    return None


@require_http_methods(["GET", "POST"])
def otp_view(request: TownRequest) -> HttpResponse:
    if (redirect := _password_stage_staff(request)) is not None:
        return redirect
    user = request.user
    device = services.confirmed_totp(user)  # type: ignore[arg-type]
    if device is None:
        return HttpResponseRedirect(reverse("staff:otp-setup") + "?" + urlencode({"next": safe_next(request, "")}))
    form = OTPForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            allowed, _info = device.verify_is_allowed()
            if allowed and device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                request.session.cycle_key()  # a new privilege, a new session id (no fixation across the step)
                audit.record("accounts.staff.login", municipality=request.municipality, actor=user,
                             request=request)
                return HttpResponseRedirect(safe_next(request, reverse("staff:dashboard")))
            form.add_error("token", WRONG_CODE
                           if allowed else THROTTLED)
        return render(request, "accounts/staff/otp.html", {"form": form}, status=400)
    return render(request, "accounts/staff/otp.html", {"form": form})


@require_http_methods(["GET", "POST"])
def otp_setup(request: TownRequest) -> HttpResponse:
    """A staff member without two-factor authentication enrols an authenticator app before going further."""
    if (redirect := _password_stage_staff(request)) is not None:
        return redirect
    if services.confirmed_totp(request.user) is not None:  # type: ignore[arg-type]
        return HttpResponseRedirect(reverse("staff:otp"))
    device = services.pending_totp(request.user)  # type: ignore[arg-type]
    form = OTPForm(request.POST or None)
    context = {"form": form, "device": device, "qr_svg": _qr_svg(device.config_url),
               "secret": _b32(device.bin_key)}
    if request.method == "POST":
        allowed = device.verify_is_allowed()[0]
        if form.is_valid() and allowed and services.confirm_totp(
            device, form.cleaned_data["token"], municipality=request.municipality, request=request
        ):
            otp_login(request, device)
            request.session.cycle_key()  # as at the code step: the enrolment completes the sign-in
            messages.success(request, _("二段階認証を設定しました。次回からは確認コードでログインします。"))
            return HttpResponseRedirect(safe_next(request, reverse("staff:dashboard")))
        if form.is_valid():
            form.add_error("token", WRONG_CODE
                           if allowed else THROTTLED)
        return render(request, "accounts/staff/otp_setup.html", context, status=400)
    return render(request, "accounts/staff/otp_setup.html", context)


def _qr_svg(url: str) -> str:
    import segno

    return str(segno.make(url, error="m").svg_inline(scale=4, title="TOTP QR"))


def _b32(key: bytes) -> str:
    import base64

    secret = base64.b32encode(key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


@require_POST
def logout_view(request: TownRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit.record("accounts.staff.logout", municipality=request.municipality, actor=request.user, request=request)
    logout(request)
    messages.success(request, _("ログアウトしました。"))
    return HttpResponseRedirect(reverse("staff:login"))


@staff_required()
def dashboard(request: TownRequest) -> HttpResponse:
    staff = request.staff
    scope = _("町全体") if staff.has_role(Role.ADMIN) else staff.department.name
    return render(request, "accounts/staff/dashboard.html", {
        "sections": worklist.sections_for(staff), "scope": scope, "staff": staff,
        "resident_count": Resident.objects.count(),
        "staff_count": Staff.objects.filter(is_active=True).count(),
    })


@staff_required()
def resident_list(request: TownRequest) -> HttpResponse:
    form = ResidentSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    residents = services.search_residents(query) if query else Resident.objects.select_related("user").all()
    page = Paginator(residents, 50).get_page(request.GET.get("page"))
    audit.record("accounts.resident.listed", municipality=request.municipality, actor=request.user,
                 request=request, data={"query": query, "count": len(page.object_list)})
    return render(request, "accounts/staff/resident_list.html", {"form": form, "page": page, "query": query})


@staff_required()
def resident_detail(request: TownRequest, pk: int) -> HttpResponse:
    resident: Resident = get_object_or_404(Resident.objects.select_related("user"), pk=pk)
    audit.record_read(request, resident)
    return render(request, "accounts/staff/resident_detail.html", {"resident": resident})


@staff_required()
def staff_list(request: TownRequest) -> HttpResponse:
    members = Staff.objects.select_related("department", "section", "user").order_by(
        "-is_active", "department__sort_order", "family_name")
    if not can(request.staff, Role.ADMIN):
        members = members.filter(is_active=True)
    return render(request, "accounts/staff/staff_list.html", {
        "members": members, "is_admin": can(request.staff, Role.ADMIN)})


@staff_required(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def staff_invite(request: TownRequest) -> HttpResponse:
    form = StaffInviteForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            response = act_once(request, lambda: services.invite_staff(
                request.municipality, actor=request.user, request=request, **form.cleaned_data),
                done=lambda staff: _("%(name)sさんを追加し、パスワード設定のメールを送りました。") % {"name": staff},
                back=lambda staff: reverse("staff:member", args=[staff.pk]), form=form,
                repeated=_("この職員の追加はすでに受け付けています。"), again=reverse("staff:members"))
            if response is not None:
                return response
        return render(request, "accounts/staff/staff_invite.html", {"form": form}, status=400)
    return render(request, "accounts/staff/staff_invite.html", {"form": form})


STAFF_ACTIONS: dict[str, tuple[Callable[..., None], str | Promise]] = {
    "suspend": (partial(services.set_staff_active, active=False), gettext_lazy("利用を停止しました。")),
    "reactivate": (partial(services.set_staff_active, active=True), gettext_lazy("利用を再開しました。")),
    "reset_totp": (services.reset_second_factor,
                   gettext_lazy("二段階認証を解除しました。次回のログイン時に設定し直します。")),
}


@staff_required(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def staff_detail(request: TownRequest, pk: int) -> HttpResponse:
    member: Staff = get_object_or_404(Staff.objects.select_related("user", "department", "section"), pk=pk)
    if request.method == "POST":
        back = reverse("staff:member", args=[member.pk])
        action = request.POST.get("action", "")
        if action not in STAFF_ACTIONS:
            return HttpResponseRedirect(back)
        change, done = STAFF_ACTIONS[action]
        return act_once(request, lambda: change(member, actor=request.user, request=request), done=str(done),
                        back=back)
    return render(request, "accounts/staff/staff_detail.html", {
        "member": member, "has_totp": services.confirmed_totp(member.user) is not None})

"""The one place staff and resident access is decided. Views declare what they need; nothing else checks."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _

from yakuba.kernel.http import TownRequest
from yakuba.kernel.tenancy.models import Municipality

from .models import Department, Resident, Role, Staff

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def staff_of(user: Any, municipality: Municipality | None) -> Staff | None:
    """The active staff membership of `user` in `municipality`, or None."""
    if municipality is None or not getattr(user, "is_authenticated", False):
        return None
    staff: Staff | None = getattr(user, "staff", None)
    if staff is None or not staff.is_active or staff.municipality_id != municipality.pk:
        return None
    return staff


def can(staff: Staff | None, role: int = Role.STAFF, department: Department | None = None) -> bool:
    """Whether `staff` holds `role` (and, if given, works in `department`). 情報担当 may do anything in town."""
    if staff is None or not staff.is_active:
        return False
    if staff.role >= Role.ADMIN:
        return True
    if staff.role < role:
        return False
    return department is None or staff.department_id == department.pk


def _login_redirect(request: TownRequest, view_name: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse(view_name) + "?" + urlencode({"next": request.get_full_path()}))


def staff_required(role: int = Role.STAFF) -> Callable[[View], View]:
    """Decorator for staff views: a verified (TOTP) staff member of this town holding `role`.

    Anonymous users go to the staff login; a login without its second factor goes to the TOTP step;
    everyone else who lacks the right gets 403.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: TownRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return _login_redirect(request, "staff:login")
            staff = staff_of(request.user, request.municipality)
            if staff is None:
                raise PermissionDenied(_("この自治体の職員用ページを表示する権限がありません。"))
            if not getattr(request.user, "is_verified", lambda: False)():
                return _login_redirect(request, "staff:otp")
            if not can(staff, role):
                raise PermissionDenied(_("この操作を行う権限がありません。"))
            request.staff = staff
            return view(request, *args, **kwargs)

        wrapped.staff_role = role  # type: ignore[attr-defined]  # read by the role sweep test
        return wrapped  # type: ignore[return-value]

    return decorator


def town_resident(request: TownRequest, *, create: bool = False) -> Resident | None:
    """The signed-in user's resident profile in this town; with `create`, made on first use (as resident pages
    do). None for visitors, and for a user without a profile here when `create` is false."""
    if not request.user.is_authenticated:
        return None
    if create:
        resident, _created = Resident.objects.get_or_create(municipality=request.municipality, user=request.user)
        return resident
    return Resident.objects.filter(municipality=request.municipality, user=request.user).first()


def resident_required(view: View) -> View:
    """Decorator for resident pages: a logged-in user, as `request.resident`, their profile in this town.

    The profile is made by a write: signing in on this town's pages, registering, a マイナンバーカード login, or
    a form sent here (POST). A user signed in elsewhere who only looks (共同利用: one account, several towns) is
    asked first whether to use this town's services, so looking never makes anyone a resident of a town.
    """

    @wraps(view)
    def wrapped(request: TownRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return _login_redirect(request, "accounts:login")
        resident = town_resident(request, create=request.method not in SAFE_METHODS)
        if resident is None:
            return _login_redirect(request, "accounts:join")
        request.resident = resident
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

"""Town home page, the default 利用規約 and プライバシーポリシー, display preferences, the favicon and the CSRF failure
page."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from yakuba.kernel.accounts.models import Department
from yakuba.kernel.http import TownRequest

from . import prefs, registry
from .pagecache import DEPARTMENTS, cacheable_public


@cacheable_public(kinds=lambda: (DEPARTMENTS, *registry.home_kinds))
def home(request: TownRequest) -> HttpResponse:
    alert = registry.town_alert(request)
    if alert is not None and alert.home is not None and request.GET.get("full") != "1":
        # 災害モード: the light page every resident opens at once; the whole home stays one link away (?full=1).
        response: HttpResponse = alert.home(request)
        return response
    for view in registry.home_views:
        # The town's own home page (the website app's, from its Site); the one below is every town's fallback.
        own: HttpResponse | None = view(request)
        if own is not None:
            return own
    return render(request, "ui/public/home.html", {
        "entries": [{"label": entry.label, "url": reverse(entry.url_name), "key": entry.url_name}
                    for entry in registry.home_entry_points],
        "used": registry.most_used(request.municipality.pk),
        "services": registry.public_services,
        "alerts": registry.alerts_for(request),
        "widgets": registry.home_widgets,
        "departments": Department.objects.all(),
    })


@cacheable_public()
def terms(request: TownRequest) -> HttpResponse:
    """利用規約 of the platform, for a town that has not written its own (the footer and the sign-up link here)."""
    return render(request, "ui/public/terms.html")


@cacheable_public()
def privacy(request: TownRequest) -> HttpResponse:
    """プライバシーポリシー: what the platform keeps, for a town that has not written its own."""
    return render(request, "ui/public/privacy.html", {"session_hours": settings.SESSION_COOKIE_AGE // 3600})


FAVICON = Path(__file__).parent / "static" / "yakuba" / "favicon.ico"


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for on every site whatever the page links: the shared emblem (the pages
    link the SVG version from static). The same for everyone, so any cache may keep it for a day."""
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/x-icon")
    patch_cache_control(response, public=True, max_age=86400)
    return response


def safe_url(request: TownRequest, target: str, fallback: str = "") -> str:
    """`target` if it stays on this site (no open redirects), else `fallback`."""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def safe_next(request: TownRequest, fallback: str) -> str:
    """The posted or queried `next` URL, if it stays on this site."""
    return safe_url(request, request.POST.get("next") or request.GET.get("next") or "", fallback)


def _same_site(request: HttpRequest) -> bool:
    """The form was posted from this site, as far as the browser says (Origin, else Referer; neither: allowed)."""
    here = f"{request.scheme}://{request.get_host()}"
    origin = request.META.get("HTTP_ORIGIN")
    if origin:
        return origin == here
    referer = request.META.get("HTTP_REFERER")
    return not referer or referer == here or referer.startswith(here + "/")


# The display switches (text size, furigana, language) are on every page, and a page that is the same for every
# visitor is served from the shared cache: they carry no CSRF token (which is one visitor's). What a forged post could
# do is change a visitor's display cookie; a browser's Origin (or Referer) header from another site is refused.
@csrf_exempt
@require_POST
def set_prefs(request: TownRequest) -> HttpResponse:
    if not _same_site(request):
        return HttpResponseForbidden()
    response = HttpResponseRedirect(safe_next(request, reverse("ui:home")))
    furigana, easy = request.POST.get("furigana"), request.POST.get("easy")
    prefs.apply(
        response,
        size=request.POST.get("text_size"),
        furigana=None if furigana is None else furigana == "1",
        easy=None if easy is None else easy == "1",
    )
    return response


@csrf_exempt
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    if not _same_site(request):
        return HttpResponseForbidden()
    chosen = request.POST.get("language")
    if chosen == prefs.EASY:  # やさしい日本語: Japanese, with the town's easy versions where there are some
        post = request.POST.copy()
        post["language"] = "ja"
        request.POST = post  # type: ignore[assignment]
    response = i18n.set_language(request)
    if chosen in (prefs.EASY, *dict(settings.LANGUAGES)):
        prefs.apply(response, easy=chosen == prefs.EASY)
    return response


def csrf_failure(request: TownRequest, reason: str = "") -> HttpResponse:
    return render(request, "ui/csrf_failure.html", {"reason": reason}, status=403)


def not_found_municipality(request: TownRequest) -> str:
    code = getattr(request, "unknown_municipality", None)
    if code is not None:
        from yakuba.kernel.tenancy.codes import check_digit, normalise_code

        digits = normalise_code(code)
        if len(digits) == 6 and digits.isdigit() and check_digit(digits[:5]) != int(digits[5]):
            return _("地方公共団体コード %(code)s の検査数字が正しくありません。") % {"code": digits}
        return _("地方公共団体コード %(code)s の自治体はこのサービスに登録されていません。") % {"code": code}
    return _("このアドレス（%(host)s）に対応する自治体は登録されていません。") % {
        "host": request.get_host()
    }


def platform_index(request: TownRequest) -> HttpResponse:
    if getattr(request, "unknown_host", False) or getattr(request, "unknown_municipality", None):
        return platform_not_found(request)
    from yakuba.kernel.tenancy.models import Municipality

    return render(request, "ui/platform/index.html", {"towns": Municipality.objects.filter(is_active=True)})


def platform_not_found(request: TownRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "ui/platform/not_found.html", {"reason": not_found_municipality(request)}, status=404)

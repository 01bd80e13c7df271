"""「通知の設定」 for staff: subscribe this browser to Web Push for one's work (決裁待ち …), see how many browsers
receive it, stop them all. Mounted under /staff/ by yakuba.urls."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.actions import act_once

from . import staff as staff_push
from .views_push import _bad, _json_body, parse_subscription


@staff_required()
def notifications(request: TownRequest) -> HttpResponse:
    return render(request, "messaging/staff_notifications.html", {
        "browsers": staff_push.browsers(request.staff).count()})


@staff_required()
@require_POST
def push_subscribe(request: TownRequest) -> JsonResponse:
    data = _json_body(request)
    if not isinstance(data, dict):
        return _bad(_("通知の登録に失敗しました。ページを読み込み直して、もう一度お試しください。"))
    parsed = parse_subscription(data.get("subscription"))
    if parsed is None:
        return _bad(_("この端末の通知の登録情報が正しくありません。ページを読み込み直して、もう一度お試しください。"))
    address, keys = parsed
    staff_push.subscribe_browser(request.staff, address, keys)
    return JsonResponse({"ok": True})


@staff_required()
@require_POST
def push_stop(request: TownRequest) -> HttpResponse:
    return act_once(request, lambda: staff_push.stop_all(request.staff),
                    done=lambda n: _("%(n)d台の端末で通知を止めました。") % {"n": n},
                    back=reverse("staff:notifications"))


staff_urlpatterns = [
    path("notifications/", notifications, name="notifications"),
    path("notifications/push/", push_subscribe, name="notifications-push"),
    path("notifications/stop/", push_stop, name="notifications-stop"),
]

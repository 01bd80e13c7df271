"""The tablet at the entrance (打刻端末): no staff login; the tablet is known by the secret token in its link
(registered by 総務課). A keyboard-wedge scanner types the QR code into the field and presses Enter; where the
browser has BarcodeDetector, the camera reads it (static/attendance/kiosk.js); a staff number can be typed."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.actions import attempt

from ..models import Device
from ..services import clock, rules


def _device(token: str) -> Device:
    device = clock.device_of(token)
    if device is None:
        raise Http404(_("この端末は打刻端末として登録されていません。"))
    return device


def kiosk(request: TownRequest, token: str) -> HttpResponse:
    device = _device(token)
    if request.method != "POST":
        return render(request, "attendance/kiosk/kiosk.html", {"device": device, "code": "", "errors": []})
    code = request.POST.get("code", "")
    outcome = attempt(request, lambda: clock.tablet_punch(token, code))
    if outcome.refused is not None:
        return render(request, "attendance/kiosk/kiosk.html", {
            "device": device, "code": code, "errors": outcome.refused.messages}, status=400)
    punch = outcome.result
    if punch is not None:
        moment = punch.period.started_at if punch.clocked_in else punch.period.ended_at
        when = f"{rules.local(moment):%H:%M}" if moment else ""
        text = _("%(name)sさん 出勤 %(at)s") if punch.clocked_in else _("%(name)sさん 退勤 %(at)s")
        messages.success(request, text % {"name": punch.staff, "at": when})
    return HttpResponseRedirect(reverse("attendance:kiosk", args=[token]))


urlpatterns = [path("attendance/kiosk/<str:token>/", kiosk, name="kiosk")]

"""The light home page of 災害モード: what every resident opens at the same minute. The alert first, the open
shelters, what to do, the numbers to call; one HTML response and one small stylesheet, no script. The kernel's home
view serves it (kernel.ui.registry.town_alert), so it is cached as the home page is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.http import TownRequest

from .. import levels
from ..models import DisasterMode, Notice, NoticeStatus, ShelterStatus
from ..services import disaster, shelters

OTHER_ALERTS_MAX = 3
GSI_MAP = "https://maps.gsi.go.jp/#16/{lat}/{lon}/"  # 地理院地図: a plain link, no map script on this page


@dataclass(frozen=True)
class Phone:
    label: str
    number: str


def _variant(request: TownRequest) -> str:
    """"en" when the visitor chose English, "easy" for やさしい日本語 (?easy=1), else "ja"."""
    if getattr(request, "LANGUAGE_CODE", "ja") == "en":
        return "en"
    return "easy" if request.GET.get("easy") == "1" else "ja"


def _alert_notice(mode: DisasterMode) -> Notice | None:
    """The notice the mode shows, while residents can still read it."""
    notice = mode.notice
    now = timezone.now()
    if notice is None or notice.status != NoticeStatus.PUBLISHED or notice.publish_at > now:
        return None
    if notice.expires_at is not None and notice.expires_at <= now:
        return None
    return notice


def _texts(notice: Notice | None, mode: DisasterMode, variant: str) -> dict[str, str]:
    """The alert's title and body in the visitor's version (falling back to the Japanese)."""
    if notice is None:
        return {"title": mode.title, "body": mode.message, "lang": ""}
    if variant == "easy" and notice.easy_title and notice.easy_body:
        return {"title": notice.easy_title, "body": notice.easy_body, "lang": ""}
    if variant == "en":
        english = notice.translations.filter(language="en").first()
        if english is not None:
            return {"title": english.title, "body": english.body, "lang": "en"}
        return {"title": notice.title, "body": notice.body, "lang": "ja"}
    return {"title": notice.title, "body": notice.body, "lang": ""}


def _guidance(settings: Any, variant: str) -> str:
    if variant == "easy":
        return str(settings.guidance_easy or levels.EASY_GUIDANCE)
    if variant == "en":
        return str(settings.guidance_en or levels.GUIDANCE)
    return str(settings.guidance or levels.GUIDANCE)


def _phones(request: TownRequest, settings: Any, notice: Notice | None) -> list[Phone]:
    town = request.municipality
    phones = []
    if town.phone:
        phones.append(Phone(_("%(town)s役場（代表）") % {"town": town.name}, town.phone))
    department = settings.department or (notice.department if notice is not None else None)
    if department is not None and department.phone and department.phone != town.phone:
        phones.append(Phone(_("防災の担当（%(name)s）") % {"name": department.name}, department.phone))
    if settings.radio_phone:
        phones.append(Phone(_("防災行政無線の放送内容（電話で聞けます）"), settings.radio_phone))
    phones += [Phone(_("火事・救急"), "119"), Phone(_("事件・事故（警察）"), "110")]
    return phones


def _open_shelters(request: TownRequest) -> list[dict[str, Any]]:
    found = []
    for place in shelters.places(request.municipality):
        if place.status == ShelterStatus.CLOSED:
            continue
        map_url = (GSI_MAP.format(lat=place.latitude, lon=place.longitude)
                   if place.latitude is not None and place.longitude is not None else "")
        found.append({"place": place, "map_url": map_url})
    return found


def _toggle(request: TownRequest, easy: bool) -> str:
    query = {key: value for key, value in request.GET.items() if key != "easy"}
    if easy:
        query["easy"] = "1"
    return "?" + urlencode(query) if query else reverse("ui:home")


def home(request: TownRequest) -> HttpResponse:
    mode = disaster.active_mode(request.municipality)
    if mode is None:  # ended between the banner's question and this one: the ordinary home page next time
        mode = DisasterMode(municipality=request.municipality, title="", started_at=timezone.now())
    settings = disaster.settings_of(request.municipality)
    notice = _alert_notice(mode) if mode.notice_id else None
    variant = _variant(request)
    easy = variant == "easy"
    others = (Notice.objects.filter(municipality=request.municipality, category__is_emergency=True).visible()
              .exclude(pk=notice.pk if notice is not None else None)[:OTHER_ALERTS_MAX])
    return render(request, "notices/disaster/home.html", {
        "mode": mode, "notice": notice, "variant": variant, "easy": easy,
        "level_label": levels.label(mode.level, easy=easy), "call": "" if easy else levels.call(mode.level),
        "meaning": levels.meaning(mode.level, easy=easy), "text": _texts(notice, mode, variant),
        "issued": notice.publish_at if notice is not None else mode.started_at,
        "message": mode.message if notice is not None else "",
        "shelters": _open_shelters(request), "guidance": _guidance(settings, variant),
        "phones": _phones(request, settings, notice), "others": list(others),
        "easy_url": _toggle(request, True), "plain_url": _toggle(request, False),
        "full_url": reverse("ui:home") + "?full=1",
    })

"""防災情報ボード: the 防災行政無線 個別受信機 on a tablet or phone. Alerts in force and 避難所 status in very large
text, refreshed every minute by a small script (or a link without one)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from yakuba.kernel import records
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.pagecache import cacheable_public

from .. import records as notice_records
from ..models import Notice
from ..services import shelters

REFRESH_SECONDS = 60
MAX_AGE = 30
PHOTOS_MAX = 6
POINTS_MAX = 10
DISASTERS = "disasters"  # the topic of the map points other apps offer (kernel.records): 災害発生箇所


def _board_kinds() -> tuple[str, ...]:
    """What the board shows: notices, shelters and the disaster points other apps offer (cached pages follow these)."""
    return (notice_records.KIND, notice_records.CONTENT, notice_records.SHELTER, shelters.SITES,
            *(source.kind for source in records.point_sources(DISASTERS)))


def _board(request: TownRequest) -> dict[str, Any]:
    notices = Notice.objects.filter(municipality=request.municipality).visible()
    alerts = list(notices.filter(category__is_emergency=True).select_related("category", "department")
                  .prefetch_related("areas", "attachments"))
    photos = [(alert, item) for alert in alerts for item in alert.attachments.all() if item.is_image][:PHOTOS_MAX]
    return {"alerts": alerts, "photos": photos, "now": timezone.localtime(),
            "shelters": shelters.places(request.municipality), "refresh_seconds": REFRESH_SECONDS,
            "disaster_points": records.points(DISASTERS, POINTS_MAX), "disaster_map_url": records.map_url(DISASTERS)}


def _cached(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, max_age=MAX_AGE)
    return response


@require_GET
@cacheable_public(kinds=_board_kinds)
def board(request: TownRequest) -> HttpResponse:
    return _cached(render(request, "notices/bousai/board.html", _board(request)))


@require_GET
@cacheable_public(kinds=_board_kinds)
def fragment(request: TownRequest) -> HttpResponse:
    return _cached(render(request, "notices/bousai/_live.html", _board(request)))


urlpatterns = [
    path("bousai/", board, name="bousai"),
    path("bousai/live/", fragment, name="bousai-fragment"),
]

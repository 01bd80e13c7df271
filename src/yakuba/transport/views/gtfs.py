"""The public GTFS-JP feed of the town's fixed routes (/transport/gtfs.zip), cached as a public page and renewed when
a route, its stops or the service change."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path
from django.utils.translation import gettext as _

from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.pagecache import cacheable_public

from .. import records
from ..services import gtfs

MAX_AGE = 3600  # timetables change seldom; a change renews the cached copy at once (records.GTFS)


@cacheable_public(kinds=(records.GTFS,), max_age=MAX_AGE)
def feed(request: TownRequest) -> HttpResponse:
    found = gtfs.feed(request.municipality)
    if found is None:
        return HttpResponse(_("この町には、GTFS-JPで公開している定時路線がありません。"), status=404,
                            content_type="text/plain; charset=utf-8")
    response = HttpResponse(found.content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{found.filename}"'
    return response


urlpatterns = [path("transport/gtfs.zip", feed, name="gtfs")]

"""What デマンド交通 offers through the kernel's registries: the public entry point and the staff menu, the count of
rides waiting for a person, the staff top page's work list, and the record kind its public pages are cached under."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yakuba.kernel import records, worklist
from yakuba.kernel.accounts.models import Role, Staff
from yakuba.kernel.ui.registry import Entry, HeaderCount, register_header_count, register_public, register_staff

from .models import FixedRoute, FixedRouteStop, Service, Stop, Vehicle, Zone

# The public pages (how to ride, the stops, GTFS) change when the service's definition does.
PAGES = "transport.service"
records.announce_saves(PAGES, Service, Zone, Stop, Vehicle, FixedRoute, FixedRouteStop)

register_public(Entry("transport:index", _("デマンド交通（のりあいタクシー）"),
                      _("予約した時だけ走る乗り合いの車を、電話・ウェブ・LINEで予約できます。"), order=50))
register_staff(Entry("staff:transport-call", _("デマンド交通 電話予約"), role=Role.STAFF, order=50))
register_staff(Entry("staff:transport-plan-today", _("デマンド交通 運行計画"), role=Role.STAFF, order=51))


def _queued(staff: Any) -> int:
    from .services import access
    from .services.booking import queued_count

    return queued_count() if access.can_operate(staff) else 0


register_header_count(HeaderCount("staff:transport-plan-today", _("デマンド交通 要確認"), _queued, order=50))


def _items(staff: Staff) -> list[worklist.Item]:
    from .services import access
    from .services.booking import queued_count

    waiting = queued_count() if access.can_operate(staff) else 0
    if not waiting:
        return []
    return [worklist.Item(_("配車を確認する予約（デマンド交通）"), waiting, reverse("staff:transport-plan-today"),
                          worklist.DUE)]


worklist.register(worklist.Provider(_("デマンド交通"), _items, order=20))

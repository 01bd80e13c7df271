"""What デマンド交通 offers through the kernel's registries: the public entry point and the staff menu, the staff top
page's work list (rides waiting for a person; not a header count, which every staff page would pay for), and the
record kind its public pages are cached under."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yakuba.kernel import records, worklist
from yakuba.kernel.accounts.models import Role, Staff
from yakuba.kernel.ui.registry import Entry, register_public, register_staff

from .models import FixedRoute, FixedRouteStop, Service, Stop, Vehicle, Zone

# The public pages (how to ride, the stops, GTFS) change when the service's definition does.
PAGES = "transport.service"
records.announce_saves(PAGES, Service, Zone, Stop, Vehicle, FixedRoute, FixedRouteStop)

register_public(Entry("transport:index", _("デマンド交通（のりあいタクシー）"),
                      _("予約した時だけ走る乗り合いの車を、電話・ウェブ・LINEで予約できます。"), order=50))
register_staff(Entry("staff:transport-call", _("デマンド交通 電話予約"), role=Role.STAFF, order=50))
register_staff(Entry("staff:transport-plan-today", _("デマンド交通 運行計画"), role=Role.STAFF, order=51))
register_staff(Entry("staff:transport-report", _("デマンド交通 現状分析"), role=Role.STAFF, order=52))
register_staff(Entry("staff:transport-drive", _("デマンド交通 運転手"), role=Role.STAFF, order=53))
register_staff(Entry("staff:transport-setup", _("デマンド交通 運行の設定"), role=Role.STAFF, order=54))


def _items(staff: Staff) -> list[worklist.Item]:
    from .services import access
    from .services.booking import queued_count

    waiting = queued_count() if access.can_operate(staff) else 0
    if not waiting:
        return []
    return [worklist.Item(_("配車を確認する予約（デマンド交通）"), waiting, reverse("staff:transport-plan-today"),
                          worklist.DUE)]


worklist.register(worklist.Provider(_("デマンド交通"), _items, order=20))

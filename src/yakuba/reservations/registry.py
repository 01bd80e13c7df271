"""Where 予約 appears: on the town's home page (its entry point and its most booked facilities) and in the staff
menu."""

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.ui.pagecache import WORDS
from yakuba.kernel.ui.registry import (
    Entry,
    UsageSource,
    Used,
    register_entry_point,
    register_public,
    register_staff,
    register_usage,
)
from yakuba.kernel.words import display

register_public(Entry("reservations:index", _("施設・窓口の予約"),
                      _("公民館や体育館の予約、役場での相談の予約ができます。"), order=20))
register_staff(Entry("staff:reservations-day", _("予約の管理"), role=Role.STAFF, order=20))

# The home page leads with 予約; its よく使われているサービス counts bookings per facility (kernel.ui.registry).
register_entry_point(Entry("reservations:index", _("予約"), _("施設・窓口の予約"), order=30))


def _most_booked(since: datetime, limit: int) -> list[Used]:
    """Facilities by reservations of their rooms made since `since`, cancelled ones not counted (one query)."""
    from django.db.models import Count, Q
    from django.urls import reverse

    from .models import Facility, Status

    facilities = (Facility.objects.filter(is_published=True)
                  .annotate(used=Count("rooms__reservations", filter=Q(rooms__reservations__created_at__gte=since)
                                       & ~Q(rooms__reservations__status=Status.CANCELLED)))
                  .filter(used__gt=0).order_by("-used", "sort_order")[:limit])
    found = []
    for facility in facilities:  # each name in the reader's language where staff translated it (kernel.words)
        name, lang = display.shown(facility.municipality_id, "reservations.facility", facility.pk, "name",
                                   facility.name)
        found.append(Used(name, reverse("reservations:facility", args=[facility.slug]), facility.used, lang))
    return found


register_usage(UsageSource("reservations.bookings", _most_booked, kinds=("reservations.facility", WORDS)))

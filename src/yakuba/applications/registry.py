"""Where 電子申請 appears: on the town's home page (its entry point and its most used procedures) and in the staff
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

register_public(Entry("applications:catalogue", _("電子申請"),
                      _("役場に行かずに、スマートフォンやパソコンから申請できます。"), order=10))
register_public(Entry("applications:mine", _("申請の状況"), _("申請した手続の受付番号と審査の状況を確認できます。"),
                      order=11))
register_staff(Entry("staff:applications-queue", _("申請の処理"), role=Role.STAFF, order=10))
register_staff(Entry("staff:applications-counter", _("書かない窓口"), role=Role.STAFF, order=11))
register_staff(Entry("staff:applications-procedures", _("手続と様式"), role=Role.STAFF, order=12))
register_staff(Entry("staff:applications-stats", _("電子申請の利用状況"), role=Role.STAFF, order=13))

# The home page leads with 手続き; its よく使われているサービス counts submissions per procedure (kernel.ui.registry).
register_entry_point(Entry("applications:catalogue", _("手続き"), _("電子申請"), order=20))


def _most_submitted(since: datetime, limit: int) -> list[Used]:
    """Procedures by submissions since `since` (one aggregate query; drafts not counted)."""
    from django.db.models import Count, Q
    from django.urls import reverse

    from .models import Procedure

    procedures = (Procedure.objects.filter(is_published=True)
                  .annotate(used=Count("submissions", filter=Q(submissions__submitted_at__gte=since)))
                  .filter(used__gt=0).order_by("-used", "sort_order")[:limit])
    found = []
    for procedure in procedures:  # each name in the reader's language where staff translated it (kernel.words)
        title, lang = display.shown(procedure.municipality_id, "applications.procedure", procedure.pk, "title",
                                    procedure.title)
        found.append(Used(title, reverse("applications:procedure", args=[procedure.slug]), procedure.used, lang))
    return found


register_usage(UsageSource("applications.submissions", _most_submitted, kinds=("applications.procedure", WORDS)))

"""What 公式ホームページ offers other systems through the kernel's registries: the staff menu, and the kinds of record
its public pages follow (kernel/ui/pagecache.py): any change of a page, a version, a file or the site settings
announces PAGES, so every cached page of the town's site is rendered anew."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from yakuba.kernel import records
from yakuba.kernel.accounts.models import Role, Staff
from yakuba.kernel.ui.registry import Entry, HeaderCount, register_header_count, register_staff

from .models import Asset, Page, PageVersion, Site

register_staff(Entry("staff:website", _("ホームページ"), role=Role.STAFF, order=8))



def _waiting(staff: Staff) -> int:
    """「ページ承認待ち」 in a 所属長's header: one indexed count (none for staff who approve nothing)."""
    if staff.role < Role.APPROVER:
        return 0
    from .services.pages import waiting_for

    return int(waiting_for(staff).count())


register_header_count(HeaderCount("staff:website-approvals", _("ページ承認待ち"), _waiting, order=20))

PAGES = "website.page"
records.announce_saves(PAGES, Page, PageVersion, Asset, Site)

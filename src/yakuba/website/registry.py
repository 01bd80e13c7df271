"""What 公式ホームページ offers other systems through the kernel's registries: the staff menu and header count, the
town's home page, the links to 利用規約 and the other pages every site has, and the kinds of record its public pages
follow (kernel/ui/pagecache.py): any change of a page, a version, a file or the site settings announces PAGES, so
every cached page of the town's site is rendered anew."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from yakuba.kernel import records
from yakuba.kernel.accounts.models import Role, Staff
from yakuba.kernel.ui.registry import (
    Entry,
    HeaderCount,
    register_header_count,
    register_home,
    register_legal_links,
    register_staff,
)

from .models import Asset, Page, PageVersion, Site

register_staff(Entry("staff:website", _("ホームページ"), role=Role.STAFF, order=8))
# サイトの設定: the 情報担当's page (emblem, colour, shortcuts, 棚卸し cycle).
register_staff(Entry("staff:website-site", _("サイトの設定"), role=Role.ADMIN, order=9))


def _waiting(staff: Staff) -> int:
    """「ページ承認待ち」 in a 所属長's header: one indexed count (none for staff who approve nothing)."""
    if staff.role < Role.APPROVER:
        return 0
    from .services.pages import waiting_for

    return int(waiting_for(staff).count())


register_header_count(HeaderCount("staff:website-approvals", _("ページ承認待ち"), _waiting, order=20))

PAGES = "website.page"
records.announce_saves(PAGES, Page, PageVersion, Asset, Site)


def _home(request: Any) -> Any:
    """The town's home page from its Site (None without one: the kernel's home)."""
    from .views.site import home

    return home(request)


def _legal_links(request: Any) -> dict[str, str]:
    """The town's 利用規約, プライバシーポリシー … where it published them under their well-known slugs."""
    from .services.site import well_known_urls

    return well_known_urls()


register_home(_home, kinds=(PAGES,))
register_legal_links(_legal_links)

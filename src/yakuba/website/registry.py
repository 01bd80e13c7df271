"""What 公式ホームページ offers other systems through the kernel's registries: the staff menu, and the kinds of record
its public pages follow (kernel/ui/pagecache.py): any change of a page, a version, a file or the site settings
announces PAGES, so every cached page of the town's site is rendered anew."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from yakuba.kernel import records
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.ui.registry import Entry, register_staff

from .models import Asset, Page, PageVersion, Site

register_staff(Entry("staff:website", _("ホームページ"), role=Role.STAFF, order=8))

PAGES = "website.page"
records.announce_saves(PAGES, Page, PageVersion, Asset, Site)

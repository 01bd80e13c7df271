"""What 会議・議事録 offers other systems through the kernel's registries: the public entry on the town's home page,
the staff menu, and the kind of record its public pages follow (kernel/ui/pagecache.py)."""

from django.utils.translation import gettext_lazy as _

from yakuba.kernel import records
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.ui.registry import Entry, register_public, register_staff

from .models import AgendaItem, Body, Document, Meeting, Minutes, Segment, Version

register_public(Entry("meetings:index", _("議会・会議"),
                      _("議会や町の審議会の日程、資料、会議録を見る。"), order=45))
register_staff(Entry("staff:meetings", _("会議・議事録"), role=Role.STAFF, order=9))

# The public meeting pages: a meeting, its agenda and published pack and minutes.
PAGES = "meetings.page"
records.announce_saves(PAGES, Body, Meeting, AgendaItem, Document, Version, Minutes, Segment)

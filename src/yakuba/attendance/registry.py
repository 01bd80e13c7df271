"""Where 勤怠 appears in the staff menu: every staff member's own page; 所属長 and 総務課 reach theirs from it."""

from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.ui.registry import Entry, register_staff

register_staff(Entry("staff:attendance-today", _("勤怠"), role=Role.STAFF, order=8))

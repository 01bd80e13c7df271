"""Where 電子決裁 appears: the staff menu, and 「決裁待ち」 in the staff header of an approver."""

from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.ui.registry import Entry, HeaderCount, register_header_count, register_staff

from .services import decide

register_staff(Entry("staff:approvals-inbox", _("電子決裁"), role=Role.STAFF, order=5))
register_header_count(HeaderCount("staff:approvals-inbox", _("決裁待ち"), decide.waiting_count, order=5))

"""Where 電子決裁 appears: the staff menu."""

from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.ui.registry import Entry, register_staff

register_staff(Entry("staff:approvals-inbox", _("電子決裁"), role=Role.STAFF, order=5))

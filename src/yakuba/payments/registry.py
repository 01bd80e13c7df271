"""Where 決済 appears: in the staff menu (収納 and refunds for 会計課, the counter for every clerk)."""

from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.ui.registry import Entry, register_staff

register_staff(Entry("staff:payments-list", _("収納・決済"), role=Role.STAFF, order=40))

"""Where 予約 appears: on the town's home page and in the staff menu."""

from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.ui.registry import Entry, register_public, register_staff

register_public(Entry("reservations:index", _("施設・窓口の予約"),
                      _("公民館や体育館の予約、役場での相談の予約ができます。"), order=20))
register_staff(Entry("staff:reservations-day", _("予約の管理"), role=Role.STAFF, order=20))

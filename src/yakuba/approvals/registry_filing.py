"""Where 文書管理・収受 appears in the staff menu."""

from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.ui.registry import Entry, register_staff

register_staff(Entry("staff:approvals-incoming", _("収受簿"), role=Role.STAFF, order=70))
register_staff(Entry("staff:approvals-search", _("文書の検索"), role=Role.STAFF, order=71))
register_staff(Entry("staff:approvals-volumes", _("簿冊・文書分類表"), role=Role.STAFF, order=72))
register_staff(Entry("staff:approvals-retention", _("保存期間満了"), role=Role.STAFF, order=73))

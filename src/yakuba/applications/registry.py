"""Where 電子申請 appears: on the town's home page and in the staff menu."""

from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.ui.registry import Entry, register_public, register_staff

register_public(Entry("applications:catalogue", _("電子申請"),
                      _("役場に行かずに、スマートフォンやパソコンから申請できます。"), order=10))
register_public(Entry("applications:mine", _("申請の状況"), _("申請した手続の受付番号と審査の状況を確認できます。"),
                      order=11))
register_staff(Entry("staff:applications-queue", _("申請の処理"), role=Role.STAFF, order=10))
register_staff(Entry("staff:applications-counter", _("書かない窓口"), role=Role.STAFF, order=11))
register_staff(Entry("staff:applications-procedures", _("手続と様式"), role=Role.STAFF, order=12))
register_staff(Entry("staff:applications-stats", _("電子申請の利用状況"), role=Role.STAFF, order=13))

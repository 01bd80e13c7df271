"""Where AI問い合わせ and 例規・文書検索 appear: the town site and the staff menu."""

from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.ui.registry import Entry, register_home_widget, register_public, register_staff

register_public(Entry("assistant:chat", _("AIに質問する"),
                      _("ごみの出し方・手続・お知らせなど、町の案内から答えを探します。出典のページも示します。"),
                      order=5))
register_staff(Entry("staff:assistant-search", _("例規・文書検索"), role=Role.STAFF, order=60))
register_staff(Entry("staff:assistant-documents", _("AIに登録する文書"), role=Role.STAFF, order=61))
register_home_widget("assistant/public/_widget.html")

"""翻訳 in the staff menu: every staff member may open it (each sees what their 課 owns; 情報担当 everything)."""

from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.ui.registry import Entry, register_staff

register_staff(Entry("staff:words", _("翻訳"), _("手続名・様式の項目・施設名などの英語版とやさしい日本語版"),
                     role=Role.STAFF, order=900))

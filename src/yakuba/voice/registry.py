"""What 住民の声 offers through the kernel's UI registries: staff menu entries, header counts, entry points."""

from __future__ import annotations

# --- ご意見箱 ---------------------------------------------------------------------------------------------------------
# --- 通報 -------------------------------------------------------------------------------------------------------------
from django.utils.translation import gettext_lazy as _lazy  # noqa: E402

from yakuba.kernel.accounts.models import Role as _Role  # noqa: E402
from yakuba.kernel.ui import registry as _ui  # noqa: E402

from . import open311_api as _open311_api  # noqa: E402, F401  (the Open311 part of the OpenAPI document)
from .views import reports_staff as _reports_staff  # noqa: E402

_ui.register_public(_ui.Entry("voice:report-new", _lazy("通報する（道路・街路灯・倒木など）"),
                              _lazy("道路の損傷や街路灯の故障、倒木などを、写真と地図で町に知らせる。"), order=40))
_ui.register_public(_ui.Entry("voice:reports", _lazy("通報の地図と対応状況"),
                              _lazy("町に寄せられた通報と、その対応の状況を地図と一覧で見る。"), order=41))
_ui.register_staff(_ui.Entry("staff:voice-reports", _lazy("通報"), role=_Role.STAFF, order=30))
_ui.register_header_count(_ui.HeaderCount("staff:voice-reports", _lazy("新着の通報"), _reports_staff.new_count,
                                          order=30))



# --- アンケート ------------------------------------------------------------------------------------------------------


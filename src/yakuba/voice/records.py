"""What 住民の声 offers other systems as public records (kernel.records): published FAQ for the assistant, the
reports' map layer, and the kinds of record its cached public pages follow."""

from __future__ import annotations

# --- ご意見箱 ---------------------------------------------------------------------------------------------------------
# --- 通報 -------------------------------------------------------------------------------------------------------------
from yakuba.kernel import records as _records  # noqa: E402

from .models import Report as _Report  # noqa: E402
from .models import ReportCategory as _ReportCategory  # noqa: E402
from .models import ReportEvent as _ReportEvent  # noqa: E402
from .models import ReportPhoto as _ReportPhoto  # noqa: E402

# The public map, list and pages of 通報 follow this kind (kernel/ui/pagecache.py).
REPORTS = "voice.reports"
_records.announce_saves(REPORTS, _Report, _ReportCategory, _ReportEvent, _ReportPhoto)



# --- アンケート ------------------------------------------------------------------------------------------------------


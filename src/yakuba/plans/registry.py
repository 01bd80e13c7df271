"""Where the plans appear: the town site (progress is public) and the staff menu."""

from django.utils.translation import gettext_lazy as _

from yakuba.kernel import records
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.ui.registry import Entry, register_public, register_staff

from .models import (
    Action,
    Evidence,
    Indicator,
    IndicatorValue,
    Measure,
    Plan,
    Policy,
    Report,
    Responsibility,
    ScheduleEntry,
    StatusReport,
)

register_public(Entry("plans:index", _("DX推進計画と進捗"),
                      _("町のDX推進計画、取組のスケジュール、目標と実績を見る。"), order=40))
register_staff(Entry("staff:plans", _("DX推進計画・KPI"), role=Role.STAFF, order=40))


# The public plan pages (cached pages follow this kind: kernel/ui/pagecache.py).
PAGES = "plans.page"
records.announce_saves(PAGES, Plan, Policy, Measure, Action, Responsibility, ScheduleEntry, Indicator, StatusReport,
                       IndicatorValue, Evidence, Report)

"""Where お知らせ appears: on the town's home page, in the staff menu, and as the town's alert in force (災害モード:
the banner on every page and the light home page)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.ui.registry import (
    Alert,
    Entry,
    TownAlert,
    register_home_alerts,
    register_public,
    register_staff,
    register_town_alert,
)

register_public(Entry("notices:index", _("お知らせ・防災情報"),
                      _("町からのお知らせや防災情報を見る、メール・LINE・プッシュ通知で受け取る。"), order=5))
register_staff(Entry("staff:notices", _("お知らせの配信"), role=Role.STAFF, order=30))


def _emergencies(request: Any) -> list[Alert]:
    """防災 notices in force, newest first, at the top of the town's home page."""
    from django.urls import reverse

    from .models import Notice

    notices = (Notice.objects.filter(municipality=request.municipality, category__is_emergency=True).visible()
               .select_related("category")[:3])
    return [Alert(label=notice.title, url=reverse("notices:detail", args=[notice.public_id]),
                  kind=notice.category.name) for notice in notices]


register_home_alerts(_emergencies, kinds=("notices.notice", "notices.content"))


def _light_home(request: Any) -> Any:
    from .views.disaster import home

    return home(request)


def _town_alert(request: Any) -> TownAlert | None:
    """The town's 災害モード, if on: one indexed query per page that shows the banner (none from the page cache)."""
    from django.urls import reverse

    from . import levels
    from .models import DisasterMode, NoticeTranslation
    from .services.disaster import may_switch

    mode = DisasterMode.objects.filter(municipality=request.municipality, ended_at__isnull=True).first()
    if mode is None:
        return None
    title = mode.title
    if getattr(request, "LANGUAGE_CODE", "ja") == "en" and mode.notice_id is not None:
        english = NoticeTranslation.objects.filter(notice_id=mode.notice_id, language="en").first()
        title = english.title if english is not None else title
    return TownAlert(level=mode.level, label=levels.label(mode.level), title=title, since=mode.started_at,
                     url=reverse("notices:bousai"), manage_url=reverse("staff:disaster"),
                     end_url=reverse("staff:disaster-end"), may_end=may_switch, home=_light_home)


def _light_home_kinds() -> tuple[str, ...]:
    from . import records
    from .services import shelters

    return (records.SHELTER, shelters.SITES, records.DISASTER_SETTINGS)


register_town_alert(_town_alert, kinds=_light_home_kinds())

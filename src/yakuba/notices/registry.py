"""Where お知らせ appears: on the town's home page and in the staff menu."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.ui.registry import Alert, Entry, register_home_alerts, register_public, register_staff

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

"""Who a notice goes to: subscribers of its category, in one of its areas (or who chose no area; a notice with
no area goes to the whole town)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from yakuba.kernel.messaging.models import Broadcast, Subscriber
from yakuba.kernel.messaging.registry import Source, register_source

from .models import Notice, Subscription

SOURCE = "notices.notice"


def audience(broadcast: Broadcast) -> QuerySet[Subscriber]:
    notice = Notice.objects.get(pk=broadcast.source_id)
    subscriptions = Subscription.objects.filter(categories=notice.category)
    area_ids = list(notice.areas.values_list("pk", flat=True))
    if area_ids:
        subscriptions = subscriptions.filter(Q(areas__isnull=True) | Q(areas__in=area_ids))
    return Subscriber.objects.filter(pk__in=subscriptions.values("subscriber_id"))


register_source(Source(SOURCE, audience, manage_url_name="notices:subscription"))

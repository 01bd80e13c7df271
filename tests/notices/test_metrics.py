"""Figures for the DX plans' KPIs of お知らせ・防災, read inside the town's scope."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_scopes import scope

from tests import factories
from yakuba.kernel.messaging.models import Broadcast, Delivery, DeliveryStatus
from yakuba.notices import metrics

pytestmark = pytest.mark.django_db


def test_the_figures(town_a, town_b):
    factories.make_subscriber(town_a, email="a@example.jp", line_user="U-a")
    paused = factories.make_subscriber(town_a, email="b@example.jp")
    factories.make_subscriber(town_b, email="c@example.jp")
    alarm = factories.make_notice(town_a, category="bousai")
    factories.make_notice(town_a)
    factories.make_notice(town_a, published=False)
    factories.make_notice(town_b, category="bousai")
    with scope(municipality=town_a):
        paused.endpoints.update(paused_at=timezone.now())
        assert metrics.subscribers_by_channel() == {"email": 1, "line": 1, "webpush": 0}
        broadcast = Broadcast.objects.create(municipality=town_a, source="notices.notice", source_id=alarm.pk,
                                             urgent=True, content={"ja": {"subject": "s", "body": "b"}}, url="/")
        alarm.broadcast = broadcast
        alarm.save()
        for subscriber in (factories.make_subscriber(town_a, email=f"r{n}@example.jp") for n in range(4)):
            Delivery.objects.create(municipality=town_a, broadcast=broadcast, subscriber=subscriber,
                                    endpoint=subscriber.endpoints.get(), channel="email", status=DeliveryStatus.SENT,
                                    confirmed_at=timezone.now() if subscriber.pk % 2 else None)
        [month] = metrics.notices_by_month()
        assert (month["total"], month["emergency"]) == (2, 1)
        [deliveries] = metrics.deliveries_by_month()
        assert deliveries["total"] == 4 and deliveries["channels"]["email"]["sent"] == 4
        assert metrics.emergency_confirmation_rate() == 0.5

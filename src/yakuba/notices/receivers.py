"""Notices' answers to the delivery core's signals: a subscriber who arrives by a channel alone gets 防災."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from yakuba.kernel.messaging.models import Subscriber
from yakuba.kernel.messaging.signals import endpoint_added


@receiver(endpoint_added, dispatch_uid="notices.emergency_for_new_endpoints")
def emergency_for_new_endpoints(sender: str, *, subscriber: Subscriber, **kwargs: Any) -> None:
    # A LINE follower never saw the subscribe form: without a Subscription they would hear nothing, even in a
    # disaster. Subscribers who chose already keep their choices.
    from .services.subscriptions import give_emergency_categories

    give_emergency_categories(subscriber)

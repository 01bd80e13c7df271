"""Signals of the delivery core, for apps that keep their own choices per subscriber."""

from django.dispatch import Signal

# Sent after an endpoint is added or re-activated: sender=channel name, subscriber=..., endpoint=...
endpoint_added = Signal()

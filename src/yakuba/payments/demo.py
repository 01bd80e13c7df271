"""Demo payment settings: 下仁田町 takes payments online through fakepay (the demo's local provider, served by
`make run` under /fakepay/); the other towns take fees at the counter only. Idempotent."""

from __future__ import annotations

from yakuba.kernel.ops.demo import Town
from yakuba.kernel.tenancy.models import Municipality

from . import config, fakepay

ONLINE_TOWNS = ("shimonita",)


def load(municipality: Municipality, town: Town) -> None:
    if town.slug not in ONLINE_TOWNS:
        return
    key, secret = next(iter(fakepay.DEMO_ACCOUNTS.items()))
    wanted = {"provider": "fake", "api_key": key, "webhook_secret": secret, "expiry_minutes": 90,
              "approval_above": 10000, "cancel_refund_percent": 100}
    current = (municipality.settings or {}).get(config.KEY) or {}
    if all(current.get(name) == value for name, value in wanted.items()):
        return
    municipality.settings = {**(municipality.settings or {}), config.KEY: {**current, **wanted}}
    municipality.save(update_fields=["settings"])

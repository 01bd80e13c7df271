"""A town's payment settings (`municipality.settings["payments"]`), with the deployment's defaults.

    {"provider": "fake" | "stripe" | "", "api_base": "...", "api_key": "...", "webhook_secret": "...",
     "expiry_minutes": 90, "approval_above": 10000, "cancel_refund_percent": 100}

`api_key` and `webhook_secret` are secrets: pages show only their last four characters (`masked`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from yakuba.kernel.tenancy.models import Municipality

KEY = "payments"
DEFAULT_EXPIRY_MINUTES = 90
DEFAULT_APPROVAL_ABOVE = 10000
SECRETS = ("api_key", "webhook_secret")


@dataclass(frozen=True)
class TownConfig:
    provider: str = ""
    api_base: str = ""
    api_key: str = ""
    webhook_secret: str = ""
    expiry_minutes: int = DEFAULT_EXPIRY_MINUTES
    approval_above: int = DEFAULT_APPROVAL_ABOVE  # refunds above this many yen need a 所属長's approval
    cancel_refund_percent: int = 100  # 還付 of a cancelled booking before its deadline

    @property
    def online(self) -> bool:
        return bool(self.provider and self.api_key)

    @property
    def base(self) -> str:
        default = getattr(settings, "PAYMENTS_FAKEPAY_URL", "") if self.provider == "fake" else ""
        return (self.api_base or default).rstrip("/")


def of(municipality: Municipality) -> TownConfig:
    raw: dict[str, Any] = (municipality.settings or {}).get(KEY) or {}
    return TownConfig(
        provider=str(raw.get("provider") or ""), api_base=str(raw.get("api_base") or ""),
        api_key=str(raw.get("api_key") or ""), webhook_secret=str(raw.get("webhook_secret") or ""),
        expiry_minutes=_int(raw.get("expiry_minutes"), DEFAULT_EXPIRY_MINUTES),
        approval_above=_int(raw.get("approval_above"), DEFAULT_APPROVAL_ABOVE),
        cancel_refund_percent=min(100, _int(raw.get("cancel_refund_percent"), 100)))


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default


def masked(secret: str) -> str:
    """A secret as pages show it: only its last four characters."""
    return f"••••{secret[-4:]}" if len(secret) > 8 else ("••••" if secret else "")

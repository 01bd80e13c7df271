"""デマンド交通's fare as a payable kind of the kernel's payments: riders pay in the vehicle, so it is taken at the
counter (the driver's tablet) and never online (online=False); see services/fares.py."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy

from yakuba.kernel import payments

from .services.fares import KIND


def _staff_url(key: str) -> str:
    if not key.isdigit():
        return ""
    try:
        return reverse("staff:transport-ride", args=[int(key)])
    except NoReverseMatch:
        return ""


# 使用料及び手数料 / 使用料 (款13 項01), beside the 公民館 and 講座 使用料 of reservations (13-01-05, 13-01-06).
payments.register(payments.PayableKind(
    KIND, gettext_lazy("運賃（デマンド交通）"), revenue_code="13-01-07",
    revenue_label=gettext_lazy("使用料（デマンド交通）"), online=False, staff_url=_staff_url))

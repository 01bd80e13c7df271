"""Taking the next number of a series."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from yakuba.kernel.tenancy.models import Municipality

from .models import Counter


def take(municipality: Municipality, series: str, period: int = 0) -> int:
    """The next number of `series` in `period` (1, 2, 3 …). Call inside the transaction that uses the number: the
    counter's row stays locked until it ends, and a rollback returns the number."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take() must run inside the transaction that uses the number")
    match = Counter.objects.filter(municipality=municipality, series=series, period=period)
    if not match.update(last=F("last") + 1):
        try:
            with transaction.atomic():  # a savepoint: a concurrent first taker may win the insert
                Counter.objects.create(municipality=municipality, series=series, period=period, last=1)
                return 1
        except IntegrityError:
            match.update(last=F("last") + 1)
    return int(match.values_list("last", flat=True).get())


def last(municipality: Municipality, series: str, period: int = 0) -> int:
    """The last number given out (0 when none was)."""
    found = Counter.objects.filter(municipality=municipality, series=series, period=period).values_list(
        "last", flat=True).first()
    return int(found or 0)

"""Taking the next number of a series."""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction

from yakuba.kernel.tenancy.models import Municipality

from .models import Counter


def take(municipality: Municipality, series: str, period: int = 0) -> int:
    """The next number of `series` in `period` (1, 2, 3 …). Call inside the transaction that uses the number: the
    counter's row stays locked until it ends, and a rollback returns the number."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take() must run inside the transaction that uses the number")
    taken = _bump(municipality, series, period)
    if taken is not None:
        return taken
    try:
        with transaction.atomic():  # a savepoint: a concurrent first taker may win the insert
            Counter.objects.create(municipality=municipality, series=series, period=period, last=1)
            return 1
    except IntegrityError:
        taken = _bump(municipality, series, period)
        assert taken is not None  # the row the other taker inserted
        return taken


def _bump(municipality: Municipality, series: str, period: int) -> int | None:
    """`UPDATE … SET last = last + 1 … RETURNING last`: one round trip while the row is locked (the number is what
    a concurrent decision waits for), None when the series has no row yet. PostgreSQL and SQLite ≥ 3.35 both
    have RETURNING; the ORM's update() has not."""
    table = connection.ops.quote_name(Counter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET last = last + 1 WHERE municipality_id = %s AND series = %s "
                       "AND period = %s RETURNING last", [municipality.pk, series, period])
        row = cursor.fetchone()
    return int(row[0]) if row is not None else None


def last(municipality: Municipality, series: str, period: int = 0) -> int:
    """The last number given out (0 when none was)."""
    found = Counter.objects.filter(municipality=municipality, series=series, period=period).values_list(
        "last", flat=True).first()
    return int(found or 0)

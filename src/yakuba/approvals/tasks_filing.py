"""Tasks of 文書管理・収受: reading a kept scan (OCR), which is slow and so never runs in a web request."""

from __future__ import annotations

import logging

from django_tasks import task

from yakuba.kernel.tenancy.scoping import town_row

from .models import Scan

log = logging.getLogger(__name__)


@task()
def read_scan(scan_id: int) -> str:
    """Read one record's scan; its Scan row says how it went (and queues the next try when tries remain)."""
    from .services import incoming

    with town_row(Scan, scan_id, "record", "record__municipality") as row:
        if row is None:
            return "missing"
        return str(incoming.read_scan(row).state)

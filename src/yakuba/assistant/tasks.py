"""Tasks of AI問い合わせ: reading an uploaded document version, and keeping synced documents in step."""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _
from django_scopes import scope
from django_tasks import task

from yakuba.kernel.tenancy.models import Municipality
from yakuba.kernel.tenancy.scoping import town_row

from .models import Ingest, IngestState

log = logging.getLogger(__name__)


@task()
def ingest(ingest_id: int) -> str:
    from .services import ingest as ingesting

    with town_row(Ingest, ingest_id, "document") as row:
        if row is None:
            return "missing"
        try:
            return str(ingesting.process(row).state)
        except Exception:
            log.exception("assistant ingest %s failed", ingest_id)
            message = _("読み取りの途中で問題が起きました。"
                        "ファイルを確かめてもう一度登録するか、情報担当に連絡してください。")
            Ingest.objects.filter(pk=ingest_id, state=IngestState.PENDING).update(state=IngestState.FAILED,
                                                                                  error=message)
            raise


@task(priority=-10)  # background upkeep: notices, mail and uploads waiting for a person go first
def sync_town(municipality_id: int) -> int:
    """Bring the town's procedure and notice documents in line with what residents see now."""
    from .services import sources

    municipality = Municipality.objects.filter(pk=municipality_id).first()
    if municipality is None:
        return 0
    with scope(municipality=municipality):
        return sources.sync(municipality)

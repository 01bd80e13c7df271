"""Tasks of オープンデータ: checking (and publishing) an imported file, and refreshing the generated datasets."""

from __future__ import annotations

import logging

from django_scopes import scope
from django_tasks import task

from yakuba.kernel.tenancy.models import Municipality
from yakuba.kernel.tenancy.scoping import town_row

from .models import Upload, UploadState

log = logging.getLogger(__name__)


@task()
def check_upload(upload_id: int) -> str:
    from .services import editing

    with town_row(Upload, upload_id, "dataset__municipality", "created_by") as upload:
        if upload is None:
            return "missing"
        try:
            return editing.process(upload).state
        except Exception:
            log.exception("opendata upload %s could not be processed", upload_id)
            Upload.objects.filter(pk=upload_id, state=UploadState.PENDING).update(state=UploadState.FAILED)
            raise


@task()
def refresh_generated(municipality_id: int) -> int:
    from . import generated

    municipality = Municipality.objects.filter(pk=municipality_id).first()
    if municipality is None:
        return 0
    with scope(municipality=municipality):
        return len(generated.refresh(municipality))

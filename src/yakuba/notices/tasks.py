"""Tasks of お知らせ: start the delivery of a notice whose publish time was in the future when it was published."""

from __future__ import annotations

from django_scopes import scope
from django_tasks import task

from .models import Notice


@task()
def publish_due(notice_id: int) -> bool:
    """At the publish time: send the notice if it is still published and not yet sent. Safe to run twice."""
    from .services import notices as services

    row = Notice._base_manager.select_related("municipality").filter(pk=notice_id).first()
    if row is None:
        return False
    with scope(municipality=row.municipality):
        return services.deliver_due(notice_id) is not None

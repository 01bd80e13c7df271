"""Tasks of お知らせ: start the delivery of a notice whose publish time was in the future when it was published."""

from __future__ import annotations

from django_tasks import task

from yakuba.kernel.tenancy.scoping import town_row

from .models import Notice


@task()
def publish_due(notice_id: int) -> bool:
    """At the publish time: send the notice if it is still published and not yet sent. Safe to run twice."""
    from .services import notices as services

    with town_row(Notice, notice_id) as row:
        if row is None:
            return False
        return services.deliver_due(notice_id) is not None

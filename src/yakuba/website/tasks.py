"""Tasks of 公式ホームページ: publish a version at its 公開予約, take a page down at its 掲載期限."""

from __future__ import annotations

from django_tasks import task

from yakuba.kernel import records
from yakuba.kernel.tenancy.scoping import town_row

from .models import Page, PageVersion


@task()
def publish_version(version_id: int) -> int:
    """At a version's 公開予約: publish what is due in its town (safe to run twice, or late)."""
    from .services import pages

    with town_row(PageVersion, version_id) as row:
        if row is None:
            return 0
        return pages.publish_due()


@task()
def page_expired(page_id: int) -> bool:
    """At a page's 掲載期限: cached copies of the town's site are dropped, so nobody is served the page after it."""
    from .registry import PAGES

    with town_row(Page, page_id) as row:
        if row is None:
            return False
        records.announce(PAGES, row.municipality_id)
        return True

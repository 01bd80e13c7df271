"""Tasks of 公式ホームページ: tell the 所属長 a version waits, publish a version at its 公開予約, take a page down at
its 掲載期限."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
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


@task()
def tell_approvers(version_id: int) -> int:
    """A version waits for approval: a Web Push to each approver who subscribed (once each, however often this
    runs). Returns how many were told."""
    from yakuba.kernel.messaging.staff import push_to_staff

    from .models import VersionState
    from .services import pages

    with town_row(PageVersion, version_id, "page") as row:
        if row is None or row.state != VersionState.PENDING:
            return 0
        url = reverse("staff:website-page-decide", args=[row.page_id])
        told = 0
        for approver in pages.approvers(row.page):
            if approver.pk == row.author_id:
                continue
            if push_to_staff(approver, subject=_("ホームページの承認依頼"), body=row.title, url=url,
                             once=f"website:{row.pk}:{row.submitted_at.isoformat() if row.submitted_at else ''}"):
                told += 1
        return told

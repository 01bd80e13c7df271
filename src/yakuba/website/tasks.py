"""Tasks of 公式ホームページ: tell the 所属長 a version waits, publish a version at its 公開予約, take a page down at
its 掲載期限; read and create the pages of a large import (移行). Each is enqueued after commit with a row's id and
opens the town's scope from the row; a row that is gone, or no longer at that step, is left alone, so a retried task
changes nothing twice."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from yakuba.kernel import records
from yakuba.kernel.tenancy.scoping import town_row

from .models import ImportRun, Page, PageVersion


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


@task()
def check_import(run_id: int) -> str:
    """移行の確認: read every saved page of the run and record which are ready and which are refused."""
    from .services import importing

    with town_row(ImportRun, run_id) as run:
        if run is None:
            return "gone"
        if importing.phase(run) != "checking":
            return importing.phase(run)
        importing.check(run)
        return "checked"


@task()
def import_pages(run_id: int) -> str:
    """移行: create the confirmed pages of the run as drafts, in one transaction."""
    from .services import importing

    with town_row(ImportRun, run_id) as run:
        if run is None:
            return "gone"
        return importing.phase(importing.run_import(run.pk))


@task()
def machine_draft(version_id: int, actor_id: int | None = None) -> bool:
    """English and やさしい日本語 drafts of a version's words from the AI endpoint (after the PII guard), for staff to
    check on the translation page."""
    from django.contrib.auth import get_user_model

    from .services import pages

    with town_row(PageVersion, version_id) as row:
        if row is None:
            return False
        actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
        return pages.machine_draft(version_id, actor)

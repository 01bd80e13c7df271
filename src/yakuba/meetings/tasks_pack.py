"""Tasks of 会議資料, after commit: tell every active member of the body that a document was replaced (差し替え), by
mail to a proven address and by Web Push on the browsers a staff-account member subscribed. Each message is sent
once per version and member, so a retried task sends nothing twice."""

from __future__ import annotations

from django.urls import reverse
from django_tasks import task

from yakuba.kernel.accounts.models import Staff
from yakuba.kernel.messaging.consent import Purpose, to_person
from yakuba.kernel.messaging.mail import send_town_mail
from yakuba.kernel.messaging.staff import push_to_staff
from yakuba.kernel.tenancy.scoping import town_row

from .models import Member, Version


@task(queue_name="mail")
def tell_members(version_id: int) -> dict[str, int]:
    """差し替えのお知らせ: the document, the version, the reason and the changed pages, to every active member."""
    from .services.pack import describe_changes

    with town_row(Version, version_id, "document__meeting__body") as version:
        if version is None:
            return {}
        document = version.document
        meeting = document.meeting
        town = version.municipality
        path = reverse("meetings:viewer", kwargs={"meeting": meeting.uuid, "document": document.pk})
        first = version.changed_pages[0] if version.changed_pages else 1
        url = town.absolute_url(f"{path}?page={first}")
        changes = describe_changes(version)
        subject = f"資料の差し替え：{document.title}（第{version.number}版）"
        told = {"mail": 0, "push": 0, "not_told": 0}
        members = Member.objects.filter(body=meeting.body, active=True).select_related("user")
        for member in members:
            reached = False
            consent = to_person(member.user, Purpose.PERSONAL) if member.user is not None else None
            if consent:
                send_town_mail(town, consent.address, purpose="meetings.replaced", subject=subject,
                               template="meetings/mail/replaced.txt",
                               context={"member": member, "meeting": meeting, "document": document,
                                        "version": version, "changes": changes, "url": url},
                               about=f"meetings.version:{version.pk}",
                               once=f"meetings.replaced:{version.pk}:{member.pk}")
                told["mail"] += 1
                reached = True
            staff = Staff.objects.filter(user=member.user, is_active=True).first() if member.user_id else None
            if staff is not None and push_to_staff(
                    staff, subject=subject, body=f"{version.reason}\n{changes}".strip(), url=f"{path}?page={first}",
                    once=f"meetings.replaced:{version.pk}:{member.pk}") is not None:
                told["push"] += 1
                reached = True
            told["not_told"] += not reached
        return told

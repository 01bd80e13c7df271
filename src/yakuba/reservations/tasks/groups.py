"""Mail about 団体登録 (services/groups.py): the result of the review, to the representative."""

from __future__ import annotations

from django.urls import reverse
from django_tasks import task

from yakuba.kernel.messaging import consent
from yakuba.kernel.messaging.consent import Purpose
from yakuba.kernel.messaging.mail import send_town_mail
from yakuba.kernel.tenancy.scoping import town_row

from ..models import Group, GroupStatus


@task(queue_name="mail")
def send_group_decision(group_id: int) -> bool:
    """The result of 団体登録の審査, to the representative."""
    with town_row(Group, group_id, "representative__user", "category") as group:
        if group is None:
            return False
        address = consent.to_person(group.representative, Purpose.PERSONAL).address
        if not address:
            return False
        approved = group.status == GroupStatus.APPROVED
        url = group.municipality.absolute_url(reverse("reservations:groups"))
        return send_town_mail(group.municipality, address, purpose="reservations.group_decision",
                              subject="団体登録が完了しました" if approved else "団体登録の審査結果のお知らせ",
                              template="reservations/mail/group_decision.txt",
                              context={"group": group, "approved": approved, "url": url},
                              about=f"reservations.group:{group.pk}")

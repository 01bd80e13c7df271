"""Mail of the delivery core itself (not broadcasts): the double opt-in confirmation, and the manage link sent to
an address's owner when someone else tries to register it."""

from __future__ import annotations

from django.urls import reverse
from django_tasks import task

from yakuba.kernel.tenancy.scoping import town_row

from .mail import send_town_mail
from .models import Endpoint


def _send(endpoint: Endpoint, *, purpose: str, subject: str, template: str, url: str) -> bool:
    return send_town_mail(endpoint.municipality, endpoint.address, purpose=purpose, subject=subject,
                          template=template, context={"endpoint": endpoint, "url": url},
                          about=f"messaging.endpoint:{endpoint.pk}")


@task(queue_name="mail")
def send_confirmation(endpoint_id: int, token: str) -> bool:
    """The link that proves the address is the subscriber's (double opt-in). Nothing else goes to it before."""
    with town_row(Endpoint, endpoint_id, "subscriber") as endpoint:
        if endpoint is None:
            return False  # replaced by a newer address before the mail went
        if endpoint.confirmed_at is not None or not endpoint.confirm_nonce:
            return False
        url = endpoint.municipality.absolute_url(reverse("messaging:confirm", args=[token]))
        return _send(endpoint, purpose="messaging.confirm", subject="メールアドレスの確認のお願い",
                     template="messaging/mail/confirm.txt", url=url)


@task(queue_name="mail")
def send_manage_link(endpoint_id: int, url_name: str) -> bool:
    """To the confirmed owner of an address someone entered again: their own manage page, nothing about who."""
    with town_row(Endpoint, endpoint_id, "subscriber") as endpoint:
        if endpoint is None or endpoint.confirmed_at is None:
            return False
        url = endpoint.municipality.absolute_url(reverse(url_name, args=[endpoint.subscriber.token]))
        return _send(endpoint, purpose="messaging.manage_link", subject="配信の登録について",
                     template="messaging/mail/manage_link.txt", url=url)

"""Mail of the delivery core itself (not broadcasts): the double opt-in confirmation, and the manage link sent to
an address's owner when someone else tries to register it."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django_scopes import scope
from django_tasks import task

from .models import Endpoint


def _load(endpoint_id: int) -> Endpoint | None:
    return Endpoint._base_manager.select_related("municipality", "subscriber").filter(pk=endpoint_id).first()


def _send(endpoint: Endpoint, *, subject: str, template: str, url: str) -> bool:
    municipality = endpoint.municipality
    body = render_to_string(template, {"municipality": municipality, "endpoint": endpoint, "url": url})
    EmailMessage(subject=f"【{municipality.name}】{subject}", body=body, to=[endpoint.address]).send()
    return True


@task(queue_name="mail")
def send_confirmation(endpoint_id: int, token: str) -> bool:
    """The link that proves the address is the subscriber's (double opt-in). Nothing else goes to it before."""
    endpoint = _load(endpoint_id)
    if endpoint is None:
        return False  # replaced by a newer address before the mail went
    with scope(municipality=endpoint.municipality):
        if endpoint.confirmed_at is not None or not endpoint.confirm_nonce:
            return False
        url = endpoint.municipality.absolute_url(reverse("messaging:confirm", args=[token]))
        return _send(endpoint, subject="メールアドレスの確認のお願い", template="messaging/mail/confirm.txt", url=url)


@task(queue_name="mail")
def send_manage_link(endpoint_id: int, url_name: str) -> bool:
    """To the confirmed owner of an address someone entered again: their own manage page, nothing about who."""
    endpoint = _load(endpoint_id)
    if endpoint is None or endpoint.confirmed_at is None:
        return False
    with scope(municipality=endpoint.municipality):
        url = endpoint.municipality.absolute_url(reverse(url_name, args=[endpoint.subscriber.token]))
        return _send(endpoint, subject="配信の登録について", template="messaging/mail/manage_link.txt", url=url)

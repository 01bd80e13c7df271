"""Verbs of the delivery core: subscribers and endpoints (double opt-in, pause, unsubscribe), broadcasts,
「確認しました」. Apps call these; nothing else writes messaging rows."""

from __future__ import annotations

import secrets
from datetime import time
from typing import Any
from uuid import UUID

from django.core import signing
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from yakuba.kernel.accounts.models import Resident, User
from yakuba.kernel.accounts.signals import email_confirmed
from yakuba.kernel.audit.services import record
from yakuba.kernel.tenancy.models import Municipality

from . import delivery, signals
from .models import Broadcast, Channel, Delivery, DeliveryStatus, Endpoint, Subscriber

CONFIRM_SALT = "yakuba.messaging.confirm-email"
CONFIRM_MAX_AGE = 7 * 24 * 3600


class InvalidLink(Exception):
    """A confirmation or unsubscribe link that is forged, expired or already used; the message says which."""


class AddressTaken(Exception):
    """This address already belongs to another subscriber of the town."""


# ---------------------------------------------------------------- subscribers

def subscriber_for_resident(municipality: Municipality, resident: Resident) -> Subscriber:
    """The resident's subscriber row, created on first use."""
    try:
        with transaction.atomic():
            subscriber, _created = Subscriber.objects.get_or_create(municipality=municipality, resident=resident)
    except IntegrityError:
        subscriber = Subscriber.objects.get(municipality=municipality, resident=resident)
    return subscriber


def new_subscriber(municipality: Municipality, *, language: str = "ja") -> Subscriber:
    return Subscriber.objects.create(municipality=municipality, language=language)


def subscriber_by_token(municipality: Municipality, token: str) -> Subscriber | None:
    if not token or len(token) > 64:
        return None
    return Subscriber.objects.filter(municipality=municipality, token=token).first()


def set_preferences(subscriber: Subscriber, *, language: str, quiet_start: time | None,
                    quiet_end: time | None) -> Subscriber:
    if (quiet_start is None) != (quiet_end is None):
        raise ValueError(_("通知を控える時間は、開始と終了の両方を選んでください。"))
    subscriber.language, subscriber.quiet_start, subscriber.quiet_end = language, quiet_start, quiet_end
    subscriber.unsubscribed_at = None
    subscriber.save(update_fields=["language", "quiet_start", "quiet_end", "unsubscribed_at"])
    return subscriber


def unsubscribe(subscriber: Subscriber, *, channel: str | None = None) -> None:
    """Stop everything (or one channel). Kept as a row so a later confirmation link cannot silently revive it."""
    with transaction.atomic():
        if channel is None:
            Subscriber.objects.filter(pk=subscriber.pk).update(unsubscribed_at=timezone.now())
            subscriber.endpoints.filter(paused_at__isnull=True).update(paused_at=timezone.now(),
                                                                      pause_reason="unsubscribed")
        else:
            subscriber.endpoints.filter(channel=channel).delete()
        record("messaging.subscriber.unsubscribed", municipality=subscriber.municipality, obj=subscriber,
               data={"channel": channel or "all"})


# ---------------------------------------------------------------- endpoints

def add_email(subscriber: Subscriber, address: str) -> tuple[Endpoint, str]:
    """Add (or replace) the subscriber's address, unconfirmed; returns it and the signed confirmation token to
    mail. Nothing is sent to it before the owner opens the link (double opt-in)."""
    address = address.strip().lower()
    nonce = secrets.token_urlsafe(16)
    municipality = subscriber.municipality
    with transaction.atomic():
        other = Endpoint.objects.filter(municipality=municipality, channel=Channel.EMAIL, address=address).exclude(
            subscriber=subscriber).first()
        if other is not None:
            if other.confirmed_at is not None and other.subscriber.unsubscribed_at is None:
                raise AddressTaken(address)
            other.delete()  # an unconfirmed or abandoned claim on the address: the new owner proves it anew
        endpoint, _created = Endpoint.objects.update_or_create(
            subscriber=subscriber, channel=Channel.EMAIL,
            defaults={"municipality": municipality, "address": address, "confirmed_at": None, "confirm_nonce": nonce,
                      "paused_at": None, "pause_reason": ""})
        record("messaging.endpoint.email_added", municipality=municipality, obj=endpoint)
    token = signing.dumps({"e": endpoint.pk, "n": nonce}, salt=f"{CONFIRM_SALT}:{municipality.pk}")
    return endpoint, token


def _linked_endpoint(municipality: Municipality, token: str, *, lock: bool) -> Endpoint:
    """The endpoint a confirmation link names, if the link is genuine, current and unused; else InvalidLink."""
    try:
        data = signing.loads(token, salt=f"{CONFIRM_SALT}:{municipality.pk}", max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired as error:
        raise InvalidLink(_("このリンクは有効期限が切れています。もう一度登録してください。")) from error
    except signing.BadSignature as error:
        message = _("このリンクは正しくありません。メールに書かれたリンクをそのまま開いてください。")
        raise InvalidLink(message) from error
    endpoints = Endpoint.objects.select_for_update() if lock else Endpoint.objects.all()
    endpoint = endpoints.filter(municipality=municipality, pk=data.get("e"), channel=Channel.EMAIL).first()
    if endpoint is None or not endpoint.confirm_nonce or not secrets.compare_digest(endpoint.confirm_nonce,
                                                                                    str(data.get("n", ""))):
        if endpoint is not None and endpoint.confirmed_at is not None:
            raise InvalidLink(_("このリンクはすでに使われています。登録は完了しています。"))
        raise InvalidLink(_("このリンクはもう使えません。新しい確認メールのリンクを開いてください。"))
    return endpoint


def check_link(municipality: Municipality, token: str) -> Endpoint:
    """What `confirm_email` would refuse, refused without using the link (the page before the button)."""
    return _linked_endpoint(municipality, token, lock=False)


def confirm_email(municipality: Municipality, token: str) -> Endpoint:
    """Open a confirmation link: forged, expired, reused and stale links are refused with a reason."""
    with transaction.atomic():
        endpoint = _linked_endpoint(municipality, token, lock=True)
        endpoint.confirmed_at, endpoint.confirm_nonce = timezone.now(), ""
        endpoint.save(update_fields=["confirmed_at", "confirm_nonce"])
        Subscriber.objects.filter(pk=endpoint.subscriber_id).update(unsubscribed_at=None)
        record("messaging.endpoint.confirmed", municipality=municipality, obj=endpoint)
        signals.endpoint_added.send(sender=Channel.EMAIL.value, subscriber=endpoint.subscriber, endpoint=endpoint)
    return endpoint


def confirm_account_address(municipality: Municipality, user: User) -> list[Endpoint]:
    """The resident opened their account's confirmation link: a notices address waiting for it (their own account
    address, given while it was unconfirmed) is proven by the same link, so it starts receiving (consent.py)."""
    address = user.email.strip().lower()
    confirmed = []
    with scope(municipality=municipality), transaction.atomic():
        waiting = (Endpoint.objects.select_for_update()
                   .filter(municipality=municipality, channel=Channel.EMAIL, address=address, confirmed_at__isnull=True,
                           paused_at__isnull=True, subscriber__resident__user=user))
        for endpoint in waiting:
            endpoint.confirmed_at, endpoint.confirm_nonce = timezone.now(), ""
            endpoint.save(update_fields=["confirmed_at", "confirm_nonce"])
            Subscriber.objects.filter(pk=endpoint.subscriber_id).update(unsubscribed_at=None)
            record("messaging.endpoint.confirmed", municipality=municipality, obj=endpoint, data={"by": "account"})
            signals.endpoint_added.send(sender=Channel.EMAIL.value, subscriber=endpoint.subscriber, endpoint=endpoint)
            confirmed.append(endpoint)
    return confirmed


@receiver(email_confirmed, dispatch_uid="yakuba.messaging.account_address_confirmed")
def _account_address_confirmed(sender: Any, user: User, municipality: Municipality, **kwargs: Any) -> None:
    confirm_account_address(municipality, user)


def add_confirmed(subscriber: Subscriber, channel: str, address: str, keys: dict[str, Any] | None = None) -> Endpoint:
    """An endpoint the channel itself proved (a LINE follow, a browser's push subscription)."""
    with transaction.atomic():
        existing = Endpoint.objects.filter(municipality=subscriber.municipality, channel=channel,
                                           address=address).first()
        if existing is not None and existing.subscriber_id != subscriber.pk:
            existing.delete()
        if channel == Channel.WEBPUSH:
            endpoint, _created = Endpoint.objects.update_or_create(
                municipality=subscriber.municipality, channel=channel, address=address,
                defaults={"subscriber": subscriber, "keys": keys or {}, "confirmed_at": timezone.now(),
                          "paused_at": None, "pause_reason": ""})
        else:
            endpoint, _created = Endpoint.objects.update_or_create(
                subscriber=subscriber, channel=channel,
                defaults={"municipality": subscriber.municipality, "address": address, "keys": keys or {},
                          "confirmed_at": timezone.now(), "paused_at": None, "pause_reason": ""})
        Subscriber.objects.filter(pk=subscriber.pk).update(unsubscribed_at=None)
        record(f"messaging.endpoint.{channel}_added", municipality=subscriber.municipality, obj=endpoint)
        signals.endpoint_added.send(sender=channel, subscriber=subscriber, endpoint=endpoint)
    return endpoint


def pause(endpoint: Endpoint, reason: str) -> None:
    Endpoint.objects.filter(pk=endpoint.pk, paused_at__isnull=True).update(paused_at=timezone.now(),
                                                                          pause_reason=reason[:200])


# ---------------------------------------------------------------- broadcasts

def start_broadcast(*, municipality: Municipality, source: str, source_id: int, content: dict[str, dict[str, str]],
                    url: str, urgent: bool, ask_ack: bool = True, created_by: Any = None) -> Broadcast:
    """Record the intent to send; the fan-out runs as a task after the caller's transaction commits."""
    from . import tasks

    if "ja" not in content:
        raise ValueError("content needs a Japanese version")
    if url.startswith(municipality.path_prefix + "/"):
        url = url[len(municipality.path_prefix):]  # reverse() inside a /t/<code>/ request includes the prefix
    broadcast = Broadcast.objects.create(municipality=municipality, source=source, source_id=source_id,
                                         content=content, url=url, urgent=urgent, ask_ack=ask_ack,
                                         created_by=created_by if getattr(created_by, "is_authenticated", False)
                                         else None)
    options = tasks._options(broadcast)
    transaction.on_commit(lambda: tasks.fan_out.using(**options).enqueue(broadcast.pk))  # type: ignore[arg-type]
    return broadcast


def cancel_broadcast(broadcast: Broadcast) -> int:
    """Send nothing more: rows still queued are skipped, and a fan-out still running adds no more (it checks).
    Messages already sent stay sent. Returns how many queued rows were stopped."""
    with transaction.atomic():
        Broadcast.objects.filter(pk=broadcast.pk, cancelled_at__isnull=True).update(cancelled_at=timezone.now())
        return Delivery.objects.filter(broadcast=broadcast, status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.SKIPPED, error="cancelled")


def counts(broadcast: Broadcast) -> dict[str, Any]:
    return delivery.counts(broadcast)


def delivery_by_key(municipality: Municipality, key: str) -> Delivery | None:
    try:
        value = UUID(str(key))
    except ValueError:
        return None
    return (Delivery.objects.select_related("broadcast", "subscriber")
            .filter(municipality=municipality, key=value).first())


def acknowledge(delivery_row: Delivery) -> bool:
    """「確認しました」: the first press counts; later ones change nothing. Returns whether this press counted."""
    updated = Delivery.objects.filter(pk=delivery_row.pk, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now())
    return bool(updated)

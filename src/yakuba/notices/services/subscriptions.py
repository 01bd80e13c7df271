"""Residents' choices of notices (categories, 地区, language, quiet hours) and the addresses they come to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time
from enum import Enum
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from yakuba.kernel.accounts import services as accounts
from yakuba.kernel.accounts.models import Resident
from yakuba.kernel.audit.services import record
from yakuba.kernel.messaging import consent
from yakuba.kernel.messaging import services as messaging
from yakuba.kernel.messaging.consent import Purpose
from yakuba.kernel.messaging.models import Channel, Endpoint, Language, Subscriber
from yakuba.kernel.refusal import Refused
from yakuba.kernel.tenancy.models import Municipality

from ..models import Area, Category, Subscription

MANAGE_URL_NAME = "notices:subscription"


class EmailState(Enum):
    NONE = "none"  # no address given (or nothing changed about it)
    SENT = "sent"  # a mail went (or will go) to the address: a confirmation, or the owner's manage link
    CONFIRMED = "confirmed"  # the address is confirmed already (the account's verified address)
    # The resident's own account address, not confirmed yet: the account's confirmation mail went (again); its link
    # proves the address for every system, and nothing is mailed to it before (kernel/messaging/consent.py).
    ACCOUNT_UNCONFIRMED = "account_unconfirmed"


@dataclass(frozen=True)
class SubscribeResult:
    subscriber: Subscriber | None  # None when nothing was saved because the address belongs to someone else
    email: EmailState


@dataclass(frozen=True)
class Choices:
    categories: list[Category]
    areas: list[Area]
    language: str
    quiet_start: time | None
    quiet_end: time | None


# ---------------------------------------------------------------- reading

def subscription_of(subscriber: Subscriber) -> Subscription | None:
    return Subscription.objects.filter(subscriber=subscriber).first()


def emergency_categories(municipality: Municipality) -> list[Category]:
    return list(Category.objects.filter(municipality=municipality, is_emergency=True))


def email_owner(municipality: Municipality, address: str) -> Endpoint | None:
    """The confirmed, active holder of this address in the town, if any."""
    return (Endpoint.objects.select_related("subscriber")
            .filter(municipality=municipality, channel=Channel.EMAIL, address=address.strip().lower(),
                    confirmed_at__isnull=False, subscriber__unsubscribed_at__isnull=True).first())


# ---------------------------------------------------------------- validation

def _ids(values: Iterable[Any]) -> set[int] | None:
    try:
        return {int(value.pk if isinstance(value, Category | Area) else value) for value in values}
    except (TypeError, ValueError):
        return None


def _check(municipality: Municipality, *, categories: Iterable[Any], areas: Iterable[Any], language: str,
           quiet_start: time | None, quiet_end: time | None, errors: dict[str, str]) -> Choices | None:
    category_ids, area_ids = _ids(categories), _ids(areas)
    chosen_categories: list[Category] = []
    chosen_areas: list[Area] = []
    if not category_ids:
        errors["categories"] = _("受け取りたいお知らせの分類を、1つ以上選んでください。")
    else:
        chosen_categories = list(Category.objects.filter(municipality=municipality, pk__in=category_ids))
        if len(chosen_categories) != len(category_ids):
            errors["categories"] = _("選んだ分類の中に、この町にないものがあります。選び直してください。")
    if area_ids is None:
        errors["areas"] = _("選んだ地区の中に、この町にないものがあります。選び直してください。")
    elif area_ids:
        chosen_areas = list(Area.objects.filter(municipality=municipality, pk__in=area_ids))
        if len(chosen_areas) != len(area_ids):
            errors["areas"] = _("選んだ地区の中に、この町にないものがあります。選び直してください。")
    if language not in Language.values:
        errors["language"] = _("言語を選んでください。")
    if (quiet_start is None) != (quiet_end is None):
        errors["quiet_start"] = _("通知を控える時間は、開始と終了の両方を選ぶか、"
                                  "両方とも「設定しない」にしてください。")
    elif quiet_start is not None and quiet_start == quiet_end:
        errors["quiet_start"] = _("通知を控える時間の開始と終了が同じです。別の時刻を選んでください。")
    if errors:
        return None
    return Choices(chosen_categories, chosen_areas, language, quiet_start, quiet_end)


def _check_email(address: str, errors: dict[str, str]) -> str:
    address = address.strip().lower()
    if not address:
        return ""
    try:
        validate_email(address)
    except ValidationError:
        errors["email"] = _("メールアドレスの形が正しくありません。例: yamada@example.jp")
    return address


# ---------------------------------------------------------------- writing

def _save(subscriber: Subscriber, choices: Choices) -> tuple[Subscription, bool]:
    messaging.set_preferences(subscriber, language=choices.language, quiet_start=choices.quiet_start,
                              quiet_end=choices.quiet_end)
    subscription, created = Subscription.objects.get_or_create(subscriber=subscriber,
                                                               defaults={"municipality": subscriber.municipality})
    subscription.categories.set(choices.categories)
    subscription.areas.set(choices.areas)
    subscription.save(update_fields=["updated_at"])
    return subscription, created


def _mail_confirmation(endpoint: Endpoint, token: str) -> None:
    from yakuba.kernel.messaging import mail_tasks

    transaction.on_commit(lambda: mail_tasks.send_confirmation.enqueue(endpoint.pk, token))


def _mail_manage_link(owner: Endpoint) -> None:
    # The address is confirmed by someone else: saying so would tell a stranger who receives the town's
    # notices. Instead its owner gets their manage link; the page says 「確認メールを送りました」 either way.
    from yakuba.kernel.messaging import mail_tasks

    transaction.on_commit(lambda: mail_tasks.send_manage_link.enqueue(owner.pk, MANAGE_URL_NAME))


def _awaits_account(subscriber: Subscriber, address: str) -> Resident | None:
    """The subscriber's resident when `address` is their own account address and the account is not confirmed:
    then the account's confirmation, not a separate double opt-in, proves it."""
    resident = subscriber.resident if subscriber.resident_id else None
    if resident is None or not consent.is_account_address(resident, address):
        return None
    return None if consent.to_person(resident, Purpose.NOTICE) else resident


def add_email(subscriber: Subscriber, address: str, *, resident: Resident | None = None) -> EmailState:
    """Give the subscriber an address: the account's verified one is confirmed at once, the account's unconfirmed
    one waits for the account's confirmation, any other goes through double opt-in (the kernel's mail rule,
    kernel/messaging/consent.py). An address another subscriber already holds is never moved or revealed: its
    owner is mailed."""
    address = address.strip().lower()
    if not address:
        return EmailState.NONE
    if (resident is not None and consent.is_account_address(resident, address)
            and consent.to_person(resident, Purpose.NOTICE)):
        messaging.add_confirmed(subscriber, Channel.EMAIL, address)
        return EmailState.CONFIRMED
    owner = email_owner(subscriber.municipality, address)
    if owner is not None:
        if owner.subscriber_id == subscriber.pk:
            if owner.paused_at is None and _awaits_account(subscriber, address) is None:
                return EmailState.CONFIRMED
            return _reconfirm(subscriber, address)
        _mail_manage_link(owner)
        return EmailState.SENT
    return _reconfirm(subscriber, address)


def _reconfirm(subscriber: Subscriber, address: str) -> EmailState:
    try:
        endpoint, token = messaging.add_email(subscriber, address)
    except messaging.AddressTaken:  # confirmed by its owner since we looked
        owner = email_owner(subscriber.municipality, address)
        if owner is not None:
            _mail_manage_link(owner)
        return EmailState.SENT
    resident = _awaits_account(subscriber, address)
    if resident is not None and resident.user is not None:
        # One link proves the address for every system: the account's, re-sent; it also confirms this endpoint.
        accounts.resend_verification(resident.user, subscriber.municipality)
        return EmailState.ACCOUNT_UNCONFIRMED
    _mail_confirmation(endpoint, token)
    return EmailState.SENT


def subscribe(municipality: Municipality, *, resident: Resident | None, categories: Iterable[Any],
              areas: Iterable[Any], language: str, quiet_start: time | None, quiet_end: time | None,
              email: str) -> SubscribeResult:
    """The subscribe form: save the choices and the address in one transaction (double opt-in for the
    address unless it is the account's verified one). Without an account an address is required."""
    errors: dict[str, str] = {}
    choices = _check(municipality, categories=categories, areas=areas, language=language,
                     quiet_start=quiet_start, quiet_end=quiet_end, errors=errors)
    address = _check_email(email, errors)
    if resident is None and not address and "email" not in errors:
        errors["email"] = _("受け取り方を選んでください。メールで受け取る場合は、メールアドレスを入力してください。")
    if resident is not None and resident.municipality_id != municipality.pk:
        errors["__all__"] = _("この町の住民としてログインしていません。")
    if errors or choices is None:
        raise Refused(errors)
    with transaction.atomic():
        if resident is None:
            owner = email_owner(municipality, address)
            if owner is not None:
                _mail_manage_link(owner)
                return SubscribeResult(None, EmailState.SENT)
            subscriber = messaging.new_subscriber(municipality, language=language)
        else:
            subscriber = messaging.subscriber_for_resident(municipality, resident)
        subscription, created = _save(subscriber, choices)
        state = add_email(subscriber, address, resident=resident)
        record("notices.subscription.created" if created else "notices.subscription.updated",
               municipality=municipality, actor=resident.user if resident is not None else None, obj=subscription,
               data=_summary(choices))
    return SubscribeResult(subscriber, state)


def update_choices(subscriber: Subscriber, *, categories: Iterable[Any], areas: Iterable[Any], language: str,
                   quiet_start: time | None, quiet_end: time | None) -> Subscription:
    """The manage page: change what the subscriber hears about, in one transaction."""
    errors: dict[str, str] = {}
    choices = _check(subscriber.municipality, categories=categories, areas=areas, language=language,
                     quiet_start=quiet_start, quiet_end=quiet_end, errors=errors)
    if errors or choices is None:
        raise Refused(errors)
    with transaction.atomic():
        subscription, created = _save(subscriber, choices)
        record("notices.subscription.created" if created else "notices.subscription.updated",
               municipality=subscriber.municipality, obj=subscription, data=_summary(choices))
    return subscription


def add_address(subscriber: Subscriber, email: str, *, resident: Resident | None = None) -> EmailState:
    """The manage page's 「メールアドレスを追加する」: the same rules as on the subscribe form."""
    errors: dict[str, str] = {}
    address = _check_email(email, errors)
    if not address and not errors:
        errors["email"] = _("メールアドレスを入力してください。")
    if errors:
        raise Refused(errors)
    with transaction.atomic():
        return add_email(subscriber, address, resident=resident)


def resume(subscriber: Subscriber) -> EmailState:
    """「配信を再開する」 after stopping everything: LINE and push come back at once (the channel itself proved
    them); an email address is confirmed again by double opt-in, since it may have changed hands."""
    state = EmailState.NONE
    with transaction.atomic():
        for endpoint in list(subscriber.endpoints.filter(paused_at__isnull=False, pause_reason="unsubscribed")):
            if endpoint.channel == Channel.EMAIL:
                state = _reconfirm(subscriber, endpoint.address)
            else:
                messaging.add_confirmed(subscriber, endpoint.channel, endpoint.address, endpoint.keys)
        subscription = subscription_of(subscriber)
        if subscription is not None:
            record("notices.subscription.resumed", municipality=subscriber.municipality, obj=subscription)
    return state


def give_emergency_categories(subscriber: Subscriber) -> Subscription | None:
    """A subscriber who arrived by a channel alone (a LINE follow) hears about 防災 at once."""
    if Subscription.objects.filter(subscriber=subscriber).exists():
        return None
    with transaction.atomic():
        subscription, created = Subscription.objects.get_or_create(
            subscriber=subscriber, defaults={"municipality": subscriber.municipality})
        if created:
            subscription.categories.set(emergency_categories(subscriber.municipality))
            record("notices.subscription.created", municipality=subscriber.municipality, obj=subscription,
                   data={"by": "endpoint_added"})
    return subscription


def _summary(choices: Choices) -> dict[str, Any]:
    return {"categories": [category.slug for category in choices.categories],
            "areas": [area.pk for area in choices.areas], "language": choices.language,
            "quiet": (f"{choices.quiet_start:%H:%M}-{choices.quiet_end:%H:%M}"
                      if choices.quiet_start is not None and choices.quiet_end is not None else "")}

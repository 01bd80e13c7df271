"""What the LINE webhook's events do: a follow makes (or revives) the user's LINE endpoint and answers with the
settings and account-link URLs, an unfollow (block) pauses it, an accountLink ties it to the resident's account.
Text messages and postbacks go to the handlers apps register (`register_text_handler`, `register_postback_handler`,
from their AppConfig.ready), which answer with LINE messages; text nobody handles gets no answer."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext as _
from urllib3.exceptions import HTTPError

from yakuba.kernel.accounts.models import Resident
from yakuba.kernel.audit.services import record
from yakuba.kernel.tenancy.models import Municipality

from . import services
from .channels.line import LineChannel, messaging_api
from .models import Channel, Endpoint, Subscriber

logger = logging.getLogger(__name__)

LINK_SALT = "yakuba.messaging.line-account-link"
LINK_MAX_AGE = 10 * 60
ACCOUNT_LINK_URL = "https://access.line.me/dialog/bot/accountLink"
REPLY_TIMEOUT = (2.0, 3.0)  # connect, read: the webhook must answer LINE within a few seconds


# ---------------------------------------------------------------- account link nonce

def _salt(municipality: Municipality) -> str:
    return f"{LINK_SALT}:{municipality.pk}"


def issue_nonce(municipality: Municipality, resident: Resident) -> str:
    """The nonce LINE hands back in the accountLink event: signed, naming the resident, valid ten minutes."""
    return signing.dumps({"r": resident.pk, "n": secrets.token_urlsafe(16)}, salt=_salt(municipality),
                         compress=True)


def account_link_url(link_token: str, nonce: str) -> str:
    return f"{ACCOUNT_LINK_URL}?{urlencode({'linkToken': link_token, 'nonce': nonce})}"


def resident_for_nonce(municipality: Municipality, nonce: str) -> Resident | None:
    """The resident a nonce names, once: forged, expired and reused nonces give None."""
    try:
        data = signing.loads(nonce, salt=_salt(municipality), max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    resident_id = data.get("r") if isinstance(data, dict) else None
    if not isinstance(resident_id, int):
        return None
    used_key = "line-link-nonce:" + hashlib.sha256(nonce.encode()).hexdigest()
    if not cache.add(used_key, 1, LINK_MAX_AGE + 60):
        return None
    return Resident.objects.filter(municipality=municipality, pk=resident_id).first()


# ---------------------------------------------------------------- events

def _user_id(event: Any) -> str:
    source = getattr(event, "source", None)
    return str(getattr(source, "user_id", None) or "")


def handle(municipality: Municipality, channel: LineChannel, events: list[Any]) -> None:
    """Act on each event of one webhook call; events of kinds we do not use are ignored."""
    from linebot.v3.webhooks import (
        AccountLinkEvent,
        FollowEvent,
        MessageEvent,
        PostbackEvent,
        TextMessageContent,
        UnfollowEvent,
    )

    for event in events:
        user_id = _user_id(event)
        if not user_id:
            continue  # group and room chats: not a person who can subscribe
        standby = str(getattr(event, "mode", "active")) == "standby"  # in standby another module answers
        if isinstance(event, FollowEvent):
            subscriber = follow(municipality, user_id)
            if not standby:
                welcome(municipality, channel, subscriber, user_id, event.reply_token)
        elif isinstance(event, UnfollowEvent):
            unfollow(municipality, user_id)
        elif isinstance(event, AccountLinkEvent) and event.link.result == "ok":
            link(municipality, user_id, event.link.nonce)
        elif isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent) and not standby:
            dispatch(Incoming(municipality, channel, user_id, event.reply_token or "", text=event.message.text or ""))
        elif isinstance(event, PostbackEvent) and not standby:
            dispatch(Incoming(municipality, channel, user_id, event.reply_token or "",
                              data=event.postback.data or ""))


# ---------------------------------------------------------------- text and postback handlers of apps

@dataclass(frozen=True)
class Incoming:
    """A text message (`text`) or a postback (`data`) from one LINE user, for an app's handler."""

    municipality: Municipality
    channel: LineChannel
    user_id: str
    reply_token: str
    text: str = ""
    data: str = ""

    @property
    def resident(self) -> Resident | None:
        """The resident who linked this LINE account to their town account, if any."""
        return linked_resident(self.municipality, self.user_id)


# A handler answers with LINE SDK messages (sent as the reply) or None (it answered itself, or has nothing to say).
Handler = Callable[[Incoming], list[Any] | None]
Match = str | Callable[[str], bool]

_text_handlers: dict[Match, Handler] = {}
_postback_handlers: dict[str, Handler] = {}


def register_text_handler(match: Match, handler: Handler) -> None:
    """Text starting with `match` (or for which `match(text)` is true) goes to `handler`; the longest prefix wins,
    then callables in the order registered. Registering the same match again replaces its handler."""
    _text_handlers[match] = handler


def register_postback_handler(prefix: str, handler: Handler) -> None:
    """Postbacks whose data starts with `prefix` (e.g. "transport:") go to `handler`; the longest prefix wins."""
    _postback_handlers[prefix] = handler


def _text_handler(text: str) -> Handler | None:
    prefixes = sorted((m for m in _text_handlers if isinstance(m, str)), key=len, reverse=True)
    for prefix in prefixes:
        if text.startswith(prefix):
            return _text_handlers[prefix]
    for match, handler in _text_handlers.items():
        if not isinstance(match, str) and match(text):
            return handler
    return None


def _postback_handler(data: str) -> Handler | None:
    for prefix in sorted(_postback_handlers, key=len, reverse=True):
        if data.startswith(prefix):
            return _postback_handlers[prefix]
    return None


def dispatch(incoming: Incoming) -> None:
    """Hand a text or postback to the app that handles it and send its answer as the reply. A handler that fails is
    logged: the webhook still answers LINE (a retried webhook would act twice)."""
    text = incoming.text.strip()
    handler = _postback_handler(incoming.data) if incoming.data else _text_handler(text) if text else None
    if handler is None:
        return
    try:
        messages = handler(incoming)
    except Exception:
        logger.exception("LINE handler failed")
        return
    if messages:
        reply(incoming.channel, incoming.reply_token, messages)


def reply(channel: LineChannel, reply_token: str, messages: list[Any]) -> bool:
    """Answer with up to five LINE messages (the reply token works once, within a minute). False when it failed."""
    if not reply_token or not messages:
        return False
    from linebot.v3.messaging import ApiException, ReplyMessageRequest

    try:
        with messaging_api(channel) as api:
            api.reply_message(ReplyMessageRequest(reply_token=reply_token, messages=messages[:5]),
                              _request_timeout=REPLY_TIMEOUT)
    except (ApiException, HTTPError, OSError) as error:
        logger.warning("LINE reply failed: %s", error)
        return False
    return True


def linked_resident(municipality: Municipality, user_id: str) -> Resident | None:
    """The resident whose town account this LINE user linked (an active, unblocked endpoint), or None."""
    endpoint = (Endpoint.objects.select_related("subscriber__resident")
                .filter(municipality=municipality, channel=Channel.LINE, address=user_id, confirmed_at__isnull=False,
                        paused_at__isnull=True, subscriber__resident__isnull=False).first())
    return endpoint.subscriber.resident if endpoint is not None else None


def link_invitation(municipality: Municipality, channel: LineChannel, user_id: str) -> str:
    """The sentence and URL that start account linking for this LINE user (the welcome's link), or a sentence
    pointing to the town's site when LINE gives no link token."""
    from linebot.v3.messaging import ApiException

    try:
        with messaging_api(channel) as api:
            link_token = api.issue_link_token(user_id, _request_timeout=REPLY_TIMEOUT).link_token
    except (ApiException, HTTPError, OSError) as error:
        logger.warning("LINE link token refused: %s", error)
        link_token = ""
    text = _("この機能を使うには、LINEと%(town)sのアカウントの連携が必要です。") % {"town": municipality.name}
    if not link_token:
        return text + "\n" + _("しばらくしてから、もう一度お試しください。")
    start = municipality.absolute_url(_town_path("messaging:line-link")) + "?" + urlencode({"linkToken": link_token})
    return text + "\n" + _("こちらから連携してください（ログインが必要です）。") + f"\n{start}"


def _endpoint(municipality: Municipality, user_id: str) -> Endpoint | None:
    return (Endpoint.objects.select_related("subscriber")
            .filter(municipality=municipality, channel=Channel.LINE, address=user_id).first())


def follow(municipality: Municipality, user_id: str) -> Subscriber:
    """The LINE user added (or unblocked) the town's account: their endpoint is confirmed and active."""
    with transaction.atomic():
        endpoint = _endpoint(municipality, user_id)
        subscriber = endpoint.subscriber if endpoint is not None else services.new_subscriber(municipality)
        services.add_confirmed(subscriber, Channel.LINE, user_id)
    return subscriber


def unfollow(municipality: Municipality, user_id: str) -> None:
    """The user blocked the account: nothing more is sent until they add it again."""
    endpoint = _endpoint(municipality, user_id)
    if endpoint is not None:
        services.pause(endpoint, "blocked")


def link(municipality: Municipality, user_id: str, nonce: str) -> Subscriber | None:
    """LINE confirmed the account link: the LINE user's subscriber becomes the resident's (one per resident)."""
    resident = resident_for_nonce(municipality, nonce)
    if resident is None:
        logger.info("LINE account link with an invalid or used nonce ignored")
        return None
    with transaction.atomic():
        endpoint = _endpoint(municipality, user_id)
        owned = Subscriber.objects.select_for_update().filter(municipality=municipality, resident=resident).first()
        if owned is not None:
            if endpoint is None or endpoint.subscriber_id != owned.pk:
                services.add_confirmed(owned, Channel.LINE, user_id)  # moves the LINE address to the resident
            subscriber = owned
        else:
            if endpoint is None:
                subscriber = services.new_subscriber(municipality)
                services.add_confirmed(subscriber, Channel.LINE, user_id)
            else:
                subscriber = endpoint.subscriber
            Subscriber.objects.filter(pk=subscriber.pk).update(resident=resident)
            subscriber.resident = resident
        record("messaging.line.linked", municipality=municipality, obj=subscriber,
               data={"resident": resident.pk})
    return subscriber


# ---------------------------------------------------------------- the welcome reply

def _town_path(name: str, *args: str) -> str:
    """A path within the town, without the /t/<code>/ prefix a request adds (absolute_url adds it back)."""
    path, prefix = reverse(name, args=args), get_script_prefix()
    return "/" + path[len(prefix):] if path.startswith(prefix) else path


def welcome_text(municipality: Municipality, subscriber: Subscriber, link_token: str | None) -> str:
    manage = municipality.absolute_url(_town_path("notices:subscription", subscriber.token))
    parts = [
        _("%(town)sの公式LINEを友だち追加していただき、ありがとうございます。防災情報などのお知らせをお届けします。")
        % {"town": municipality.name},
        _("受け取るお知らせの種類や地区は、こちらで選べます。") + f"\n{manage}",
    ]
    if link_token:
        query = urlencode({"linkToken": link_token})
        start = municipality.absolute_url(_town_path("messaging:line-link")) + "?" + query
        parts.append(_("%(town)sのアカウントをお持ちの方は、こちらから連携すると設定をまとめて管理できます。")
                     % {"town": municipality.name} + f"\n{start}")
    return "\n\n".join(parts)


def welcome(municipality: Municipality, channel: LineChannel, subscriber: Subscriber, user_id: str,
            reply_token: str | None) -> None:
    """Answer a follow. A failed reply is logged, never retried: the reply token works once, within a minute."""
    if not reply_token:
        return
    from linebot.v3.messaging import ApiException, ReplyMessageRequest, TextMessage

    try:
        with messaging_api(channel) as api:
            link_token: str | None
            try:
                link_token = api.issue_link_token(user_id, _request_timeout=REPLY_TIMEOUT).link_token
            except ApiException as error:
                logger.warning("LINE link token refused: %s", error.status)
                link_token = None
            text = welcome_text(municipality, subscriber, link_token)
            api.reply_message(ReplyMessageRequest(reply_token=reply_token, messages=[TextMessage(text=text)]),
                              _request_timeout=REPLY_TIMEOUT)
    except (ApiException, HTTPError, OSError) as error:
        logger.warning("LINE welcome reply failed: %s", error)

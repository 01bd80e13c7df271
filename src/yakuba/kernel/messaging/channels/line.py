"""LINE: one push message per delivery through the town's own LINE Official Account (Messaging API, line-bot-sdk v3),
with the delivery key as X-Line-Retry-Key so a retried push is never shown twice; or, when nobody's answer is asked
for, one multicast request for up to 500 users with the request's own fixed retry key."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import urllib3
from django.conf import settings

from yakuba.kernel.tenancy.models import Municipality

from . import Outgoing, Permanent, Temporary, Transport, register

if TYPE_CHECKING:  # the SDK takes about 2 s to import: only processes that talk to LINE pay for it, when they do
    from linebot.v3.messaging import ApiException, MessagingApi

logger = logging.getLogger(__name__)

TEXT_LIMIT = 5000  # LINE's limit for one text message, in UTF-16 code units
TIMEOUT = (5.0, 15.0)  # connect, read (seconds)


@dataclass(frozen=True)
class LineChannel:
    """A town's LINE Official Account, from `municipality.settings["line"]`."""

    channel_secret: str
    access_token: str
    basic_id: str = ""


def line_channel(municipality: Municipality) -> LineChannel | None:
    """The town's LINE credentials, or None when the channel secret or the access token is missing."""
    raw = (municipality.settings or {}).get("line") or {}
    if not isinstance(raw, dict):
        return None
    secret, token = str(raw.get("channel_secret") or ""), str(raw.get("access_token") or "")
    if not secret or not token:
        return None
    return LineChannel(channel_secret=secret, access_token=token, basic_id=str(raw.get("basic_id") or ""))


@contextmanager
def messaging_api(channel: LineChannel) -> Iterator[MessagingApi]:
    """One SDK client (one keep-alive connection pool) for a series of calls; closed afterwards."""
    from linebot.v3.messaging import ApiClient, Configuration, MessagingApi

    configuration = Configuration(host=settings.LINE_API_BASE, access_token=channel.access_token)
    configuration.retries = 1  # one quick reconnect at most; the delivery core does the real retrying, with backoff
    client = ApiClient(configuration)
    try:
        yield MessagingApi(client)
    finally:
        client.close()
        client.rest_client.pool_manager.clear()


def _length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def compose(outgoing: Outgoing) -> str:
    """The message text: subject, body, then the links; the body is cut so the links always fit."""
    head = f"【緊急】{outgoing.subject}" if outgoing.urgent else outgoing.subject
    if outgoing.manage_url:
        footer = "\n\n".join([
            f"▼詳しく・確認しました\n{outgoing.page_url}",
            f"▼配信の設定変更\n{outgoing.manage_url}",
            f"▼配信停止\n{outgoing.unsubscribe_url}",
        ])
    else:  # one text for many (multicast): no personal links; a LINE user stops the messages by blocking
        footer = f"▼詳しく\n{outgoing.page_url}\n\n▼配信停止\nこのアカウントをブロックすると届かなくなります。"
    body = outgoing.body.strip()
    text = f"{head}\n\n{body}\n\n{footer}"
    if _length(text) <= TEXT_LIMIT:
        return text
    room = TEXT_LIMIT - _length(f"{head}\n\n…\n\n{footer}")
    cut = body[:max(0, room)]
    while cut and _length(cut) > room:  # characters outside the BMP count twice
        cut = cut[:len(cut) - max(1, (_length(cut) - room) // 2)]
    return f"{head}\n\n{cut}…\n\n{footer}"


def _header(headers: Any, name: str) -> str:
    if headers is None:
        return ""
    value = headers.get(name) if hasattr(headers, "get") else None
    return str(value or "")


def _body(error: ApiException) -> str:
    body = error.body or error.reason or ""
    return body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)


def _error_message(error: ApiException) -> str:
    return f"LINE {error.status}: {_body(error)[:300]}"


def _refused(error: ApiException) -> Exception:
    """What a LINE error means for this delivery."""
    status = int(error.status or 0)
    body = _body(error)
    if status == 400 and ("Failed to send messages" in body or '"to"' in body or "'to'" in body):
        # LINE cannot send to this user id: unknown, or no longer a friend of the account. The core pauses the
        # endpoint; a new follow event revives it.
        return Permanent(_error_message(error))
    # 401 (bad or expired access token) and 403 (the plan does not allow push) are the town's configuration, not
    # the resident's address: retried, so once the token is fixed the messages still go out.
    # 429 (rate limit or monthly quota), 5xx and anything else unexpected: retried with backoff.
    return Temporary(_error_message(error))


class LineTransport(Transport):
    channel = "line"
    batch_size = 500
    rate_per_second = int(getattr(settings, "LINE_RATE", 2000))
    multicast_size = 500  # LINE's limit of user ids in one multicast request
    multicast_rate_per_second = int(getattr(settings, "LINE_MULTICAST_RATE", 200))
    concurrency = 4  # pushes in flight per batch: a push waits mostly for LINE's answer

    def enabled(self, municipality: Municipality) -> bool:
        return line_channel(municipality) is not None

    def rate_key(self, municipality: Municipality) -> str:
        return f"line:{municipality.code}"  # LINE limits each channel (each town's account) separately

    @contextmanager
    def open(self, municipality: Municipality) -> Iterator[Any]:
        channel = line_channel(municipality)
        if channel is None:
            raise Temporary("LINE is not configured for this town")
        with messaging_api(channel) as api:
            yield api

    def send(self, session: Any, outgoing: Outgoing) -> str:
        from linebot.v3.messaging import ApiException, PushMessageRequest, TextMessage

        request = PushMessageRequest(to=outgoing.address, messages=[TextMessage(text=compose(outgoing))])
        try:
            response = session.push_message_with_http_info(request, x_line_retry_key=outgoing.key,
                                                           _request_timeout=TIMEOUT)
        except ApiException as error:
            if error.status == 409:
                # The same retry key was accepted before (a worker died after sending): already delivered.
                accepted = _header(error.headers, "x-line-accepted-request-id")
                if accepted:
                    return accepted
            raise _refused(error) from error
        except (urllib3.exceptions.HTTPError, OSError) as error:  # timeouts, refused or dropped connections
            raise Temporary(f"LINE unreachable: {error}") from error
        return _header(response.headers, "x-line-request-id")

    def send_many(self, session: Any, outgoing: Outgoing, addresses: list[str]) -> str:
        from linebot.v3.messaging import ApiException, MulticastRequest, TextMessage

        request = MulticastRequest(to=addresses, messages=[TextMessage(text=compose(outgoing))])
        try:
            response = session.multicast_with_http_info(request, x_line_retry_key=outgoing.key,
                                                        _request_timeout=TIMEOUT)
        except ApiException as error:
            accepted = _header(error.headers, "x-line-accepted-request-id") if error.status == 409 else ""
            if accepted:
                return accepted  # this request (same key, same recipients or fewer) was accepted before
            # Even a 400 is retried: it is about the request as a whole, and no single address can be blamed.
            raise Temporary(_error_message(error)) from error
        except (urllib3.exceptions.HTTPError, OSError) as error:
            raise Temporary(f"LINE unreachable: {error}") from error
        return _header(response.headers, "x-line-request-id")


register(LineTransport())

"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for mail tests."""

from __future__ import annotations

import email
import socket
from email.message import Message

import pytest
from aiosmtpd.controller import Controller


class Received(list[Message]):
    """The messages received, in order; `connections` holds, per message, the client's address and port of the SMTP
    connection it came over (so `len(set(received.connections))` counts the connections used); `drop_after` makes the
    server drop the connection instead of taking that many-th message (counted over the whole run), once."""

    def __init__(self) -> None:
        super().__init__()
        self.connections: list[tuple[str, int]] = []
        self.drop_after: int | None = None


class _Inbox:
    def __init__(self) -> None:
        self.messages = Received()
        self.data = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.data += 1
        if self.messages.drop_after is not None and self.data == self.messages.drop_after + 1:
            self.messages.drop_after = None
            server.transport.close()  # mid-conversation, before "250": the message was not taken
            return "421 closing"
        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content))
        self.messages.connections.append(tuple(session.peer[:2]))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _started(inbox: _Inbox) -> Controller:
    """A running controller on a free port. Its readiness wait is generous (5 s by default: a busy machine is no
    failure), and a port another process (an xdist worker beside this one) took in the meantime means another try."""
    for attempt in range(5):
        controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(), ready_timeout=60)
        try:
            controller.start()
            return controller
        except OSError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


@pytest.fixture
def smtp_server(settings):
    """Start an SMTP server and point Django's SMTP backend at it; yields the received messages."""
    inbox = _Inbox()
    controller = _started(inbox)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = False
    try:
        yield inbox.messages
    finally:
        controller.stop()

"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for mail tests."""

from __future__ import annotations

import email
import socket
from email.message import Message

import pytest
from aiosmtpd.controller import Controller


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content))
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

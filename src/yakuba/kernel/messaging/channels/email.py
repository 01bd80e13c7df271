"""Email: Django's mail backend (SMTP in production), one connection per batch (reopened if the relay drops it),
Message-ID as the idempotency key, List-Unsubscribe with RFC 8058 one-click."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from yakuba.kernel.tenancy.models import Municipality

from . import Outgoing, Permanent, Temporary, Transport, register


def message_id(key: str) -> str:
    return f"<{key}@{getattr(settings, 'MESSAGING_MAIL_DOMAIN', 'yakuba.localhost')}>"


class EmailTransport(Transport):
    channel = "email"
    batch_size = 200
    rate_per_second = int(getattr(settings, "MESSAGING_EMAIL_RATE", 0))

    @contextmanager
    def open(self, municipality: Municipality) -> Iterator[Any]:
        connection = get_connection(fail_silently=False)
        try:
            connection.open()
        except (OSError, smtplib.SMTPException) as error:
            raise Temporary(str(error)) from error
        try:
            yield connection
        finally:
            try:
                connection.close()
            except (OSError, smtplib.SMTPException):
                pass

    def send(self, session: Any, outgoing: Outgoing) -> str:
        message = self._message(session, outgoing)
        try:
            try:
                message.send()
            except (smtplib.SMTPServerDisconnected, ConnectionError):
                # The relay dropped the connection the batch shares (idle timeout, a restart, its limit of messages
                # per connection): open a new one and try this message once more, with the same Message-ID.
                _reopen(session)
                message.send()
            except smtplib.SMTPResponseException as error:
                if error.smtp_code != 421:
                    raise
                _reopen(session)  # 421: the relay is closing this connection, not refusing the message
                message.send()
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _msg in error.recipients.values()]
            if codes and all(500 <= code < 600 for code in codes):
                raise Permanent(f"refused: {codes}") from error
            raise Temporary(f"refused: {codes}") from error
        except smtplib.SMTPResponseException as error:
            if 500 <= error.smtp_code < 600 and error.smtp_code not in (552,):
                raise Permanent(f"{error.smtp_code} {error.smtp_error!r}") from error
            raise Temporary(f"{error.smtp_code} {error.smtp_error!r}") from error
        except (OSError, smtplib.SMTPException) as error:
            raise Temporary(str(error)) from error
        return message_id(outgoing.key)

    def _message(self, session: Any, outgoing: Outgoing) -> EmailMessage:
        footer = "\n\n".join(filter(None, [
            f"▼詳しくはこちら（確認しました・ご回答もこちらから）\n{outgoing.page_url}",
            f"▼配信の設定変更\n{outgoing.manage_url}",
            f"▼配信停止（ワンクリック）\n{outgoing.unsubscribe_url}",
        ]))
        return EmailMessage(
            subject=outgoing.subject, body=f"{outgoing.body}\n\n{footer}\n", to=[outgoing.address],
            connection=session,
            headers={
                "Message-ID": message_id(outgoing.key),
                "List-Unsubscribe": f"<{outgoing.unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                **({"Priority": "urgent", "X-Priority": "1"} if outgoing.urgent else {}),
            },
        )


def _reopen(connection: Any) -> None:
    try:
        connection.close()
    except (OSError, smtplib.SMTPException):
        pass
    connection.connection = None  # Django's backend reopens only when it holds no connection
    connection.open()


register(EmailTransport())

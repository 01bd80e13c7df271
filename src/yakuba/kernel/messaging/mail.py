"""Town mail to one person (a receipt, a booking confirmation, a password link): rendered, sent and recorded in
one place. Every mail gets a status row (Mail) with its idempotency key, so a task run again does not send twice."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from typing import Any

from django.core.mail import EmailMessage
from django.db.models import F
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import timezone
from django_scopes import scope
from django_tasks.signals import task_finished, task_started

from yakuba.kernel.tenancy.models import Municipality

from .channels.email import message_id
from .models import DeliveryStatus, Mail

# The task runs under way in this context, innermost last (the immediate backend runs a task inside another).
_runs: ContextVar[tuple[str, ...]] = ContextVar("yakuba_task_runs", default=())


@receiver(task_started, dispatch_uid="yakuba.messaging.mail.started")
def _run_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    _runs.set((*_runs.get(), str(task_result.id)))


@receiver(task_finished, dispatch_uid="yakuba.messaging.mail.finished")
def _run_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    runs = _runs.get()
    if str(task_result.id) in runs:
        _runs.set(runs[:runs.index(str(task_result.id))])


def _key(once: str, purpose: str, address: str) -> str:
    if once:
        return once[:160]
    runs = _runs.get()
    if not runs:
        return f"call:{uuid.uuid4()}"  # called outside a task run (a test, a shell): nothing to repeat
    recipient = hashlib.sha256(address.encode()).hexdigest()[:16]  # the address stays out of the key
    return f"task:{runs[-1]}:{purpose}:{recipient}"[:160]


def send_town_mail(municipality: Municipality, address: str, *, purpose: str, subject: str, template: str,
                   context: Mapping[str, object], about: str = "", once: str = "",
                   attachments: Sequence[tuple[str, bytes | str, str]] = ()) -> bool:
    """Send `template` (rendered in the town's scope with `municipality` and `context`) to `address` with the
    subject 【町名】`subject`, recording it as a Mail row. `once` names a fact told only once ever (e.g.
    "applications.receipt:12"); without it the task run is the key. True when the mail went, now or before."""
    with scope(municipality=municipality):
        body = render_to_string(template, {"municipality": municipality, **context})
        full_subject = f"【{municipality.name}】{subject}"
        key = _key(once, purpose, address)
        row, _created = Mail.objects.get_or_create(municipality=municipality, key=key, defaults={
            "purpose": purpose, "about": about[:80], "address": address, "subject": full_subject[:300],
            "template": template[:200]})
        if row.status == DeliveryStatus.SENT:
            return True  # a run again after the mail went
        rows = Mail.objects.filter(pk=row.pk)
        rows.update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1)
        # The same Message-ID on every attempt, so a mail server that took the first one can drop a repeat.
        provider_key = str(uuid.uuid5(uuid.NAMESPACE_URL, f"yakuba:{municipality.pk}:{key}"))
        message = EmailMessage(subject=full_subject, body=body, to=[address],
                               headers={"Message-ID": message_id(provider_key)})
        for name, content, mimetype in attachments:
            message.attach(name, content, mimetype)
        try:
            message.send()
        except Exception as error:
            rows.update(status=DeliveryStatus.FAILED, error=str(error)[:500] or type(error).__name__)
            raise
        rows.update(status=DeliveryStatus.SENT, sent_at=timezone.now(), error="")
        return True

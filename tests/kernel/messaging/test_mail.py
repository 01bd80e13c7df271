"""Town mail: one helper renders and sends it, and every mail leaves a status row (address, purpose, when, sent or
failed with the error; never the body). Its key makes a run again after the mail went send nothing."""

from __future__ import annotations

import smtplib
import uuid
from dataclasses import dataclass, field
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core import mail
from django_scopes import scope
from django_tasks.signals import task_finished, task_started

from yakuba.kernel.messaging.mail import send_town_mail
from yakuba.kernel.messaging.models import DeliveryStatus, Mail

pytestmark = pytest.mark.django_db


@dataclass
class Run:
    """What the task signals carry about a task run (the worker's TaskResult)."""

    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    task: SimpleNamespace = field(default_factory=lambda: SimpleNamespace(module_path="tests.mail"))
    status: str = "SUCCESSFUL"
    backend: str = "default"


def _send(town, **overrides):
    options = {"purpose": "accounts.password_link", "subject": "パスワードの再設定",
               "template": "accounts/mail/password_link.txt", "about": "accounts.user:1",
               "context": {"user": {"email": "taro@example.jp"}, "url": "https://example.jp/set/abc/"}}
    return send_town_mail(town, "taro@example.jp", **{**options, **overrides})


def _rows(town):
    with scope(municipality=town):
        return list(Mail.objects.order_by("pk"))


def test_the_mail_is_sent_and_recorded_without_its_body(town_a):
    assert _send(town_a) is True
    [message] = mail.outbox
    assert message.subject == "【下仁田町】パスワードの再設定"
    assert message.to == ["taro@example.jp"]
    assert "下仁田町のオンライン窓口" in message.body and "https://example.jp/set/abc/" in message.body
    [row] = _rows(town_a)
    assert (row.status, row.address, row.purpose, row.about) == (
        DeliveryStatus.SENT, "taro@example.jp", "accounts.password_link", "accounts.user:1")
    assert row.subject == message.subject and row.sent_at is not None and row.attempts == 1
    assert not any("https://example.jp/set/abc/" in str(getattr(row, f.attname)) for f in Mail._meta.fields)


def test_a_fact_told_once_is_sent_once(town_a):
    assert _send(town_a, once="applications.receipt:7") is True
    assert _send(town_a, once="applications.receipt:7") is True  # the task queued twice
    assert len(mail.outbox) == 1 and len(_rows(town_a)) == 1


def test_a_task_run_again_does_not_send_twice_but_a_new_run_does(town_a):
    run = Run()
    task_started.send(sender=None, task_result=run)
    _send(town_a)
    _send(town_a)  # the same run once more (a worker restarted after the mail went)
    task_finished.send(sender=None, task_result=run)
    assert len(mail.outbox) == 1
    again = Run()
    task_started.send(sender=None, task_result=again)
    _send(town_a)  # a new request for a link is a new mail
    task_finished.send(sender=None, task_result=again)
    assert len(mail.outbox) == 2
    _send(town_a)
    _send(town_a)  # outside a task run (a shell, a test): every call sends
    assert len(mail.outbox) == 4 and len(_rows(town_a)) == 4


def test_a_failure_is_recorded_and_raised_and_the_retry_sends(town_a):
    run = Run()
    task_started.send(sender=None, task_result=run)
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=smtplib.SMTPServerDisconnected("gone")):
        with pytest.raises(smtplib.SMTPServerDisconnected):
            _send(town_a)
    [row] = _rows(town_a)
    assert (row.status, row.error, row.sent_at) == (DeliveryStatus.FAILED, "gone", None)
    _send(town_a)
    task_finished.send(sender=None, task_result=run)
    [row] = _rows(town_a)
    assert (row.status, row.error, row.attempts) == (DeliveryStatus.SENT, "", 2)
    assert len(mail.outbox) == 1


def test_rows_are_the_towns_own(town_a, town_b):
    _send(town_a)
    assert _rows(town_b) == []

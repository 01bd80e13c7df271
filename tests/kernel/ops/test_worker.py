"""Tasks: enqueued after commit, run by `yakuba worker`, mail delivered to a real SMTP server."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django_scopes import scope
from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from tests.support.smtp import smtp_server  # noqa: F401 - fixture
from yakuba.kernel.accounts.models import User
from yakuba.kernel.messaging.models import Mail


@pytest.mark.django_db(transaction=True)
def test_signup_mail_is_sent_by_the_worker(client, town_a, smtp_server):  # noqa: F811
    response = client.post("/t/10382/accounts/signup/", {
        "email": "newcomer@example.jp", "password": "yamanohana-2026", "consent": "on"})
    assert response.status_code == 302
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    assert smtp_server == []  # the web request only recorded the intent
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload")
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert len(smtp_server) == 1
    with scope(municipality=town_a):  # the mail's status row, keyed by the task run so a rerun sends nothing
        row = Mail.objects.get()
    assert (row.status, row.address, row.purpose) == ("sent", "newcomer@example.jp", "accounts.welcome")
    assert row.key.startswith(f"task:{DBTaskResult.objects.get().id}:accounts.welcome:")
    message = smtp_server[0]
    assert message["To"] == "newcomer@example.jp"
    body = message.get_payload(decode=True).decode()
    assert "下仁田町" in body
    assert "http://127.0.0.1:8000/t/10382/accounts/login/" in body
    # The mail carries the link that confirms the address.
    verify = re.search(r"http://127\.0\.0\.1:8000(/t/10382/accounts/verify/\S+/)", body).group(1)
    response = client.get(verify)  # sign-up signs nobody in, so the confirmed address goes on to the login
    assert response.status_code == 302 and response["Location"] == "/t/10382/accounts/login/"
    user = User.objects.get(email="newcomer@example.jp")
    assert user.email_verified_at is not None


def test_every_registered_task_is_reachable_by_the_worker(settings):
    """Every task's queue is one the worker consumes (it consumes all queues by default)."""
    from yakuba.kernel.accounts import tasks as account_tasks
    from yakuba.kernel.ops.management.commands.worker import Command

    parser = Command().create_parser("yakuba", "worker")
    assert parser.parse_args([]).queue_name == "*"
    from yakuba.applications.tasks import send_receipt, send_update
    from yakuba.attendance import tasks as attendance_tasks
    from yakuba.kernel.messaging import mail_tasks
    from yakuba.kernel.messaging import tasks as messaging_tasks
    from yakuba.kernel.words import tasks as words_tasks
    from yakuba.notices import tasks as notice_tasks
    from yakuba.reservations import tasks as reservation_tasks
    from yakuba.reservations.tasks import courses, groups, lottery, series

    everything = [getattr(module, name) for module in (account_tasks, mail_tasks, messaging_tasks, notice_tasks,
                                                       reservation_tasks, courses, groups, lottery, series,
                                                       attendance_tasks, words_tasks)
                  for name in dir(module) if isinstance(getattr(module, name), Task)]
    assert len(everything) >= 10
    for task in [send_receipt, send_update, *everything]:
        assert task.queue_name in settings.TASKS["default"]["QUEUES"]
        assert isinstance(task.get_backend(), DatabaseBackend)

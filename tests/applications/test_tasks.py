"""Mail about submissions: sent by the worker after commit, only to confirmed addresses, no answers unless asked."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.support.smtp import smtp_server  # noqa: F401 - fixture
from yakuba.applications import services
from yakuba.applications.models import Status

pytestmark = pytest.mark.django_db(transaction=True)


def run_worker():
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload")


def verified_resident(town, email="verified@example.jp"):
    resident = factories.make_resident(town, email=email)
    resident.user.email_verified_at = timezone.now()
    resident.user.save()
    return resident


def test_receipt_with_copy_of_answers_goes_to_a_confirmed_address(town_a, smtp_server):  # noqa: F811
    procedure = factories.make_procedure(town_a, slug="dog")
    resident = verified_resident(town_a)
    with scope(municipality=town_a):
        draft = services.start_draft(procedure, resident)
        draft.answers.update(factories.SIMPLE_ANSWERS)
        draft.save()
        submission = services.submit(draft, actor=resident.user, copy_by_email=True)
    assert smtp_server == []  # only intent recorded in the request
    run_worker()
    assert len(smtp_server) == 1
    message = smtp_server[0]
    body = message.get_payload(decode=True).decode()
    assert message["To"] == "verified@example.jp"
    from email.header import decode_header, make_header

    assert submission.reference in body and submission.reference in str(make_header(decode_header(message["Subject"])))
    assert f"/t/10382/my/applications/{submission.public_id}/" in body
    assert "犬の名前: ポチ" in body  # the copy the applicant asked for


def test_without_a_copy_the_receipt_carries_no_answers(town_a, smtp_server):  # noqa: F811
    procedure = factories.make_procedure(town_a, slug="dog")
    resident = verified_resident(town_a)
    factories.make_submission(procedure, resident)
    run_worker()
    body = smtp_server[0].get_payload(decode=True).decode()
    assert "ポチ" not in body and "受付番号" in body


def test_unconfirmed_addresses_get_no_mail(town_a, smtp_server):  # noqa: F811
    procedure = factories.make_procedure(town_a, slug="dog")
    factories.make_submission(procedure, factories.make_resident(town_a, email="typo@example.jp"),
                              status=Status.REVIEWING)
    run_worker()
    assert smtp_server == []


def test_staff_updates_notify_without_content_and_notes_stay_internal(town_a, staff_a, smtp_server):  # noqa: F811
    procedure = factories.make_procedure(town_a, slug="dog")
    submission = factories.make_submission(procedure, verified_resident(town_a))
    run_worker()
    smtp_server.clear()
    with scope(municipality=town_a):
        services.add_note(submission, "内部で確認中（本人には見せない）", staff=staff_a, to_applicant=False)
        services.transition(submission, "request_correction", staff=staff_a, message="犬の名前をカタカナで",
                            fields=["dog_name"])
    run_worker()
    assert len(smtp_server) == 1
    body = smtp_server[0].get_payload(decode=True).decode()
    assert "補正をお願いしています" in body
    assert "カタカナ" not in body and "内部" not in body  # the content stays behind login

"""The kernel's one rule for mailing a person (kernel/messaging/consent.py): what it answers for an account and for a
notices address, the reason and the action it gives the resident, and that opening the account's confirmation link
(the one マイページ re-sends) also confirms the resident's notices address at that account address."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from tests import factories
from yakuba.kernel.accounts import services as accounts
from yakuba.kernel.messaging import consent
from yakuba.kernel.messaging import services as messaging
from yakuba.kernel.messaging.consent import Purpose, Reason
from yakuba.kernel.messaging.models import Channel, Endpoint

pytestmark = pytest.mark.django_db


def confirm(user):
    user.email_verified_at = timezone.now()
    user.save()


def test_an_unconfirmed_account_address_gets_only_the_link_that_proves_it(resident_a):
    for purpose in (Purpose.PERSONAL, Purpose.NOTICE):
        answer = consent.to_person(resident_a, purpose)
        assert not answer and answer.reason is Reason.UNCONFIRMED and answer.address == ""
        assert "メールアドレスの確認がまだ" in answer.message and "確認が済むまでメールは届きません" in answer.message
        assert answer.action_label == "マイページで確認メールを送り直す"
        assert answer.action_url == reverse("accounts:profile")
    proof = consent.to_person(resident_a, Purpose.PROOF)
    assert proof and proof.address == resident_a.user.email


def test_a_confirmed_account_address_may_be_mailed_for_every_purpose(resident_a):
    confirm(resident_a.user)
    for purpose in Purpose:
        answer = consent.to_person(resident_a, purpose)
        assert answer and answer.reason is Reason.OK and answer.address == resident_a.user.email
        assert answer.message == "" and answer.action_url == ""
    assert resident_a.verified_email == resident_a.user.email  # the templates' shortcut gives the same answer


def test_no_mailbox_means_no_mail_and_no_confirmation_to_ask_for(town_a):
    counter_only = factories.make_resident(town_a)
    counter_only.user = None  # registered at the counter, no online account
    no_mailbox = factories.make_resident(town_a, email="oidc-123@users.invalid")  # an identity without an address
    confirm(no_mailbox.user)
    for person in (counter_only, no_mailbox, None):
        for purpose in Purpose:
            answer = consent.to_person(person, purpose)
            assert not answer and answer.reason is Reason.NO_ADDRESS and answer.action_url == ""
    assert no_mailbox.verified_email == ""


def test_a_notices_address_is_mailed_once_proven_and_not_when_stopped(town_a, resident_a):
    with scope(municipality=town_a):
        anonymous = messaging.new_subscriber(town_a)
        endpoint, _token = messaging.add_email(anonymous, "visitor@example.jp")
        assert consent.to_endpoint(endpoint).reason is Reason.PENDING
        assert consent.to_endpoint(endpoint, Purpose.PROOF)  # the double opt-in mail itself
        own = messaging.add_email(messaging.subscriber_for_resident(town_a, resident_a), resident_a.user.email)[0]
        answer = consent.to_endpoint(own)
        assert answer.reason is Reason.UNCONFIRMED and answer.action_url == reverse("accounts:profile")
        assert list(consent.deliverable(Endpoint.objects.all())) == []
        line = messaging.add_confirmed(messaging.new_subscriber(town_a), Channel.LINE, "U1")
        assert consent.to_endpoint(line) and list(consent.deliverable(Endpoint.objects.all())) == [line]
        messaging.pause(line, "blocked")
        line.refresh_from_db()
        assert consent.to_endpoint(line).reason is Reason.STOPPED
        assert list(consent.deliverable(Endpoint.objects.all())) == []


def test_confirming_the_account_confirms_the_notices_address_it_proves_and_nothing_else(town_a, town_b, resident_a):
    user = resident_a.user
    with scope(municipality=town_a):
        own = messaging.add_email(messaging.subscriber_for_resident(town_a, resident_a), user.email)[0]
        other = messaging.add_email(messaging.new_subscriber(town_a), "someone@example.jp")[0]
    with scope(municipality=town_b):
        resident_b = factories.make_resident(town_b)
        resident_b.user = user
        resident_b.save()
        in_b = messaging.add_email(messaging.subscriber_for_resident(town_b, resident_b), user.email)[0]
    # The link マイページ mails, opened as the resident would (single use, bound to the town that mailed it).
    client = Client()
    client.force_login(user)
    link = factories.town_url(town_a, reverse("accounts:verify-email",
                                              args=[accounts.email_verification_token(user, town_a)]))
    assert client.get(link).status_code == 302
    assert client.get(link).status_code == 400  # used once already
    with scope(municipality=town_a):
        own.refresh_from_db()
        other.refresh_from_db()
        assert own.is_active and consent.to_endpoint(own)
        assert other.confirmed_at is None
    with scope(municipality=town_b):
        in_b.refresh_from_db()
        assert in_b.confirmed_at is None  # town B's address waits for a link town B mailed

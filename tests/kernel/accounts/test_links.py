"""Links mailed by accounts (address confirmation, staff invitation, password reset) work once, and only under
the town that sent them."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories
from yakuba.kernel.accounts import tasks
from yakuba.kernel.accounts.services import email_verification_token

pytestmark = pytest.mark.django_db

NEW = {"new_password1": "fresh-start-2026", "new_password2": "fresh-start-2026"}


def local(town, url: str) -> str:
    return url.split("127.0.0.1:8000", 1)[1] if "127.0.0.1:8000" in url else url


def under(town, path: str) -> str:
    """The same link path opened under another town's address."""
    return path.replace("/t/10382/", factories.town_url(town, "/"), 1)


def set_password(client: Client, path: str):
    page = client.get(path, follow=True)
    return page, client.post(page.redirect_chain[-1][0], NEW) if page.redirect_chain else None


def test_a_confirmation_link_works_once(client, town_a, resident_a):
    path = f"/t/10382/accounts/verify/{email_verification_token(resident_a.user, town_a)}/"
    assert client.get(path).status_code == 302
    again = client.get(path)
    assert again.status_code == 400 and "すでに使われています" in again.content.decode()


def test_a_confirmation_link_of_town_a_does_not_work_under_town_b(client, town_a, town_b, resident_a):
    path = f"/t/10382/accounts/verify/{email_verification_token(resident_a.user, town_a)}/"
    response = client.get(under(town_b, path))
    assert response.status_code == 400
    resident_a.user.refresh_from_db()
    assert resident_a.user.email_verified_at is None
    assert client.get(path).status_code == 302  # still good where it was sent


@pytest.mark.parametrize("kind", ["reset", "invitation"])
def test_a_password_link_works_once(town_a, resident_a, staff_a, kind):
    user = resident_a.user if kind == "reset" else staff_a.user
    path = local(town_a, tasks._password_url(town_a, user))
    page, response = set_password(Client(), path)
    assert response is not None and response.status_code == 302
    again = Client().get(path, follow=True)
    assert "このリンクは使えません" in again.content.decode()
    assert not again.redirect_chain  # no form to post to


@pytest.mark.parametrize("kind", ["reset", "invitation"])
def test_a_password_link_of_town_a_does_not_work_under_town_b(town_a, town_b, resident_a, staff_a, kind):
    user = resident_a.user if kind == "reset" else staff_a.user
    path = local(town_a, tasks._password_url(town_a, user))
    elsewhere = Client().get(under(town_b, path), follow=True)
    assert "このリンクは使えません" in elsewhere.content.decode()
    assert not elsewhere.redirect_chain
    user.refresh_from_db()
    assert user.check_password(factories.PASSWORD)
    _page, response = set_password(Client(), path)  # still good where it was sent
    assert response is not None and response.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["send_welcome_email", "send_signup_attempt_notice", "send_password_link"])
def test_account_mail_for_a_user_or_town_gone_ends_quietly(town_a, resident_a, mailoutbox, name):
    """A mail task whose account was closed (or town removed) before it ran sends nothing and does not raise."""
    task = getattr(tasks, name)
    user = resident_a.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert task.call(user.pk, town_a.pk) is None
    assert task.call(10**9, town_a.pk) is None
    assert task.call(user.pk, 10**9) is None
    assert mailoutbox == []

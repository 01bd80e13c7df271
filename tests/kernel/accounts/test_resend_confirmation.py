"""マイページ's 「確認のメールをもう一度送る」, end to end against a real SMTP server: the mail goes to the account's
unconfirmed address, its link confirms it once, only under the town that mailed it, and then mail is allowed."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from tests.support.smtp import smtp_server  # noqa: F401 - fixture
from tests.support.tasks import run_worker
from yakuba.kernel.messaging import consent

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_resent_link_confirms_the_address_once_in_its_own_town(town_a, town_b, resident_a,
                                                                    smtp_server):  # noqa: F811
    client = Client()
    client.force_login(resident_a.user)
    profile = client.get("/t/10382/accounts/profile/").content.decode()
    assert "メールアドレスの確認が済んでいません" in profile and "確認のメールをもう一度送る" in profile
    response = client.post("/t/10382/accounts/verify/resend/")
    assert response.status_code == 302 and response["Location"] == "/t/10382/accounts/profile/"
    assert "確認のメールをもう一度送りました" in client.get(response["Location"]).content.decode()
    run_worker()
    [message] = smtp_server
    assert message["To"] == resident_a.user.email
    found = re.search(r"https?://\S+/accounts/verify/\S+/", message.get_payload(decode=True).decode())
    assert found is not None
    path = urlsplit(found.group(0)).path
    assert path.startswith("/t/10382/")
    assert client.get(path.replace("/t/10382/", "/t/10384/", 1)).status_code == 400  # another town's link
    resident_a.user.refresh_from_db()
    assert resident_a.user.email_verified_at is None and not consent.to_person(resident_a, consent.Purpose.PERSONAL)

    assert client.get(path).status_code == 302
    again = client.get(path)
    assert again.status_code == 400 and "すでに使われています" in again.content.decode()  # single use
    resident_a.user.refresh_from_db()
    assert consent.to_person(resident_a, consent.Purpose.PERSONAL).address == resident_a.user.email
    profile = client.get("/t/10382/accounts/profile/").content.decode()
    assert "確認済み" in profile and "確認のメールをもう一度送る" not in profile

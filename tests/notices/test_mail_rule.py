"""Notices follow the kernel's mail rule (kernel/messaging/consent.py), end to end against a real SMTP server: a
signed-in resident whose account address is unconfirmed is told 「確認メールを送りました」, gets the account's
confirmation mail and no 防災 mail until they open it; after that the same 防災 broadcast reaches them."""

from __future__ import annotations

import re
from email.header import decode_header, make_header
from email.message import Message
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from tests import factories
from tests.support.smtp import smtp_server  # noqa: F401 - fixture
from tests.support.tasks import run_worker
from yakuba.kernel.messaging.models import Channel, Endpoint, Subscriber
from yakuba.notices.models import Category
from yakuba.notices.services import notices

pytestmark = pytest.mark.django_db(transaction=True)


def subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def body(message: Message) -> str:
    return message.get_payload(decode=True).decode()


def subscribe(client: Client, town, email: str) -> str:
    with scope(municipality=town):
        bousai = Category.objects.get(slug="bousai")
    response = client.post(factories.town_url(town, reverse("notices:subscribe")), {
        "categories": [bousai.pk], "language": "ja", "quiet_start": "", "quiet_end": "", "email": email})
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


def publish_bousai(town, staff, title: str) -> None:
    with scope(municipality=town):
        notice = notices.save_notice(staff, data=notices.NoticeData(
            title=title, body="すぐに避難してください。", category=Category.objects.get(slug="bousai"),
            department=staff.department))
        notices.publish_notice(staff, notice)


@pytest.fixture
def town(town_a):
    factories.make_category(town_a, "bousai")
    factories.make_subscriber(town_a, email="confirmed@example.jp", categories=("bousai",))
    return town_a


def test_an_unconfirmed_account_address_is_asked_to_confirm_and_gets_no_bousai_until_it_is(
        town, resident_a, staff_a, smtp_server):  # noqa: F811
    address = resident_a.user.email
    client = Client()
    client.force_login(resident_a.user)
    page = client.get(factories.town_url(town, reverse("notices:subscribe"))).content.decode()
    assert f'value="{address}"' in page and "まだ確認が済んでいません" in page

    done = subscribe(client, town, address)
    assert "確認メールを送りました" in done and "確認が済むまでメールは届きません" in done
    assert "登録が完了しました" not in done
    assert reverse("accounts:profile") in done  # マイページ, where the confirmation is re-sent
    run_worker()
    assert [(m["To"], subject(m)) for m in smtp_server] == [(address, "【下仁田町】メールアドレスの確認をお願いします")]
    link = re.search(r"https?://\S+/accounts/verify/\S+/", body(smtp_server[0]))
    assert link is not None
    with scope(municipality=town):
        endpoint = Endpoint.objects.get(subscriber__resident=resident_a, channel=Channel.EMAIL)
        assert endpoint.address == address and endpoint.confirmed_at is None

    smtp_server.clear()
    publish_bousai(town, staff_a, "避難指示")
    run_worker()
    assert [m["To"] for m in smtp_server] == ["confirmed@example.jp"]  # not the unconfirmed address

    assert client.get(urlsplit(link.group(0)).path).status_code == 302  # the resident opens the link
    with scope(municipality=town):
        endpoint.refresh_from_db()
        assert endpoint.is_active
    smtp_server.clear()
    publish_bousai(town, staff_a, "避難指示（続報）")
    run_worker()
    assert sorted(m["To"] for m in smtp_server) == sorted(["confirmed@example.jp", address])


def test_a_notices_address_confirmed_without_the_account_being_confirmed_is_asked_again(
        town, resident_a, staff_a, smtp_server):  # noqa: F811
    """The demo's old data: the resident's own account address held a confirmed notices endpoint while the account
    was not confirmed. Subscribing again no longer says 完了: the address waits for the account's confirmation."""
    factories.make_subscriber(town, resident=resident_a, email=resident_a.user.email, categories=("bousai",))
    client = Client()
    client.force_login(resident_a.user)
    done = subscribe(client, town, resident_a.user.email)
    assert "確認メールを送りました" in done and "登録が完了しました" not in done
    with scope(municipality=town):
        assert Subscriber.objects.get(resident=resident_a).endpoints.get().confirmed_at is None
    run_worker()
    smtp_server.clear()
    publish_bousai(town, staff_a, "避難指示")
    run_worker()
    assert [m["To"] for m in smtp_server] == ["confirmed@example.jp"]


def test_a_confirmed_account_address_is_subscribed_at_once_and_gets_bousai(
        town, resident_a, staff_a, smtp_server):  # noqa: F811
    from django.utils import timezone

    resident_a.user.email_verified_at = timezone.now()
    resident_a.user.save()
    client = Client()
    client.force_login(resident_a.user)
    done = subscribe(client, town, resident_a.user.email)
    assert "登録が完了しました" in done and "確認メールを送りました" not in done
    publish_bousai(town, staff_a, "避難指示")
    run_worker()
    assert sorted(m["To"] for m in smtp_server) == sorted(["confirmed@example.jp", resident_a.user.email])

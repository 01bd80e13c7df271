"""The links in messages, end to end: the confirmation mail through a real SMTP server and the worker, the
confirm page (a GET only shows the button, for mail scanners), and the one-click unsubscribe of RFC 8058."""

from __future__ import annotations

import re
from datetime import timedelta
from email.header import decode_header, make_header
from email.message import Message

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.support.smtp import smtp_server  # noqa: F401 - fixture
from tests.support.tasks import run_worker
from yakuba.kernel.messaging import mail_tasks
from yakuba.kernel.messaging import services as messaging
from yakuba.kernel.messaging.models import Endpoint, Subscriber

LINK = re.compile(r"http://127\.0\.0\.1:8000(/t/\d+/\S+/)")



def subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def body(message: Message) -> str:
    return message.get_payload(decode=True).decode()


def subscribe(client: Client, town, email="hanako@example.jp"):
    category = factories.make_category(town, "bousai")
    response = client.post(factories.town_url(town, reverse("notices:subscribe")), {
        "categories": [category.pk], "language": "ja", "email": email})
    assert response.status_code == 302
    return response


@pytest.mark.django_db(transaction=True)
def test_double_opt_in_through_the_mail_and_the_worker(town_a, smtp_server):  # noqa: F811
    client = Client(enforce_csrf_checks=True)
    page = client.get(factories.town_url(town_a, reverse("notices:subscribe")))
    csrf = page.cookies["csrftoken"].value
    category = factories.make_category(town_a, "bousai")
    response = client.post(factories.town_url(town_a, reverse("notices:subscribe")), {
        "categories": [category.pk], "language": "ja", "email": "hanako@example.jp", "csrfmiddlewaretoken": csrf})
    assert response.status_code == 302
    assert smtp_server == []  # the request only recorded the intent
    run_worker()
    [message] = smtp_server
    assert message["To"] == "hanako@example.jp"
    assert subject(message) == "【下仁田町】メールアドレスの確認のお願い"
    text = body(message)
    assert "登録を完了する" in text and "7日間" in text
    link = LINK.search(text).group(1)
    assert link.startswith("/t/10382/messaging/confirm/")

    # A mail scanner (or the person) opening the link changes nothing: the page shows one button.
    shown = client.get(link)
    assert shown.status_code == 200 and "登録を完了する" in shown.content.decode()
    with scope(municipality=town_a):
        endpoint = Endpoint.objects.get()
        assert endpoint.confirmed_at is None

    done = client.post(link, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert done.status_code == 200
    text = done.content.decode()
    assert "登録が完了しました" in text
    with scope(municipality=town_a):
        endpoint.refresh_from_db()
        assert endpoint.is_active
        manage = reverse("notices:subscription", args=[endpoint.subscriber.token])
    assert manage in text

    again = client.post(link, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert again.status_code == 400 and "すでに使われています" in again.content.decode()
    # Opening the used link again says so at once, without a button that could only fail.
    reopened = client.get(link)
    assert reopened.status_code == 400 and "すでに使われています" in reopened.content.decode()
    assert "登録を完了する" not in reopened.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_owner_of_a_confirmed_address_gets_their_manage_link_not_a_confirmation(town_a, smtp_server):  # noqa: F811
    owner = factories.make_subscriber(town_a, email="hanako@example.jp")
    subscribe(Client(), town_a)
    run_worker()
    [message] = smtp_server
    assert subject(message) == "【下仁田町】配信の登録について"
    text = body(message)
    assert f"/t/10382/notices/subscription/{owner.token}/" in text
    assert "/messaging/confirm/" not in text


@pytest.mark.django_db
def test_the_confirmation_task_sends_nothing_for_a_replaced_or_confirmed_address(town_a, mailoutbox):
    subscriber = factories.make_subscriber(town_a)
    with scope(municipality=town_a):
        endpoint, token = messaging.add_email(subscriber, "first@example.jp")
        _second, _token = messaging.add_email(subscriber, "second@example.jp")  # replaces the first row's nonce
        messaging.confirm_email(town_a, _token)
    assert mail_tasks.send_confirmation.call(endpoint.pk, _token) is False  # confirmed already
    assert mail_tasks.send_confirmation.call(999999, token) is False
    assert mailoutbox == []


def confirm_token(town, email="hanako@example.jp"):
    subscriber = factories.make_subscriber(town)
    with scope(municipality=town):
        return messaging.add_email(subscriber, email)


def confirm_url(town, token):
    return factories.town_url(town, reverse("messaging:confirm", args=[token]))


@pytest.mark.django_db
def test_a_forged_link_is_refused(client, town_a):
    _endpoint, token = confirm_token(town_a)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = client.post(confirm_url(town_a, forged))
    assert response.status_code == 400 and "正しくありません" in response.content.decode()
    assert client.post(confirm_url(town_a, "nonsense")).status_code == 400
    shown = client.get(confirm_url(town_a, forged))
    assert shown.status_code == 400 and "正しくありません" in shown.content.decode()


@pytest.mark.django_db
def test_a_link_of_town_a_opened_under_town_b_is_refused(client, town_a, town_b):
    endpoint, token = confirm_token(town_a)
    response = client.post(confirm_url(town_b, token))
    assert response.status_code in (400, 404)
    with scope(municipality=town_a):
        endpoint.refresh_from_db()
        assert endpoint.confirmed_at is None


@pytest.mark.django_db
def test_an_expired_link_is_refused(client, town_a):
    endpoint, token = confirm_token(town_a)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        response = client.post(confirm_url(town_a, token))
    assert response.status_code == 400 and "有効期限が切れています" in response.content.decode()
    with scope(municipality=town_a):
        endpoint.refresh_from_db()
        assert endpoint.confirmed_at is None


# Unsubscribe -------------------------------------------------------------------------------------------------

def unsubscribe_url(town, subscriber):
    return factories.town_url(town, reverse("messaging:unsubscribe", args=[subscriber.token]))


def stopped(town, subscriber) -> bool:
    with scope(municipality=town):
        subscriber = Subscriber.objects.get(pk=subscriber.pk)
        return subscriber.unsubscribed_at is not None and not any(
            endpoint.is_active for endpoint in subscriber.endpoints.all())


@pytest.mark.django_db
def test_unsubscribe_get_shows_a_button_and_post_stops_everything(town_a):
    subscriber = factories.make_subscriber(town_a, email="hanako@example.jp", line_user="U1")
    client = Client(enforce_csrf_checks=True)
    page = client.get(unsubscribe_url(town_a, subscriber))
    assert page.status_code == 200 and "配信を停止する" in page.content.decode()
    assert not stopped(town_a, subscriber)
    done = client.post(unsubscribe_url(town_a, subscriber))
    assert done.status_code == 200
    text = done.content.decode()
    assert "配信を停止しました" in text and "配信を再開する" in text
    assert reverse("notices:subscription", args=[subscriber.token]) in text
    assert stopped(town_a, subscriber)


@pytest.mark.django_db
def test_rfc_8058_one_click_post_without_a_csrf_token_works(town_a):
    subscriber = factories.make_subscriber(town_a, email="hanako@example.jp")
    client = Client(enforce_csrf_checks=True)
    response = client.post(unsubscribe_url(town_a, subscriber), "List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert stopped(town_a, subscriber)


@pytest.mark.django_db
def test_unsubscribe_with_an_unknown_token_is_404(client, town_a, town_b):
    assert client.get(factories.town_url(town_a, reverse("messaging:unsubscribe", args=["nope"]))).status_code == 404
    subscriber = factories.make_subscriber(town_a, email="hanako@example.jp")
    assert client.post(unsubscribe_url(town_b, subscriber)).status_code == 404
    assert not stopped(town_a, subscriber)

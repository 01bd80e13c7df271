"""The LINE channel against a fake LINE Messaging API on loopback: pushes with the delivery key as retry key,
crash recovery refused as a duplicate by LINE, retries, blocked users, and the webhook (signature, follow,
unfollow, account link) per town."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from tests.factories import make_notice, make_resident, make_subscriber, make_town, start_notice_broadcast, town_url
from tests.support.line_api import line_api  # noqa: F401 - fixture
from tests.support.tasks import run_worker
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.messaging import delivery, line_events
from yakuba.kernel.messaging.channels import Outgoing, Permanent, Temporary
from yakuba.kernel.messaging.channels import line as line_channel
from yakuba.kernel.messaging.models import Broadcast, Channel, Delivery, DeliveryStatus, Endpoint, Subscriber

USER_1 = "U" + "1" * 32
USER_2 = "U" + "2" * 32
LINE_A = {"channel_secret": "secret-of-shimonita", "access_token": "token-a", "basic_id": "@shimonita"}
LINE_B = {"channel_secret": "secret-of-kanra", "access_token": "token-b", "basic_id": "@kanra"}


@pytest.fixture(autouse=True)
def _loopback_only(settings):
    """Nothing reaches the real LINE: tests without the fake point at a closed loopback port."""
    settings.LINE_API_BASE = "http://127.0.0.1:9"


def configure(town, line=None):
    town.settings = {**(town.settings or {}), "line": dict(line or LINE_A)}
    town.save(update_fields=["settings"])
    return town



def broadcast_notice(town, notice, *, urgent: bool = False) -> Broadcast:
    return start_notice_broadcast(town, notice, urgent=urgent)


def rows(broadcast: Broadcast) -> list[Delivery]:
    with scope(municipality=broadcast.municipality):
        return list(Delivery.objects.select_related("endpoint", "subscriber").filter(broadcast=broadcast)
                    .order_by("pk"))


def outgoing(**fields) -> Outgoing:
    values = {"key": "123e4567-e89b-12d3-a456-426614174000", "address": USER_1, "keys": {}, "subject": "件名",
              "body": "本文", "page_url": "https://example.jp/t/10382/notices/1/?m=k",
              "unsubscribe_url": "https://example.jp/t/10382/messaging/unsubscribe/tok/",
              "manage_url": "https://example.jp/t/10382/notices/subscription/tok/", "urgent": False, "language": "ja"}
    return Outgoing(**{**values, **fields})


# ---------------------------------------------------------------- pushes

@pytest.mark.django_db(transaction=True)
def test_a_notice_goes_out_over_line_once_per_subscriber_with_its_key_and_links(town_a, line_api):  # noqa: F811
    configure(town_a)
    line_api.tokens.add("token-a")
    notice = make_notice(town_a, title="断水のお知らせ", body="明日 9時から断水します。")
    first = make_subscriber(town_a, line_user=USER_1)
    second = make_subscriber(town_a, line_user=USER_2, email="both@example.jp")
    make_subscriber(town_a, line_user="U" + "3" * 32, categories=("gomi",))  # chose only ごみ: not reached

    broadcast = broadcast_notice(town_a, notice)
    assert line_api.pushes == []  # the request only recorded the intent
    run_worker()

    line_rows = [row for row in rows(broadcast) if row.channel == Channel.LINE]
    assert {row.subscriber_id for row in line_rows} == {first.pk, second.pk}
    assert {row.status for row in line_rows} == {DeliveryStatus.SENT}
    assert sorted(push["to"] for push in line_api.pushes) == [USER_1, USER_2]
    for row in line_rows:
        (push,) = line_api.pushes_to(row.endpoint.address)
        assert push["retry_key"] == str(row.key)
        assert push["token"] == "token-a"
        assert row.provider_ref  # LINE's x-line-request-id
        (message,) = push["messages"]
        assert message["type"] == "text"
        text = message["text"]
        assert text.startswith("断水のお知らせ\n\n明日 9時から断水します。")
        assert "【緊急】" not in text
        assert f"/t/10382/notices/{notice.public_id}/?m={row.key}" in text
        assert f"/t/10382/messaging/unsubscribe/{row.subscriber.token}/" in text
        assert reverse("notices:subscription", args=[row.subscriber.token]) in text
    assert line_api.stats() == {"accepted": 2, "duplicates_refused": 0, "distinct_keys": 2}


@pytest.mark.django_db(transaction=True)
def test_an_urgent_notice_is_marked_urgent(town_a, line_api):  # noqa: F811
    configure(town_a)
    make_subscriber(town_a, line_user=USER_1)
    broadcast_notice(town_a, make_notice(town_a, category="bousai", title="避難指示", body="直ちに避難"),
                     urgent=True)
    run_worker()
    (push,) = line_api.pushes
    assert push["messages"][0]["text"].startswith("【緊急】避難指示\n\n直ちに避難")


@pytest.mark.django_db(transaction=True)
def test_a_town_without_line_credentials_sends_nothing_over_line(town_a, line_api):  # noqa: F811
    configure(town_a, {"channel_secret": "s", "access_token": ""})
    make_subscriber(town_a, line_user=USER_1)
    broadcast = broadcast_notice(town_a, make_notice(town_a))
    run_worker()
    assert line_api.pushes == []
    assert rows(broadcast) == []
    assert not line_channel.LineTransport().enabled(town_a)


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_died_after_sending_is_recovered_and_line_refuses_the_repeat(town_a, line_api):  # noqa: F811
    configure(town_a)
    make_subscriber(town_a, line_user=USER_1)
    broadcast = broadcast_notice(town_a, make_notice(town_a))
    run_worker()
    (row,) = rows(broadcast)
    first_ref = row.provider_ref
    # The worker crashed between LINE's 200 and writing "sent": the row is left "sending" past its lease.
    stale = timezone.now() - timedelta(seconds=django_settings.MESSAGING_LEASE_SECONDS + 60)
    with scope(municipality=town_a):
        Delivery.objects.filter(pk=row.pk).update(status=DeliveryStatus.SENDING, claimed_at=stale, sent_at=None,
                                                  provider_ref="")
        delivery.recover(broadcast)
        assert Delivery.objects.get(pk=row.pk).status == DeliveryStatus.QUEUED
        done = delivery.deliver_batch(broadcast, row.batch)

    assert done["sent"] == 1
    (again,) = rows(broadcast)
    assert again.status == DeliveryStatus.SENT
    assert again.provider_ref == first_ref  # LINE's x-line-accepted-request-id of the first request
    assert line_api.stats() == {"accepted": 1, "duplicates_refused": 1, "distinct_keys": 1}
    assert len(line_api.pushes_to(USER_1)) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("status", [429, 500])
def test_rate_limit_and_server_errors_are_retried_later_with_the_same_key(town_a, line_api, status):  # noqa: F811
    configure(town_a)
    make_subscriber(town_a, line_user=USER_1)
    broadcast = broadcast_notice(town_a, make_notice(town_a))
    line_api.fail_next(1, status)
    run_worker()

    (row,) = rows(broadcast)
    assert row.status == DeliveryStatus.QUEUED
    assert row.attempts == 1
    assert row.not_before > timezone.now()
    assert str(status) in row.error
    assert line_api.pushes == []

    with time_machine.travel(row.not_before + timedelta(seconds=1), tick=False), scope(municipality=town_a):
        done = delivery.deliver_batch(broadcast, row.batch)
    assert done["sent"] == 1
    (row,) = rows(broadcast)
    assert row.status == DeliveryStatus.SENT
    assert row.attempts == 2
    (push,) = line_api.pushes
    assert push["retry_key"] == str(row.key)


@pytest.mark.django_db(transaction=True)
def test_a_user_line_cannot_reach_fails_and_the_endpoint_is_paused(town_a, line_api):  # noqa: F811
    configure(town_a)
    blocked = make_subscriber(town_a, line_user=USER_1)
    make_subscriber(town_a, line_user=USER_2)
    line_api.blocked.add(USER_1)
    broadcast = broadcast_notice(town_a, make_notice(town_a))
    run_worker()

    by_user = {row.endpoint.address: row for row in rows(broadcast)}
    assert by_user[USER_1].status == DeliveryStatus.FAILED
    assert by_user[USER_2].status == DeliveryStatus.SENT  # one unreachable user does not hold up the rest
    with scope(municipality=town_a):
        endpoint = Endpoint.objects.get(subscriber=blocked, channel=Channel.LINE)
    assert endpoint.paused_at is not None
    assert [push["to"] for push in line_api.pushes] == [USER_2]


@pytest.mark.django_db(transaction=True)
def test_a_wrong_access_token_is_retried_not_blamed_on_the_resident(town_a, line_api):  # noqa: F811
    configure(town_a, {**LINE_A, "access_token": "expired"})
    line_api.tokens.add("token-a")
    user = make_subscriber(town_a, line_user=USER_1)
    broadcast = broadcast_notice(town_a, make_notice(town_a))
    run_worker()

    (row,) = rows(broadcast)
    assert row.status == DeliveryStatus.QUEUED
    assert "401" in row.error
    with scope(municipality=town_a):
        assert Endpoint.objects.get(subscriber=user).paused_at is None


def test_an_unreachable_line_api_is_temporary(settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before the push: nothing listens there
    settings.LINE_API_BASE = f"http://127.0.0.1:{port}"
    transport = line_channel.LineTransport()
    with line_channel.messaging_api(line_channel.LineChannel("s", "t")) as api, pytest.raises(Temporary):
        transport.send(api, outgoing())


def test_an_unknown_user_id_is_permanent(line_api):  # noqa: F811
    line_api.blocked.add(USER_1)
    transport = line_channel.LineTransport()
    with line_channel.messaging_api(line_channel.LineChannel("s", "t")) as api, pytest.raises(Permanent):
        transport.send(api, outgoing())


def test_a_long_body_is_cut_to_lines_limit_and_keeps_every_link():
    text = line_channel.compose(outgoing(body="長" * 6000 + "😀" * 10, urgent=True))
    assert len(text.encode("utf-16-le")) // 2 <= line_channel.TEXT_LIMIT
    assert text.startswith("【緊急】件名\n\n長")
    for url in (outgoing().page_url, outgoing().manage_url, outgoing().unsubscribe_url):
        assert url in text
    emoji = line_channel.compose(outgoing(body="😀" * 3000))  # two UTF-16 units each
    assert len(emoji.encode("utf-16-le")) // 2 <= line_channel.TEXT_LIMIT
    assert outgoing().unsubscribe_url in emoji
    assert line_channel.compose(outgoing()).startswith("件名\n\n本文\n\n▼詳しく・確認しました\n")


# ---------------------------------------------------------------- webhook

def event(kind: str, user_id: str = USER_1, **fields) -> dict:
    body = {"type": kind, "mode": "active", "timestamp": 1700000000000, "webhookEventId": "01HXYZ" + kind,
            "deliveryContext": {"isRedelivery": False}, "source": {"type": "user", "userId": user_id}}
    if kind == "follow":
        body |= {"replyToken": "reply-" + user_id, "follow": {"isUnblocked": False}}
    return body | fields


def post_webhook(client, town, events, *, secret=LINE_A["channel_secret"], signature=None, raw=None):
    body = raw if raw is not None else json.dumps({"destination": "Ubot", "events": events}).encode()
    if signature is None:
        signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    headers = {"HTTP_X_LINE_SIGNATURE": signature} if signature else {}
    return client.post(town_url(town, reverse("messaging:line-webhook")), data=body,
                       content_type="application/json", **headers)


def messaging_rows(town) -> tuple[int, int]:
    with scope(municipality=town):
        return Subscriber.objects.count(), Endpoint.objects.count()


@pytest.mark.django_db
@pytest.mark.parametrize("signature", ["", "bm90IHRoZSBzaWduYXR1cmU="])
def test_a_webhook_without_a_valid_signature_is_refused_and_stores_nothing(client, town_a, line_api, signature):  # noqa: F811
    configure(town_a)
    response = post_webhook(client, town_a, [event("follow")], signature=signature or "")
    assert response.status_code == 400
    assert messaging_rows(town_a) == (0, 0)
    assert line_api.replies == []


@pytest.mark.django_db
def test_a_webhook_signed_with_another_towns_secret_is_refused(client, town_a, town_b, line_api):  # noqa: F811
    configure(town_a)
    configure(town_b, LINE_B)
    response = post_webhook(client, town_a, [event("follow")], secret=LINE_B["channel_secret"])
    assert response.status_code == 400
    assert messaging_rows(town_a) == (0, 0)
    assert messaging_rows(town_b) == (0, 0)


@pytest.mark.django_db
def test_a_malformed_webhook_body_is_refused(client, town_a, line_api):  # noqa: F811
    configure(town_a)
    assert post_webhook(client, town_a, [], raw=b"{not json").status_code == 400
    assert post_webhook(client, town_a, [], raw=b'{"destination": "U"}').status_code == 400
    assert post_webhook(client, town_a, [], raw="\xff".encode("latin-1")).status_code == 400
    assert messaging_rows(town_a) == (0, 0)


@pytest.mark.django_db
def test_a_town_without_line_has_no_webhook(client, town_a):
    assert post_webhook(client, town_a, [event("follow")]).status_code == 404
    configure(town_a)
    assert client.get(town_url(town_a, reverse("messaging:line-webhook"))).status_code == 405


@pytest.mark.django_db
def test_follow_makes_a_confirmed_line_subscriber_and_replies_with_the_settings_link(client, town_a, line_api):  # noqa: F811
    configure(town_a)
    line_api.tokens.add("token-a")
    response = post_webhook(client, town_a, [event("follow")])
    assert response.status_code == 200

    with scope(municipality=town_a):
        endpoint = Endpoint.objects.select_related("subscriber").get(channel=Channel.LINE, address=USER_1)
        subscriber = endpoint.subscriber
        assert endpoint.is_active
        assert subscriber.resident is None
        assert AuditEntry.objects.filter(action="messaging.endpoint.line_added").exists()
    (reply,) = line_api.replies
    assert reply["replyToken"] == "reply-" + USER_1
    text = reply["messages"][0]["text"]
    assert "下仁田町" in text
    assert town_a.absolute_url(reverse("notices:subscription", args=[subscriber.token])) in text
    (link_token,) = line_api.link_tokens
    assert line_api.link_tokens[link_token] == USER_1
    assert town_a.absolute_url(reverse("messaging:line-link")) + f"?linkToken={link_token}" in text

    # A second follow (the webhook redelivered, or a re-add) keeps the same subscriber.
    assert post_webhook(client, town_a, [event("follow")]).status_code == 200
    assert messaging_rows(town_a) == (1, 1)


@pytest.mark.django_db
def test_follow_is_kept_when_the_reply_cannot_be_sent(client, town_a):
    configure(town_a)  # LINE_API_BASE points at a closed loopback port: the reply fails
    assert post_webhook(client, town_a, [event("follow")]).status_code == 200
    with scope(municipality=town_a):
        assert Endpoint.objects.get(channel=Channel.LINE, address=USER_1).is_active


@pytest.mark.django_db
def test_unfollow_pauses_and_a_new_follow_revives_the_same_endpoint(client, town_a, line_api):  # noqa: F811
    configure(town_a)
    subscriber = make_subscriber(town_a, line_user=USER_1)
    assert post_webhook(client, town_a, [event("unfollow")]).status_code == 200
    with scope(municipality=town_a):
        endpoint = Endpoint.objects.get(subscriber=subscriber, channel=Channel.LINE)
        assert endpoint.paused_at is not None
        assert endpoint.pause_reason == "blocked"

    assert post_webhook(client, town_a, [event("follow", isUnblocked=True)]).status_code == 200
    with scope(municipality=town_a):
        endpoint = Endpoint.objects.get(channel=Channel.LINE, address=USER_1)
        assert endpoint.subscriber_id == subscriber.pk
        assert endpoint.is_active


@pytest.mark.django_db
def test_other_events_and_group_sources_are_ignored(client, town_a, line_api):  # noqa: F811
    configure(town_a)
    message = event("message", replyToken="r", message={"type": "text", "id": "1", "text": "こんにちは",
                                                      "quoteToken": "q"})
    group_follow = event("join", source={"type": "group", "groupId": "C" + "1" * 32})
    unknown = event("somethingNew")
    assert post_webhook(client, town_a, [message, group_follow, unknown]).status_code == 200
    assert post_webhook(client, town_a, []).status_code == 200  # the console's "Verify" call
    assert messaging_rows(town_a) == (0, 0)
    assert line_api.replies == []


# ---------------------------------------------------------------- account link

@pytest.mark.django_db
def test_account_link_start_needs_a_login_and_sends_the_resident_to_line_with_a_nonce(client, town_a):
    configure(town_a)
    url = town_url(town_a, reverse("messaging:line-link")) + "?linkToken=LT123"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(town_url(town_a, reverse("accounts:login")))
    assert parse_qs(urlsplit(response["Location"]).query)["next"] == [url]

    resident = make_resident(town_a)
    client.force_login(resident.user)
    response = client.get(url)
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == "https://access.line.me/dialog/bot/accountLink"
    query = parse_qs(target.query)
    assert query["linkToken"] == ["LT123"]
    with scope(municipality=town_a):
        assert line_events.resident_for_nonce(town_a, query["nonce"][0]) == resident


@pytest.mark.django_db
def test_account_link_start_without_a_link_token_explains_in_japanese(client, town_a):
    configure(town_a)
    response = client.get(town_url(town_a, reverse("messaging:line-link")))
    assert response.status_code == 400
    assert "LINEとの連携を始められません" in response.content.decode()


def link_event(nonce: str, user_id: str = USER_1, result: str = "ok") -> dict:
    return event("accountLink", user_id, replyToken="r", link={"result": result, "nonce": nonce})


def nonce_for(town, resident) -> str:
    with scope(municipality=town):
        return line_events.issue_nonce(town, resident)


@pytest.mark.django_db
def test_account_link_event_ties_the_line_subscriber_to_the_resident_once(client, town_a, line_api):  # noqa: F811
    configure(town_a)
    resident = make_resident(town_a)
    subscriber = make_subscriber(town_a, line_user=USER_1)
    nonce = nonce_for(town_a, resident)

    assert post_webhook(client, town_a, [link_event(nonce, result="failed")]).status_code == 200
    with scope(municipality=town_a):
        assert Subscriber.objects.get(pk=subscriber.pk).resident is None

    assert post_webhook(client, town_a, [link_event(nonce)]).status_code == 200
    with scope(municipality=town_a):
        assert Subscriber.objects.get(pk=subscriber.pk).resident == resident
        assert AuditEntry.objects.filter(action="messaging.line.linked").count() == 1

    # The same nonce again (another LINE user replaying it) links nothing.
    other = make_subscriber(town_a, line_user=USER_2)
    assert post_webhook(client, town_a, [link_event(nonce, USER_2)]).status_code == 200
    with scope(municipality=town_a):
        assert Subscriber.objects.get(pk=other.pk).resident is None
        assert AuditEntry.objects.filter(action="messaging.line.linked").count() == 1


@pytest.mark.django_db
def test_account_link_moves_the_line_address_to_the_residents_existing_subscriber(client, town_a, line_api):  # noqa: F811
    configure(town_a)
    resident = make_resident(town_a)
    mine = make_subscriber(town_a, email="hanako@example.jp", resident=resident)
    line_only = make_subscriber(town_a, line_user=USER_1)

    assert post_webhook(client, town_a, [link_event(nonce_for(town_a, resident))]).status_code == 200
    with scope(municipality=town_a):
        endpoint = Endpoint.objects.get(channel=Channel.LINE, address=USER_1)
        assert endpoint.subscriber_id == mine.pk
        assert endpoint.is_active
        assert not Endpoint.objects.filter(subscriber=line_only).exists()
        assert Subscriber.objects.get(pk=mine.pk).resident == resident


@pytest.mark.django_db
def test_a_forged_expired_or_other_towns_nonce_links_nothing(client, town_a, line_api):  # noqa: F811
    configure(town_a)
    town_c = make_town("10383", "南牧村")
    resident = make_resident(town_a)
    subscriber = make_subscriber(town_a, line_user=USER_1)
    expired = nonce_for(town_a, resident)
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert post_webhook(client, town_a, [link_event(expired)]).status_code == 200
    foreign = nonce_for(town_c, make_resident(town_c))
    assert post_webhook(client, town_a, [link_event(foreign)]).status_code == 200
    assert post_webhook(client, town_a, [link_event("forged:nonce")]).status_code == 200
    with scope(municipality=town_a):
        assert Subscriber.objects.get(pk=subscriber.pk).resident is None

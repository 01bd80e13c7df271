"""Web Push: the transport against a local push service (VAPID checked, payload decrypted as a browser would),
the subscribe/unsubscribe endpoints, the service worker, the VAPID key file and the sign-up include."""

from __future__ import annotations

import json
import os
import stat

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse, set_script_prefix
from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.support.push_service import b64url, push_service, unb64url  # noqa: F401 - fixture
from tests.support.tasks import run_worker
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.messaging import services, vapid
from yakuba.kernel.messaging.channels import Outgoing, Permanent, Temporary, webpush
from yakuba.kernel.messaging.models import Delivery, DeliveryStatus, Endpoint, Subscriber


def town_path(town, name: str, *args: object) -> str:
    return factories.town_url(town, reverse(name, args=args))


def subscriber_with_push(town, push, **fields):
    subscriber = factories.make_subscriber(town, **fields)
    info = push.subscription()
    with scope(municipality=town):
        endpoint = services.add_confirmed(subscriber, "webpush", info["endpoint"], info["keys"])
    return subscriber, endpoint, info["endpoint"].rsplit("/", 1)[1]


def broadcast(town, *, urgent: bool = True, subject: str = "避難指示（警戒レベル4）",
              body: str = "直ちに避難してください。"):
    notice = factories.make_notice(town, category="bousai", title=subject, body=body)
    with scope(municipality=town), transaction.atomic():
        return services.start_broadcast(municipality=town, source="notices.notice", source_id=notice.pk,
                                        content={"ja": {"subject": subject, "body": body}}, url="/notices/x/",
                                        urgent=urgent)


def outgoing(address: str, keys: dict, **overrides) -> Outgoing:
    fields = {"key": "0f5e2b8c-7c2d-4d4e-9a51-3d3c0b1f2a90", "address": address, "keys": keys,
              "subject": "お知らせ", "body": "本文", "page_url": "https://example.jp/n/1/?m=1",
              "unsubscribe_url": "https://example.jp/u/", "manage_url": "https://example.jp/m/", "urgent": False,
              "language": "ja"}
    return Outgoing(**{**fields, **overrides})


def send(info: dict, **overrides) -> str:
    transport = webpush.WebPushTransport()
    with transport.open(None) as session:
        return transport.send(session, outgoing(info["endpoint"], info["keys"], **overrides))


# ---------------------------------------------------------------- end to end through the worker

@pytest.mark.django_db(transaction=True)
def test_an_urgent_broadcast_reaches_the_browser_encrypted_signed_and_with_its_topic(push_service):  # noqa: F811
    town = factories.make_town()
    subscriber, endpoint, receiver = subscriber_with_push(town, push_service)
    sent = broadcast(town)
    run_worker()

    [message] = push_service.received
    assert message["id"] == receiver
    payload = message["payload"]
    assert payload["title"] == "【緊急】避難指示（警戒レベル4）"
    assert payload["body"] == "直ちに避難してください。"
    assert payload["urgent"] is True
    with scope(municipality=town):
        delivery = Delivery.objects.get(broadcast=sent, endpoint=endpoint)
    assert payload["url"].endswith(f"/t/10382/notices/x/?m={delivery.key}")
    assert message["headers"]["Urgency"] == "high"
    topic = message["headers"]["Topic"]
    assert topic == webpush.topic(str(delivery.key)) == payload["tag"]
    assert len(topic) <= 32 and set(topic) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert int(message["headers"]["TTL"]) > 0
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.provider_ref.startswith(push_service.origin + "/message/")
    assert push_service.rejected == []


@pytest.mark.django_db(transaction=True)
def test_a_subscription_gone_fails_the_delivery_and_pauses_the_endpoint(push_service):  # noqa: F811
    town = factories.make_town()
    _subscriber, endpoint, receiver = subscriber_with_push(town, push_service)
    push_service.gone.add(receiver)
    sent = broadcast(town)
    run_worker()

    assert push_service.received == []
    assert [status for _id, status, _why in push_service.rejected] == [410]
    with scope(municipality=town):
        delivery = Delivery.objects.get(broadcast=sent)
        endpoint.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert "410" in delivery.error
    assert endpoint.paused_at is not None and not endpoint.is_active

    # The paused endpoint gets nothing from the next broadcast.
    broadcast(town, subject="避難指示の解除")
    run_worker()
    assert [status for _id, status, _why in push_service.rejected] == [410]


@pytest.mark.django_db(transaction=True)
def test_too_many_requests_puts_the_delivery_back_in_the_queue_with_backoff(push_service):  # noqa: F811
    town = factories.make_town()
    _subscriber, endpoint, _receiver = subscriber_with_push(town, push_service)
    push_service.fail_next(1, status=429)
    before = timezone.now()
    sent = broadcast(town, urgent=False, subject="道路の通行止め")
    run_worker()

    assert push_service.received == []
    with scope(municipality=town):
        delivery = Delivery.objects.get(broadcast=sent)
        endpoint.refresh_from_db()
    assert delivery.status == DeliveryStatus.QUEUED
    assert delivery.attempts == 1
    assert delivery.not_before >= before + timezone.timedelta(seconds=30)
    assert "429" in delivery.error
    assert endpoint.is_active  # a busy push service says nothing about the subscription


@pytest.mark.django_db(transaction=True)
def test_a_normal_broadcast_is_not_marked_urgent(push_service):  # noqa: F811
    town = factories.make_town()
    subscriber_with_push(town, push_service)
    broadcast(town, urgent=False, subject="図書館の休館日", body="あ" * 500)
    run_worker()

    [message] = push_service.received
    assert message["payload"]["title"] == "図書館の休館日"
    assert message["payload"]["urgent"] is False
    assert message["headers"]["Urgency"] == "normal"
    assert len(message["payload"]["body"]) == webpush.BODY_LIMIT
    assert message["payload"]["body"].endswith("…")


# ---------------------------------------------------------------- the transport alone

def test_the_transport_classifies_push_service_answers(push_service):  # noqa: F811
    ok = push_service.subscription()
    assert send(ok).startswith(push_service.origin)

    gone = push_service.subscription()
    push_service.gone.add(gone["endpoint"].rsplit("/", 1)[1])
    with pytest.raises(Permanent):
        send(gone)
    missing = push_service.subscription()
    push_service.missing.add(missing["endpoint"].rsplit("/", 1)[1])
    with pytest.raises(Permanent):
        send(missing)

    for status in (429, 500, 503):
        push_service.fail_next(1, status=status)
        with pytest.raises(Temporary, match=str(status)):
            send(ok)
    assert len(push_service.for_receiver(ok["endpoint"].rsplit("/", 1)[1])) == 1


def test_an_unreachable_push_service_is_temporary(push_service):  # noqa: F811
    info = push_service.subscription()
    push_service.stop()
    with pytest.raises(Temporary):
        send(info)


def test_a_retry_carries_the_same_topic(push_service):  # noqa: F811
    info = push_service.subscription()
    send(info)
    send(info)
    first, second = push_service.received
    assert first["headers"]["Topic"] == second["headers"]["Topic"] == webpush.topic(outgoing("", {}).key)


def test_http_endpoints_are_refused_unless_allowed(push_service, settings):  # noqa: F811
    info = push_service.subscription()
    settings.MESSAGING_PUSH_ALLOW_HTTP = False
    with pytest.raises(Permanent):
        send(info)
    assert push_service.received == []
    assert webpush.valid_endpoint("https://fcm.googleapis.com/fcm/send/abc")
    assert not webpush.valid_endpoint("https://127.0.0.1/push/1")  # not an internal machine
    assert not webpush.valid_endpoint("https://localhost/push/1")
    assert not webpush.valid_endpoint("https://fcm.googleapis.com/" + "a" * 1000)


def test_unusable_keys_are_permanent(push_service):  # noqa: F811
    info = push_service.subscription()
    with pytest.raises(Permanent):
        send({**info, "keys": {}})
    with pytest.raises(Permanent):
        send({**info, "keys": {"p256dh": "AAAA", "auth": info["keys"]["auth"]}})
    assert push_service.received == []


def test_topics_are_short_base64url_and_stable():
    key = "0f5e2b8c-7c2d-4d4e-9a51-3d3c0b1f2a90"
    assert webpush.topic(key) == webpush.topic(key)
    assert len(webpush.topic(key)) <= 32
    assert len(webpush.topic("not-a-uuid" * 10)) <= 32
    assert webpush.topic(key) != webpush.topic("1f5e2b8c-7c2d-4d4e-9a51-3d3c0b1f2a90")


# ---------------------------------------------------------------- VAPID key

def test_the_vapid_key_is_generated_once_private_and_kept(settings, tmp_path):
    path = tmp_path / "keys" / "vapid.pem"
    settings.VAPID_PRIVATE_KEY_FILE = str(path)
    first = vapid.public_key_b64()
    assert path.exists()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "=" not in first and len(first) == 87  # 65 bytes, base64url unpadded
    content = path.read_bytes()

    vapid.forget()  # as a new process would
    assert vapid.public_key_b64() == first
    assert path.read_bytes() == content


def test_a_second_process_creating_the_key_keeps_the_first(settings, tmp_path):
    path = tmp_path / "vapid.pem"
    settings.VAPID_PRIVATE_KEY_FILE = str(path)
    vapid._create(path)
    first = path.read_bytes()
    vapid._create(path)  # lost the race: its new key is thrown away
    assert path.read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vapid.pem"]  # no temporary file left


def test_the_key_endpoint_serves_the_public_key(client, town_a, settings, tmp_path):
    settings.VAPID_PRIVATE_KEY_FILE = str(tmp_path / "vapid.pem")
    response = client.get(town_path(town_a, "messaging:push-key"))
    assert response.status_code == 200
    assert response.json() == {"publicKey": vapid.public_key_b64()}


# ---------------------------------------------------------------- subscribe / unsubscribe

def post_json(client: Client, url: str, data, **extra) -> object:
    body = data if isinstance(data, (str, bytes)) else json.dumps(data)
    return client.post(url, body, content_type="application/json", **extra)


def endpoints(town) -> list[Endpoint]:
    with scope(municipality=town):
        return list(Endpoint.objects.filter(channel="webpush").select_related("subscriber"))


def test_a_browser_subscription_becomes_a_confirmed_endpoint_of_a_new_subscriber(client, town_a, push_service):  # noqa: F811
    info = push_service.subscription()
    response = post_json(client, town_path(town_a, "messaging:push-subscribe"), {"subscription": info})
    assert response.status_code == 200, response.content
    [endpoint] = endpoints(town_a)
    assert endpoint.address == info["endpoint"]
    assert endpoint.keys == info["keys"]
    assert endpoint.is_active
    assert endpoint.subscriber.resident is None
    body = response.json()
    assert body["ok"] is True
    assert endpoint.subscriber.token in body["manage_url"]
    with scope(municipality=town_a):
        assert AuditEntry.objects.filter(action="messaging.endpoint.webpush_added").count() == 1


def test_a_residents_subscription_goes_to_their_subscriber(client, town_a, resident_a, push_service):  # noqa: F811
    with scope(municipality=town_a):
        mine = services.subscriber_for_resident(town_a, resident_a)
    client.force_login(resident_a.user)
    response = post_json(client, town_path(town_a, "messaging:push-subscribe"),
                         {"subscription": push_service.subscription()})
    assert response.status_code == 200
    [endpoint] = endpoints(town_a)
    assert endpoint.subscriber_id == mine.pk
    with scope(municipality=town_a):
        assert Subscriber.objects.count() == 1


def test_the_token_adds_the_browser_to_that_subscriber(client, town_a, push_service):  # noqa: F811
    subscriber = factories.make_subscriber(town_a, email="hanako@example.jp")
    for _ in range(2):  # a phone and a computer
        response = post_json(client, town_path(town_a, "messaging:push-subscribe"),
                             {"subscription": push_service.subscription(), "token": subscriber.token})
        assert response.status_code == 200
    assert {e.subscriber_id for e in endpoints(town_a)} == {subscriber.pk}
    assert len(endpoints(town_a)) == 2
    with scope(municipality=town_a):
        assert Subscriber.objects.count() == 1


def test_subscribing_again_reactivates_a_paused_endpoint(client, town_a, push_service):  # noqa: F811
    info = push_service.subscription()
    url = town_path(town_a, "messaging:push-subscribe")
    post_json(client, url, {"subscription": info})
    [endpoint] = endpoints(town_a)
    with scope(municipality=town_a):
        services.pause(endpoint, "gone")
    post_json(client, url, {"subscription": info})
    [again] = endpoints(town_a)
    assert again.pk == endpoint.pk and again.is_active


def off_curve(p256dh: str) -> str:
    raw = bytearray(unb64url(p256dh))
    raw[-1] ^= 1  # y no longer matches x
    return b64url(bytes(raw))


def bad_subscriptions(info):
    keys = info["keys"]
    return [
        "not json",
        b"\xff\xfe",
        [],
        {},
        {"subscription": "x"},
        {"subscription": {"endpoint": info["endpoint"]}},
        {"subscription": {**info, "endpoint": "ftp://127.0.0.1/push/1"}},
        {"subscription": {**info, "endpoint": "javascript:alert(1)"}},
        {"subscription": {**info, "endpoint": "http://127.0.0.1/" + "a" * 1000}},
        {"subscription": {**info, "endpoint": 12}},
        {"subscription": {**info, "keys": {**keys, "p256dh": keys["p256dh"][:-4]}}},  # too short
        {"subscription": {**info, "keys": {**keys, "p256dh": off_curve(keys["p256dh"])}}},  # not a P-256 point
        {"subscription": {**info, "keys": {**keys, "auth": keys["auth"] + "AAAA"}}},  # 19 bytes
        {"subscription": {**info, "keys": {**keys, "auth": "!!!!" + keys["auth"][4:]}}},
        {"subscription": {**info, "keys": {**keys, "auth": None}}},
    ]


def test_bad_subscriptions_are_refused_in_japanese_and_nothing_is_stored(client, town_a, push_service):  # noqa: F811
    url = town_path(town_a, "messaging:push-subscribe")
    for data in bad_subscriptions(push_service.subscription()):
        response = post_json(client, url, data)
        assert response.status_code == 400, data
        assert response["Content-Type"] == "application/json"
        assert "もう一度お試しください" in response.json()["error"]
    assert endpoints(town_a) == []
    with scope(municipality=town_a):
        assert Subscriber.objects.count() == 0


def test_plain_http_endpoints_are_refused_in_production(client, town_a, push_service, settings):  # noqa: F811
    settings.MESSAGING_PUSH_ALLOW_HTTP = False
    response = post_json(client, town_path(town_a, "messaging:push-subscribe"),
                         {"subscription": push_service.subscription()})
    assert response.status_code == 400
    assert endpoints(town_a) == []


def test_subscribing_needs_the_csrf_token(town_a, push_service):  # noqa: F811
    client = Client(enforce_csrf_checks=True)
    url = town_path(town_a, "messaging:push-subscribe")
    info = push_service.subscription()
    assert post_json(client, url, {"subscription": info}).status_code == 403
    assert endpoints(town_a) == []

    client.get(town_path(town_a, "messaging:push-key"))  # any page: the CSRF cookie
    client.get(factories.town_url(town_a, "/accounts/login/"))  # a page with a form (cached pages carry no token)
    token = client.cookies["csrftoken"].value
    response = client.post(url, json.dumps({"subscription": info}), content_type="application/json",
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert len(endpoints(town_a)) == 1


def test_unsubscribing_stops_that_browser_only(client, town_a, push_service):  # noqa: F811
    subscriber = factories.make_subscriber(town_a)
    phone, computer = push_service.subscription(), push_service.subscription()
    url = town_path(town_a, "messaging:push-subscribe")
    for info in (phone, computer):
        post_json(client, url, {"subscription": info, "token": subscriber.token})
    response = post_json(client, town_path(town_a, "messaging:push-unsubscribe"), {"endpoint": phone["endpoint"]})
    assert response.status_code == 200
    active = {e.address: e.is_active for e in endpoints(town_a)}
    assert active == {phone["endpoint"]: False, computer["endpoint"]: True}
    unknown = post_json(client, town_path(town_a, "messaging:push-unsubscribe"), {"endpoint": "https://x.example/1"})
    assert unknown.status_code == 200
    assert post_json(client, town_path(town_a, "messaging:push-unsubscribe"), "{").status_code == 400


def test_another_towns_endpoint_is_not_touched(client, town_a, town_b, push_service):  # noqa: F811
    info = push_service.subscription()
    post_json(client, town_path(town_b, "messaging:push-subscribe"), {"subscription": info})
    post_json(client, town_path(town_a, "messaging:push-unsubscribe"), {"endpoint": info["endpoint"]})
    [endpoint] = endpoints(town_b)
    assert endpoint.is_active


def test_the_subscribe_endpoints_only_take_post(client, town_a):
    assert client.get(town_path(town_a, "messaging:push-subscribe")).status_code == 405
    assert client.get(town_path(town_a, "messaging:push-unsubscribe")).status_code == 405


# ---------------------------------------------------------------- service worker and the sign-up include

def test_the_service_worker_is_served_from_the_towns_root(client, town_a):
    response = client.get("/t/10382/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/t/10382/"
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    assert 'addEventListener("push"' in script and 'addEventListener("notificationclick"' in script
    assert "showNotification" in script and "openWindow" in script
    assert "下仁田町" in script
    assert "{%" not in script and "{{" not in script


def render_include(town, **context) -> str:
    request = RequestFactory().get("/t/10382/notices/subscribe/")
    request.municipality = town
    request.user = AnonymousUser()
    set_script_prefix("/t/10382/")
    try:
        return render_to_string("messaging/_push_button.html", context, request=request)
    finally:
        set_script_prefix("/")


def test_the_include_carries_its_urls_and_translated_messages(town_a):
    html = render_include(town_a)
    assert "この端末（スマートフォン・パソコン）で通知を受け取る" in html
    assert 'data-sw-url="/t/10382/sw.js"' in html
    assert 'data-key-url="/t/10382/messaging/push/key/"' in html
    assert 'data-subscribe-url="/t/10382/messaging/push/subscribe/"' in html
    assert 'data-csrf="' in html and 'data-csrf=""' not in html
    for attribute in ("data-msg-success", "data-msg-denied", "data-msg-unsupported", "data-msg-error"):
        value = html.split(f'{attribute}="', 1)[1].split('"', 1)[0]
        assert value and any("\u3040" <= ch <= "\u30ff" for ch in value), attribute
    assert 'aria-live="polite"' in html
    assert 'type="button"' in html
    assert "/static/messaging/push.js" in html
    assert "<script>" not in html  # the CSP allows scripts from 'self' only
    assert "data-token" not in html


def test_the_include_passes_the_subscriber_token(town_a):
    html = render_include(town_a, subscriber_token="abc_DEF-123")
    assert 'data-token="abc_DEF-123"' in html


def test_the_payload_follows_the_subscribers_language():
    english = webpush.payload(outgoing("", {}, urgent=True, language="en", subject="Evacuation order"))
    assert english["title"] == "[URGENT] Evacuation order" and english["lang"] == "en"
    easy = webpush.payload(outgoing("", {}, urgent=True, language="ja-easy", subject="にげてください"))
    assert easy["title"] == "【きんきゅう】にげてください" and easy["lang"] == "ja"
    calm = webpush.payload(outgoing("", {}, urgent=False, subject="休館日"))
    assert calm["title"] == "休館日" and calm["urgent"] is False


def test_a_script_minting_subscriptions_is_refused_with_retry_after(client, town_a, settings):
    settings.YAKUBA_THROTTLE = {"messaging.push": (3, 600)}
    url = town_path(town_a, "messaging:push-subscribe")
    statuses = [post_json(client, url, {"subscription": {}}).status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    refused = post_json(client, url, {"subscription": {}})
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 600
    assert "分ほどたってから" in refused.json()["error"]["message"]
    # Another address is not affected: the limit is per caller.
    assert post_json(client, url, {"subscription": {}}, REMOTE_ADDR="192.0.2.9").status_code == 400

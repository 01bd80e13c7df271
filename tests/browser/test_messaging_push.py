"""Web Push in real Chromium at 360 px: the sign-up include (axe-core, keyboard, the status line) and the
service worker showing a push message. Headless Chromium cannot subscribe at a real push service, so the push
is handed to the service worker through the DevTools protocol (ServiceWorker.deliverPushMessage)."""

from __future__ import annotations

import json
import time

import pytest

from tests import factories
from tests.browser.conftest import PATIENCE_MS, assert_accessible, tab_to
from yakuba.kernel.messaging.channels import Outgoing, webpush

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUTTON = "この端末（スマートフォン・パソコン）で通知を受け取る"



def test_the_push_button_is_accessible_and_answers_a_refusal_by_keyboard(live_server, phone, settings,
                                                                          tmp_path):
    settings.VAPID_PRIVATE_KEY_FILE = str(tmp_path / "vapid.pem")
    town = factories.make_town()
    factories.make_category(town, "bousai")
    # The permission prompt cannot be answered in headless Chromium: this resident says no.
    phone.add_init_script("Notification.requestPermission = () => Promise.resolve('denied');")
    phone.goto(f"{live_server.url}{town.path_prefix}/notices/subscribe/")
    button = phone.get_by_role("button", name=BUTTON)
    assert button.is_visible()
    assert_accessible(phone)

    phone.locator("body").click(position={"x": 1, "y": 1})
    tab_to(phone, "[data-push-button]")
    phone.keyboard.press("Enter")
    status = phone.locator("[data-push-status]")
    status.filter(has_text="許可されていません").wait_for()
    assert "ブラウザの設定" in status.inner_text()
    assert phone.evaluate("document.activeElement.matches('[data-push-button]')")  # focus kept
    assert_accessible(phone)


def test_the_service_worker_shows_the_message_the_transport_sends(live_server, phone):
    town = factories.make_town()
    base = f"{live_server.url}{town.path_prefix}"
    phone.context.grant_permissions(["notifications"], origin=live_server.url)
    phone.goto(f"{base}/notices/")
    scope = phone.evaluate("""async () => {
      const registration = await navigator.serviceWorker.register('/t/10382/sw.js', {scope: '/t/10382/'});
      await navigator.serviceWorker.ready;
      return registration.scope;
    }""")
    assert scope == f"{base}/"

    devtools = phone.context.new_cdp_session(phone)
    registrations: list[dict] = []
    devtools.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    devtools.send("ServiceWorker.enable")
    deadline = time.monotonic() + PATIENCE_MS / 1000  # the registration event arrives while Playwright waits
    while not registrations and time.monotonic() < deadline:
        phone.wait_for_timeout(100)
    assert registrations, "the service worker registration was never reported"
    outgoing = Outgoing(key="0f5e2b8c-7c2d-4d4e-9a51-3d3c0b1f2a90", address="", keys={}, subject="避難指示",
                        body="直ちに避難してください。", page_url=f"{base}/notices/x/?m=1", unsubscribe_url="",
                        manage_url="", urgent=True, language="ja")
    devtools.send("ServiceWorker.deliverPushMessage", {
        "origin": live_server.url, "registrationId": registrations[0]["registrationId"],
        "data": json.dumps(webpush.payload(outgoing), ensure_ascii=False)})

    shown = phone.wait_for_function("""async () => {
      const registration = await navigator.serviceWorker.getRegistration('/t/10382/');
      const notifications = await registration.getNotifications();
      return notifications.length ? notifications.map((n) => ({title: n.title, body: n.body, tag: n.tag,
        url: n.data.url, requireInteraction: n.requireInteraction, lang: n.lang})) : null;
    }""").json_value()
    assert shown == [{"title": "【緊急】避難指示", "body": "直ちに避難してください。",
                      "tag": webpush.topic(outgoing.key), "url": f"{base}/notices/x/?m=1",
                      "requireInteraction": True, "lang": "ja"}]

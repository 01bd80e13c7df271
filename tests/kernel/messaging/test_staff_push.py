"""Web Push for staff: a staff member subscribes a browser on the 「通知の設定」 page, `push_to_staff` reaches it
through the delivery pipeline (against the local push service, payload decrypted), once per `once`, never to a
resident's broadcast, and 「すべての端末で通知を止める」 stops it."""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import transaction
from django_scopes import scope

from tests import factories
from tests.support.push_service import push_service  # noqa: F401 - fixture
from tests.support.tasks import run_worker
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.messaging import staff as staff_push
from yakuba.kernel.messaging.models import Endpoint, Subscriber


def _subscribe(client, town, info):
    return client.post(factories.town_url(town, "/staff/notifications/push/"),
                       json.dumps({"subscription": info}), content_type="application/json")


@pytest.mark.django_db(transaction=True)
def test_a_subscribed_browser_is_told_once_and_can_be_stopped(push_service):  # noqa: F811
    town = factories.make_town()
    staff = factories.make_staff(town)
    client = factories.staff_client(staff)
    page = client.get(factories.town_url(town, "/staff/notifications/")).content.decode()
    assert 'data-subscribe-url="/t/10382/staff/notifications/push/"' in page
    assert "通知を受け取っている端末はありません" in page
    info = push_service.subscription()
    assert _subscribe(client, town, info).json() == {"ok": True}
    with scope(municipality=town):
        assert Subscriber.objects.get(staff=staff).endpoints.get().address == info["endpoint"]
        assert AuditEntry.objects.filter(action="messaging.staff_push.subscribed").count() == 1
        with transaction.atomic():
            assert staff_push.push_to_staff(staff, subject="決裁をお待ちの起案があります", body="用紙の購入",
                                            url="/staff/approvals/", once="t:1") is not None
        with transaction.atomic():
            assert staff_push.push_to_staff(staff, subject="again", body="again", url="/staff/approvals/",
                                            once="t:1") is None
    run_worker()
    [message] = push_service.received
    assert message["payload"]["title"] == "決裁をお待ちの起案があります"
    assert message["payload"]["body"] == "用紙の購入"
    assert "/t/10382/staff/approvals/?m=" in message["payload"]["url"]
    page = client.get(factories.town_url(town, "/staff/notifications/")).content.decode()
    assert "1台の端末で受け取っています" in page

    stop = client.post(factories.town_url(town, "/staff/notifications/stop/"), {"_once": uuid.uuid4().hex})
    assert stop.status_code == 302
    with scope(municipality=town):
        assert not staff_push.browsers(staff).exists()
        assert staff_push.push_to_staff(staff, subject="x", body="y", url="/staff/", once="t:2") is None


@pytest.mark.django_db
def test_a_bad_subscription_is_refused_and_only_staff_may_subscribe(town_a, staff_a, resident_a):
    client = factories.staff_client(staff_a)
    bad = _subscribe(client, town_a, {"endpoint": "http://10.0.0.1/x", "keys": {"p256dh": "AA", "auth": "BB"}})
    assert bad.status_code == 400 and "正しくありません" in bad.json()["error"]
    not_json = client.post(factories.town_url(town_a, "/staff/notifications/push/"), {"a": "b"})
    assert not_json.status_code == 400
    resident = factories.staff_client(staff_a)
    resident.force_login(resident_a.user)
    assert _subscribe(resident, town_a, {}).status_code == 403
    with scope(municipality=town_a):
        assert not Endpoint.objects.exists()
        assert staff_push.push_to_staff(staff_a, subject="x", body="y", url="/staff/", once="t") is None

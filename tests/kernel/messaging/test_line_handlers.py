"""Apps answer LINE text messages and postbacks through the kernel's handler registry (longest prefix wins, a failing
handler still lets the webhook answer LINE), and tell one resident a personal message on their linked LINE only, once
per fact."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests.factories import make_resident, make_subscriber
from tests.kernel.messaging.test_line import LINE_A, USER_1, USER_2, configure, event, post_webhook
from tests.support.line_api import line_api  # noqa: F401 - fixture
from yakuba.kernel.messaging import line_events, residents
from yakuba.kernel.messaging.channels.line import line_channel
from yakuba.kernel.messaging.models import Broadcast, Delivery


@pytest.fixture(autouse=True)
def _handlers():
    """Handlers of this module only, and the apps' ones back afterwards."""
    saved = dict(line_events._text_handlers), dict(line_events._postback_handlers)
    line_events._text_handlers.clear()
    line_events._postback_handlers.clear()
    yield
    line_events._text_handlers.clear()
    line_events._postback_handlers.clear()
    line_events._text_handlers.update(saved[0])
    line_events._postback_handlers.update(saved[1])


def text_event(text: str, user_id: str = USER_1) -> dict:
    return event("message", user_id, replyToken="reply-" + text,
                 message={"type": "text", "id": "1", "text": text, "quoteToken": "q"})


def postback_event(data: str, user_id: str = USER_1) -> dict:
    return event("postback", user_id, replyToken="reply-pb", postback={"data": data})


def answer(label: str):
    from linebot.v3.messaging import TextMessage

    def handler(incoming: line_events.Incoming):
        who = incoming.resident.family_name if incoming.resident else "?"
        return [TextMessage(text=f"{label}:{incoming.text or incoming.data}:{who}")]
    return handler


def replied(line_api) -> list[str]:  # noqa: F811
    return [message["text"] for reply in line_api.replies for message in reply["messages"]]


@pytest.mark.django_db
def test_text_goes_to_the_longest_matching_prefix_and_postbacks_by_their_prefix(client, town_a, line_api):  # noqa: F811
    configure(town_a)
    make_subscriber(town_a, line_user=USER_1, resident=make_resident(town_a, family_name="上野"))
    line_events.register_text_handler("予約", answer("book"))
    line_events.register_text_handler("予約の確認", answer("list"))
    line_events.register_text_handler(lambda text: text.endswith("？"), answer("ask"))
    line_events.register_postback_handler("app:", answer("pb"))
    events = [text_event("予約したい"), text_event("予約の確認"), text_event("ごみの日は？"), text_event("こんにちは"),
              postback_event("app:x=1"), postback_event("other:1")]
    assert post_webhook(client, town_a, events).status_code == 200
    assert replied(line_api) == ["book:予約したい:上野", "list:予約の確認:上野", "ask:ごみの日は？:上野",
                                 "pb:app:x=1:上野"]


@pytest.mark.django_db
def test_an_unlinked_user_has_no_resident_and_can_be_invited_to_link(client, town_a, line_api):  # noqa: F811
    configure(town_a)
    make_subscriber(town_a, line_user=USER_2)  # followed, never linked
    line_events.register_text_handler("予約", answer("book"))
    assert post_webhook(client, town_a, [text_event("予約", USER_2)]).status_code == 200
    assert replied(line_api) == ["book:予約:?"]
    with scope(municipality=town_a):
        invitation = line_events.link_invitation(town_a, line_channel(town_a), USER_2)
    assert "連携" in invitation and "/t/10382/messaging/line/link/?linkToken=" in invitation


@pytest.mark.django_db
def test_a_failing_handler_still_answers_line(client, town_a, line_api):  # noqa: F811
    configure(town_a)

    def broken(incoming):
        raise RuntimeError("bug")
    line_events.register_text_handler("予約", broken)
    assert post_webhook(client, town_a, [text_event("予約")]).status_code == 200
    assert line_api.replies == []


@pytest.mark.django_db(transaction=True)
def test_a_personal_message_goes_to_the_residents_line_only_and_once(town_a, line_api, settings):  # noqa: F811
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                                  "QUEUES": ["default", "mail", "messaging", "urgent"]}}
    configure(town_a)
    line_api.tokens.add(LINE_A["access_token"])
    resident = make_resident(town_a)
    make_subscriber(town_a, line_user=USER_1, email="notices@example.jp", resident=resident)
    with scope(municipality=town_a):
        first = residents.push_to_resident(resident, subject="予約", body="10:00〜10:15", url="/transport/",
                                           once="test.fact:1")
        again = residents.push_to_resident(resident, subject="予約", body="10:00〜10:15", url="/transport/",
                                           once="test.fact:1")
        assert first is not None and again is None
        assert list(Delivery.objects.filter(broadcast=first).values_list("channel", flat=True)) == ["line"]
    assert line_api.reach()["users"] == 1
    texts = [m["text"] for sent in line_api.pushes + line_api.multicasts for m in sent["messages"]]
    assert len(texts) == 1 and "10:00〜10:15" in texts[0]


@pytest.mark.django_db
def test_no_personal_line_message_without_a_linked_account_or_the_towns_line(town_a):
    resident = make_resident(town_a)
    make_subscriber(town_a, line_user=USER_1)  # someone's LINE, not this resident's
    with scope(municipality=town_a):
        assert residents.line_endpoint(resident) is None
        make_subscriber(town_a, line_user=USER_2, resident=resident)
        assert residents.line_endpoint(resident) is None  # the town has no LINE account configured
        configure(town_a)
        resident.municipality.refresh_from_db()
        assert residents.line_endpoint(resident) is not None
        assert residents.push_to_resident(make_resident(town_a), subject="s", body="b", url="/", once="x") is None
        assert not Broadcast.objects.exists()

"""Booking デマンド交通 in the LINE chat, against the fake LINE API on loopback with the real SDK: 「予約」 → 乗る場所 →
降りる場所 → day → time → confirm, answered with the pickup window; a full time answered with the nearest times that
fit, one of which books; 「予約の確認」 lists the rides and cancels one after a question; an unlinked user is asked to
link their account; forged postback data does nothing."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
import time_machine
from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.kernel.messaging.test_line import LINE_A, USER_1, USER_2, configure, event, post_webhook
from tests.support.line_api import line_api  # noqa: F401 - fixture
from tests.transport.support import IMMEDIATE_TASKS, make_rider, make_service, stop
from yakuba.transport.models import Channel, Ride, RideStatus
from yakuba.transport.services import booking

pytestmark = pytest.mark.django_db(transaction=True)

# A Tuesday morning with no holiday near: 今日, 明日 and あさって all run.
MORNING = datetime(2027, 1, 12, 7, 0)


@pytest.fixture
def chat(client, town_a, line_api, settings):  # noqa: F811
    settings.TASKS = IMMEDIATE_TASKS
    configure(town_a)
    line_api.tokens.add(LINE_A["access_token"])
    make_service(town_a, vehicles=1, capacity=2)
    resident = factories.make_resident(town_a, family_name="上野", birthdate=date(1950, 1, 1))
    factories.make_subscriber(town_a, line_user=USER_1, resident=resident)
    with time_machine.travel(timezone.make_aware(MORNING), tick=True):
        yield Chat(client, town_a, line_api)


class Chat:
    """What the resident types and taps, and what the town's account answers."""

    def __init__(self, client, town, line_api) -> None:  # noqa: F811
        self.client, self.town, self.line_api = client, town, line_api

    def _post(self, body: dict) -> dict:
        before = len(self.line_api.replies)
        assert post_webhook(self.client, self.town, [body]).status_code == 200
        [reply] = self.line_api.replies[before:]
        [message] = reply["messages"]
        return message

    def say(self, text: str, user_id: str = USER_1) -> dict:
        return self._post(event("message", user_id, replyToken="r-" + text,
                                message={"type": "text", "id": "1", "text": text, "quoteToken": "q"}))

    def tap(self, message: dict, label: str, user_id: str = USER_1) -> dict:
        return self._post(event("postback", user_id, replyToken="r-tap", postback={"data": data(message, label)}))


def labels(message: dict) -> list[str]:
    return [item["action"]["label"] for item in message.get("quickReply", {}).get("items", [])]


def data(message: dict, label: str) -> str:
    return next(item["action"]["data"] for item in message["quickReply"]["items"] if item["action"]["label"] == label)


def book_tomorrow_at(chat: Chat, clock: str) -> dict:
    where = chat.say("予約")
    assert where["text"] == "どこから乗りますか？"
    assert labels(where)[:3] == ["役場前", "町立病院", "スーパー前"]
    to = chat.tap(where, "東公民館")
    assert to["text"] == "どこで降りますか？"
    assert "西公民館" not in labels(to) and "東公民館" not in labels(to)  # 東 does not reach 西
    when = chat.tap(to, "町立病院")
    assert labels(when) == ["今日 1月12日（火）", "明日 1月13日（水）", "あさって 1月14日（木）"]
    hour = chat.tap(when, "明日 1月13日（水）")
    assert labels(hour)[:3] == ["8:00", "8:30", "9:00"] and labels(hour)[-1] == "もっと後の時間"
    later = chat.tap(hour, "もっと後の時間")
    confirm = chat.tap(hour if clock in labels(hour) else later, clock)
    assert "1月13日（水） " + clock in confirm["text"] and "東公民館 → 町立病院" in confirm["text"]
    assert labels(confirm) == ["予約する", "2人で予約", "3人で予約", "やめる"]
    return confirm


def test_a_linked_resident_books_in_the_chat_and_is_told_the_window(chat, town_a):
    confirm = book_tomorrow_at(chat, "10:00")
    done = chat.tap(confirm, "予約する")
    with scope(municipality=town_a):
        ride = Ride.objects.get()
        assert (ride.status, ride.channel, ride.passengers) == (RideStatus.CONFIRMED, Channel.LINE, 1)
        assert (ride.fare_yen, ride.reduction) == (150, "elderly")  # 77 years old
    assert done["text"].startswith(f"予約しました（予約番号 {ride.number}）。")
    assert "1月13日（水） 10:00〜10:15の間に東公民館へお迎えに上がります" in done["text"]
    assert "運賃は150円です" in done["text"]


def test_a_full_time_is_answered_with_times_that_fit_and_one_books(chat, town_a):
    with scope(municipality=town_a):
        other = make_rider(town_a, factories.make_resident(town_a, family_name="下田"))
        wish = booking.Wish(pickup=stop(town_a, "east2"), dropoff=stop(town_a, "super"), day=date(2027, 1, 13),
                            at=time(10), passengers=2)
        assert booking.book(other, wish, channel=Channel.PHONE).ride.status == RideStatus.CONFIRMED
    answer = chat.tap(book_tomorrow_at(chat, "10:00"), "予約する")
    assert answer["text"].startswith("申し訳ありません。その時間は車両に空きがありません。")
    times = [label for label in labels(answer) if label != "やめる"]
    assert times, answer
    done = chat.tap(answer, times[0])
    assert done["text"].startswith("予約しました"), done["text"]
    with scope(municipality=town_a):
        assert Ride.objects.filter(rider__resident__family_name="上野", status=RideStatus.CONFIRMED).count() == 1
        assert Ride.objects.filter(status=RideStatus.REFUSED).count() == 1  # kept for the 現状分析


def test_the_rides_are_listed_and_one_is_cancelled_after_a_question(chat, town_a):
    chat.tap(book_tomorrow_at(chat, "10:00"), "予約する")
    with scope(municipality=town_a):
        ride = Ride.objects.get()
    listed = chat.say("予約の確認")
    assert f"{ride.number} 1月13日（水） 10:00〜10:15 東公民館 → 町立病院（予約確定）" in listed["text"]
    asked = chat.tap(listed, "1/13 10:00を取消")
    assert asked["text"].startswith("この予約を取り消しますか？")
    kept = chat.tap(asked, "取り消さない")
    assert "わかりました" in kept["text"]
    done = chat.tap(asked, "取り消す")
    assert done["text"] == f"予約番号 {ride.number} を取り消しました。"
    with scope(municipality=town_a):
        assert Ride.objects.get(pk=ride.pk).status == RideStatus.CANCELLED
    assert chat.say("予約の確認")["text"].startswith("これからのご予約はありません。")


def test_with_many_stops_the_zones_are_offered_first(chat, town_a):
    from decimal import Decimal

    from yakuba.transport.models import Stop, Zone

    with scope(municipality=town_a):
        centre = Zone.objects.get(name="中心部")
        for n in range(8):
            Stop.objects.create(municipality=town_a, code=f"extra{n}", zone=centre, name=f"商店{n}",
                                latitude=Decimal("36.2110"), longitude=Decimal("138.7900"), sort_order=20 + n)
    where = chat.say("予約")
    assert labels(where) == ["中心部から選ぶ", "東地区から選ぶ", "西地区から選ぶ"]  # no rides yet: no usual stops
    east = chat.tap(where, "東地区から選ぶ")
    assert east["text"] == "東地区のどこですか？" and labels(east) == ["東公民館", "東集落センター"]
    to = chat.tap(east, "東集落センター")
    assert to["text"] == "どこで降りますか？"
    # 西 is out of reach from 東: the 12 stops left fit in one list.
    assert labels(to)[:3] == ["役場前", "町立病院", "スーパー前"] and len(labels(to)) == 12
    assert "西公民館" not in labels(to) and "東集落センター" not in labels(to)
    assert chat.tap(to, "商店3")["text"] == "いつ乗りますか？"


def test_an_unlinked_line_user_is_asked_to_link_their_account(chat, town_a):
    factories.make_subscriber(town_a, line_user=USER_2)
    answer = chat.say("予約", USER_2)
    assert "アカウントの連携が必要です" in answer["text"]
    assert "/t/10382/messaging/line/link/?linkToken=" in answer["text"]


def test_another_users_or_a_forged_postback_does_nothing(chat, town_a):
    where = chat.say("予約")
    factories.make_subscriber(town_a, line_user=USER_2, resident=factories.make_resident(town_a))
    # The same data tapped by another LINE user (a forwarded screenshot cannot carry it, but a forger could try).
    stolen = chat.tap(where, "東公民館", USER_2)
    assert "期限が切れました" in stolen["text"]
    forged = chat._post(event("postback", USER_1, replyToken="r", postback={"data": "transport:eyJhIjoiYiJ9:x:y"}))
    assert "期限が切れました" in forged["text"]
    with scope(municipality=town_a):
        assert not Ride.objects.exists()

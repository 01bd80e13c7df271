"""Booking デマンド交通 in the town's LINE chat, for residents who linked their LINE to their town account.

「予約」 starts: 乗る場所 → 降りる場所 → day (今日・明日・あさって) → time (half-hours in service hours) → confirm, each
answered with quick replies; the confirm books through `booking.book` and answers with the pickup window, or with the
nearest times that fit (quick replies that book one). 「予約の確認」 lists the rider's coming rides, each with a button
that cancels it (after a question). What was chosen so far travels in the postback data, signed with the user's id
(django.core.signing), so no conversation state is kept on the server and nobody can forge or replay another's."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Resident
from yakuba.kernel.messaging import line_events
from yakuba.kernel.messaging.line_events import Incoming
from yakuba.kernel.refusal import Refused

from ..models import Channel, Ride, Rider, RideStatus, Service, Stop, Zone
from . import access

if TYPE_CHECKING:
    from types import ModuleType


def _services() -> tuple[ModuleType, ModuleType]:
    """booking and setup, imported on first use: booking loads the solver (OR-Tools), which web processes that never
    book by LINE need not pay for at start-up."""
    from . import booking, setup

    return booking, setup

logger = logging.getLogger(__name__)

PREFIX = "transport:"
SALT = "yakuba.transport.line"
MAX_AGE = 2 * 3600  # a conversation left for two hours starts again
QUICK_REPLIES = 13  # LINE's limit
LABEL = 20  # LINE's limit for a quick reply label
BOOK_WORDS = ("予約", "よやく", "デマンド")
CHECK_WORDS = ("予約の確認", "予約確認", "予約の取消", "予約の取り消し", "キャンセル")


# ---------------------------------------------------------------- postback data

def _salt(incoming: Incoming) -> str:
    return f"{SALT}:{incoming.municipality.pk}:{incoming.user_id}"


def pack(incoming: Incoming, **state: Any) -> str:
    """Postback data naming the next step and what was chosen (at most 300 characters, as LINE allows)."""
    data = PREFIX + signing.dumps(state, salt=_salt(incoming), compress=True)
    assert len(data) <= 300, data
    return data


def unpack(incoming: Incoming) -> dict[str, Any] | None:
    try:
        state = signing.loads(incoming.data[len(PREFIX):], salt=_salt(incoming), max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    return state if isinstance(state, dict) else None


# ---------------------------------------------------------------- messages

def _text(text: str, items: list[tuple[str, str, str]] | None = None) -> Any:
    """A text message with quick replies (label, postback data, the text shown as the user's answer)."""
    from linebot.v3.messaging import PostbackAction, QuickReply, QuickReplyItem, TextMessage

    if not items:
        return TextMessage(text=text)
    replies = [QuickReplyItem(action=PostbackAction(label=label[:LABEL], data=data, display_text=shown[:300]))
               for label, data, shown in items[:QUICK_REPLIES]]
    return TextMessage(text=text, quick_reply=QuickReply(items=replies))


def _hm(moment: datetime | time) -> str:
    return formats.time_format(timezone.localtime(moment) if isinstance(moment, datetime) else moment, "G:i")


def _day_label(day: date) -> str:
    return formats.date_format(day, "n月j日（D）")


# ---------------------------------------------------------------- who is asking

def _rider(incoming: Incoming) -> tuple[Service | None, Rider | None, list[Any]]:
    """The service and the asking resident's 利用登録 (made on first use), or the answer to give instead."""
    booking, _setup = _services()
    service = access.service()
    if service is None or not service.active:
        return None, None, [_text(_("現在、デマンド交通の予約を受け付けていません。"))]
    resident: Resident | None = incoming.resident
    if resident is None:
        invitation = line_events.link_invitation(incoming.municipality, incoming.channel, incoming.user_id)
        return service, None, [_text(invitation)]
    rider = booking.rider_for(resident) or booking.register_rider(resident)
    return service, rider, []


# ---------------------------------------------------------------- the steps

def _stop_items(incoming: Incoming, stops: list[Stop], step: str, state: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(s.name, pack(incoming, **state, a=step, s=s.pk), s.name) for s in stops]


def _choose_stop(incoming: Incoming, rider: Rider, *, question: str, step: str, state: dict[str, Any],
                 exclude: Stop | None = None, zone: Zone | None = None) -> list[Any]:
    """Quick replies of stops: all of them when they fit, else the rider's usual ones and then the zones."""
    booking, setup = _services()
    stops = [s for s in Stop.objects.filter(active=True).select_related("zone")
             if (exclude is None or (s.pk != exclude.pk and setup.reachable(exclude, s)))
             and (zone is None or s.zone_id == zone.pk)]
    if not stops:
        return [_text(_("行ける乗降ポイントがありません。予約センターにお電話ください。"))]
    if len(stops) <= QUICK_REPLIES:
        return [_text(question, _stop_items(incoming, stops, step, state))]
    known = {s.pk for s in stops}
    usual = [s for s in booking.usual_stops(rider) if s.pk in known][:QUICK_REPLIES // 2]
    zones = Zone.objects.filter(pk__in={s.zone_id for s in stops})
    items = _stop_items(incoming, usual, step, state)
    items += [(_("%(zone)sから選ぶ") % {"zone": z.name}, pack(incoming, **state, a="z", z=z.pk, n=step), z.name)
              for z in zones]
    return [_text(question, items)]


def start(incoming: Incoming) -> list[Any] | None:
    """「予約」: where will you be picked up?"""
    service, rider, answer = _rider(incoming)
    if rider is None:
        return answer
    return _choose_stop(incoming, rider, question=_("どこから乗りますか？"), step="p", state={})


def _stop(pk: Any) -> Stop | None:
    return Stop.objects.filter(pk=pk, active=True).select_related("zone").first() if isinstance(pk, int) else None


def _days(service: Service) -> list[date]:
    _booking, setup = _services()
    today = timezone.localdate()
    names = range(3)  # 今日, 明日, あさって
    return [today + timedelta(days=n) for n in names
            if n <= service.book_days_ahead and setup.operating(service, today + timedelta(days=n))]


def _times(service: Service, day: date) -> list[time]:
    """Half-hours in service hours that can still be booked on `day`."""
    earliest = timezone.localtime(timezone.now() + timedelta(minutes=service.book_minutes_before))
    moment = datetime.combine(day, service.opens)
    last = datetime.combine(day, service.closes) - timedelta(minutes=30)
    found = []
    while moment <= last:
        if timezone.make_aware(moment) >= earliest:
            found.append(moment.time())
        moment += timedelta(minutes=30)
    return found


def _ask_day(incoming: Incoming, service: Service, state: dict[str, Any]) -> list[Any]:
    today = timezone.localdate()
    words = {0: _("今日"), 1: _("明日"), 2: _("あさって")}
    items = [(f"{words[(d - today).days]} {_day_label(d)}", pack(incoming, **state, a="t", y=d.isoformat()),
              f"{words[(d - today).days]}（{_day_label(d)}）") for d in _days(service) if _times(service, d)]
    if not items:
        return [_text(_("今日から3日の間に予約できる日がありません。予約センターにお電話ください。"))]
    return [_text(_("いつ乗りますか？"), items)]


def _ask_time(incoming: Incoming, service: Service, state: dict[str, Any], offset: int) -> list[Any]:
    day = date.fromisoformat(state["y"])
    times = _times(service, day)
    if not times:
        return [_text(_("この日はもう予約できる時間がありません。"))]
    page = times[offset:offset + QUICK_REPLIES - 1]
    base = {k: v for k, v in state.items() if k != "o"}
    items = [(_hm(t), pack(incoming, **base, a="c", t=t.strftime("%H:%M")), _("%(time)sに乗る") % {"time": _hm(t)})
             for t in page]
    if offset + len(page) < len(times):
        items.append((_("もっと後の時間"), pack(incoming, **base, a="t", o=offset + len(page)), _("もっと後の時間")))
    return [_text(_("何時ごろにお迎えに行きましょうか？（お迎えはその時刻から%(n)d分の間です）")
                  % {"n": service.window_minutes}, items)]


def _confirm(incoming: Incoming, service: Service, rider: Rider, state: dict[str, Any]) -> list[Any]:
    from . import fares

    pickup, dropoff = _stop(state.get("p")), _stop(state.get("d"))
    if pickup is None or dropoff is None:
        return _restart()
    day = date.fromisoformat(state["y"])
    summary = _("%(day)s %(time)sごろ\n%(pickup)s → %(dropoff)s") % {
        "day": _day_label(day), "time": state["t"].lstrip("0"), "pickup": pickup.name, "dropoff": dropoff.name}
    items = []
    for people in (1, 2, 3):
        yen, _reduction = fares.fare_for(rider, people, day, service=service)
        label = _("予約する") if people == 1 else _("%(n)d人で予約") % {"n": people}
        items.append((label, pack(incoming, **state, a="b", n=people),
                      _("%(n)d人で予約します（運賃%(yen)d円）") % {"n": people, "yen": yen}))
    items.append((_("やめる"), pack(incoming, a="x"), _("やめる")))
    return [_text(_("この内容で予約しますか？\n%(summary)s") % {"summary": summary}, items)]


def _restart() -> list[Any]:
    return [_text(_("最初からやり直してください。「予約」と送ると始まります。"))]


def _alternatives(incoming: Incoming, state: dict[str, Any], alternatives: list[datetime]) -> list[Any]:
    items = [(_hm(a), pack(incoming, **{**state, "t": timezone.localtime(a).strftime("%H:%M")}, a="b"),
              _("%(time)sで予約します") % {"time": _hm(a)}) for a in alternatives]
    items.append((_("やめる"), pack(incoming, a="x"), _("やめる")))
    if len(items) == 1:
        return [_text(_("申し訳ありません。その時間は車両に空きがありません。別の日か時間でお試しください。"))]
    return [_text(_("申し訳ありません。その時間は車両に空きがありません。この時間なら乗れます。"), items)]


def _book(incoming: Incoming, service: Service, rider: Rider, state: dict[str, Any]) -> list[Any]:
    booking, _setup = _services()
    pickup, dropoff = _stop(state.get("p")), _stop(state.get("d"))
    if pickup is None or dropoff is None:
        return _restart()
    wish = booking.Wish(pickup=pickup, dropoff=dropoff, day=date.fromisoformat(state["y"]),
                        at=time.fromisoformat(state["t"]), passengers=int(state.get("n", 1)))
    try:
        outcome = booking.book(rider, wish, channel=Channel.LINE)
    except Refused as refused:
        return [_text("\n".join(refused.messages))]
    ride = outcome.ride
    if ride.status == RideStatus.CONFIRMED:
        return [_text(_("予約しました（予約番号 %(number)s）。\n%(day)s %(start)s〜%(end)sの間に%(pickup)sへお迎えに"
                        "上がります。\n運賃は%(yen)d円です。車内でお支払いください。")
                      % {"number": ride.number, "day": _day_label(ride.day), "start": _hm(ride.window_start),
                         "end": _hm(ride.window_end), "pickup": ride.pickup.name, "yen": ride.fare_yen})]
    if ride.status == RideStatus.QUEUED:
        return [_text(_("ご予約を受け付けました（予約番号 %(number)s）。担当者が配車を確認して、お知らせします。")
                      % {"number": ride.number})]
    return _alternatives(incoming, state, outcome.alternatives)


def rides(incoming: Incoming) -> list[Any] | None:
    """「予約の確認」: the rider's coming rides, each with a button that asks before cancelling it."""
    booking, _setup = _services()
    _service, rider, answer = _rider(incoming)
    if rider is None:
        return answer
    coming = booking.upcoming(rider)
    if not coming:
        return [_text(_("これからのご予約はありません。「予約」と送ると予約できます。"))]
    lines = [_("これからのご予約です。")]
    items = []
    for ride in coming[:QUICK_REPLIES]:
        lines.append(_("%(number)s %(day)s %(start)s〜%(end)s %(pickup)s → %(dropoff)s（%(status)s）") % {
            "number": ride.number, "day": _day_label(ride.day), "start": _hm(ride.window_start),
            "end": _hm(ride.window_end), "pickup": ride.pickup.name, "dropoff": ride.dropoff.name,
            "status": ride.get_status_display()})
        if ride.status in (RideStatus.CONFIRMED, RideStatus.QUEUED):
            items.append((_("%(day)s %(time)sを取消") % {"day": formats.date_format(ride.day, "n/j"),
                                                          "time": _hm(ride.window_start)},
                          pack(incoming, a="k", r=ride.pk), _("%(number)sを取り消したい") % {"number": ride.number}))
    return [_text("\n".join(lines), items)]


def _own_ride(rider: Rider, pk: Any) -> Ride | None:
    if not isinstance(pk, int):
        return None
    return Ride.objects.filter(pk=pk, rider=rider).select_related("pickup", "dropoff", "rider").first()


def _cancel(incoming: Incoming, rider: Rider, state: dict[str, Any], *, sure: bool) -> list[Any]:
    booking, _setup = _services()
    ride = _own_ride(rider, state.get("r"))
    if ride is None:
        return _restart()
    if not sure:
        question = _("この予約を取り消しますか？\n%(number)s %(day)s %(start)s〜%(end)s %(pickup)s → %(dropoff)s") % {
            "number": ride.number, "day": _day_label(ride.day), "start": _hm(ride.window_start),
            "end": _hm(ride.window_end), "pickup": ride.pickup.name, "dropoff": ride.dropoff.name}
        return [_text(question, [(_("取り消す"), pack(incoming, a="kk", r=ride.pk), _("取り消します")),
                                 (_("取り消さない"), pack(incoming, a="x"), _("取り消さない"))])]
    try:
        booking.cancel(ride, resident=rider.resident)
    except Refused as refused:
        return [_text("\n".join(refused.messages))]
    return [_text(_("予約番号 %(number)s を取り消しました。") % {"number": ride.number})]


def _step(incoming: Incoming, service: Service, rider: Rider, state: dict[str, Any]) -> list[Any]:
    step = state.get("a")
    if step == "z":  # a zone chosen: its stops, for the step that asked
        chosen = state.get("z")
        zone = Zone.objects.filter(pk=chosen).first() if isinstance(chosen, int) else None
        base = {k: v for k, v in state.items() if k not in ("a", "z", "n")}
        exclude = _stop(state.get("p")) if state.get("n") == "d" else None
        return _choose_stop(incoming, rider, question=_("%(zone)sのどこですか？") % {"zone": zone.name if zone else ""},
                            step=str(state.get("n")), state=base, exclude=exclude, zone=zone)
    if step == "p":  # the pickup chosen: where to?
        pickup = _stop(state.get("s"))
        if pickup is None:
            return _restart()
        return _choose_stop(incoming, rider, question=_("どこで降りますか？"), step="d", state={"p": pickup.pk},
                            exclude=pickup)
    if step == "d":
        return _ask_day(incoming, service, {"p": state.get("p"), "d": state.get("s")})
    if step == "t":
        return _ask_time(incoming, service, {k: v for k, v in state.items() if k != "a"}, int(state.get("o", 0)))
    if step == "c":
        return _confirm(incoming, service, rider, {k: v for k, v in state.items() if k != "a"})
    if step == "b":
        return _book(incoming, service, rider, {k: v for k, v in state.items() if k != "a"})
    if step in ("k", "kk"):
        return _cancel(incoming, rider, state, sure=step == "kk")
    if step == "x":
        return [_text(_("わかりました。また「予約」と送ってください。"))]
    return _restart()


def postback(incoming: Incoming, *, in_worker: bool = False) -> list[Any] | None:
    state = unpack(incoming)
    if state is None:
        return [_text(_("この操作は期限が切れました。もう一度「予約」と送ってください。"))]
    if state.get("a") == "b" and not in_worker:
        # Booking runs the solver (seconds): the worker books and replies, the webhook answers LINE at once.
        from .. import tasks

        tasks.line_book.enqueue(incoming.municipality.pk, incoming.user_id, incoming.reply_token, incoming.data)
        return None
    service, rider, answer = _rider(incoming)
    if service is None or rider is None:
        return answer
    try:
        return _step(incoming, service, rider, state)
    except (KeyError, ValueError, TypeError):
        logger.warning("transport LINE postback with unexpected state %s", sorted(state))
        return _restart()


def register() -> None:
    """Called from the app's ready(): the words and postbacks this module answers."""
    for word in BOOK_WORDS:
        line_events.register_text_handler(word, start)
    for word in CHECK_WORDS:
        line_events.register_text_handler(word, rides)
    line_events.register_postback_handler(PREFIX, postback)

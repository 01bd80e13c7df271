"""The figures of デマンド交通 a plan's indicators can be bound to (kernel.metrics): the numbers of the 現状分析レポート
(services/report.py says how each is counted). Read inside the town's scope."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from yakuba.kernel import metrics
from yakuba.kernel.metrics import Kind, Metric

from .models import RideStatus, Service
from .services import report
from .services.access import service as town_service


def rides(start: date, end: date) -> int:
    """利用件数: completed rides with their day in [start, end)."""
    return report.rides(start, end).filter(status=RideStatus.DONE).count()


def riders(start: date, end: date) -> int:
    """実利用者数: distinct riders with a completed ride in [start, end)."""
    return report.rides(start, end).filter(status=RideStatus.DONE).values("rider_id").distinct().count()


def refusal_share(start: date, end: date) -> float | None:
    """Share (%) of the bookings of [start, end) that were refused (no room, no plan in time, too many people)."""
    found = report.rides(start, end)
    return metrics.share(found.filter(status=RideStatus.REFUSED).count(), found.count())


def online_share(start: date, end: date) -> float | None:
    """Share (%) of the bookings of [start, end) made on the web or through LINE rather than by phone or at the
    counter (plan 003's 地域MaaS: residents who book themselves)."""
    found = report.rides(start, end)
    return metrics.share(found.filter(channel__in=report.ONLINE).count(), found.count())


def _driving(start: date, end: date) -> report.Driving | None:
    current: Service | None = town_service()
    return report.driving(current, start, end) if current is not None else None


def occupancy(start: date, end: date) -> float | None:
    """乗車密度: passenger-kilometres ÷ driven kilometres in [start, end)."""
    found = _driving(start, end)
    return found.occupancy if found is not None else None


def empty_km_share(start: date, end: date) -> float | None:
    """空車走行の割合 (%): kilometres driven with nobody aboard ÷ all kilometres driven."""
    found = _driving(start, end)
    return found.empty_share if found is not None else None


def riders_per_trip(start: date, end: date) -> float | None:
    """平均乗合人数: passengers per 運行便 (a stretch from the car becoming occupied to it becoming empty)."""
    found = _driving(start, end)
    return found.riders_per_trip if found is not None else None


def mean_wait_minutes(start: date, end: date) -> float | None:
    """Mean minutes from the start of the pickup window to boarding (0 when the car came early), completed rides."""
    done = report.rides(start, end).filter(status=RideStatus.DONE, boarded_at__isnull=False)
    waits = [max(0.0, (boarded - window).total_seconds() / 60)
             for boarded, window in done.values_list("boarded_at", "window_start")]
    return sum(waits) / len(waits) if waits else None


def registered_riders(start: date, end: date) -> int:
    """利用登録者数 at the window's end."""
    return report.registered_riders(end)


APP = "transport"
metrics.register(Metric("transport.rides", _("デマンド交通の利用件数"), "件", rides, app=APP,
                        description=_("期間内に乗車して降車まで済んだ予約の件数（同乗者は数えない）")))
metrics.register(Metric("transport.riders", _("デマンド交通の実利用者数"), "人", riders, app=APP,
                        description=_("期間内に一度でも乗車した利用登録者の数")))
metrics.register(Metric("transport.refusal_share", _("デマンド交通の予約をお断りした割合"), "%", refusal_share,
                        kind=Kind.RATE, app=APP,
                        description=_("期間内の予約の申込みのうち、車両に空きがない等でお断りした割合")))
metrics.register(Metric("transport.occupancy", _("デマンド交通の乗車密度"), "人", occupancy, kind=Kind.RATE, app=APP,
                        description=_("乗客の人キロ ÷ 車両の走行キロ（走行1kmあたりの平均乗車人数）")))
metrics.register(Metric("transport.riders_per_trip", _("デマンド交通の1便あたり乗車人数"), "人", riders_per_trip,
                        kind=Kind.RATE, app=APP,
                        description=_("乗客を乗せてから空になるまでを1便として、1便あたりの乗客数")))
metrics.register(Metric("transport.empty_km_share", _("デマンド交通の空車走行の割合"), "%", empty_km_share,
                        kind=Kind.RATE, app=APP,
                        description=_("車両の走行距離のうち、乗客を乗せずに走った距離の割合")))
metrics.register(Metric("transport.mean_wait_minutes", _("デマンド交通の平均待ち時間"), "分", mean_wait_minutes,
                        kind=Kind.RATE, app=APP,
                        description=_("お迎えの時間帯の始まりから乗車までの分数の平均（早く着いた場合は0分）")))
metrics.register(Metric("transport.registered_riders", _("デマンド交通の利用登録者数"), "人", registered_riders,
                        kind=Kind.STOCK, app=APP, description=_("期間の終わりの時点の利用登録者数")))
metrics.register(Metric("transport.online_share", _("デマンド交通のオンライン予約の割合"), "%", online_share,
                        kind=Kind.RATE, app=APP,
                        description=_("期間内の予約のうち、ウェブとLINEで申し込まれた割合（残りは電話・窓口）")))

"""打刻: clock in and out from the staff site, punch at the entrance tablet by QR code or staff number, and 打刻修正
requests the 所属長 approves (audited with before and after)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Staff
from yakuba.kernel.refusal import Refused

from ..models import Correction, Device, Place, Source, StaffCard, Status, WorkPeriod
from . import rules

REPEAT_WINDOW = timedelta(minutes=2)


def open_period(staff: Staff) -> WorkPeriod | None:
    return WorkPeriod.objects.filter(staff=staff, ended_at__isnull=True).first()


def _overlapping(staff: Staff, start: datetime, end: datetime | None, *, besides: int | None = None) -> bool:
    rows = WorkPeriod.objects.filter(staff=staff).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
    if end is not None:
        rows = rows.filter(started_at__lt=end)
    return rows.exclude(pk=besides or 0).exists()


@transaction.atomic
def clock_in(staff: Staff, place: str = Place.OFFICE, *, source: str = Source.WEB,
             now: datetime | None = None) -> WorkPeriod:
    """出勤: open a work period now at `place`. Refused while one is open (clocking in twice) or when it would
    overlap a period already recorded (e.g. by a correction)."""
    if place not in Place.values:
        raise Refused({"place": _("勤務場所を選んでください。")})
    staff = rules.lock(staff)
    moment = now or timezone.now()
    if open_period(staff) is not None:
        raise Refused(_("すでに出勤しています。退勤の打刻をしてください。"))
    if _overlapping(staff, moment, None):
        raise Refused(_("この時刻はすでに記録された勤務と重なっています。"))
    day = rules.local(moment).date()
    rules.refuse_closed(staff, day)
    try:
        with transaction.atomic():
            period = WorkPeriod.objects.create(municipality=staff.municipality, staff=staff, day=day,
                                               started_at=moment, place=place, source=source)
    except IntegrityError as error:  # the database's one-open-period rule, when a race got past the lock
        raise Refused(_("すでに出勤しています。退勤の打刻をしてください。")) from error
    rules.audit("period.clocked_in", staff, period, place=place, source=source, at=moment)
    return period


@transaction.atomic
def clock_out(staff: Staff, *, source: str = Source.WEB, now: datetime | None = None) -> WorkPeriod:
    """退勤: close the open work period now."""
    staff = rules.lock(staff)
    period = open_period(staff)
    if period is None:
        raise Refused(_("出勤の打刻がありません。先に出勤の打刻をしてください。"))
    moment = now or timezone.now()
    if moment <= period.started_at:
        raise Refused(_("退勤の時刻が出勤より前になっています。"))
    rules.refuse_closed(staff, period.day)
    period.ended_at = moment
    period.save(update_fields=["ended_at"])
    rules.audit("period.clocked_out", staff, period, source=source, at=moment)
    return period


@dataclass(frozen=True)
class Punch:
    staff: Staff
    period: WorkPeriod
    clocked_in: bool  # False: clocked out


def device_of(token: str) -> Device | None:
    return Device.objects.filter(token=token, is_active=True).first() if token else None


def tablet_punch(device_token: str, code: str, *, now: datetime | None = None) -> Punch:
    """A punch at the entrance tablet: `code` is the token of a personal QR code or a typed staff number. Clocks
    in (at 庁舎) when the person is out, out when in. Refused for an unknown or switched-off tablet, an unknown
    code, a suspended card and staff no longer in post."""
    device = device_of(device_token)
    if device is None:
        raise Refused(_("この端末は打刻端末として登録されていません。総務課に登録を依頼してください。"))
    code = (code or "").strip()
    if not code:
        raise Refused({"code": _("QRコードを読み取るか、職員番号を入力してください。")})
    card = (StaffCard.objects.select_related("staff__department", "staff__user")
            .filter(Q(qr_token=code) | Q(number=code)).first())
    if card is None:
        raise Refused({"code": _("この職員証（QRコード・職員番号）は登録されていません。")})
    if card.suspended or not card.staff.is_active:
        raise Refused({"code": _("この職員証は利用が停止されています。総務課に問い合わせてください。")})
    moment = now or timezone.now()
    with transaction.atomic():
        staff = rules.lock(card.staff)
        Device.objects.filter(pk=device.pk).update(last_seen_at=timezone.now())
        _refuse_repeat(staff, moment)
        if open_period(staff) is None:
            return Punch(staff, clock_in(staff, Place.OFFICE, source=Source.TABLET, now=now), True)
        return Punch(staff, clock_out(staff, source=Source.TABLET, now=now), False)


def _refuse_repeat(staff: Staff, moment: datetime) -> None:
    """A second scan within a couple of minutes is the same person passing twice, not a clock-out (or back in)."""
    since = moment - REPEAT_WINDOW
    if WorkPeriod.objects.filter(staff=staff, started_at__gt=since, ended_at__isnull=True).exists():
        raise Refused({"code": _("%(name)sさんの出勤はさきほど記録しました。") % {"name": staff}})
    if WorkPeriod.objects.filter(staff=staff, ended_at__gt=since).exists():
        raise Refused({"code": _("%(name)sさんの退勤はさきほど記録しました。") % {"name": staff}})


# --- 打刻修正 -----------------------------------------------------------------------------------------------

@transaction.atomic
def request_correction(staff: Staff, *, day: date, started_at: datetime, ended_at: datetime, reason: str,
                       place: str = Place.OFFICE, period: WorkPeriod | None = None) -> Correction:
    """Ask the 所属長 to record or fix a day's punch (a forgotten clock-out, a missed day)."""
    errors: dict[str, str] = {}
    if ended_at <= started_at:
        errors["ended_at"] = _("退勤の時刻は出勤の時刻より後にしてください。")
    if not reason.strip():
        errors["reason"] = _("修正の理由を入力してください。")
    if rules.local(started_at).date() != day:
        errors["started_at"] = _("出勤の時刻は勤務日のものにしてください。")
    if period is not None and period.staff_id != staff.pk:
        errors["__all__"] = _("自分の勤務記録だけ修正を申請できます。")
    if errors:
        raise Refused(errors)
    rules.refuse_closed(staff, day)
    if _overlapping(staff, started_at, ended_at, besides=period.pk if period else None):
        raise Refused(_("この時間はほかの勤務記録と重なっています。"))
    correction = Correction.objects.create(municipality=staff.municipality, staff=staff, period=period, day=day,
                                           started_at=started_at, ended_at=ended_at, place=place,
                                           reason=reason.strip())
    rules.audit("correction.requested", staff, correction, day=day)
    return correction


@transaction.atomic
def decide_correction(head: Staff, correction: Correction, *, approve: bool) -> Correction:
    """The 所属長 approves (the period is written, audited with before and after) or rejects a 打刻修正."""
    correction = Correction.objects.select_for_update().select_related("staff").get(pk=correction.pk)
    rules.require_head(head, correction.staff)
    if correction.status != Status.REQUESTED:
        raise Refused(_("この申請はすでに処理されています。"))
    staff = rules.lock(correction.staff)
    correction.status, correction.decided_by, correction.decided_at = (
        Status.APPROVED if approve else Status.REJECTED, head, timezone.now())
    correction.save(update_fields=["status", "decided_by", "decided_at"])
    if not approve:
        rules.audit("correction.rejected", head, correction)
        return correction
    rules.refuse_closed(staff, correction.day)
    period = WorkPeriod.objects.filter(pk=correction.period_id).first() if correction.period_id else None
    if period is not None:
        rules.refuse_closed(staff, period.day)
    if _overlapping(staff, correction.started_at, correction.ended_at, besides=period.pk if period else None):
        raise Refused(_("この時間はほかの勤務記録と重なっています。"))
    before = _state(period)
    if period is None:
        period = WorkPeriod(municipality=staff.municipality, staff=staff)
    period.day, period.started_at, period.ended_at = correction.day, correction.started_at, correction.ended_at
    period.place, period.source = correction.place, Source.CORRECTION
    period.save()
    rules.audit("period.corrected", head, period, correction=correction.pk, before=before, after=_state(period))
    return correction


def _state(period: WorkPeriod | None) -> dict[str, str | None]:
    if period is None:
        return {}
    return {"day": period.day.isoformat(), "started_at": rules.local(period.started_at).isoformat(),
            "ended_at": rules.local(period.ended_at).isoformat() if period.ended_at else None, "place": period.place}


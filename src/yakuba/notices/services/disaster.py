"""Verbs of 災害モード: a 防災 notice at or above the town's 警戒レベル threshold turns the public site into disaster
mode in the transaction that publishes it; 所属長 and 情報担当 turn it on by hand (an alert from outside: J-ALERT,
the prefecture) and end it. Only staff end it: withdrawing the notice that caused it leaves it on, for staff to
decide. At most one mode per town is active, whoever starts it at the same moment (a database constraint)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Department, Role, Staff
from yakuba.kernel.audit.services import record
from yakuba.kernel.refusal import Refused
from yakuba.kernel.tenancy.models import Municipality

from ..models import AlertLevel, DisasterMode, DisasterSettings, Notice, NoticeStatus

NON_FIELD = "__all__"
TITLE_MAX, MESSAGE_MAX, GUIDANCE_MAX, PHONE_MAX = 120, 500, 1000, 20


# ---------------------------------------------------------------- reading

def settings_of(municipality: Municipality | int) -> DisasterSettings:
    """The town's settings, or the defaults (unsaved) when it never chose."""
    municipality_id = municipality if isinstance(municipality, int) else municipality.pk
    found = DisasterSettings.objects.filter(municipality_id=municipality_id).select_related("department").first()
    return found or DisasterSettings(municipality_id=municipality_id)


def active_mode(municipality: Municipality | int) -> DisasterMode | None:
    municipality_id = municipality if isinstance(municipality, int) else municipality.pk
    return DisasterMode.objects.filter(municipality_id=municipality_id, ended_at__isnull=True).first()


def may_switch(staff: Staff) -> bool:
    """Who turns disaster mode on by hand and ends it: 所属長 and 情報担当 of the town (publishing a 防災 notice at the
    threshold turns it on whoever publishes it)."""
    return staff.is_active and staff.has_role(Role.APPROVER)


def _require_switch(staff: Staff) -> None:
    if not may_switch(staff):
        raise Refused({NON_FIELD: _("災害モードの開始と終了は、所属長と情報担当の職員が行います。")})


def triggers(notice: Notice, threshold: int) -> bool:
    """Whether `notice` turns disaster mode on: a 防災 notice with a 警戒レベル at or above the threshold."""
    return notice.category.is_emergency and notice.alert_level is not None and notice.alert_level >= threshold


def _in_force(notice: Notice, now: datetime) -> bool:
    return (notice.status == NoticeStatus.PUBLISHED and notice.publish_at <= now
            and (notice.expires_at is None or notice.expires_at > now))


# ---------------------------------------------------------------- following notices

def _locked_active(municipality_id: int) -> DisasterMode | None:
    return (DisasterMode.objects.select_for_update().filter(municipality_id=municipality_id, ended_at__isnull=True)
            .first())


def _start(municipality: Municipality, *, level: int | None, title: str, message: str, cause: Notice | None,
           by: Any, now: datetime) -> DisasterMode | None:
    """Insert the town's active mode; None when another transaction's mode got there first (the constraint)."""
    try:
        with transaction.atomic():  # a savepoint: losing the race leaves the caller's transaction intact
            mode = DisasterMode.objects.create(
                municipality=municipality, level=level, title=title[:TITLE_MAX], message=message, cause=cause,
                notice=cause, started_at=now, started_by=by)
    except IntegrityError:
        return None
    record("notices.disaster.started", municipality=municipality, actor=by, obj=mode,
           data={"by": "notice" if cause is not None else "staff", "notice": cause.pk if cause else None,
                 "level": level, "title": mode.title, "message": message})
    return mode


def follow_notice(notice: Notice, *, by: Any = None, now: datetime | None = None) -> DisasterMode | None:
    """Call in the transaction that publishes, corrects or (at its publish time) shows a notice. A 防災 notice in
    force at or above the threshold turns disaster mode on (its cause), or, when the mode is on, becomes the alert
    shown if its level is at least the one shown. A correction of the alert shown is followed (title, level). The
    town's active mode, if any."""
    if not notice.category.is_emergency:
        return None  # only a 防災 notice has a level, and only one can be the alert shown
    now = now or timezone.now()
    town = notice.municipality
    active = _locked_active(town.pk)
    if active is not None and active.notice_id == notice.pk:
        _show(active, notice, by=by, changed=False)
    if not _in_force(notice, now) or not triggers(notice, settings_of(town).threshold):
        return active
    if active is None:
        started = _start(town, level=notice.alert_level, title=notice.title, message="", cause=notice, by=by,
                         now=now)
        if started is not None:
            return started
        active = _locked_active(town.pk)  # another clerk's notice started it a moment ago
        if active is None:
            return None
    if active.notice_id != notice.pk and (active.level or 0) <= (notice.alert_level or 0):
        _show(active, notice, by=by, changed=True)
    return active


def _show(mode: DisasterMode, notice: Notice, *, by: Any, changed: bool) -> None:
    """Make `notice` the alert the mode shows (changed), or bring the mode in step with its corrected text."""
    if not changed and (mode.title, mode.level) == (notice.title, notice.alert_level):
        return
    before = {"notice": mode.notice_id, "level": mode.level, "title": mode.title}
    mode.notice, mode.title, mode.level = notice, notice.title[:TITLE_MAX], notice.alert_level
    mode.save(update_fields=["notice", "title", "level"])
    record("notices.disaster.alert_changed", municipality=mode.municipality, actor=by, obj=mode,
           data={"from": before, "to": {"notice": notice.pk, "level": notice.alert_level, "title": mode.title}})


def notice_withdrawn(notice: Notice, *, by: Any) -> DisasterMode | None:
    """The notice the mode shows was withdrawn: the mode stays on (staff decide when the danger has passed); it keeps
    the alert's level and title and stops pointing residents to the notice. The mode, if it showed the notice."""
    active = _locked_active(notice.municipality_id)
    if active is None or active.notice_id != notice.pk:
        return None
    active.notice = None
    active.save(update_fields=["notice"])
    record("notices.disaster.notice_withdrawn", municipality=active.municipality, actor=by, obj=active,
           data={"notice": notice.pk, "kept_on": True})
    return active


# ---------------------------------------------------------------- the staff switch

def start_mode(staff: Staff, *, level: int | None, title: str, message: str = "",
               now: datetime | None = None) -> DisasterMode:
    """Turn disaster mode on by hand, for an alert that comes from outside (J-ALERT, the prefecture)."""
    _require_switch(staff)
    title, message = title.strip(), message.strip()
    errors: dict[str, str] = {}
    if level is not None and level not in AlertLevel.values:
        errors["level"] = _("警戒レベルを選び直してください。")
    if not title:
        errors["title"] = _("住民に示す見出しを入力してください。")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("見出しは120文字以内で入力してください。")
    if len(message) > MESSAGE_MAX:
        errors["message"] = _("住民へのひとことは500文字以内で入力してください。")
    if errors:
        raise Refused(errors)
    with transaction.atomic():
        if _locked_active(staff.municipality_id) is not None:
            raise Refused({NON_FIELD: _("すでに災害モードになっています。")})
        mode = _start(staff.municipality, level=level, title=title, message=message, cause=None, by=staff.user,
                      now=now or timezone.now())
        if mode is None:
            raise Refused({NON_FIELD: _("すでに災害モードになっています。")})
    return mode


def end_mode(staff: Staff, mode_id: int | None = None, *, now: datetime | None = None) -> DisasterMode:
    """End the town's disaster mode (the one with `mode_id`, when given: the one the staff member saw)."""
    _require_switch(staff)
    with transaction.atomic():
        mode = _locked_active(staff.municipality_id)
        if mode is None or (mode_id is not None and mode.pk != mode_id):
            raise Refused({NON_FIELD: _("災害モードはすでに終わっています。")})
        mode.ended_at, mode.ended_by = now or timezone.now(), staff.user
        mode.save(update_fields=["ended_at", "ended_by"])
        record("notices.disaster.ended", municipality=mode.municipality, actor=staff.user, obj=mode,
               data={"level": mode.level, "title": mode.title, "cause": mode.cause_id,
                     "started_at": mode.started_at.isoformat()})
    return mode


# ---------------------------------------------------------------- the town's settings

@dataclass
class SettingsData:
    threshold: int | None
    guidance: str = ""
    guidance_easy: str = ""
    guidance_en: str = ""
    department: Department | None = None
    radio_phone: str = ""


def save_settings(staff: Staff, data: SettingsData) -> DisasterSettings:
    _require_switch(staff)
    errors: dict[str, str] = {}
    if data.threshold not in AlertLevel.values:
        errors["threshold"] = _("災害モードにする警戒レベルを選んでください。")
    for name in ("guidance", "guidance_easy", "guidance_en"):
        value = getattr(data, name).strip()
        setattr(data, name, value)
        if len(value) > GUIDANCE_MAX:
            errors[name] = _("1000文字以内で入力してください。")
    data.radio_phone = data.radio_phone.strip()
    if data.radio_phone and (len(data.radio_phone) > PHONE_MAX
                             or not all(c.isdigit() or c in "-()" for c in data.radio_phone)):
        errors["radio_phone"] = _("電話番号は数字とハイフンで入力してください（例: 0274-82-2111）。")
    if data.department is not None and data.department.municipality_id != staff.municipality_id:
        errors["department"] = _("担当課を選び直してください。")
    if errors:
        raise Refused(errors)
    with transaction.atomic():
        current, _created = DisasterSettings.objects.select_for_update().get_or_create(
            municipality=staff.municipality)
        for name in ("threshold", "guidance", "guidance_easy", "guidance_en", "department", "radio_phone"):
            setattr(current, name, getattr(data, name))
        current.save()
        record("notices.disaster.settings_changed", municipality=staff.municipality, actor=staff.user, obj=current,
               data={"threshold": data.threshold, "department": data.department.name if data.department else "",
                     "radio_phone": data.radio_phone})
    return current

"""Verbs of writing お知らせ: save (with validation and attachments), publish (one broadcast at most), withdraw,
and the figures staff see before and after sending."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakuba.kernel.accounts.models import Department, Role, Staff
from yakuba.kernel.audit.services import record
from yakuba.kernel.files.uploads import UploadRejected, check_upload, save_private
from yakuba.kernel.messaging import consent
from yakuba.kernel.messaging import services as messaging
from yakuba.kernel.messaging.models import Broadcast, Channel, Endpoint
from yakuba.kernel.refusal import Refused

from ..audience import SOURCE, audience
from ..models import (
    AlertLevel,
    Area,
    Audience,
    Category,
    Notice,
    NoticeAttachment,
    NoticeStatus,
    NoticeTranslation,
    ReplyKind,
)
from . import disaster

# What a notice may carry: documents, photos and the Office files towns actually attach.
ATTACHMENT_TYPES = ("application/pdf", "image/jpeg", "image/png", "image/gif", "image/webp", ".docx", ".xlsx")
ATTACHMENT_MAX_SIZE = 10 * 1024 * 1024
YES_NO = ["はい", "いいえ"]
MIN_CHOICES, MAX_CHOICES, MAX_CHOICE_LENGTH = 2, 10, 40
NON_FIELD = "__all__"


@dataclass
class NoticeData:
    """What staff typed into the notice form, already parsed into objects."""

    title: str
    body: str
    category: Category | None
    department: Department | None
    easy_title: str = ""
    easy_body: str = ""
    areas: list[Area] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    publish_at: datetime | None = None
    expires_at: datetime | None = None
    deliver: bool = True
    reply_kind: str = ReplyKind.NONE
    reply_choices: list[str] = field(default_factory=list)
    reply_deadline: datetime | None = None
    translation_en: tuple[str, str] | None = None
    alert_level: int | None = None  # 警戒レベル, 防災 notices only
    attachments: list[UploadedFile[bytes]] = field(default_factory=list)


# ---------------------------------------------------------------- who may do what

def may_manage(staff: Staff, *, department_id: int | None, emergency: bool) -> bool:
    """情報担当 may write any notice; staff their department's; anyone of the town a 防災 notice."""
    if not staff.is_active:
        return False
    return staff.has_role(Role.ADMIN) or staff.department_id == department_id or emergency


def managed_notices(staff: Staff) -> QuerySet[Notice]:
    """The notices `staff` sees in the back office: 情報担当 all, others their department's and every 防災 one."""
    notices = Notice.objects.filter(municipality_id=staff.municipality_id).select_related(
        "category", "department", "broadcast")
    if staff.has_role(Role.ADMIN):
        return notices
    return notices.filter(Q(department_id=staff.department_id) | Q(category__is_emergency=True))


def _require(staff: Staff, notice: Notice) -> None:
    if staff.municipality_id != notice.municipality_id or not may_manage(
            staff, department_id=notice.department_id, emergency=notice.category.is_emergency):
        raise Refused({NON_FIELD: _("このお知らせを変更する権限がありません。")})


def state_of(notice: Notice, now: datetime | None = None) -> str:
    """The label staff see in the list: draft, scheduled, live, withdrawn or ended."""
    now = now or timezone.now()
    if notice.status == NoticeStatus.DRAFT:
        return "draft"
    if notice.status == NoticeStatus.WITHDRAWN:
        return "withdrawn"
    if notice.expires_at is not None and notice.expires_at <= now:
        return "expired"
    return "scheduled" if notice.publish_at > now else "live"


STATE_LABELS = {"draft": gettext_lazy("下書き"), "scheduled": gettext_lazy("公開予定"),
                "live": gettext_lazy("公開中"), "withdrawn": gettext_lazy("取り下げ"),
                "expired": gettext_lazy("掲載終了")}


# ---------------------------------------------------------------- validation

def _check_text(data: NoticeData, errors: dict[str, str]) -> None:
    data.title, data.body = data.title.strip(), data.body.strip()
    data.easy_title, data.easy_body = data.easy_title.strip(), data.easy_body.strip()
    if not data.title:
        errors["title"] = _("件名を入力してください。")
    elif len(data.title) > 120:
        errors["title"] = _("件名は120文字以内で入力してください。")
    if not data.body:
        errors["body"] = _("本文を入力してください。")
    if len(data.easy_title) > 120:
        errors["easy_title"] = _("やさしい日本語の件名は120文字以内で入力してください。")
    if bool(data.easy_title) != bool(data.easy_body):
        errors["easy_body" if data.easy_title else "easy_title"] = _(
            "やさしい日本語の版は、件名と本文の両方を入力してください。")
    if data.translation_en is not None:
        title, body = (part.strip() for part in data.translation_en)
        if not title and not body:
            data.translation_en = None
        elif not title or not body:
            errors["en_title" if not title else "en_body"] = _("英語の版は、件名と本文の両方を入力してください。")
        elif len(title) > 200:
            errors["en_title"] = _("英語の件名は200文字以内で入力してください。")
        else:
            data.translation_en = (title, body)


def _check_town(staff: Staff, data: NoticeData, errors: dict[str, str]) -> None:
    town = staff.municipality_id
    if data.category is None or data.category.municipality_id != town:
        errors["category"] = _("分類を選んでください。")
    if data.department is None or data.department.municipality_id != town:
        errors["department"] = _("担当課を選んでください。")
    if any(area.municipality_id != town for area in data.areas):
        errors["areas"] = _("対象地区を選び直してください。")
    known = set(Audience.values)
    if any(value not in known for value in data.audiences):
        errors["audiences"] = _("対象者を選び直してください。")
    if data.alert_level is not None:
        if data.alert_level not in AlertLevel.values:
            errors["alert_level"] = _("警戒レベルを選び直してください。")
        elif data.category is not None and not data.category.is_emergency:
            errors["alert_level"] = _("警戒レベルは防災のお知らせにだけ付けられます。")


def _check_times(data: NoticeData, errors: dict[str, str]) -> None:
    if data.publish_at is None:
        data.publish_at = timezone.now()
    if data.expires_at is not None and data.expires_at <= data.publish_at:
        errors["expires_at"] = _("掲載終了日時は公開日時より後にしてください。")


def _check_reply(data: NoticeData, errors: dict[str, str]) -> None:
    if data.reply_kind not in ReplyKind.values:
        errors["reply_kind"] = _("返信の種類を選び直してください。")
        return
    choices = [choice.strip() for choice in data.reply_choices if choice.strip()]
    if data.reply_kind == ReplyKind.NONE:
        data.reply_choices, data.reply_deadline = [], None
        return
    if data.reply_kind == ReplyKind.COMMENT:
        data.reply_choices = []
    else:
        if data.reply_kind == ReplyKind.YES_NO and not choices:
            choices = list(YES_NO)
        if len(choices) < MIN_CHOICES or len(choices) > MAX_CHOICES:
            errors["reply_choices"] = _("返信の選択肢は2つから10個まで、1行に1つずつ入力してください。")
        elif any(len(choice) > MAX_CHOICE_LENGTH for choice in choices):
            errors["reply_choices"] = _("返信の選択肢は1つ40文字以内で入力してください。")
        elif len(set(choices)) != len(choices):
            errors["reply_choices"] = _("返信の選択肢に同じものがあります。")
        data.reply_choices = choices
    if data.reply_deadline is not None and data.publish_at is not None and data.reply_deadline <= data.publish_at:
        errors["reply_deadline"] = _("返信の締切は公開日時より後にしてください。")


def _check_attachments(data: NoticeData, errors: dict[str, str]) -> list[tuple[UploadedFile[bytes], Any]]:
    checked = []
    for upload in data.attachments:
        try:
            checked.append((upload, check_upload(upload, accept=ATTACHMENT_TYPES, max_size=ATTACHMENT_MAX_SIZE)))
        except UploadRejected as error:
            errors["attachments"] = f"{upload.name}: {error}"
            break
    return checked


# ---------------------------------------------------------------- save

def save_notice(staff: Staff, *, notice: Notice | None = None, data: NoticeData) -> Notice:
    """Create or correct a notice. A published notice may be corrected: its page changes; messages already sent
    are not sent again. Refusals list every problem; nothing is saved then."""
    if notice is not None:
        _require(staff, notice)
        if notice.status == NoticeStatus.WITHDRAWN:
            raise Refused({NON_FIELD: _("取り下げたお知らせは変更できません。")})
    errors: dict[str, str] = {}
    _check_text(data, errors)
    _check_town(staff, data, errors)
    _check_times(data, errors)
    _check_reply(data, errors)
    checked = _check_attachments(data, errors)
    if not errors and data.category is not None and data.department is not None and not may_manage(
            staff, department_id=data.department.pk, emergency=data.category.is_emergency):
        errors["department"] = _("他の課のお知らせは作れません（防災のお知らせはどの課からでも作れます）。")
    if errors:
        raise Refused(errors)
    assert data.category is not None and data.department is not None and data.publish_at is not None
    creating = notice is None
    with transaction.atomic():
        if notice is None:
            notice = Notice(municipality_id=staff.municipality_id, created_by=staff.user)
        else:
            notice = Notice.objects.select_for_update().get(pk=notice.pk)
        for name in ("title", "body", "easy_title", "easy_body", "category", "department", "publish_at",
                     "expires_at", "deliver", "reply_kind", "reply_choices", "reply_deadline", "audiences",
                     "alert_level"):
            setattr(notice, name, getattr(data, name))
        notice.save()
        notice.areas.set(data.areas)
        _save_translation(notice, data.translation_en)
        for upload, info in checked:
            path = save_private(upload, f"notices/{staff.municipality_id}/{notice.public_id}")
            NoticeAttachment.objects.create(
                municipality_id=notice.municipality_id, notice=notice,
                title=os.path.splitext(info.name)[0][:120] or info.name, path=path, original_name=info.name,
                content_type=info.content_type, size=info.size)
        if not creating and notice.status == NoticeStatus.PUBLISHED:
            _follow_publish_time(notice, by=staff.user)
            disaster.follow_notice(notice, by=staff.user)  # a level raised to the threshold, or the alert corrected
        emergency_override = (data.category.is_emergency and not staff.has_role(Role.ADMIN)
                              and staff.department_id != data.department.pk)
        record("notices.notice.created" if creating else "notices.notice.changed",
               municipality=notice.municipality, actor=staff.user, obj=notice,
               data={"status": notice.status, "category": data.category.slug, "alert_level": data.alert_level,
                     "department": data.department.name, "emergency_by_other_department": emergency_override,
                     "staff_department": staff.department.name})
    return notice


def _save_translation(notice: Notice, translation: tuple[str, str] | None) -> None:
    if translation is None:
        NoticeTranslation.objects.filter(notice=notice, language="en").delete()
        return
    NoticeTranslation.objects.update_or_create(
        notice=notice, language="en",
        defaults={"municipality_id": notice.municipality_id, "title": translation[0], "body": translation[1]})


# ---------------------------------------------------------------- publish and withdraw

def message_content(notice: Notice) -> dict[str, dict[str, str]]:
    """What the messages say, per language: the staff preview shows exactly this."""
    prefix = "【防災】" if notice.category.is_emergency else ""
    content = {"ja": {"subject": prefix + notice.title, "body": notice.body}}
    if notice.easy_title and notice.easy_body:
        content["ja-easy"] = {"subject": prefix + notice.easy_title, "body": notice.easy_body}
    english = NoticeTranslation.objects.filter(notice=notice, language="en").first()
    if english is not None:
        content["en"] = {"subject": ("[Emergency] " if prefix else "") + english.title, "body": english.body}
    return content


def start_delivery(notice: Notice, *, by: Any = None) -> Broadcast:
    """Start the broadcast of a published notice. Call with the notice row locked, inside a transaction.

    Each message carries its recipient's own link (「確認しました」 and who answered) only when the notice asks for a
    reply; otherwise nobody's answer is needed, and LINE sends one multicast request per 500 recipients instead of
    one push each, which is what lets a 防災 alert reach the whole town in seconds."""
    broadcast = messaging.start_broadcast(
        municipality=notice.municipality, source=SOURCE, source_id=notice.pk, content=message_content(notice),
        url=reverse("notices:detail", args=[notice.public_id]), urgent=notice.category.is_emergency,
        ask_ack=notice.reply_kind != ReplyKind.NONE, created_by=by)
    notice.broadcast = broadcast
    notice.save(update_fields=["broadcast", "updated_at"])
    record("notices.notice.delivery_started", municipality=notice.municipality, actor=by, obj=notice,
           data={"broadcast": broadcast.pk})
    return broadcast


def publish_notice(staff: Staff, notice: Notice, *, now: datetime | None = None) -> Notice:
    """下書き → 公開. Delivery starts now, or at the publish time if that is later. However often this is called
    (double click, two staff at once), the notice gets at most one broadcast: the row is locked while deciding."""
    now = now or timezone.now()
    _require(staff, notice)
    with transaction.atomic():
        locked = (Notice.objects.select_for_update(of=("self",)).select_related("category", "municipality")
                  .get(pk=notice.pk))
        if locked.status == NoticeStatus.WITHDRAWN:
            raise Refused({NON_FIELD: _("取り下げたお知らせは公開できません。")})
        was_draft = locked.status == NoticeStatus.DRAFT
        if was_draft:
            locked.status, locked.published_at = NoticeStatus.PUBLISHED, now
            locked.save(update_fields=["status", "published_at", "updated_at"])
            record("notices.notice.published", municipality=locked.municipality, actor=staff.user, obj=locked,
                   data={"publish_at": locked.publish_at.isoformat(), "deliver": locked.deliver,
                         "alert_level": locked.alert_level})
        # 災害モード in the same transaction as the publication (a notice published for later: at its time).
        disaster.follow_notice(locked, by=staff.user, now=now)
        if locked.deliver and locked.broadcast_id is None:
            if locked.publish_at <= now:
                start_delivery(locked, by=staff.user)
            elif was_draft:
                _schedule(locked)
        elif was_draft and locked.publish_at > now and locked.alert_level is not None:
            _schedule(locked)  # nothing to send, but the alert may turn disaster mode on at its time
    return locked


def _follow_publish_time(notice: Notice, *, by: Any) -> None:
    """A published notice not yet sent whose publish time was moved (or whose delivery was switched on): send now
    if the time has come, else wait for the new time. A notice already sent is never sent again."""
    if not notice.deliver or notice.broadcast_id is not None:
        return
    if notice.publish_at <= timezone.now():
        start_delivery(notice, by=by)
    else:
        _schedule(notice)


def _schedule(notice: Notice) -> None:
    from .. import tasks

    notice_id, when = notice.pk, notice.publish_at
    transaction.on_commit(lambda: tasks.publish_due.using(run_after=when).enqueue(notice_id))


def deliver_due(notice_id: int, *, now: datetime | None = None) -> Broadcast | None:
    """The task's work at the publish time: start the broadcast if the notice is still published and has none;
    if the publish time was moved later meanwhile, wait for it again."""
    now = now or timezone.now()
    with transaction.atomic():
        notice = (Notice.objects.select_for_update(of=("self",))
                  .select_related("category", "municipality", "created_by").filter(pk=notice_id).first())
        if notice is None or notice.status != NoticeStatus.PUBLISHED:
            return None
        sends = notice.deliver and notice.broadcast_id is None
        if not sends and notice.alert_level is None:
            return None
        if notice.publish_at > now:
            _schedule(notice)
            return None
        disaster.follow_notice(notice, by=notice.created_by, now=now)
        return start_delivery(notice, by=notice.created_by) if sends else None


def withdraw_notice(staff: Staff, notice: Notice, reason: str) -> Notice:
    """取り下げ: the page disappears and messages not yet sent are not sent (their deliveries become skipped)."""
    _require(staff, notice)
    reason = reason.strip()
    if not reason:
        raise Refused({"reason": _("取り下げの理由を入力してください。")})
    if len(reason) > 500:
        raise Refused({"reason": _("取り下げの理由は500文字以内で入力してください。")})
    with transaction.atomic():
        locked = Notice.objects.select_for_update(of=("self",)).select_related("municipality").get(pk=notice.pk)
        if locked.status == NoticeStatus.WITHDRAWN:
            raise Refused({NON_FIELD: _("このお知らせはすでに取り下げています。")})
        locked.status = NoticeStatus.WITHDRAWN
        locked.save(update_fields=["status", "updated_at"])
        stopped = 0
        if locked.broadcast is not None:
            stopped = messaging.cancel_broadcast(locked.broadcast)
        # 災害モード stays on: the danger may outlast the notice; staff end it (the staff pages say so).
        kept = disaster.notice_withdrawn(locked, by=staff.user)
        record("notices.notice.withdrawn", municipality=locked.municipality, actor=staff.user, obj=locked,
               data={"reason": reason, "deliveries_stopped": stopped,
                     **({"disaster_mode_kept": True} if kept is not None else {})})
    return locked


# ---------------------------------------------------------------- figures

def expected_recipients(notice: Notice) -> dict[str, int]:
    """Active endpoints (confirmed, not paused) of the subscribers the notice would go to, per channel."""
    subscribers = audience(Broadcast(municipality_id=notice.municipality_id, source=SOURCE, source_id=notice.pk))
    result = {channel.value: 0 for channel in Channel}
    endpoints = Endpoint.objects.filter(subscriber__in=subscribers.filter(unsubscribed_at__isnull=True).values("pk"))
    rows = (consent.deliverable(endpoints)
            .values("channel").annotate(n=Count("pk")).order_by())
    for row in rows:
        result[row["channel"]] = row["n"]
    return result


def delivery_counts(notice: Notice) -> dict[str, Any] | None:
    """The live figures of the notice's broadcast, or None when nothing was sent."""
    if notice.broadcast is None:
        return None
    return messaging.counts(notice.broadcast)

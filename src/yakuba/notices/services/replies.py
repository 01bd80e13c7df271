"""Residents' replies to a notice that asks for one (出欠, 安否確認, 参加申込): answer, change until the deadline,
and count them for staff."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Resident
from yakuba.kernel.audit.services import record
from yakuba.kernel.messaging.models import Delivery, Subscriber
from yakuba.kernel.refusal import Refused

from ..models import Notice, NoticeStatus, Reply, ReplyKind

COMMENT_MAX = 1000
NAME_MAX = 100
DEFAULT_YES_NO = ["はい", "いいえ"]
WEB = "web"


def choices_of(notice: Notice) -> list[str]:
    """The answers offered, in order: はい・いいえ by default for yes/no, none for a free comment."""
    if notice.reply_kind == ReplyKind.YES_NO:
        return [str(choice) for choice in notice.reply_choices] or list(DEFAULT_YES_NO)
    if notice.reply_kind == ReplyKind.CHOICE:
        return [str(choice) for choice in notice.reply_choices]
    return []


def is_open(notice: Notice, now: datetime | None = None) -> bool:
    """Whether replies are taken now: the notice asks for them, is published and the deadline has not passed."""
    now = now or timezone.now()
    return (notice.reply_kind != ReplyKind.NONE and notice.status == NoticeStatus.PUBLISHED
            and notice.publish_at <= now and (notice.reply_deadline is None or now <= notice.reply_deadline))


def existing(notice: Notice, *, subscriber: Subscriber | None = None, resident: Resident | None = None
             ) -> Reply | None:
    """The reply this person already gave, found by their subscriber row or their resident account."""
    if subscriber is not None and resident is None and subscriber.resident_id is not None:
        resident = subscriber.resident
    who = _who(subscriber, resident)
    if who is None:
        return None
    return Reply.objects.filter(who, notice=notice).order_by("pk").first()


def reply(notice: Notice, *, answer: str, comment: str, name: str = "", subscriber: Subscriber | None = None,
          resident: Resident | None = None, delivery: Delivery | None = None, now: datetime | None = None) -> Reply:
    """Record (or change) one person's answer. A second submission before the deadline updates the first."""
    if delivery is not None and subscriber is None:
        subscriber = delivery.subscriber
    if subscriber is not None and resident is None and subscriber.resident_id is not None:
        resident = subscriber.resident
    if subscriber is None and resident is None:
        raise Refused(_("ご回答にはログインするか、お知らせのメールやLINEのリンクから開いてください。"))
    answer, comment, name = answer.strip(), comment.strip(), name.strip()
    _check(notice, answer=answer, comment=comment, name=name, now=now or timezone.now())
    with transaction.atomic():
        row = _write(notice, subscriber=subscriber, resident=resident,
                     fields={"answer": answer, "comment": comment, "name": name, "delivery": delivery})
        record("notices.reply.saved", municipality=notice.municipality,
               actor=resident.user if resident is not None else None, obj=row,
               data={"notice": str(notice.public_id), "channel": delivery.channel if delivery else WEB})
    return row


def _check(notice: Notice, *, answer: str, comment: str, name: str, now: datetime) -> None:
    if notice.reply_kind == ReplyKind.NONE or notice.status != NoticeStatus.PUBLISHED or notice.publish_at > now:
        raise Refused(_("このお知らせには回答できません。"))
    if notice.reply_deadline is not None and now > notice.reply_deadline:
        deadline = timezone.localtime(notice.reply_deadline)
        raise Refused(_("回答の締切（%(deadline)s）を過ぎたため、受け付けできません。")
                           % {"deadline": f"{deadline.month}月{deadline.day}日 {deadline:%H:%M}"})
    choices = choices_of(notice)
    if choices and answer not in choices:
        raise Refused(_("回答を選択肢から選んでください。"))
    if notice.reply_kind == ReplyKind.COMMENT and not comment:
        raise Refused(_("ご回答の内容を入力してください。"))
    if len(comment) > COMMENT_MAX:
        raise Refused(_("ひとことは%(max)d文字以内で入力してください。") % {"max": COMMENT_MAX})
    if len(name) > NAME_MAX:
        raise Refused(_("お名前は%(max)d文字以内で入力してください。") % {"max": NAME_MAX})


def _who(subscriber: Subscriber | None, resident: Resident | None) -> Q | None:
    query = Q(pk__in=[])
    if subscriber is not None:
        query |= Q(subscriber=subscriber)
    if resident is not None:
        query |= Q(resident=resident)
    return None if subscriber is None and resident is None else query


def _write(notice: Notice, *, subscriber: Subscriber | None, resident: Resident | None,
           fields: dict[str, Any]) -> Reply:
    """Update the person's row or create it; two submissions at once end with one row (the constraint decides)."""
    who = _who(subscriber, resident)
    assert who is not None
    row = Reply.objects.select_for_update().filter(who, notice=notice).order_by("pk").first()
    if row is None:
        try:
            with transaction.atomic():
                return Reply.objects.create(municipality=notice.municipality, notice=notice, subscriber=subscriber,
                                            resident=resident, **fields)
        except IntegrityError:
            # The other submission created it a moment ago: change that one instead.
            row = Reply.objects.select_for_update().filter(who, notice=notice).order_by("pk").first()
            if row is None:
                raise
    for key, value in fields.items():
        setattr(row, key, value)
    row.save(update_fields=[*fields, "updated_at"])
    return row


# For staff: the tally page and its CSV -------------------------------------------------------------------------

def tally(notice: Notice) -> list[tuple[str, int]]:
    """Count per answer: every offered choice in order (0 when none chose it), answers no longer offered after
    them, and 「コメントのみ」 for free-comment notices."""
    counts: dict[str, int] = {}
    for answer in Reply.objects.filter(notice=notice).values_list("answer", flat=True):
        counts[answer] = counts.get(answer, 0) + 1
    if notice.reply_kind == ReplyKind.COMMENT:
        return [(_("コメントのみ"), sum(counts.values()))]
    result = [(choice, counts.pop(choice, 0)) for choice in choices_of(notice)]
    return result + [(answer or _("コメントのみ"), count) for answer, count in counts.items()]


def rows(notice: Notice) -> list[dict[str, Any]]:
    """Every reply for the staff list and CSV: who (the name given, else the resident's), what, by which way."""
    result = []
    for row in Reply.objects.filter(notice=notice).select_related("resident", "delivery").order_by("created_at",
                                                                                                    "pk"):
        result.append({
            "name": row.name or (str(row.resident) if row.resident is not None else ""),
            "answer": row.answer, "comment": row.comment,
            "channel": row.delivery.channel if row.delivery is not None else WEB,
            "created": row.created_at, "updated": row.updated_at,
        })
    return result

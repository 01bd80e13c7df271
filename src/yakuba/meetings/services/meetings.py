"""Preparing and holding meetings: 会議体 and their members, meetings with their agenda, 出欠, closing a meeting
(which freezes its pack as it stood), cancelling, and publishing a public meeting's pack."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Department, Role, Staff, User
from yakuba.kernel.audit.services import record
from yakuba.kernel.refusal import Refused

from ..models import AgendaItem, Attendance, Body, Meeting, MeetingState, Member, Presence
from .access import is_clerk


def _clerk(staff: Staff, body: Body) -> None:
    if not is_clerk(staff, body):
        raise Refused(_("この会議体の事務局の職員だけが操作できます。"))


def _planned(meeting: Meeting) -> None:
    """Refuse changes to a meeting that was held or cancelled (read now: the row in hand may be stale)."""
    state = Meeting.objects.filter(pk=meeting.pk).values_list("state", flat=True).first()
    if state != MeetingState.PLANNED:
        raise Refused(_("開催済みまたは中止の会議は変更できません。"))


@dataclass
class BodyFields:
    name: str
    kind: str
    department: Department
    public: bool
    name_en: str = ""
    sort_order: int = 0


def save_body(staff: Staff, fields: BodyFields, body: Body | None = None) -> Body:
    """Create a 会議体 (情報担当 only) or change one (its 事務局)."""
    if body is None and staff.role < Role.ADMIN:
        raise Refused(_("会議体を追加できるのは情報担当の職員です。"))
    if body is not None:
        _clerk(staff, body)
    same = Body.objects.filter(name=fields.name)
    if (same.exclude(pk=body.pk) if body is not None else same).exists():
        raise Refused({"name": _("同じ名前の会議体がすでにあります。")})
    row = body or Body(municipality=staff.municipality)
    before = {"name": row.name, "kind": row.kind, "public": row.public} if body else {}
    for name, value in vars(fields).items():
        setattr(row, name, value)
    row.save()
    record("meetings.body.saved", municipality=staff.municipality, actor=staff.user, obj=row,
           data={"before": before, "after": {"name": row.name, "kind": row.kind, "public": row.public}})
    return row


def add_member(staff: Staff, body: Body, *, name: str, title: str, email: str = "", user: User | None = None,
               sort_order: int = 0) -> Member:
    """Add a 委員・議員. With an e-mail of an existing account, that account opens the pack."""
    _clerk(staff, body)
    if user is None and email:
        user = User.objects.filter(email__iexact=email).first()
    if user is not None and Member.objects.filter(body=body, user=user).exists():
        raise Refused({"email": _("このアカウントはすでに委員として登録されています。")})
    member = Member.objects.create(municipality=body.municipality, body=body, name=name, title=title or name,
                                   email=email, user=user, sort_order=sort_order)
    record("meetings.member.added", municipality=body.municipality, actor=staff.user, obj=member,
           data={"body": body.pk, "has_account": user is not None})
    return member


def set_member_active(staff: Staff, member: Member, active: bool) -> Member:
    _clerk(staff, member.body)
    member.active = active
    member.save(update_fields=["active"])
    record("meetings.member.active" if active else "meetings.member.retired", municipality=member.municipality,
           actor=staff.user, obj=member)
    return member


@dataclass
class MeetingFields:
    title: str
    starts_at: datetime
    ends_at: datetime | None = None
    place: str = ""
    online_url: str = ""
    public: bool = True
    title_en: str = ""


def _check_times(fields: MeetingFields) -> None:
    if fields.ends_at is not None and fields.ends_at <= fields.starts_at:
        raise Refused({"ends_at": _("終了予定は開始日時より後にしてください。")})
    if not fields.place and not fields.online_url:
        raise Refused({"place": _("場所かオンライン会議のURLを入力してください。")})


def schedule_meeting(staff: Staff, body: Body, fields: MeetingFields) -> Meeting:
    """Add a meeting of the body. A body that is not public has no public meetings."""
    _clerk(staff, body)
    _check_times(fields)
    values = {**vars(fields), "public": fields.public and body.public}
    meeting = Meeting.objects.create(municipality=body.municipality, body=body, **values)
    record("meetings.meeting.scheduled", municipality=body.municipality, actor=staff.user, obj=meeting,
           data={"starts_at": meeting.starts_at.isoformat(), "public": meeting.public})
    return meeting


def change_meeting(staff: Staff, meeting: Meeting, fields: MeetingFields) -> Meeting:
    _clerk(staff, meeting.body)
    _planned(meeting)
    _check_times(fields)
    before = {"title": meeting.title, "starts_at": meeting.starts_at.isoformat(), "place": meeting.place}
    for name, value in vars(fields).items():
        setattr(meeting, name, value)
    meeting.public = fields.public and meeting.body.public
    if not meeting.public:
        meeting.pack_published_at = None
    meeting.save()
    record("meetings.meeting.changed", municipality=meeting.municipality, actor=staff.user, obj=meeting,
           data={"before": before, "after": {"title": meeting.title, "starts_at": meeting.starts_at.isoformat(),
                                             "place": meeting.place}})
    return meeting


def add_item(staff: Staff, meeting: Meeting, *, number: str, title: str) -> AgendaItem:
    _clerk(staff, meeting.body)
    _planned(meeting)
    order = AgendaItem.objects.filter(meeting=meeting).count()
    item = AgendaItem.objects.create(municipality=meeting.municipality, meeting=meeting, number=number,
                                     title=title, sort_order=order)
    record("meetings.item.added", municipality=meeting.municipality, actor=staff.user, obj=item)
    return item


def change_item(staff: Staff, item: AgendaItem, *, number: str, title: str, outcome: str) -> AgendaItem:
    """Number and title only before the meeting; the outcome (原案可決 …) at any time."""
    _clerk(staff, item.meeting.body)
    if (number, title) != (item.number, item.title):
        _planned(item.meeting)
    before = {"number": item.number, "title": item.title, "outcome": item.outcome}
    item.number, item.title, item.outcome = number, title, outcome
    item.save(update_fields=["number", "title", "outcome"])
    record("meetings.item.changed", municipality=item.municipality, actor=staff.user, obj=item,
           data={"before": before, "after": {"number": number, "title": title, "outcome": outcome}})
    return item


def remove_item(staff: Staff, item: AgendaItem) -> None:
    _clerk(staff, item.meeting.body)
    _planned(item.meeting)
    if item.documents.exists():
        raise Refused(_("資料のある議題は削除できません。先に資料を別の議題に移してください。"))
    record("meetings.item.removed", municipality=item.municipality, actor=staff.user, obj=item,
           data={"number": item.number, "title": item.title})
    item.delete()


def record_attendance(staff: Staff, meeting: Meeting, presence: dict[int, str]) -> int:
    """出欠 of the body's members ({member id: presence}); members not named are left as they were."""
    _clerk(staff, meeting.body)
    if meeting.state == MeetingState.CANCELLED:
        raise Refused(_("中止の会議の出欠は記録できません。"))
    members = {member.pk: member for member in Member.objects.filter(body=meeting.body)}
    unknown = [pk for pk in presence if pk not in members]
    wrong = [value for value in presence.values() if value not in Presence.values]
    if unknown or wrong:
        raise Refused(_("出欠の入力が正しくありません。ページを読み込み直してください。"))
    for pk, value in presence.items():
        Attendance.objects.update_or_create(municipality=meeting.municipality, meeting=meeting,
                                            member=members[pk], defaults={"presence": value})
    record("meetings.attendance.recorded", municipality=meeting.municipality, actor=staff.user, obj=meeting,
           data={"members": len(presence)})
    return len(presence)


def close_meeting(staff: Staff, meeting: Meeting, *, now: datetime | None = None) -> Meeting:
    """閉会: the meeting was held. Its pack is frozen as it stood (no 差し替え after this)."""
    now = now or timezone.now()
    _clerk(staff, meeting.body)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
        _planned(locked)
        if locked.starts_at > now:
            raise Refused(_("開始日時より前の会議は閉会にできません。"))
        locked.state, locked.held_at = MeetingState.HELD, now
        locked.save(update_fields=["state", "held_at"])
        record("meetings.meeting.held", municipality=locked.municipality, actor=staff.user, obj=locked)
    return locked


def cancel_meeting(staff: Staff, meeting: Meeting, reason: str) -> Meeting:
    _clerk(staff, meeting.body)
    _planned(meeting)
    if not reason.strip():
        raise Refused({"reason": _("中止の理由を入力してください。")})
    meeting.state, meeting.held_at = MeetingState.CANCELLED, timezone.now()
    meeting.save(update_fields=["state", "held_at"])
    record("meetings.meeting.cancelled", municipality=meeting.municipality, actor=staff.user, obj=meeting,
           data={"reason": reason.strip()})
    return meeting


def publish_pack(staff: Staff, meeting: Meeting, publish: bool = True) -> Meeting:
    """Publish (or withdraw) a public meeting's pack to residents."""
    _clerk(staff, meeting.body)
    if publish:
        if not meeting.public:
            raise Refused(_("非公開の会議の資料は公開できません。"))
        if not meeting.documents.filter(current__isnull=False).exists():
            raise Refused(_("資料がまだありません。資料を登録してから公開してください。"))
        meeting.pack_published_at = timezone.now()
    else:
        meeting.pack_published_at = None
    meeting.save(update_fields=["pack_published_at"])
    record("meetings.pack.published" if publish else "meetings.pack.withdrawn", municipality=meeting.municipality,
           actor=staff.user, obj=meeting)
    return meeting



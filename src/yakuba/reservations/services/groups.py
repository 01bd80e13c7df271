"""団体登録: a resident registers a club or association; staff approve it into a category whose rule gives 減免
(a fee reduction) and a longer booking window. Only the representative books for the group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Resident, Role, Staff
from yakuba.kernel.audit.services import record
from yakuba.kernel.refusal import Refused

from ..models import Group, GroupCategory, GroupStatus
from ..tasks import groups as tasks
from . import _now, managed_rooms

MAX_MEMBERS = 10_000


@dataclass(frozen=True)
class GroupDetails:
    """What a representative states when registering a group."""

    name: str
    name_kana: str
    category: GroupCategory
    members: int
    activity: str
    phone: str


def _problems(details: GroupDetails, resident: Resident) -> list[str]:
    problems = []
    if not details.name.strip():
        problems.append(_("団体名を入力してください。"))
    elif len(details.name.strip()) > 100:
        problems.append(_("団体名は100文字以内で入力してください。"))
    if details.category.municipality_id != resident.municipality_id:
        problems.append(_("団体の区分を選び直してください。"))
    if not 1 <= details.members <= MAX_MEMBERS:
        problems.append(_("会員数は1人以上で入力してください。"))
    if not details.activity.strip():
        problems.append(_("活動内容を入力してください。"))
    digits = "".join(ch for ch in details.phone if ch.isdigit())
    if not 10 <= len(digits) <= 11:
        problems.append(_("連絡先電話番号は市外局番から10桁または11桁で入力してください。"))
    return problems


def apply(resident: Resident, details: GroupDetails, *, request: HttpRequest | None = None) -> Group:
    """団体登録の申請: waits for staff (審査中). The same name cannot be registered twice while one is active."""
    problems = _problems(details, resident)
    if problems:
        raise Refused(problems)
    try:
        with transaction.atomic():
            group = Group.objects.create(
                municipality=resident.municipality, name=details.name.strip(), name_kana=details.name_kana.strip(),
                representative=resident, category=details.category, members=details.members,
                activity=details.activity.strip(), phone=details.phone.strip())
            record("reservations.group.applied", municipality=resident.municipality, actor=resident.user, obj=group,
                   request=request)
    except IntegrityError as error:
        raise Refused([_("「%(name)s」はすでに登録（または申請）されています。")
                                % {"name": details.name.strip()}]) from error
    return group


def save_category(category: GroupCategory, *, staff: Staff, request: HttpRequest | None = None) -> GroupCategory:
    """Add or change a category and its rule (減免率, days earlier); it applies to bookings made from now on."""
    if not staff.has_role(Role.ADMIN):
        raise Refused([_("団体の区分を変更する権限がありません。")])
    category.municipality = staff.municipality
    try:
        with transaction.atomic():
            category.save()
            record("reservations.group_category.saved", municipality=staff.municipality, actor=staff.user,
                   obj=category, request=request, data={"reduction_percent": category.reduction_percent,
                                                        "extra_window_days": category.extra_window_days})
    except IntegrityError as error:
        raise Refused([_("同じ名前の区分がすでにあります。")]) from error
    return category


def end_of_fiscal_year(day: date) -> date:
    """3月31日 of the 年度 `day` falls in: registrations run by 年度."""
    return date(day.year + (1 if day.month >= 4 else 0), 3, 31)


def decide(group: Group, *, approve: bool, staff: Staff, note: str = "", category: GroupCategory | None = None,
           valid_until: date | None = None, now: datetime | None = None,
           request: HttpRequest | None = None) -> Group:
    """承認 (into a category, valid to the end of the 年度 unless said) or 不承認 (with the reason told)."""
    if not may_decide(staff):
        raise Refused([_("団体登録を審査する権限がありません。")])
    if not approve and not note.strip():
        raise Refused([_("登録できない理由を入力してください。申請者にお知らせします。")])
    if category is not None and category.municipality_id != group.municipality_id:
        raise Refused([_("団体の区分を選び直してください。")])
    today = timezone.localdate(_now(now))
    if valid_until is not None and valid_until < today:
        raise Refused([_("有効期限は今日以降の日付にしてください。")])
    with transaction.atomic():
        current = Group.objects.select_for_update().get(pk=group.pk)
        if current.status != GroupStatus.PENDING:
            raise Refused([_("この団体はすでに審査済みです。")])
        current.status = GroupStatus.APPROVED if approve else GroupStatus.REJECTED
        current.category = category or current.category
        current.valid_until = (valid_until or end_of_fiscal_year(today)) if approve else None
        current.decided_at, current.decided_by, current.decision_note = _now(now), staff, note.strip()[:500]
        current.save()
        record("reservations.group.approved" if approve else "reservations.group.rejected",
               municipality=current.municipality, actor=staff.user, obj=current, request=request,
               data={"category": current.category.name, "reduction_percent": current.category.reduction_percent})
        _mail(current.pk)
    return current


def withdraw(group: Group, *, resident: Resident, request: HttpRequest | None = None) -> Group:
    """The representative ends the registration; bookings already made stay."""
    with transaction.atomic():
        current = Group.objects.select_for_update().get(pk=group.pk)
        if current.representative_id != resident.pk or current.status not in (GroupStatus.PENDING,
                                                                              GroupStatus.APPROVED):
            raise Refused([_("この団体登録は取り下げられません。")])
        current.status = GroupStatus.WITHDRAWN
        current.save(update_fields=["status"])
        record("reservations.group.withdrawn", municipality=current.municipality, actor=resident.user, obj=current,
               request=request)
    return current


def _mail(group_id: int) -> None:
    transaction.on_commit(lambda: tasks.send_group_decision.enqueue(group_id))


def may_decide(staff: Staff) -> bool:
    """Staff who run a facility (its 担当課) review groups; 情報担当 (admin) too."""
    return staff.has_role(Role.ADMIN) or managed_rooms(staff).exists()


def bookable_groups(resident: Resident, *, now: datetime | None = None) -> QuerySet[Group]:
    """The approved, unexpired groups the resident represents: the ones they may book for."""
    today = timezone.localdate(_now(now))
    return (Group.objects.filter(representative=resident, status=GroupStatus.APPROVED)
            .exclude(valid_until__lt=today).select_related("category").order_by("name"))

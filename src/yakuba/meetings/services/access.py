"""Who may do what with a meeting: the body's 事務局 (staff of its department, and 情報担当) prepare it; its
members read the pack and write their own notes; residents read what was published."""

from __future__ import annotations

from typing import Any

from yakuba.kernel.accounts.models import Role, Staff

from ..models import Body, Meeting, Member


def staff_of(user: Any) -> Staff | None:
    """The user's staff record in the town in scope, if any."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Staff.objects.filter(user=user, is_active=True).select_related("department").first()


def is_clerk(staff: Staff | None, body: Body) -> bool:
    """事務局: staff of the body's department (any role), or the town's 情報担当."""
    if staff is None or not staff.is_active:
        return False
    return staff.role >= Role.ADMIN or staff.department_id == body.department_id


def clerk_bodies(staff: Staff) -> list[Body]:
    rows = Body.objects.all() if staff.role >= Role.ADMIN else Body.objects.filter(department_id=staff.department_id)
    return list(rows.select_related("department"))


def member_of(user: Any, body: Body) -> Member | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.filter(body=body, user=user, active=True).first()


def can_read_pack(user: Any, meeting: Meeting) -> bool:
    """Members and the 事務局 read the pack at any time; anyone once a public meeting's pack is published."""
    if meeting.public and meeting.pack_published_at is not None:
        return True
    return member_of(user, meeting.body) is not None or is_clerk(staff_of(user), meeting.body)


def can_take_notes(user: Any, meeting: Meeting) -> bool:
    """Personal notes and highlights: members and the 事務局 (signed in), never an anonymous reader."""
    return member_of(user, meeting.body) is not None or is_clerk(staff_of(user), meeting.body)

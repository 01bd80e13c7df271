"""Small builders for 会議・議事録 tests: a 委員会 with its 事務局 clerk, members with accounts, a meeting with an
agenda item, and PDFs of any number of pages."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django_scopes import scope
from pypdf import PdfWriter

from tests import factories
from yakuba.kernel.accounts.models import Role, Staff, User
from yakuba.meetings.models import AgendaItem, Body, BodyKind, Meeting, Member


@dataclass
class Committee:
    town: object
    body: Body
    clerk: Staff  # 議会事務局 staff: prepares packs and minutes
    other: Staff  # staff of another 課: not the 事務局
    chair: Member
    members: list[Member]  # the chair first
    meeting: Meeting
    item: AgendaItem

    def users(self) -> list[User]:
        return [member.user for member in self.members if member.user is not None]


def make_committee(town, *, name: str = "総務常任委員会", department: str = "議会事務局", public: bool = True,
                   members: int = 3, starts_at: datetime | None = None) -> Committee:
    clerk = factories.make_staff(town, department=department)
    other = factories.make_staff(town, department="住民課", role=Role.APPROVER)
    with scope(municipality=town):
        body = Body.objects.create(municipality=town, name=name, kind=BodyKind.COMMITTEE,
                                   department=clerk.department, public=public)
        people = []
        for n in range(members):
            user = factories.make_user()
            title = "委員長" if n == 0 else f"委員{n}議員"
            people.append(Member.objects.create(municipality=town, body=body, name=f"議員{n}", title=title,
                                                user=user, email=user.email, sort_order=n))
        meeting = Meeting.objects.create(municipality=town, body=body, title=f"令和8年第4回 {name}",
                                         starts_at=starts_at or timezone.now() + timedelta(days=3),
                                         place="第1委員会室", public=public)
        item = AgendaItem.objects.create(municipality=town, meeting=meeting, number="議案第45号",
                                         title="令和8年度下仁田町一般会計補正予算（第5号）")
    return Committee(town, body, clerk, other, people[0], people, meeting, item)


def pdf_bytes(pages: int = 3, *, texts: list[str] | None = None) -> bytes:
    """A PDF of `pages` pages, each with a line of text (`texts[i]` or 「ページ i」), drawn with WeasyPrint so the
    text layer is real and Japanese."""
    from weasyprint import HTML

    lines = texts or [f"ページ {n + 1} 予算の説明" for n in range(pages)]
    body = "".join(f'<section style="page-break-after: always">{line}</section>' for line in lines)
    return HTML(string=f'<html lang="ja"><body style="font-family: Noto Sans CJK JP">{body}</body></html>').write_pdf()


def blank_pdf(pages: int) -> bytes:
    """A PDF of `pages` blank pages, quickly (no text layer)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

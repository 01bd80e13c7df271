"""Demo data of 会議・議事録 (`yakuba demo`), in every demo town: the 議会 (本会議 and 総務常任委員会, 事務局
議会事務局, clerk gikai@…), five 議員 with accounts (giin1@… is 議長, giin2@… 委員長; demo password), and 庁議
(総務課, not public, the demo 情報担当 and 所属長 as members).

- 総務常任委員会 in five days: three agenda items, the 補正予算書 (120 pages in the first town, 12 elsewhere) and a
  paper replaced once (version 2, with its reason and the changed page), the pack published to residents.
- 本会議 第1日, six weeks ago, held: agenda with outcomes, attendance, and its recording (Common Voice read speech
  joined with pauses, see SOURCE.md) queued for transcription: the worker of `make run` transcribes it.
- 庁議 next week with one paper.

Idempotent: rows are found by name and title; a second load writes nothing new.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from yakuba.kernel.accounts.models import Department, Staff
from yakuba.kernel.ops.demo import TOWNS, Town, demo_account
from yakuba.kernel.tenancy.models import Municipality

from ..models import AgendaItem, Attendance, Body, BodyKind, Meeting, MeetingState, Member, Presence, Recording
from . import pack

HERE = Path(__file__).parent
COUNCILLORS = (("上野 一郎", "議長"), ("高橋 花子", "高橋委員長"), ("鈴木 健太", "鈴木議員"),
               ("田中 陽子", "田中議員"), ("中村 誠", "中村議員"))
COMMITTEE_ITEMS = (("議案第45号", "令和8年度一般会計補正予算（第5号）"),
                   ("議案第46号", "町税条例の一部を改正する条例"),
                   ("陳情第3号", "デマンド交通の運行区域の拡大を求める陳情"))
PLENARY_ITEMS = (("議案第30号", "令和7年度一般会計歳入歳出決算の認定について", "認定"),
                 ("議案第31号", "町立図書館の指定管理者の指定について", "原案可決"),
                 ("一般質問", "デジタル化の推進について（鈴木議員）", ""))
ORDINANCE_V1 = ("町税条例の一部を改正する条例の概要。地方税法の改正に伴い、個人住民税の申告に関する規定を整理する。",
                "改正の内容：第2条中「3月15日」を「3月31日」に改める。施行日は令和9年1月1日とする。",
                "新旧対照表は別紙のとおり。")
ORDINANCE_V2 = (ORDINANCE_V1[0],
                "改正の内容：第2条中「3月15日」を「3月16日」に改める。施行日は令和9年4月1日とする。",
                ORDINANCE_V1[2])


def _at(days: int, hour: int) -> datetime:
    """`days` from today at `hour`, moved forward to a weekday (meetings sit on working days)."""
    day = timezone.localdate() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _clerk(town: Town, name: str) -> Staff | None:
    return Staff.objects.filter(user__email=f"{name}@{town.slug}.demo").select_related("user").first()


def load(municipality: Municipality, town: Town) -> None:
    """Called by `yakuba demo` for each town inside its scope and transaction."""
    gikai, admin = _clerk(town, "gikai"), _clerk(town, "admin")
    secretariat = Department.objects.filter(name="議会事務局").first()
    if gikai is None or admin is None or secretariat is None:
        return
    council = _body(municipality, "議会（本会議）", "Town Assembly (plenary)", BodyKind.COUNCIL, secretariat, 0)
    committee = _body(municipality, "総務常任委員会", "General Affairs Committee", BodyKind.COMMITTEE, secretariat, 1)
    cabinet = _body(municipality, "庁議", "Senior Management Meeting", BodyKind.EXECUTIVE, admin.department, 2,
                    public=False)
    councillors = []
    for index, (name, title) in enumerate(COUNCILLORS, 1):
        user = demo_account(f"giin{index}@{town.slug}.demo", name)
        councillors.append(user)
        Member.objects.get_or_create(municipality=municipality, body=council, user=user, defaults={
            "name": name, "title": "議長" if index == 1 else f"{name.split()[0]}議員", "email": user.email,
            "sort_order": index})
        if index <= 4:
            Member.objects.get_or_create(municipality=municipality, body=committee, user=user, defaults={
                "name": name, "title": title if index != 1 else f"{name.split()[0]}委員", "email": user.email,
                "sort_order": index})
    for index, person in enumerate(Staff.objects.filter(user__email__in=[
            f"admin@{town.slug}.demo", f"kacho@{town.slug}.demo"]).select_related("user")):
        Member.objects.get_or_create(municipality=municipality, body=cabinet, user=person.user, defaults={
            "name": str(person), "title": person.department.name + ("長" if index else "（情報担当）"),
            "email": person.user.email, "sort_order": index})
    _committee_meeting(municipality, town, committee, gikai)
    _plenary(municipality, town, council, gikai)
    _cabinet(municipality, cabinet, admin)


def _body(municipality: Municipality, name: str, name_en: str, kind: str, department: Department, order: int, *,
          public: bool = True) -> Body:
    body, _ = Body.objects.get_or_create(municipality=municipality, name=name, defaults={
        "name_en": name_en, "kind": kind, "department": department, "public": public, "sort_order": order})
    return body


def _meeting(municipality: Municipality, body: Body, title: str, title_en: str, starts_at: datetime, place: str,
             items: tuple[tuple[str, ...], ...]) -> tuple[Meeting, list[AgendaItem], bool]:
    meeting = Meeting.objects.filter(body=body, title=title).first()
    if meeting is not None:
        return meeting, list(meeting.items.all()), False
    meeting = Meeting.objects.create(municipality=municipality, body=body, title=title, title_en=title_en,
                                     starts_at=starts_at, ends_at=starts_at + timedelta(hours=3), place=place,
                                     public=body.public)
    rows = [AgendaItem.objects.create(municipality=municipality, meeting=meeting, number=item[0], title=item[1],
                                      outcome=item[2] if len(item) > 2 else "", sort_order=order)
            for order, item in enumerate(items)]
    return meeting, rows, True


def _pdf(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def _committee_meeting(municipality: Municipality, town: Town, body: Body, clerk: Staff) -> None:
    from ..services import meetings
    from ..services import pack as pack_services

    meeting, items, new = _meeting(municipality, body, "令和8年第4回定例会 総務常任委員会",
                                   "4th Regular Session 2026: General Affairs Committee", _at(5, 10), "第1委員会室",
                                   COMMITTEE_ITEMS)
    if not new:
        return
    pages = 120 if town.code == TOWNS[0].code else 12
    pack_services.add_document(meeting, items[0], "資料1 一般会計補正予算書（第5号）",
                               _pdf("hosei-yosan.pdf", pack.budget(pages, town=town.name)), clerk.user)
    ordinance = pack_services.add_document(meeting, items[1], "資料2 町税条例の一部改正の概要",
                                           _pdf("jourei-gaiyou.pdf", pack.paper("町税条例の一部改正の概要",
                                                                                 ORDINANCE_V1)), clerk.user)
    pack_services.replace_document(ordinance, _pdf("jourei-gaiyou-v2.pdf", pack.paper("町税条例の一部改正の概要",
                                                                                       ORDINANCE_V2)),
                                   "改正後の日付と施行日に誤りがありました。", clerk.user)
    petition = pack.paper("デマンド交通の運行区域の拡大を求める陳情",
                          ("町内全域でデマンド交通を利用できるよう、運行区域の拡大を求めます。",))
    pack_services.add_document(meeting, items[2], "資料3 陳情書（写し）", _pdf("chinjou.pdf", petition), clerk.user)
    meetings.publish_pack(clerk, meeting)


def _plenary(municipality: Municipality, town: Town, body: Body, clerk: Staff) -> None:
    from ..services import meetings, transcribe
    from ..services import pack as pack_services

    meeting, _items, new = _meeting(municipality, body, "令和8年第3回定例会 本会議（第1日）",
                                    "3rd Regular Session 2026: Plenary (day 1)", _at(-42, 10), "議場", PLENARY_ITEMS)
    if not new:
        return
    pack_services.add_document(meeting, None, "議事日程（第1号）", _pdf("nittei.pdf", pack.paper(
        "議事日程（第1号）", tuple(f"{number} {title}" for number, title, _o in PLENARY_ITEMS))), clerk.user)
    for member in Member.objects.filter(body=body):
        presence = Presence.ABSENT if member.sort_order == 5 else Presence.PRESENT
        Attendance.objects.create(municipality=municipality, meeting=meeting, member=member, presence=presence)
    meeting.state, meeting.held_at = MeetingState.HELD, meeting.starts_at + timedelta(hours=3)
    meeting.save(update_fields=["state", "held_at"])
    meetings.publish_pack(clerk, meeting)
    if not Recording.objects.filter(meeting=meeting).exists():
        audio = (HERE / "recording.ogg").read_bytes()
        transcribe.upload_recording(meeting, SimpleUploadedFile("honkaigi-day1.ogg", audio, content_type="audio/ogg"),
                                    clerk.user)


def _cabinet(municipality: Municipality, body: Body, clerk: Staff) -> None:
    from ..services import pack as pack_services

    meeting, items, new = _meeting(municipality, body, "庁議（定例）", "Senior management meeting", _at(7, 9),
                                   "第2会議室", (("報告1", "DX推進計画の進捗について"),))
    if new:
        pack_services.add_document(meeting, items[0], "DX推進計画 進捗報告", _pdf("dx-progress.pdf", pack.paper(
            "DX推進計画 進捗報告", ("書かない窓口の利用件数と、電子申請の対象手続の拡大について報告する。",))),
                                   clerk.user)




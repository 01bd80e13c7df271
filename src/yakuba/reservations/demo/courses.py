"""Demo 講座 for every demo town: a スマホ教室 for beginners with three sessions (the first nearly full with the
demo residents), a マイナンバーカード活用講座, and a 料理教室 with a 受講料 of 500円 (材料費; paid online where the
town takes payments), at the town's 公民館.

Idempotent: a course is upserted; its sessions are made (through the services) only while it has no session still
to come, so a second load the same day writes nothing. Dates count from today: 7, 14 and 21 days ahead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone

from yakuba.kernel.accounts.models import Department, Resident, Role, Staff
from yakuba.kernel.ops.demo import Town, _upsert
from yakuba.kernel.tenancy.models import Municipality

from ..models import Course, Enrolment, Facility
from ..services import courses as services
from .catalogue import FACILITY_DEPARTMENT


@dataclass(frozen=True)
class DemoSession:
    days_ahead: int
    starts: time
    ends: time
    seats: int
    room: str
    enrol_residents: bool = False  # the demo residents take seats, so the list shows 残り1席


@dataclass(frozen=True)
class DemoCourse:
    slug: str
    title: str
    description: str
    sessions: tuple[DemoSession, ...]
    fee: int = 0  # 受講料 (円), paid online in a town that takes payments
    fee_note: str = ""


COURSES = (
    DemoCourse(
        "smartphone-beginners", "スマホ教室（初めての方向け）",
        "スマートフォンを持ったばかりの方、これから使ってみたい方のための教室です。電話のかけ方、写真の撮り方、"
        "LINE でのやりとりを、職員とボランティアがそばでゆっくりお教えします。\n"
        "持ち物: お使いのスマートフォン（お持ちでない方には貸し出します）。参加費は無料です。",
        (DemoSession(7, time(10), time(12), 4, "第1会議室", enrol_residents=True),
         DemoSession(14, time(10), time(12), 10, "第1会議室"),
         DemoSession(21, time(10), time(12), 10, "第1会議室"))),
    DemoCourse(
        "mynumber-card", "マイナンバーカード活用講座",
        "マイナンバーカードで、コンビニでの住民票の取得や、スマホからの電子申請ができます。"
        "暗証番号の確かめ方から、実際の申請まで一緒にやってみます。\n"
        "持ち物: マイナンバーカード、スマートフォン。参加費は無料です。",
        (DemoSession(10, time(14), time(15, 30), 12, "大ホール"),)),
    DemoCourse(
        "cooking", "料理教室（地元の野菜で作る家庭料理）",
        "地元でとれた季節の野菜を使った家庭料理を、食生活改善推進員と一緒に作ります。"
        "作った料理はその場で試食します。\n"
        "持ち物: エプロン、三角巾、ふきん。受講料は500円（材料費）です。",
        (DemoSession(12, time(10), time(13), 12, "調理室"),), fee=500, fee_note="材料費"),
)


def load(municipality: Municipality, town: Town) -> None:
    """Called for each demo town inside its scope and transaction (after the facilities and demo residents)."""
    department = Department.objects.get(name=FACILITY_DEPARTMENT[town.slug])
    hall = Facility.objects.filter(slug="kominkan").first()
    hall_name = hall.name if hall else f"{town.name}公民館"
    clerk = _clerk(department)
    residents = list(Resident.objects.filter(user__email__endswith=f"@{town.slug}.demo").order_by("user__email"))
    today = timezone.localdate()
    for item in COURSES:
        course = _upsert(Course, {"municipality": municipality, "slug": item.slug}, {
            "title": item.title, "description": item.description, "department": department, "is_published": True,
            "fee": item.fee, "fee_note": item.fee_note,
        })
        if course.sessions.filter(starts_at__gt=timezone.now()).exists():
            continue
        for plan in item.sessions:
            day = today + timedelta(days=plan.days_ahead)
            session = services.add_session(
                course, staff=clerk, starts_at=timezone.make_aware(datetime.combine(day, plan.starts)),
                ends_at=timezone.make_aware(datetime.combine(day, plan.ends)), place=f"{hall_name} {plan.room}",
                seats=plan.seats)
            if plan.enrol_residents:
                for resident in residents[:plan.seats - 1]:
                    if not Enrolment.objects.filter(session=session, resident=resident).exists():
                        services.enrol(session, resident)


def _clerk(department: Department) -> Staff:
    """Who the demo sessions are recorded as made by: a member of the department, else the town's 情報担当."""
    staff = Staff.objects.filter(department=department, is_active=True).select_related("user").first()
    if staff is None:
        staff = Staff.objects.filter(role__gte=Role.ADMIN, is_active=True).select_related("user").first()
    if staff is None:
        raise LookupError(f"no staff to own the demo courses of {department}")
    return staff

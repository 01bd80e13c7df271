"""Small factory functions for the shared cast. Each test makes what it needs."""

from __future__ import annotations

import itertools
from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scope, scopes_disabled

from yakuba.kernel.accounts.models import Department, Resident, Role, Staff, User
from yakuba.kernel.tenancy.codes import check_digit
from yakuba.kernel.tenancy.models import Municipality

_seq = itertools.count(1)
PASSWORD = "correct horse battery staple 2026"


def make_town(code5: str = "10382", name: str = "下仁田町", **overrides: Any) -> Municipality:
    code = code5 + str(check_digit(code5))
    defaults = {"name": name, "name_kana": "しもにたまち", "prefecture": "群馬県", "phone": "0274-82-2111"}
    town, _ = Municipality.objects.get_or_create(code=code, defaults={**defaults, **overrides})
    return town


def make_department(town: Municipality, name: str = "総務課") -> Department:
    with scope(municipality=town):
        department, _ = Department.objects.get_or_create(municipality=town, name=name)
    return department


def make_user(email: str | None = None, password: str = PASSWORD) -> User:
    return User.objects.create_user(email or f"user{next(_seq)}@example.jp", password)


def make_staff(town: Municipality, *, department: str = "総務課", role: int = Role.STAFF,
               email: str | None = None, with_totp: bool = True) -> Staff:
    user = make_user(email or f"staff{next(_seq)}@{town.code}.example.jp")
    with scope(municipality=town):
        staff = Staff.objects.create(
            municipality=town, user=user, department=make_department(town, department), role=role,
            family_name="職員", given_name=str(next(_seq)),
        )
    if with_totp:
        TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return staff


def make_resident(town: Municipality, **fields: Any) -> Resident:
    user = make_user(fields.pop("email", None))
    defaults = {"family_name": "山田", "given_name": "花子", "family_name_kana": "ヤマダ",
                "given_name_kana": "ハナコ", "address": "群馬県甘楽郡下仁田町大字下仁田1"}
    with scope(municipality=town):
        return Resident.objects.create(municipality=town, user=user, **{**defaults, **fields})


def staff_client(staff: Staff, client: Client | None = None) -> Client:
    """A client signed in as `staff` with the second factor passed (as after the TOTP step)."""
    client = client or Client()
    client.force_login(staff.user)
    with scopes_disabled():
        device = TOTPDevice.objects.filter(user=staff.user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def town_url(town: Municipality, path: str) -> str:
    return f"{town.path_prefix}{path}"


# 電子申請 ---------------------------------------------------------------------------------------------------

SIMPLE_FORM: dict[str, Any] = {
    "title": "犬の登録", "version": 1, "pages": [
        {"title": "申請者", "fields": [
            {"name": "applicant_name", "type": "name", "label": "氏名", "prefill": "name"},
            {"name": "address", "type": "address", "label": "住所", "prefill": "address"},
            {"name": "phone", "type": "phone", "label": "電話番号", "required": False, "prefill": "phone"},
        ]},
        {"title": "犬について", "fields": [
            {"name": "dog_name", "type": "text", "label": "犬の名前", "max_length": 30},
            {"name": "breed", "type": "choice", "label": "犬種",
             "options": [["shiba", "柴犬"], ["mixed", "雑種"], ["other", "その他"]]},
            {"name": "breed_other", "type": "text", "label": "犬種（その他）",
             "condition": {"field": "breed", "equals": "other"}},
            {"name": "photo", "type": "file", "label": "犬の写真", "required": False},
        ]},
    ],
}


def make_procedure(town: Municipality, *, slug: str | None = None, title: str = "犬の登録",
                   department: str = "総務課", definition: dict[str, Any] | None = None, published: bool = True,
                   category: str | None = None, **fields: Any) -> Any:
    """A procedure with a published first form version (SIMPLE_FORM unless given)."""
    from django.utils import timezone

    from yakuba.applications.models import Category, FormVersion, Procedure

    with scope(municipality=town):
        cat = None
        if category:
            cat, _ = Category.objects.get_or_create(municipality=town, slug=category, defaults={"name": category})
        procedure = Procedure.objects.create(
            municipality=town, slug=slug or f"procedure-{next(_seq)}", title=title, category=cat,
            department=make_department(town, department), is_published=published, **fields)
        data = {**(definition or SIMPLE_FORM), "version": 1, "title": title}
        version = FormVersion.objects.create(municipality=town, procedure=procedure, version=1, definition=data,
                                             published_at=timezone.now())
        procedure.current_form = version
        procedure.save()
    return procedure


SIMPLE_ANSWERS: dict[str, Any] = {
    "applicant_name": {"family": "山田", "given": "花子"}, "address": "群馬県甘楽郡下仁田町大字下仁田1",
    "dog_name": "ポチ", "breed": "shiba",
}


def make_submission(procedure: Any, resident: Resident, *, answers: dict[str, Any] | None = None,
                    status: str | None = None) -> Any:
    """A submission filed online through the services (status RECEIVED, or moved on to `status` by staff)."""
    from yakuba.applications import services
    from yakuba.applications.models import Status

    town = procedure.municipality
    with scope(municipality=town):
        draft = services.start_draft(procedure, resident)
        draft.answers = {**draft.answers, **(answers or SIMPLE_ANSWERS)}
        draft.save()
        submission = services.submit(draft, actor=resident.user)
        if status and status != Status.RECEIVED:
            clerk = Staff.objects.filter(department=procedure.department, is_active=True).first() or make_staff(
                town, department=procedure.department.name)
            steps = {Status.REVIEWING: ["start_review"], Status.CORRECTION: ["request_correction"],
                     Status.COMPLETED: ["complete"], Status.REJECTED: ["reject"]}
            for name in steps[status]:
                services.transition(submission, name, staff=clerk, message="確認してください",
                                    fields=["dog_name"] if name == "request_correction" else ())
        submission.refresh_from_db()
    return submission


# 予約 ------------------------------------------------------------------------------------------------------

def open_rules(**overrides: Any) -> dict[str, Any]:
    """Calendar rules open 9:00–21:00 every day, bookable far ahead: tests pick any future time they like."""
    from datetime import time

    from yakuba.kernel.scheduling.calendar import Rules

    every_day = ((time(9), time(21)),)
    values: dict[str, Any] = {"hours": (every_day,) * 7, "closed_on_holidays": False, "year_end_closure": False,
                              "window_days": 3650}
    return Rules(**{**values, **overrides}).to_dict()


def make_room(town: Municipality, *, facility: str = "公民館", name: str = "第1会議室", department: str = "総務課",
              **fields: Any) -> Any:
    from yakuba.kernel.scheduling.models import Resource
    from yakuba.reservations.models import Facility, Room

    with scope(municipality=town):
        place, _ = Facility.objects.get_or_create(
            municipality=town, slug=f"facility-{abs(hash(facility)) % 10**6}",
            defaults={"name": facility, "department": make_department(town, department)})
        resource = Resource.objects.create(municipality=town, key=f"room:{next(_seq)}", name=name,
                                           rules=fields.pop("rules", open_rules()))
        return Room.objects.create(municipality=town, facility=place, name=name, resource=resource, **fields)


def make_reservation(room: Any, resident: Resident, starts_at: Any, hours: int = 1, *, purpose: str = "会議") -> Any:
    """A room reservation made well ahead (as if a month earlier), through the services."""
    from datetime import timedelta

    from yakuba.reservations import services

    with scope(municipality=room.municipality):
        return services.reserve_room(room, resident, starts_at, starts_at + timedelta(hours=hours), purpose=purpose,
                                     now=starts_at - timedelta(days=30))


# ---------------------------------------------------------------- お知らせ・防災 (notices, kernel/messaging)

CATEGORIES = [("bousai", "防災", True), ("kurashi", "くらし", False), ("gomi", "ごみ", False),
              ("kosodate", "子育て", False), ("kenko", "健康", False), ("event", "イベント", False)]


def make_category(town: Municipality, slug: str = "kurashi", **fields: Any) -> Any:
    """A notice category; the six usual ones by slug (bousai is the emergency one)."""
    from yakuba.notices.models import Category

    known = {s: (name, emergency) for s, name, emergency in CATEGORIES}
    name, emergency = known.get(slug, (slug, False))
    with scope(municipality=town):
        category, _ = Category.objects.get_or_create(
            municipality=town, slug=slug,
            defaults={"name": fields.pop("name", name), "is_emergency": fields.pop("is_emergency", emergency),
                      **fields})
        return category


def make_area(town: Municipality, name: str = "下仁田地区") -> Any:
    from yakuba.notices.models import Area

    with scope(municipality=town):
        area, _ = Area.objects.get_or_create(municipality=town, name=name)
        return area


def make_notice(town: Municipality, *, category: str = "kurashi", title: str = "お知らせ", body: str = "本文です。",
                published: bool = True, areas: list[Any] | None = None, department: str = "総務課",
                **fields: Any) -> Any:
    """A notice row as staff would leave it (published now unless told otherwise); no delivery is started."""
    from django.utils import timezone

    from yakuba.notices.models import Notice, NoticeStatus

    with scope(municipality=town):
        notice = Notice.objects.create(
            municipality=town, category=make_category(town, category), title=title, body=body,
            department=make_department(town, department),
            status=NoticeStatus.PUBLISHED if published else NoticeStatus.DRAFT,
            publish_at=fields.pop("publish_at", timezone.now() - timezone.timedelta(minutes=1)),
            published_at=timezone.now() if published else None, **fields)
        if areas:
            notice.areas.set(areas)
        return notice


def make_subscriber(town: Municipality, *, email: str | None = None, line_user: str | None = None,
                    categories: tuple[str, ...] = ("bousai", "kurashi"), areas: list[Any] | None = None,
                    resident: Resident | None = None, **fields: Any) -> Any:
    """A subscriber with confirmed endpoints (email and/or LINE) and a notices subscription."""
    from django.utils import timezone

    from yakuba.kernel.messaging.models import Channel, Endpoint, Subscriber
    from yakuba.notices.models import Subscription

    with scope(municipality=town):
        subscriber = Subscriber.objects.create(municipality=town, resident=resident, **fields)
        if email:
            Endpoint.objects.create(municipality=town, subscriber=subscriber, channel=Channel.EMAIL, address=email,
                                    confirmed_at=timezone.now())
        if line_user:
            Endpoint.objects.create(municipality=town, subscriber=subscriber, channel=Channel.LINE,
                                    address=line_user, confirmed_at=timezone.now())
        subscription = Subscription.objects.create(municipality=town, subscriber=subscriber)
        subscription.categories.set([make_category(town, slug) for slug in categories])
        if areas:
            subscription.areas.set(areas)
        return subscriber


def start_notice_broadcast(town: Municipality, notice: Any, *, urgent: bool = False,
                           content: dict[str, dict[str, str]] | None = None, ask_ack: bool = True) -> Any:
    """A broadcast of `notice` as publishing starts one (fan-out queued after commit), with its own content."""
    from django.db import transaction

    from yakuba.kernel.messaging import services

    with scope(municipality=town), transaction.atomic():
        return services.start_broadcast(
            municipality=town, source="notices.notice", source_id=notice.pk, urgent=urgent,
            content=content or {"ja": {"subject": notice.title, "body": notice.body}},
            url=f"/notices/{notice.public_id}/", ask_ack=ask_ack)


def publish_shelters(town: Municipality, *sites: dict[str, str]) -> list[str]:
    """Publish a version of the town's 指定緊急避難場所一覧 (オープンデータ) holding `sites`; each is a 指定避難所
    unless it says 指定避難所との重複 = "". Each site needs an ID and a 名称. The IDs, in order."""
    from yakuba.opendata import definitions
    from yakuba.opendata.models import Dataset, Origin
    from yakuba.opendata.services import publish

    defn = definitions.get("evacuation-sites")
    assert defn is not None
    rows = [{name: {"指定避難所との重複": "1", "全国地方公共団体コード": town.code, "地方公共団体名": town.name,
                    **site}.get(name, "") for name in defn.names} for site in sites]
    with scope(municipality=town):
        dataset, _created = Dataset.objects.get_or_create(municipality=town, kind="evacuation-sites",
                                                          defaults={"title": defn.title})
        publish.publish(dataset, rows, origin=Origin.IMPORT)
    return [site["ID"] for site in sites]

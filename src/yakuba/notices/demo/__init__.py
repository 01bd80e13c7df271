"""Demo data of お知らせ・防災 for the demo towns (`yakuba demo`): categories, 地区, a few published notices
(one asks for 出欠, one has ended), the demo residents subscribed by email (resident1 awaits confirmation) and the
災害モード settings (threshold 警戒レベル4, 総務課 as the 防災 department; never a mode in force). The
避難所 are not here: they are the 指定避難所 of the open data's 指定緊急避難場所一覧 (opendata/demo/rows.py).

Idempotent: a second load writes nothing new. Notices are stored without a broadcast, so loading sends nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from yakuba.kernel.accounts.models import Department, Resident, User
from yakuba.kernel.messaging import consent
from yakuba.kernel.messaging import services as messaging
from yakuba.kernel.messaging.consent import Purpose
from yakuba.kernel.messaging.models import Channel, Endpoint
from yakuba.kernel.ops.demo import Town, _upsert
from yakuba.kernel.tenancy.models import Municipality

from ..models import AlertLevel, Area, Category, DisasterSettings, Notice, NoticeStatus, ReplyKind, Subscription
from .catalogue import AREAS, CATEGORIES, NOTICES


def load(municipality: Municipality, town: Town) -> None:
    """Called by `yakuba demo` for each town inside its scope and transaction."""
    categories = {slug: _upsert(Category, {"municipality": municipality, "slug": slug}, {
        "name": name, "name_en": name_en, "is_emergency": emergency, "sort_order": order})
        for order, (slug, name, name_en, emergency) in enumerate(CATEGORIES)}
    for order, (name, kana) in enumerate(AREAS.get(town.slug, ())):
        _upsert(Area, {"municipality": municipality, "name": name},
                {"name_kana": kana, "sort_order": order})
    _notices(municipality, town, categories)
    _subscribers(municipality, town, list(categories.values()))
    # A 防災 clerk (soumu@…) publishing a レベル4 notice turns the site into disaster mode; 所属長 and 情報担当 end it.
    _upsert(DisasterSettings, {"municipality": municipality},
            {"threshold": AlertLevel.LEVEL4, "department": Department.objects.filter(name="総務課").first()})


def _at(days: int, hour: int = 9) -> datetime:
    """A moment relative to today, at a round hour, so a reload the same day computes the same value."""
    today = timezone.localdate()
    return timezone.make_aware(datetime.combine(today + timedelta(days=days), datetime.min.time())) + timedelta(
        hours=hour)


def _notices(municipality: Municipality, town: Town, categories: dict[str, Category]) -> None:
    departments = {d.name: d for d in Department.objects.all()}
    author = User.objects.filter(email=f"admin@{town.slug}.demo").first()
    for item in NOTICES:
        department = departments.get(item.department.get(town.slug, "総務課")) or departments["総務課"]
        existing = Notice.objects.filter(municipality=municipality, title=item.title).first()
        if existing is not None:
            continue  # demo notices are written once; staff may have edited or withdrawn them since
        publish_at = _at(item.published_days_ago * -1)
        Notice.objects.create(
            municipality=municipality, category=categories[item.category], title=item.title,
            body=item.body.format(town=town.name, phone=town.phone), easy_title=item.easy_title,
            easy_body=item.easy_body.format(town=town.name, phone=town.phone), department=department,
            publish_at=publish_at, expires_at=_at(item.expires_in_days) if item.expires_in_days is not None else None,
            status=NoticeStatus.PUBLISHED, published_at=publish_at, deliver=False,
            reply_kind=item.reply_kind or ReplyKind.NONE, reply_choices=list(item.reply_choices),
            reply_deadline=_at(item.reply_deadline_days, 17) if item.reply_deadline_days is not None else None,
            created_by=author)


def _subscribers(municipality: Municipality, town: Town, categories: list[Category]) -> None:
    """The demo residents get every category by email at their account address, so a 防災 notice published in the
    demo reaches them (the console mail backend of `make run` prints it) — those whose address is confirmed. The
    one with an unconfirmed address (resident1) waits, as the mail rule says, until they confirm it on マイページ."""
    for resident in Resident.objects.filter(user__email__endswith=f"@{town.slug}.demo").select_related("user"):
        subscriber = messaging.subscriber_for_resident(municipality, resident)
        if resident.user is None:
            continue
        address = resident.user.email
        current = Endpoint.objects.filter(subscriber=subscriber, channel=Channel.EMAIL).first()
        if consent.to_person(resident, Purpose.NOTICE):
            if current is None or current.address != address or not current.is_active:
                messaging.add_confirmed(subscriber, Channel.EMAIL, address)
        elif current is None or current.address != address or current.confirmed_at is not None:
            messaging.add_email(subscriber, address)  # waits for the account's confirmation; nothing is mailed
        # The endpoint signal may have made a subscription with the emergency categories only: widen it.
        subscription, _created = Subscription.objects.get_or_create(municipality=municipality, subscriber=subscriber)
        wanted = {category.pk for category in categories}
        if set(subscription.categories.values_list("pk", flat=True)) != wanted:
            subscription.categories.set(categories)

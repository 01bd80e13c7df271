"""The demo data of お知らせ・防災: it sends nothing, and the demo residents are
subscribed by email to every category (防災 among them), resident1 waiting for their address to be confirmed."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled

from yakuba.kernel.messaging.models import Broadcast, Endpoint
from yakuba.kernel.tenancy.models import Municipality
from yakuba.notices.models import Area, Category, Notice, ReplyKind, Shelter, Subscription
from yakuba.notices.services import disaster, shelters

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    with scopes_disabled():
        return {model.__name__: model.objects.count()
                for model in (Category, Area, Shelter, Notice, Subscription, Endpoint, Broadcast)}


def test_the_demo_sends_nothing_and_subscribes_the_residents(demo_for_module):
    first = counts()
    assert first["Broadcast"] == 0 and first["Category"] == 24 and first["Area"] == 18
    town = Municipality.objects.get(code="103829")
    with scope(municipality=town):
        assert list(Category.objects.filter(is_emergency=True).values_list("slug", flat=True)) == ["bousai"]
        assert set(Area.objects.values_list("name", flat=True)) >= {"下仁田地区", "馬山地区", "南野牧地区"}
        assert "下仁田町立下仁田小学校" in [place.name for place in shelters.places(town)]  # from the open data
        course = Notice.objects.visible().filter(municipality=town).get(title="スマホ教室（1月）のご案内")
        assert course.category.slug == "event" and course.reply_kind == ReplyKind.YES_NO
        assert course.reply_choices == ["出席", "欠席"] and course.broadcast is None
        assert Notice.objects.visible().filter(municipality=town, title="ごみ収集日の変更").exists()
        ended = Notice.objects.filter(municipality=town, expires_at__isnull=False)
        assert ended.exclude(pk__in=Notice.objects.visible()).exists()
        # resident1's address is unconfirmed: their email waits for it (the mail rule); resident2's is confirmed.
        waiting = Endpoint.objects.get(address="resident1@shimonita.demo")
        assert waiting.channel == "email" and waiting.confirmed_at is None and waiting.paused_at is None
        endpoint = Endpoint.objects.get(address="resident2@shimonita.demo")
        assert endpoint.channel == "email" and endpoint.is_active
        subscription = Subscription.objects.get(subscriber=endpoint.subscriber)
        assert set(subscription.categories.values_list("slug", flat=True)) == {
            "bousai", "kurashi", "gomi", "kosodate", "kenko", "event"}
        # 災害モード: a レベル4 notice turns it on (soumu@ publishes, kacho@ and admin@ end it); never on after a load.
        assert disaster.settings_of(town).threshold == 4 and disaster.settings_of(town).department.name == "総務課"
        assert disaster.active_mode(town) is None


def test_an_emergency_notice_published_in_the_demo_reaches_the_demo_residents_with_confirmed_addresses(
        demo_for_module):
    from yakuba.kernel.accounts.models import Staff
    from yakuba.notices.services import notices as services

    town = Municipality.objects.get(code="103829")
    with scope(municipality=town):
        staff = Staff.objects.get(user__email="juumin@shimonita.demo")
        notice = services.save_notice(staff, data=services.NoticeData(
            title="避難指示", body="すぐに避難してください。", category=Category.objects.get(slug="bousai"),
            department=staff.department))
        # resident2 and resident3; resident1 once they confirm their address on マイページ.
        assert services.expected_recipients(notice)["email"] == 2

"""Subscribing to notices and managing it: the subscribe form (with and without an account), the manage page
every message links to, the service's refusals, and 防災 for subscribers who arrive by LINE alone."""

from __future__ import annotations

from datetime import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from django_tasks_db.models import DBTaskResult

from tests import factories
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.messaging import services as messaging
from yakuba.kernel.messaging.models import Channel, Endpoint, Subscriber
from yakuba.kernel.refusal import Refused
from yakuba.notices.models import Subscription
from yakuba.notices.services import subscriptions
from yakuba.notices.services.subscriptions import EmailState

pytestmark = pytest.mark.django_db


def url(town, name, *args):
    return factories.town_url(town, reverse(name, args=args))


@pytest.fixture
def cats(town_a):
    return {slug: factories.make_category(town_a, slug) for slug in ("bousai", "kurashi", "gomi")}


@pytest.fixture
def areas(town_a):
    return [factories.make_area(town_a, "下仁田地区"), factories.make_area(town_a, "馬山地区")]


def verified(resident, email=None):
    resident.user.email_verified_at = timezone.now()
    resident.user.save()
    return resident


def form(cats, **overrides):
    data = {"categories": [cats["bousai"].pk, cats["kurashi"].pk], "language": "ja", "quiet_start": "",
            "quiet_end": "", "email": "hanako@example.jp"}
    data.update(overrides)
    return data


def counts(town):
    with scopes_disabled():
        return tuple(model.objects.filter(municipality=town).count() for model in (Subscriber, Endpoint, Subscription))


def tasks_named(name):
    return [task for task in DBTaskResult.objects.all() if task.task_path.endswith(name)]


# The subscribe page --------------------------------------------------------------------------------------------

def test_the_form_offers_every_category_with_bousai_checked_and_recommended(client, town_a, cats, areas):
    factories.make_category(factories.make_town("10384", "甘楽町"), "event", name="甘楽のイベント")
    response = client.get(url(town_a, "notices:subscribe"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "防災" in body and "くらし" in body and "ごみ" in body and "甘楽のイベント" not in body
    assert f'value="{cats["bousai"].pk}"' in body
    checked = [line for line in body.splitlines() if 'name="categories"' in line and "checked" in line]
    assert len(checked) == 1 and f'value="{cats["bousai"].pk}"' in checked[0]
    assert "おすすめ" in body and "通知を控える時間でも届きます" in body
    assert "下仁田地区" in body and "馬山地区" in body and "すべての地区のお知らせが届きます" in body
    assert "やさしい日本語" in body and "English" in body
    assert body.count("<select") == 2 and "22:00" in body and "設定しない" in body
    assert 'name="email"' in body
    assert reverse("notices:feed") in body  # the Atom feed
    assert "data-push" in body  # the Web Push button (shown by its script)
    assert "line.me" not in body  # the town has no LINE account
    assert "LINE" not in body  # nor a word about LINE: nothing points at a button that is not there
    assert "RSSリーダー）に登録して使うもの" in body  # フィード explained


def test_language_choices_are_named_in_their_own_words_in_each_language(client, town_a, cats):
    japanese = client.get(url(town_a, "notices:subscribe")).content.decode()
    assert "やさしい日本語" in japanese and "English" in japanese and "英語(米国)" not in japanese
    assert "言語 / <span lang=\"en\">Language</span>" in japanese
    client.cookies["yakuba_language"] = "en"
    english = client.get(url(town_a, "notices:subscribe")).content.decode()
    assert "English" in english and "Language / <span lang=\"ja\">言語</span>" in english
    assert "Language / Language" not in english


def test_a_town_with_line_shows_the_add_friend_link_and_a_qr_code(client, town_a, cats):
    town_a.settings = {"line": {"basic_id": "@shimonita"}}
    town_a.save()
    body = client.get(url(town_a, "notices:subscribe")).content.decode()
    assert 'href="https://line.me/R/ti/p/@shimonita"' in body and "LINEで友だち追加" in body
    assert 'src="data:image/svg+xml' in body and "QRコード（LINE ID: @shimonita）" in body
    assert "メール・LINE・プッシュ通知でお届けします" in body and "「LINEで受け取る」などから登録" in body


def test_subscribing_without_an_account_asks_the_address_to_confirm(client, town_a, cats, areas,
                                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(town_a, "notices:subscribe"), form(
            cats, categories=[cats["gomi"].pk], areas=[areas[1].pk], language="ja-easy", quiet_start="22",
            quiet_end="7", email=" Hanako@Example.JP "))
    assert response.status_code == 302 and response["Location"] == url(town_a, "notices:subscribe-done")
    with scope(municipality=town_a):
        subscriber = Subscriber.objects.get()
        assert subscriber.resident is None and subscriber.language == "ja-easy"
        assert (subscriber.quiet_start, subscriber.quiet_end) == (time(22), time(7))
        subscription = subscriber.notice_subscription
        assert list(subscription.categories.all()) == [cats["gomi"]]
        assert list(subscription.areas.all()) == [areas[1]]
        endpoint = subscriber.endpoints.get()
        assert (endpoint.channel, endpoint.address, endpoint.confirmed_at) == ("email", "hanako@example.jp", None)
        assert AuditEntry.objects.filter(action="notices.subscription.created").count() == 1
    [task] = tasks_named("send_confirmation")
    assert task.args_kwargs["args"][0] == endpoint.pk and task.queue_name == "mail"
    done = client.get(response["Location"]).content.decode()
    assert "確認メールを送りました" in done and "登録を完了する" in done
    assert "/notices/subscription/" not in done  # no manage link for a visitor: the address is not proven yet


@pytest.mark.parametrize(("change", "field_error"), [
    ({"categories": []}, "1つ以上選んでください"),
    ({"email": "hanako@example"}, "メールアドレスの形が正しくありません"),
    ({"email": "not an address"}, "メールアドレスの形が正しくありません"),
    ({"quiet_start": "22"}, "開始と終了の両方"),
    ({"quiet_end": "7"}, "開始と終了の両方"),
    ({"quiet_start": "25", "quiet_end": "7"}, "時刻を一覧から選んでください"),
    ({"areas": ["999999"]}, "この町にないもの"),
    ({"areas": ["abc"]}, "この町にないもの"),
    ({"categories": ["999999"]}, "この町にないもの"),
    ({"language": "fr"}, "言語を選んでください"),
    ({"email": ""}, "受け取り方を選んでください"),
])
def test_bad_input_is_refused_with_reasons_the_typing_kept_and_nothing_saved(client, town_a, cats, areas, change,
                                                                             field_error):
    data = form(cats, **{"areas": [areas[0].pk], "email": "typed@example.jp", **change})
    response = client.post(url(town_a, "notices:subscribe"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "入力内容に問題があります" in body and field_error in body and "エラー:" in body
    if change.get("email", "typed@example.jp"):
        assert f'value="{data["email"]}"' in body
    if "areas" not in change:
        assert f'value="{areas[0].pk}"' in [part for part in body.split("<input") if "checked" in part
                                           and 'name="areas"' in part][0]
    assert counts(town_a) == (0, 0, 0)


def test_an_area_of_another_town_is_refused(client, town_a, town_b, cats):
    other = factories.make_area(town_b, "小幡地区")
    response = client.post(url(town_a, "notices:subscribe"), form(cats, areas=[other.pk]))
    assert response.status_code == 400 and "この町にないもの" in response.content.decode()
    assert counts(town_a) == (0, 0, 0)


def test_the_service_refuses_categories_and_areas_of_another_town(town_a, town_b, cats):
    foreign_category = factories.make_category(town_b, "bousai")
    foreign_area = factories.make_area(town_b, "小幡地区")
    with scope(municipality=town_a), pytest.raises(Refused) as refused:
        subscriptions.subscribe(town_a, resident=None, categories=[foreign_category.pk], areas=[foreign_area],
                                language="ja", quiet_start=time(22), quiet_end=None, email="x@example.jp")
    assert set(refused.value.errors) == {"categories", "areas", "quiet_start"}
    assert counts(town_a) == (0, 0, 0)


def test_a_second_submit_of_the_same_form_saves_once(client, town_a, cats):
    page = client.get(url(town_a, "notices:subscribe")).content.decode()
    token = page.split('name="_once" value="')[1].split('"')[0]
    for _attempt in range(2):
        response = client.post(url(town_a, "notices:subscribe"), {**form(cats), "_once": token})
        assert response.status_code == 302
    assert counts(town_a) == (1, 1, 1)


def test_an_address_confirmed_by_someone_else_is_not_revealed_its_owner_gets_their_manage_link(
        client, town_a, cats, django_capture_on_commit_callbacks):
    owner = factories.make_subscriber(town_a, email="hanako@example.jp")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(town_a, "notices:subscribe"), form(cats, categories=[cats["gomi"].pk]))
    assert response.status_code == 302
    assert "確認メールを送りました" in client.get(response["Location"]).content.decode()
    assert counts(town_a) == (1, 1, 1)  # nothing new; the owner's choices untouched
    with scope(municipality=town_a):
        assert list(owner.notice_subscription.categories.values_list("slug", flat=True)) == ["bousai", "kurashi"]
        endpoint = owner.endpoints.get()
    assert tasks_named("send_confirmation") == []
    [task] = tasks_named("send_manage_link")
    assert task.args_kwargs["args"] == [endpoint.pk, "notices:subscription"]


# With an account ---------------------------------------------------------------------------------------------

def test_a_resident_with_a_verified_address_is_subscribed_at_once_without_a_mail(
        town_a, resident_a, cats, django_capture_on_commit_callbacks):
    verified(resident_a)
    client = Client()
    client.force_login(resident_a.user)
    page = client.get(url(town_a, "notices:subscribe")).content.decode()
    assert f'value="{resident_a.user.email}"' in page and "すぐに登録されます" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(town_a, "notices:subscribe"), form(cats, email=resident_a.user.email))
    assert response.status_code == 302
    with scope(municipality=town_a):
        subscriber = Subscriber.objects.get(resident=resident_a)
        endpoint = subscriber.endpoints.get()
        assert endpoint.address == resident_a.user.email and endpoint.is_active
    assert DBTaskResult.objects.count() == 0
    done = client.get(response["Location"]).content.decode()
    assert "登録が完了しました" in done and "確認メールを送りました" not in done
    assert reverse("notices:subscription", args=[subscriber.token]) in done


def test_a_residents_existing_choices_are_prefilled_and_updated_not_duplicated(town_a, resident_a, cats, areas):
    subscriber = factories.make_subscriber(town_a, resident=resident_a, email="mine@example.jp",
                                           categories=("gomi",), areas=[areas[1]], quiet_start=time(21),
                                           quiet_end=time(6), language="en")
    client = Client()
    client.force_login(resident_a.user)
    page = client.get(url(town_a, "notices:subscribe")).content.decode()
    checked = [part for part in page.split("<input") if "checked" in part]
    assert any(f'value="{cats["gomi"].pk}"' in part and "categories" in part for part in checked)
    assert not any(f'value="{cats["bousai"].pk}"' in part and "categories" in part for part in checked)
    assert any(f'value="{areas[1].pk}"' in part and "areas" in part for part in checked)
    assert any('value="en"' in part for part in checked)
    assert '<option value="21" selected>' in page and '<option value="6" selected>' in page
    assert 'value="mine@example.jp"' in page
    response = client.post(url(town_a, "notices:subscribe"), form(cats, categories=[cats["kurashi"].pk],
                                                                  email="mine@example.jp"))
    assert response.status_code == 302
    assert counts(town_a) == (1, 1, 1)
    with scope(municipality=town_a):
        subscriber.refresh_from_db()
        assert list(subscriber.notice_subscription.categories.all()) == [cats["kurashi"]]
        assert subscriber.endpoints.get().is_active  # the same confirmed address stays confirmed
        assert AuditEntry.objects.filter(action="notices.subscription.updated").count() == 1


def test_a_resident_may_subscribe_without_typing_an_address(town_a, resident_a, cats):
    client = Client()
    client.force_login(resident_a.user)
    response = client.post(url(town_a, "notices:subscribe"), form(cats, email=""))
    assert response.status_code == 302
    assert counts(town_a) == (1, 0, 1)


# The manage page ---------------------------------------------------------------------------------------------

def test_an_unknown_token_is_a_japanese_404(client, town_a, cats):
    response = client.get(url(town_a, "notices:subscription", "no-such-token"))
    assert response.status_code == 404 and "ページが見つかりません" in response.content.decode()
    subscriber = factories.make_subscriber(factories.make_town("10384", "甘楽町"), email="b@example.jp")
    assert client.get(url(town_a, "notices:subscription", subscriber.token)).status_code == 404


def test_the_manage_page_shows_and_changes_the_choices(client, town_a, cats, areas):
    subscriber = factories.make_subscriber(town_a, email="hanako@example.jp", line_user="U1234")
    manage = url(town_a, "notices:subscription", subscriber.token)
    page = client.get(manage).content.decode()
    assert "hanako@example.jp" in page and "LINE" in page and page.count("この受け取り方をやめる") == 2
    assert "すべての配信を停止する" in page and "メールアドレスを追加・変更する" in page
    response = client.post(manage, form(cats, categories=[cats["gomi"].pk], areas=[areas[0].pk],
                                         quiet_start="23", quiet_end="6", language="en"))
    assert response.status_code == 302 and response["Location"] == manage
    assert "受け取るお知らせを変更しました" in client.get(manage).content.decode()
    with scope(municipality=town_a):
        subscriber.refresh_from_db()
        assert list(subscriber.notice_subscription.categories.all()) == [cats["gomi"]]
        assert list(subscriber.notice_subscription.areas.all()) == [areas[0]]
        assert (subscriber.language, subscriber.quiet_start, subscriber.quiet_end) == ("en", time(23), time(6))


def test_the_manage_page_refuses_bad_choices_and_keeps_the_old_ones(client, town_a, cats):
    subscriber = factories.make_subscriber(town_a, email="hanako@example.jp")
    response = client.post(url(town_a, "notices:subscription", subscriber.token),
                           form(cats, categories=[], quiet_start="22"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "1つ以上選んでください" in body and "開始と終了の両方" in body
    with scope(municipality=town_a):
        assert sorted(subscriber.notice_subscription.categories.values_list("slug", flat=True)) == ["bousai",
                                                                                                    "kurashi"]


def test_removing_one_channel_keeps_the_others(client, town_a, cats):
    subscriber = factories.make_subscriber(town_a, email="hanako@example.jp", line_user="U1234")
    response = client.post(url(town_a, "notices:subscription-remove", subscriber.token), {"channel": "email"})
    assert response.status_code == 302
    with scope(municipality=town_a):
        assert list(subscriber.endpoints.values_list("channel", flat=True)) == ["line"]
    page = client.get(url(town_a, "notices:subscription", subscriber.token)).content.decode()
    assert "「メール」での受け取りをやめました" in page and "hanako@example.jp" not in page


def test_adding_an_address_on_the_manage_page_asks_to_confirm_it(client, town_a, cats,
                                                                  django_capture_on_commit_callbacks):
    subscriber = factories.make_subscriber(town_a, line_user="U1234")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(town_a, "notices:subscription-email", subscriber.token),
                               {"email": "new@example.jp"})
    assert response.status_code == 302
    with scope(municipality=town_a):
        endpoint = subscriber.endpoints.get(channel=Channel.EMAIL)
        assert endpoint.address == "new@example.jp" and endpoint.confirmed_at is None
    assert len(tasks_named("send_confirmation")) == 1
    page = client.get(url(town_a, "notices:subscription", subscriber.token)).content.decode()
    assert "確認メールを送りました" in page
    bad = client.post(url(town_a, "notices:subscription-email", subscriber.token), {"email": "oops"})
    assert bad.status_code == 400 and 'value="oops"' in bad.content.decode()


def test_stopping_everything_and_resuming(client, town_a, cats, django_capture_on_commit_callbacks):
    subscriber = factories.make_subscriber(town_a, email="hanako@example.jp", line_user="U1234")
    manage = url(town_a, "notices:subscription", subscriber.token)
    assert client.post(url(town_a, "notices:subscription-stop", subscriber.token)).status_code == 302
    with scope(municipality=town_a):
        subscriber.refresh_from_db()
        assert subscriber.unsubscribed_at is not None
        assert not any(endpoint.is_active for endpoint in subscriber.endpoints.all())
    page = client.get(manage).content.decode()
    assert "いま、配信を停止しています" in page and "配信を再開する" in page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url(town_a, "notices:subscription-resume", subscriber.token)).status_code == 302
    with scope(municipality=town_a):
        subscriber.refresh_from_db()
        assert subscriber.unsubscribed_at is None
        assert subscriber.endpoints.get(channel="line").is_active
        email = subscriber.endpoints.get(channel="email")
        assert email.confirmed_at is None and email.confirm_nonce  # the address proves itself again
    assert len(tasks_named("send_confirmation")) == 1


# LINE followers and other channel-only arrivals --------------------------------------------------------------

def test_a_new_line_follower_gets_the_emergency_categories(town_a, cats):
    factories.make_category(town_a, "jishin", name="地震", is_emergency=True)
    with scope(municipality=town_a):
        subscriber = messaging.new_subscriber(town_a)
        messaging.add_confirmed(subscriber, "line", "Uxxx")
        subscription = Subscription.objects.get(subscriber=subscriber)
        assert sorted(subscription.categories.values_list("slug", flat=True)) == ["bousai", "jishin"]
        assert not subscription.areas.exists()


def test_an_existing_choice_is_not_overwritten_by_a_new_channel(town_a, cats):
    subscriber = factories.make_subscriber(town_a, email="hanako@example.jp", categories=("gomi",))
    with scope(municipality=town_a):
        messaging.add_confirmed(subscriber, "line", "Uxxx")
        assert list(subscriber.notice_subscription.categories.values_list("slug", flat=True)) == ["gomi"]


def test_the_service_reports_what_happened_to_the_address(town_a, resident_a, cats):
    verified(resident_a)
    with scope(municipality=town_a):
        result = subscriptions.subscribe(town_a, resident=resident_a, categories=[cats["bousai"]], areas=[],
                                         language="ja", quiet_start=None, quiet_end=None,
                                         email=resident_a.user.email.upper())
        assert result.email is EmailState.CONFIRMED
        result = subscriptions.subscribe(town_a, resident=None, categories=[cats["bousai"]], areas=[],
                                         language="ja", quiet_start=None, quiet_end=None, email="x@example.jp")
        assert result.email is EmailState.SENT and result.subscriber is not None


def test_bad_input_from_a_signed_in_user_new_to_the_town_saves_no_resident_either(town_a, cats):
    from yakuba.kernel.accounts.models import Resident

    client = Client()
    client.force_login(factories.make_user("newcomer@example.jp"))
    response = client.post(url(town_a, "notices:subscribe"), form(cats, categories=[]))
    assert response.status_code == 400
    with scopes_disabled():
        assert not Resident.objects.exists()
    assert counts(town_a) == (0, 0, 0)
    assert client.post(url(town_a, "notices:subscribe"), form(cats, email="")).status_code == 302
    with scopes_disabled():
        assert Resident.objects.get().user.email == "newcomer@example.jp"
    assert counts(town_a) == (1, 0, 1)

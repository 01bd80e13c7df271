"""Resident pages of お知らせ over HTTP: the list (防災 pinned, filter, pages), one notice (versions, files,
「確認しました」), replies, and what is never shown (drafts, future, withdrawn, another town's)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from tests import factories
from yakuba.kernel.files.uploads import private_storage
from yakuba.kernel.messaging.models import Broadcast, Channel, Delivery
from yakuba.notices.models import NoticeAttachment, NoticeStatus, NoticeTranslation, Reply

pytestmark = pytest.mark.django_db


def url(name: str, *args: object, town_code: str = "10382") -> str:
    return f"/t/{town_code}{reverse(f'notices:{name}', args=args)}"


def make_delivery(notice, *, email: str = "hanako@example.jp", language: str = "ja", resident=None,
                  channel: str = Channel.EMAIL) -> Delivery:
    """A message of the notice's broadcast to one subscriber, as the fan-out would have left it."""
    town = notice.municipality
    subscriber = factories.make_subscriber(town, email=email if channel == Channel.EMAIL else None,
                                           line_user=email if channel == Channel.LINE else None,
                                           language=language, resident=resident)
    with scope(municipality=town):
        if notice.broadcast_id is None:
            notice.broadcast = Broadcast.objects.create(
                municipality=town, source="notices.notice", source_id=notice.pk, urgent=notice.is_emergency,
                content={"ja": {"subject": notice.title, "body": notice.body}},
                url=reverse("notices:detail", args=[notice.public_id]))
            notice.save(update_fields=["broadcast"])
        endpoint = subscriber.endpoints.get(channel=channel)
        return Delivery.objects.create(municipality=town, broadcast=notice.broadcast, subscriber=subscriber,
                                       endpoint=endpoint, channel=channel, status="sent", sent_at=timezone.now())


def withdraw(notice):
    with scope(municipality=notice.municipality):
        notice.status = NoticeStatus.WITHDRAWN
        notice.save(update_fields=["status"])
    return notice


def resident_client(resident) -> Client:
    client = Client()
    client.force_login(resident.user)
    return client


# The list -----------------------------------------------------------------------------------------------------

def test_list_shows_visible_notices_newest_first_with_emergency_pinned_and_marked(client, town_a):
    now = timezone.now()
    factories.make_notice(town_a, title="古いお知らせ", publish_at=now - timedelta(days=3))
    factories.make_notice(town_a, title="避難指示", category="bousai", publish_at=now - timedelta(days=2))
    factories.make_notice(town_a, title="新しいお知らせ", publish_at=now - timedelta(hours=1))
    factories.make_notice(town_a, title="下書き", published=False)
    factories.make_notice(town_a, title="予約公開", publish_at=now + timedelta(days=1))
    withdraw(factories.make_notice(town_a, title="取り下げ"))
    factories.make_notice(town_a, title="掲載終了", publish_at=now - timedelta(days=5),
                          expires_at=now - timedelta(days=1))

    response = client.get(url("index"))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("避難指示") < html.index("新しいお知らせ") < html.index("古いお知らせ")
    for hidden in ("下書き", "予約公開", "取り下げ", "掲載終了"):
        assert hidden not in html
    assert "発表中の防災情報" in html and "防災・緊急" in html  # marked in words, not colour alone
    assert 'type="application/atom+xml"' in html and reverse("notices:feed") in html
    assert "お知らせをメールなどで受け取る" in html


def test_list_filters_by_category_and_pages_by_twenty(client, town_a):
    for number in range(23):
        factories.make_notice(town_a, title=f"回覧板{number:02d}",
                              publish_at=timezone.now() - timedelta(minutes=number + 1))
    factories.make_notice(town_a, title="ごみの日の変更", category="gomi")

    first = client.get(url("index"), {"category": "kurashi"}).content.decode()
    second = client.get(url("index"), {"category": "kurashi", "page": 2}).content.decode()

    assert "ごみの日の変更" not in first and "ごみの日の変更" not in second
    assert first.count("回覧板") == 20 and "回覧板00" in first
    assert second.count("回覧板") == 3 and "回覧板22" in second
    assert "category=kurashi&amp;page=2" in first
    assert client.get(url("index"), {"category": "nai"}).status_code == 404


def test_another_towns_notice_is_not_found_here(client, town_a, town_b):
    other = factories.make_notice(town_b, title="甘楽町のお知らせ")

    assert client.get(url("detail", other.public_id)).status_code == 404
    assert "甘楽町のお知らせ" not in client.get(url("index")).content.decode()
    assert client.get(url("detail", other.public_id, town_code="10384")).status_code == 200


# One notice ---------------------------------------------------------------------------------------------------

def test_detail_shows_the_notice_escaped_with_its_facts(client, town_a):
    area = factories.make_area(town_a, "馬山地区")
    notice = factories.make_notice(town_a, title="断水のお知らせ", body="1行目\n<b>2行目</b>", areas=[area],
                                   department="上下水道課")

    html = client.get(url("detail", notice.public_id)).content.decode()

    assert "<h1>断水のお知らせ</h1>" in html
    assert "1行目<br>&lt;b&gt;2行目&lt;/b&gt;" in html
    assert "馬山地区" in html and "上下水道課" in html and "くらし" in html


@pytest.mark.parametrize("fields", [
    {"published": False},
    {"publish_at": timezone.now() + timedelta(hours=1)},
    {"withdrawn": True},
], ids=["draft", "future", "withdrawn"])
def test_invisible_notices_are_not_found(client, town_a, fields):
    withdrawn = fields.pop("withdrawn", False)
    notice = factories.make_notice(town_a, **fields)
    if withdrawn:
        withdraw(notice)

    assert client.get(url("detail", notice.public_id)).status_code == 404


def test_an_expired_notice_still_reads_but_says_it_has_ended(client, town_a):
    notice = factories.make_notice(town_a, title="夏祭り", publish_at=timezone.now() - timedelta(days=3),
                                   expires_at=timezone.now() - timedelta(days=1), reply_kind="yes_no")

    response = client.get(url("detail", notice.public_id))

    assert response.status_code == 200
    html = response.content.decode()
    assert "掲載を終了しました" in html and "夏祭り" in html
    assert 'name="answer"' not in html  # no reply form on an ended notice


def test_easy_japanese_by_toggle_and_translation_by_language(client, town_a):
    notice = factories.make_notice(town_a, title="避難所を開きました", body="避難所を開設しました。",
                                   easy_title="ひなんじょを あけました", easy_body="ひなんじょに いって ください。")
    with scope(municipality=town_a):
        NoticeTranslation.objects.create(municipality=town_a, notice=notice, language="en",
                                         title="Shelters are open", body="Evacuation shelters are open.")

    plain = client.get(url("detail", notice.public_id)).content.decode()
    easy = client.get(url("detail", notice.public_id), {"easy": "1"}).content.decode()
    client.cookies["yakuba_language"] = "en"
    english = client.get(url("detail", notice.public_id)).content.decode()

    assert "避難所を開設しました。" in plain and "やさしい日本語で読む" in plain and "?easy=1" in plain
    assert "ひなんじょに いって ください。" in easy and "ふつうの日本語で読む" in easy
    assert "Evacuation shelters are open." in english and 'lang="en"' in english


def test_attachments_are_served_only_while_the_notice_is_visible(client, town_a, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    notice = factories.make_notice(town_a, title="ハザードマップ")
    path = private_storage().save("notices/map.png", ContentFile(b"\x89PNG\r\n\x1a\nfake"))
    with scope(municipality=town_a):
        image = NoticeAttachment.objects.create(municipality=town_a, notice=notice, title="浸水想定区域の地図",
                                                path=path, original_name="地図.png", content_type="image/png",
                                                size=12)

    html = client.get(url("detail", notice.public_id)).content.decode()
    response = client.get(url("attachment", notice.public_id, image.pk))

    assert 'alt="浸水想定区域の地図"' in html and url("attachment", notice.public_id, image.pk) in html
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert response["Content-Disposition"].startswith("inline")
    withdraw(notice)
    assert client.get(url("attachment", notice.public_id, image.pk)).status_code == 404


# 「確認しました」 -----------------------------------------------------------------------------------------------

def test_opened_from_a_message_it_asks_for_confirmation_and_counts_the_first_press(client, town_a):
    notice = factories.make_notice(town_a, title="避難指示", category="bousai")
    delivery = make_delivery(notice)

    page = client.get(url("detail", notice.public_id), {"m": str(delivery.key)}).content.decode()
    assert "確認しました</button>" in page

    first = client.post(url("ack", notice.public_id), {"m": str(delivery.key)}, follow=True)
    delivery.refresh_from_db()
    confirmed_at = delivery.confirmed_at
    second = client.post(url("ack", notice.public_id), {"m": str(delivery.key)})
    delivery.refresh_from_db()

    assert confirmed_at is not None and delivery.confirmed_at == confirmed_at
    assert "確認しました。ありがとうございます。" in first.content.decode()
    assert "確認済みです" in first.content.decode() and "確認しました</button>" not in first.content.decode()
    assert second.status_code == 302


def test_a_key_of_another_notice_or_a_made_up_one_is_refused(client, town_a):
    notice = factories.make_notice(town_a, title="避難指示", category="bousai")
    other = factories.make_notice(town_a, title="別のお知らせ")
    delivery = make_delivery(other)

    assert client.post(url("ack", notice.public_id), {"m": str(delivery.key)}).status_code == 400
    assert client.post(url("ack", notice.public_id), {"m": "not-a-key"}).status_code == 400
    page = client.get(url("detail", notice.public_id), {"m": str(delivery.key)}).content.decode()
    assert "確認しました</button>" not in page
    delivery.refresh_from_db()
    assert delivery.confirmed_at is None


def test_the_subscribers_language_is_chosen_for_them(client, town_a):
    notice = factories.make_notice(town_a, body="ふつうの本文", easy_body="やさしい ほんぶん")
    delivery = make_delivery(notice, language="ja-easy")

    html = client.get(url("detail", notice.public_id), {"m": str(delivery.key)}).content.decode()

    assert "やさしい ほんぶん" in html and "ふつうの本文" not in html


# Replies ------------------------------------------------------------------------------------------------------

def reply_notice(town, **fields):
    return factories.make_notice(town, title="防災訓練の出欠", reply_kind=fields.pop("reply_kind", "yes_no"),
                                 reply_deadline=fields.pop("reply_deadline", timezone.now() + timedelta(days=3)),
                                 **fields)


def test_reply_through_the_message_link(client, town_a):
    notice = reply_notice(town_a)
    delivery = make_delivery(notice)

    page = client.get(url("detail", notice.public_id), {"m": str(delivery.key)}).content.decode()
    response = client.post(url("reply", notice.public_id), {
        "m": str(delivery.key), "answer": "はい", "comment": "2人で参加します", "name": "山田", "_once": "t" * 24})

    assert 'value="はい"' in page and 'value="いいえ"' in page
    assert response.status_code == 302 and str(delivery.key) in response["Location"]
    with scope(municipality=town_a):
        reply = Reply.objects.get(notice=notice)
    assert (reply.answer, reply.comment, reply.name) == ("はい", "2人で参加します", "山田")
    assert reply.subscriber_id == delivery.subscriber_id and reply.delivery_id == delivery.pk


def test_reply_as_a_signed_in_resident_then_change_it_before_the_deadline(town_a, resident_a):
    notice = reply_notice(town_a)
    client = resident_client(resident_a)

    page = client.get(url("detail", notice.public_id)).content.decode()
    client.post(url("reply", notice.public_id), {"answer": "はい", "comment": "", "name": "山田 花子"})
    changed = client.post(url("reply", notice.public_id), {"answer": "いいえ", "comment": "都合がつきません",
                                                           "name": "山田 花子"}, follow=True)

    assert 'value="山田 花子"' in page  # the name is filled in for a signed-in resident
    assert "ご回答を変更しました。" in changed.content.decode()
    with scope(municipality=town_a):
        assert list(Reply.objects.filter(notice=notice).values_list("resident_id", "answer", "comment")) == [
            (resident_a.pk, "いいえ", "都合がつきません")]


def test_without_a_message_link_or_login_the_form_asks_to_sign_in(client, town_a):
    notice = reply_notice(town_a)

    html = client.get(url("detail", notice.public_id)).content.decode()
    refused = client.post(url("reply", notice.public_id), {"answer": "はい", "comment": "", "name": ""})

    assert "ご回答にはログインするか、お知らせのメールやLINEのリンクから開いてください" in html
    assert reverse("accounts:login") in html and 'name="answer"' not in html
    assert refused.status_code == 400
    with scope(municipality=town_a):
        assert not Reply.objects.exists()


def test_after_the_deadline_the_form_is_closed_and_a_reply_refused(town_a, resident_a):
    notice = reply_notice(town_a, reply_deadline=timezone.now() - timedelta(minutes=1))
    client = resident_client(resident_a)

    html = client.get(url("detail", notice.public_id)).content.decode()
    response = client.post(url("reply", notice.public_id), {"answer": "はい", "comment": "", "name": ""})

    assert "回答の受付は終了しました。" in html and 'name="answer"' not in html
    assert response.status_code == 400 and "締切" in response.content.decode()
    with scope(municipality=town_a):
        assert not Reply.objects.exists()


def test_an_answer_not_offered_is_refused_and_the_typing_kept(town_a, resident_a):
    notice = reply_notice(town_a, reply_kind="choice", reply_choices=["午前の部", "午後の部"])
    client = resident_client(resident_a)

    response = client.post(url("reply", notice.public_id), {"answer": "夜の部", "comment": "子ども連れです",
                                                            "name": "山田"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "回答を選択肢から選んでください。" in html and "子ども連れです</textarea>" in html
    assert html.startswith("<!doctype html>") and "<title>エラー" in html
    with scope(municipality=town_a):
        assert not Reply.objects.exists()


def test_a_comment_notice_needs_a_comment(town_a, resident_a):
    notice = reply_notice(town_a, reply_kind="comment")
    client = resident_client(resident_a)

    empty = client.post(url("reply", notice.public_id), {"comment": " ", "name": "山田"})
    given = client.post(url("reply", notice.public_id), {"comment": "家族3人とも無事です", "name": "山田"})

    assert empty.status_code == 400 and "ご回答の内容を入力してください。" in empty.content.decode()
    assert given.status_code == 302
    with scope(municipality=town_a):
        assert Reply.objects.get().comment == "家族3人とも無事です"


def test_the_same_form_sent_twice_writes_once(town_a, resident_a):
    notice = reply_notice(town_a)
    client = resident_client(resident_a)
    data = {"answer": "はい", "comment": "", "name": "", "_once": "x" * 24}

    client.post(url("reply", notice.public_id), data)
    again = client.post(url("reply", notice.public_id), {**data, "answer": "いいえ"}, follow=True)

    assert "このご回答はすでに受け付けています。" in again.content.decode()
    with scope(municipality=town_a):
        assert list(Reply.objects.values_list("answer", flat=True)) == ["はい"]


@pytest.mark.django_db
def test_the_home_page_leads_with_the_emergencies_in_force(client, town_a, town_b):
    alert = factories.make_notice(town_a, category="bousai", title="避難指示（馬山地区）")
    factories.make_notice(town_a, category="gomi", title="ごみ収集日の変更")
    factories.make_notice(town_a, category="bousai", title="下書きの避難情報", published=False)
    factories.make_notice(town_b, category="bousai", title="甘楽町の避難指示")
    page = client.get(factories.town_url(town_a, "/")).content.decode()
    assert "発表中の緊急情報" in page
    assert f'href="/t/10382/notices/{alert.public_id}/"' in page and "避難指示（馬山地区）" in page
    for other in ("ごみ収集日の変更", "下書きの避難情報", "甘楽町の避難指示"):
        assert other not in page
    # No emergency, no box.
    quiet = factories.make_town("10421", "中之条町")
    assert "発表中の緊急情報" not in client.get(factories.town_url(quiet, "/")).content.decode()

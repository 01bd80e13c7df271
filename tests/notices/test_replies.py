"""The reply service: who may answer, what, until when; one row per person; the tally and rows staff read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.notices.test_views_public import make_delivery
from yakuba.kernel.messaging.models import Channel
from yakuba.kernel.refusal import Refused
from yakuba.notices.models import Reply
from yakuba.notices.services import replies

pytestmark = pytest.mark.django_db


def asking(town, kind: str = "yes_no", choices: list[str] | None = None, **fields):
    return factories.make_notice(town, title="敬老会の出欠", reply_kind=kind, reply_choices=choices or [],
                                 reply_deadline=fields.pop("reply_deadline", timezone.now() + timedelta(days=2)),
                                 **fields)


def test_yes_no_offers_hai_iie_by_default_and_a_choice_notice_its_own(town_a):
    assert replies.choices_of(asking(town_a)) == ["はい", "いいえ"]
    assert replies.choices_of(asking(town_a, "yes_no", ["出席", "欠席"])) == ["出席", "欠席"]
    assert replies.choices_of(asking(town_a, "choice", ["A", "B", "C"])) == ["A", "B", "C"]
    assert replies.choices_of(asking(town_a, "comment")) == []


def test_a_subscriber_replies_and_replying_again_updates_the_same_row(town_a):
    notice = asking(town_a)
    delivery = make_delivery(notice)
    with scope(municipality=town_a):
        first = replies.reply(notice, answer="はい", comment="", delivery=delivery)
        second = replies.reply(notice, answer=" いいえ ", comment="風邪をひきました", name="山田", delivery=delivery)
        assert first.pk == second.pk
        row = Reply.objects.get()
    assert (row.answer, row.comment, row.name, row.subscriber_id) == ("いいえ", "風邪をひきました", "山田",
                                                                       delivery.subscriber_id)


def test_a_residents_reply_by_login_and_by_their_message_is_one_reply(town_a, resident_a):
    notice = asking(town_a)
    delivery = make_delivery(notice, resident=resident_a)
    with scope(municipality=town_a):
        replies.reply(notice, answer="はい", comment="", resident=resident_a)
        replies.reply(notice, answer="いいえ", comment="", delivery=delivery)
        assert list(Reply.objects.values_list("resident_id", "answer")) == [(resident_a.pk, "いいえ")]


@pytest.mark.parametrize(("kind", "answer", "comment", "message"), [
    ("yes_no", "たぶん", "", "回答を選択肢から選んでください。"),
    ("choice", "", "", "回答を選択肢から選んでください。"),
    ("comment", "", "   ", "ご回答の内容を入力してください。"),
    ("yes_no", "はい", "あ" * 1001, "ひとことは1000文字以内で入力してください。"),
    ("none", "", "こんにちは", "このお知らせには回答できません。"),
])
def test_refusals_say_why_in_japanese_and_write_nothing(town_a, resident_a, kind, answer, comment, message):
    notice = asking(town_a, kind, ["午前", "午後"] if kind == "choice" else None)
    with scope(municipality=town_a):
        with pytest.raises(Refused) as refused:
            replies.reply(notice, answer=answer, comment=comment, resident=resident_a)
        assert refused.value.message == message
        assert not Reply.objects.exists()


def test_the_deadline_closes_replies_even_for_changes(town_a, resident_a):
    deadline = timezone.now() + timedelta(hours=1)
    notice = asking(town_a, reply_deadline=deadline)
    with scope(municipality=town_a):
        replies.reply(notice, answer="はい", comment="", resident=resident_a, now=deadline - timedelta(minutes=1))
        with pytest.raises(Refused) as refused:
            replies.reply(notice, answer="いいえ", comment="", resident=resident_a, now=deadline + timedelta(seconds=1))
        assert "締切" in refused.value.message
        assert Reply.objects.get().answer == "はい"
    assert replies.is_open(notice, deadline) and not replies.is_open(notice, deadline + timedelta(seconds=1))


def test_nobody_to_reply_as_is_refused(town_a):
    with scope(municipality=town_a), pytest.raises(Refused):
        replies.reply(asking(town_a), answer="はい", comment="")


def test_tally_counts_every_choice_in_order_with_zeros(town_a):
    notice = asking(town_a, "choice", ["午前の部", "午後の部", "夜の部"])
    with scope(municipality=town_a):
        for number, answer in enumerate(["午後の部", "午前の部", "午後の部"]):
            replies.reply(notice, answer=answer, comment="", resident=factories.make_resident(town_a),
                          name=f"住民{number}")
        assert replies.tally(notice) == [("午前の部", 1), ("午後の部", 2), ("夜の部", 0)]


def test_tally_of_a_comment_notice_counts_comments(town_a, resident_a):
    notice = asking(town_a, "comment")
    with scope(municipality=town_a):
        assert replies.tally(notice) == [("コメントのみ", 0)]
        replies.reply(notice, answer="", comment="無事です", resident=resident_a)
        assert replies.tally(notice) == [("コメントのみ", 1)]


def test_rows_tell_who_what_and_by_which_way(town_a, resident_a):
    notice = asking(town_a)
    line = make_delivery(notice, email="U123", channel=Channel.LINE)
    with scope(municipality=town_a):
        replies.reply(notice, answer="はい", comment="", resident=resident_a)
        replies.reply(notice, answer="いいえ", comment="仕事です", name="佐藤", delivery=line)
        result = replies.rows(notice)
    assert [(row["name"], row["answer"], row["comment"], row["channel"]) for row in result] == [
        ("山田 花子", "はい", "", "web"), ("佐藤", "いいえ", "仕事です", "line")]
    assert all(row["created"] and row["updated"] for row in result)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_person_replying_many_times_at_once_ends_with_one_row(town_a):
    from collections import Counter

    from django.db import connection

    from tests.support.race import race

    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (YAKUBA_TEST_DATABASE_URL)")
    notice = asking(town_a, "choice", [f"案{number}" for number in range(6)])
    delivery = make_delivery(notice)
    answers = [f"案{number}" for number in range(6)]

    outcomes = race(town_a, [lambda answer=answer: replies.reply(notice, answer=answer, comment="", delivery=delivery)
                             for answer in answers])

    assert outcomes == Counter({"ok": len(answers)})
    with scope(municipality=town_a):
        assert Reply.objects.filter(notice=notice).count() == 1
        assert Reply.objects.get().answer in answers

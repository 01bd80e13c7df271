"""ご意見箱's services: sending (checked whole, numbered, nothing half-saved), routing, answering (mailed after
commit), closing, publishing as FAQ through the PII guard, the optimistic check between two staff, the metrics."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scope

from tests.support.tasks import run_worker
from tests.voice.opinions_support import cast, send
from yakuba.kernel import metrics
from yakuba.kernel.accounts.models import Department
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused
from yakuba.voice.models import Opinion, OpinionStatus
from yakuba.voice.services import opinions as services

pytestmark = pytest.mark.django_db


def test_an_opinion_gets_a_number_and_the_default_department_of_its_category(town_a):
    people = cast(town_a)
    first, second = send(people), send(people, category="手続き")
    year = timezone.localdate().year
    assert first.number == f"{year}-00001" and second.number == f"{year}-00002"
    with scope(municipality=town_a):
        assert first.department.name == "企画課" and second.department.name == "住民課"
        assert first.status == OpinionStatus.NEW and not first.identified
        assert AuditEntry.objects.filter(action="voice.opinion.received", object_id=str(first.pk)).exists()


@pytest.mark.parametrize(("body", "field"), [("", "body"), ("   ", "body"), ("あ" * 2001, "body")])
def test_empty_or_too_long_text_is_refused_and_nothing_is_saved(town_a, body, field):
    people = cast(town_a)
    with pytest.raises(Refused) as refused:
        send(people, body)
    assert field in refused.value.errors
    with scope(municipality=town_a):
        assert not Opinion.objects.exists()


def test_every_reason_is_given_at_once(town_a):
    cast(town_a)
    with scope(municipality=town_a), pytest.raises(Refused) as refused:
        services.send(town_a, services.Sending(None, "", email="not-an-address", wants_answer=True))
    assert set(refused.value.errors) == {"category", "body", "email", "consent"}


def test_asking_for_an_answer_needs_an_address(town_a):
    people = cast(town_a)
    with pytest.raises(Refused) as refused:
        send(people, wants_answer=True)
    assert "email" in refused.value.errors
    assert send(people, wants_answer=True, email="hanako@example.jp").email == "hanako@example.jp"


def test_script_in_the_text_is_kept_as_text(town_a):
    people = cast(town_a)
    opinion = send(people, "<script>alert('x')</script> 困っています")
    with scope(municipality=town_a):
        assert Opinion.objects.get(pk=opinion.pk).body == "<script>alert('x')</script> 困っています"


@pytest.mark.django_db(transaction=True)  # the mail task runs in the worker after commit
def test_the_receipt_and_the_answer_are_mailed_after_commit(town_a):
    people = cast(town_a)
    opinion = send(people, wants_answer=True, email="hanako@example.jp", name="山田 花子")
    run_worker()
    [receipt] = mail.outbox
    assert opinion.number in receipt.subject and "公民館" not in receipt.body  # the receipt never repeats the text
    with scope(municipality=town_a):
        services.answer(people.clerk, opinion.pk, "来年度から延長します。", revision=opinion.revision)
    run_worker()
    assert len(mail.outbox) == 2 and "来年度から延長します。" in mail.outbox[1].body
    run_worker()
    assert len(mail.outbox) == 2  # a task run again sends nothing twice


def test_routing_moves_it_to_another_department_with_a_note(town_a):
    people = cast(town_a)
    opinion = send(people)
    with scope(municipality=town_a):
        target = Department.objects.get(name="住民課")
        routed = services.route(people.clerk, opinion.pk, target, "窓口の件です。", revision=opinion.revision)
        assert routed.department == target and routed.routings.get().note == "窓口の件です。"
        assert services.waiting_count(people.other) == 1 and services.waiting_count(people.clerk) == 0
        with pytest.raises(Refused):  # no longer the 企画課's
            services.answer(people.clerk, opinion.pk, "回答", revision=routed.revision)


def test_a_stale_revision_is_refused_so_two_answers_never_overwrite(town_a):
    people = cast(town_a)
    opinion = send(people)
    with scope(municipality=town_a):
        services.answer(people.clerk, opinion.pk, "一人目の回答", revision=opinion.revision)
        with pytest.raises(Refused) as refused:
            services.answer(people.admin, opinion.pk, "二人目の回答", revision=opinion.revision)
        assert "ほかの職員が先に" in refused.value.message
        assert Opinion.objects.get(pk=opinion.pk).answer == "一人目の回答"


def test_staff_of_another_department_may_not_act_but_the_admin_may(town_a):
    people = cast(town_a)
    opinion = send(people)
    with scope(municipality=town_a):
        with pytest.raises(Refused):
            services.close(people.other, opinion.pk, revision=opinion.revision)
        assert services.close(people.admin, opinion.pk, revision=opinion.revision).status == OpinionStatus.CLOSED
        assert not services.inbox(people.other).exists() and services.inbox(people.admin).count() == 1


def test_the_faq_draft_is_redacted_and_publishing_refuses_personal_data(town_a):
    people = cast(town_a)
    opinion = send(people, "下仁田町大字下仁田100の山田太郎です。電話は090-1234-5678、taro@example.jp です。"
                           "ごみの出し方を教えてください。")
    with scope(municipality=town_a):
        opinion = services.answer(people.clerk, opinion.pk, "地区ごとのカレンダーをご覧ください。",
                                  revision=opinion.revision)
        question, answer = services.faq_draft(opinion)
        for raw in ("090-1234-5678", "taro@example.jp", "大字下仁田100"):
            assert raw not in question
        assert "［電話番号］" in question and answer == "地区ごとのカレンダーをご覧ください。"
        with pytest.raises(Refused) as refused:
            services.publish(people.clerk, opinion.pk, "電話090-1234-5678の者です。ごみの出し方は？", answer,
                             revision=opinion.revision)
        assert "faq_question" in refused.value.errors
        published = services.publish(people.clerk, opinion.pk, "ごみの出し方を教えてください。", answer,
                                     revision=opinion.revision)
        assert list(services.published()) == [published]
        services.unpublish(people.clerk, opinion.pk, revision=published.revision)
        assert not services.published().exists()


def test_only_an_answered_opinion_can_be_published(town_a):
    people = cast(town_a)
    opinion = send(people)
    with scope(municipality=town_a), pytest.raises(Refused):
        services.publish(people.clerk, opinion.pk, "質問", "回答", revision=opinion.revision)


def test_categories_are_kept_by_the_admin_only(town_a):
    people = cast(town_a)
    with scope(municipality=town_a):
        department = Department.objects.get(name="住民課")
        fields = services.CategoryFields("子育て", "保育園・学童について", department)
        with pytest.raises(Refused):
            services.save_category(people.clerk, fields)
        category = services.save_category(people.admin, fields)
        assert category.department == department
        with pytest.raises(Refused) as refused:
            services.save_category(people.admin, fields)
        assert "name" in refused.value.errors
        assert services.install_defaults(town_a) == 0  # already there


def test_metrics_count_answer_and_days(town_a):
    people = cast(town_a)
    answered = send(people, wants_answer=True, email="a@example.jp")
    send(people, wants_answer=True, email="b@example.jp")
    send(people, category="ご質問")
    with scope(municipality=town_a):
        services.answer(people.clerk, answered.pk, "回答です。", revision=answered.revision)
        Opinion.objects.filter(pk=answered.pk).update(received_at=timezone.now() - timedelta(days=3))
        today = timezone.localdate()
        start, end = today - timedelta(days=30), today + timedelta(days=1)
        assert metrics.get("voice.opinions_received").value(start, end) == 3
        assert metrics.get("voice.opinion_answer_days").value(start, end) == Decimal("3.0")
        assert metrics.get("voice.opinion_answered_share").value(start, end) == Decimal("50.0")
        assert metrics.get("voice.opinion_corner").value(start, end) == 1
        assert metrics.get("voice.opinion_answer_days").value(start - timedelta(days=60), start) is None

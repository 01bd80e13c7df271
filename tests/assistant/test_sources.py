"""Procedures and notices kept as documents: created, updated, retired in step with what residents see."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests.factories import make_procedure
from tests.support.tasks import run_worker
from yakuba.assistant.models import Document, Kind
from yakuba.assistant.services import search, sources


def live(kind: str) -> list[Document]:
    return list(Document.objects.filter(kind=kind, retired_at__isnull=True))


def test_procedures_follow_their_publication(town_a):
    with scope(municipality=town_a):
        procedure = make_procedure(town_a, slug="inu", title="犬の登録", summary="犬を飼い始めたら登録します。",
                                   fee="3,000円")
        assert sources.sync(town_a) == 1
        assert sources.sync(town_a) == 0  # unchanged: nothing written
        [document] = live(Kind.PROCEDURE)
        assert "3,000円" in document.body and document.department == procedure.department
        procedure.summary = "犬や猫を飼い始めたら登録します。"
        procedure.save()
        sources.sync(town_a)
        document.refresh_from_db()
        assert document.version == 2
        procedure.is_published = False
        procedure.save()
        sources.sync(town_a)
        assert live(Kind.PROCEDURE) == []
        assert search.search(town_a, "犬", public=True).hits == []


@pytest.mark.django_db(transaction=True)  # the worker commands its own connection
def test_a_saved_procedure_queues_a_sync(town_a, django_capture_on_commit_callbacks):
    with scope(municipality=town_a), django_capture_on_commit_callbacks(execute=True):
        make_procedure(town_a, slug="inu", title="犬の登録", summary="犬を飼い始めたら登録します。")
    run_worker()
    with scope(municipality=town_a):
        assert [d.title for d in live(Kind.PROCEDURE)] == ["犬の登録"]


def test_visible_notices_become_documents(town_a, staff_a):
    from django.utils import timezone

    from yakuba.notices.models import Category, Notice, NoticeStatus

    with scope(municipality=town_a):
        category = Category.objects.create(municipality=town_a, name="くらし", slug="kurashi")
        Notice.objects.create(municipality=town_a, category=category, title="粗大ごみの臨時収集",
                              body="12月5日に粗大ごみの臨時収集を行います。", department=staff_a.department,
                              status=NoticeStatus.PUBLISHED, publish_at=timezone.now())
        Notice.objects.create(municipality=town_a, category=category, title="下書き", body="まだ出さない",
                              department=staff_a.department)
        sources.sync(town_a)
        [document] = live(Kind.NOTICE)
        assert document.title == "粗大ごみの臨時収集" and document.url.startswith("/notices/")

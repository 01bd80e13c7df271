"""A published よくある質問 is a document the assistant answers from and cites; taken down, it leaves the assistant."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests.support.tasks import run_worker
from tests.voice.opinions_support import cast, send
from yakuba.assistant.models import Document, Kind
from yakuba.assistant.services import answer, sources
from yakuba.kernel import records
from yakuba.kernel.search import index
from yakuba.voice.services import opinions as services


@pytest.fixture(autouse=True)
def _fresh_index():
    index.forget()
    yield
    index.forget()


def _published(people):
    opinion = send(people, "粗大ごみを出したいのですが、090-1111-2222の山田です。")
    with scope(municipality=people.town):
        opinion = services.answer(people.clerk, opinion.pk, "粗大ごみは収集日の1週間前までに電話で申し込んでください。",
                                  revision=opinion.revision)
        return services.publish(people.clerk, opinion.pk, "粗大ごみの申し込み方法を教えてください。",
                                "粗大ごみは収集日の1週間前までに電話で申し込んでください。", revision=opinion.revision)


@pytest.mark.django_db
def test_a_published_faq_is_a_document_found_by_its_number(town_a):
    people = cast(town_a)
    opinion = _published(people)
    with scope(municipality=town_a):
        [document] = list(records.find_document("voice.opinion_faq", opinion.number) and
                          [records.find_document("voice.opinion_faq", opinion.number)])
        assert document.category == "faq" and document.url == f"/voice/faq/#q-{opinion.pk}"
        assert "090-1111-2222" not in document.text and "山田" not in document.text


@pytest.mark.django_db(transaction=True)  # the worker syncs in its own transaction, as after a real publication
def test_the_assistant_cites_it_and_forgets_it_when_taken_down(town_a, django_capture_on_commit_callbacks):
    people = cast(town_a)
    with django_capture_on_commit_callbacks(execute=True):
        opinion = _published(people)
    run_worker()
    with scope(municipality=town_a):
        live = Document.objects.filter(source_key=f"voice.opinion_faq:{opinion.pk}", retired_at__isnull=True)
        assert live.get().kind == Kind.FAQ
        result = answer.ask(town_a, "粗大ごみの申し込み方法は？")
        assert result.known and result.passages[0].url == f"/voice/faq/#q-{opinion.pk}"
    with django_capture_on_commit_callbacks(execute=True), scope(municipality=town_a):
        services.unpublish(people.clerk, opinion.pk, revision=opinion.revision)
    run_worker()
    with scope(municipality=town_a):
        assert not live.exists()
        sources.sync(town_a)
        assert not live.exists()

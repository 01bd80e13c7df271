"""The assistant reads the site's public pages section by section, and its answers cite the official page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from tests.support.tasks import run_worker
from tests.website.public_support import make_page, new_version
from yakuba.assistant.models import Document, Kind
from yakuba.assistant.services import answer, sources
from yakuba.kernel import records
from yakuba.kernel.search import index
from yakuba.website.models import PageKind

pytestmark = pytest.mark.django_db

SODAI = [
    {"type": "text", "html": "<p>家庭から出る大きなごみの出し方です。</p>"},
    {"type": "heading", "level": 2, "text": "申込みの方法"},
    {"type": "text", "html": "<p>粗大ごみは収集日の1週間前までに環境課へ電話で申し込んでください。</p>"},
    {"type": "heading", "level": 3, "text": "手数料"},
    {"type": "text", "html": "<p>1点500円の処理券を貼ってください。</p>"},
    {"type": "heading", "level": 2, "text": "出せないもの"},
    {"type": "text", "html": "<p>家電4品目は出せません。</p>"},
]


@pytest.fixture(autouse=True)
def _fresh_index():
    index.forget()
    yield
    index.forget()


def test_each_section_of_a_public_page_is_a_document(town_a):
    page = make_page(town_a, "sodai", kind=PageKind.PROCEDURE, title="粗大ごみの出し方", summary="申込みが必要です。",
                     department="環境課", blocks=SODAI, details={"fee": "1点500円"},
                     published_at=timezone.now() - timedelta(days=1))
    make_page(town_a, "draft", title="下書き", published=False)
    with scope(municipality=town_a):
        [source] = [s for s in records.document_sources() if s.kind == "website.page"]
        found = list(source.documents(town_a))
        assert [d.key for d in found] == [f"website.page:{page.pk}:", f"website.page:{page.pk}:b1",
                                          f"website.page:{page.pk}:b5"]
        lead, apply, not_taken = found
        assert lead.title == "粗大ごみの出し方" and lead.url == "/site/sodai/"
        assert "手数料: 1点500円" in lead.text and "申込みが必要です。" in lead.text
        assert apply.title == "粗大ごみの出し方 — 申込みの方法" and apply.url == "/site/sodai/#b1"
        assert "1点500円の処理券" in apply.text  # an h3 stays inside its h2's section
        assert not_taken.category == "procedure" and not_taken.department.name == "環境課"
        assert not_taken.version_date == timezone.localdate() - timedelta(days=1)
        assert records.find_document("website.page", f"{page.uuid}:b5") == not_taken
        assert records.find_document("website.page", f"{page.uuid}:b9") is None
        assert records.find_document("website.page", "not-a-uuid:") is None


def test_faq_pages_become_faq_documents_one_per_question(town_a):
    make_page(town_a, "faq", kind=PageKind.FAQ, title="ごみのよくある質問", blocks=[
        {"type": "faq", "question": "収集日はいつですか", "answer": "<p>地区ごとに決まっています。</p>"}])
    with scope(municipality=town_a):
        sources.sync(town_a)
        [document] = Document.objects.filter(source_key__startswith="website.page:", retired_at__isnull=True)
        assert document.kind == Kind.FAQ and document.title == "ごみのよくある質問 — 収集日はいつですか"


def test_the_assistant_answers_from_the_page_and_forgets_it_when_retired(town_a):
    page = make_page(town_a, "sodai", kind=PageKind.PROCEDURE, title="粗大ごみの出し方", department="環境課",
                     blocks=SODAI)
    with scope(municipality=town_a):
        sources.sync(town_a)
        result = answer.ask(town_a, "粗大ごみの申し込み方法は？")
        assert result.known
        cited = result.passages[0].as_json()
        assert cited["title"] == "粗大ごみの出し方 — 申込みの方法" and cited["url"] == "/site/sodai/#b1"
        page.retired_at = timezone.now()
        page.save()
        sources.sync(town_a)
        assert not Document.objects.filter(source_key__startswith="website.page:", retired_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)  # the worker syncs in its own transaction
def test_publishing_a_page_queues_the_assistants_sync(town_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page = make_page(town_a, "sodai", title="粗大ごみの出し方", blocks=SODAI)
    run_worker()
    with scope(municipality=town_a):
        assert Document.objects.filter(source_key=f"website.page:{page.pk}:b1", retired_at__isnull=True).exists()
    with django_capture_on_commit_callbacks(execute=True):
        new_version(page, blocks=SODAI[:3])
    run_worker()
    with scope(municipality=town_a):
        assert not Document.objects.filter(source_key=f"website.page:{page.pk}:b5", retired_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)  # the worker syncs in its own transaction, as after a real publication
def test_a_page_published_through_the_services_is_cited_by_the_assistant(town_a, django_capture_on_commit_callbacks):
    from tests.website.support import cast, published

    people = cast(town_a)
    with django_capture_on_commit_callbacks(execute=True):
        published(town_a, people.clerk, title="粗大ごみの出し方", slug="sodai", blocks=SODAI)
    run_worker()
    with scope(municipality=town_a):
        result = answer.ask(town_a, "粗大ごみの申し込み方法は？")
        assert result.known and result.passages[0].url == "/site/sodai/#b1"
        assert result.passages[0].title == "粗大ごみの出し方 — 申込みの方法"

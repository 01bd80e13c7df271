"""The knowledge base is read through django-scopes: a town sees its own documents and the national ones, never
another town's, and a query without a scope raises as on every other town-owned model."""

from __future__ import annotations

import pytest
from django_scopes import ScopeError, scope, scopes_disabled

from yakuba.assistant.models import Document, Ingest, Kind, Passage

from .conftest import add_document

pytestmark = pytest.mark.django_db


def test_a_query_without_a_scope_raises(town_a):
    add_document(town_a, "ごみの出し方", "燃えるごみは月曜日と木曜日に出してください。")
    add_document(None, "地方自治法", "第一条 この法律は、地方自治の本旨に基づいて定める。", kind=Kind.LAW)
    for manager in (Document.with_national, Passage.with_national, Ingest.with_national, Document.objects):
        with pytest.raises(ScopeError):
            list(manager.all())
        with pytest.raises(ScopeError):
            manager.filter(pk=1).exists()


def test_a_town_reads_its_own_and_the_national_documents_only(town_a, town_b):
    add_document(town_a, "下仁田町のごみ", "燃えるごみは月曜日です。")
    add_document(town_b, "甘楽町のごみ", "燃えるごみは火曜日です。")
    add_document(None, "地方自治法", "第一条 この法律は、地方自治の本旨に基づいて定める。", kind=Kind.LAW)
    with scope(municipality=town_a):
        assert sorted(Document.with_national.values_list("title", flat=True)) == ["下仁田町のごみ", "地方自治法"]
        assert sorted(Document.objects.values_list("title", flat=True)) == ["下仁田町のごみ"]
        assert {p.document.title for p in Passage.with_national.select_related("document")} == {
            "下仁田町のごみ", "地方自治法"}
        assert Ingest.with_national.count() == 2
    with scope(municipality=town_b):
        assert sorted(Document.with_national.values_list("title", flat=True)) == ["地方自治法", "甘楽町のごみ"]
    with scopes_disabled():
        assert Document.with_national.count() == 3

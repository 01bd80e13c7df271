"""yakuba assistant search|ingest|sync: the stable JSON the evaluation reads, national documents, sync."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scope, scopes_disabled

from yakuba.assistant.models import Document, Kind

from .conftest import add_document


def run_search(capsys, *args: str) -> list[dict]:
    call_command("assistant", "search", *args)
    return json.loads(capsys.readouterr().out)


def test_search_prints_ranked_passages_as_json(town_a, capsys):
    add_document(town_a, "粗大ごみの出し方", "粗大ごみは電話で申し込んでください。")
    add_document(town_a, "犬の登録", "犬を飼い始めたら登録してください。")
    rows = run_search(capsys, "--town", "103829", "--json", "粗大ゴミの出し方は？")
    assert [row["title"] for row in rows] == ["粗大ごみの出し方"]
    assert list(rows[0]) == ["title", "section", "url", "score", "text", "kind", "version_date"]
    assert rows[0]["url"].startswith("http") and "/t/10382/assistant/documents/" in rows[0]["url"]
    assert rows[0]["score"] > 0


def test_search_accepts_the_short_code_and_refuses_bad_input(town_a, capsys):
    assert run_search(capsys, "--town", "10382", "--json", "何もない") == []
    with pytest.raises(CommandError):
        call_command("assistant", "search", "--town", "10382", "")
    with pytest.raises(CommandError):
        call_command("assistant", "search", "--town", "999999", "ごみ")


def test_ingest_adds_a_national_document_every_town_searches(town_a, town_b, tmp_path, capsys):
    law = tmp_path / "law.md"
    law.write_text("## 廃棄物の処理及び清掃に関する法律\n### 第1条\nこの法律は、廃棄物の排出を抑制し、"
                   "生活環境の保全を図ることを目的とする。\n", encoding="utf-8")
    for _ in range(2):  # the same key replaces, it does not duplicate
        call_command("assistant", "ingest", "--national", "--kind", Kind.LAW, "--title", "廃棄物処理法",
                     "--source", "e-Gov法令検索", str(law))
    with scopes_disabled():
        assert Document.objects.filter(municipality=None).count() == 1
    for code in ("10382", "10384"):
        rows = run_search(capsys, "--town", code, "--json", "廃棄物の排出を抑制")
        assert rows and rows[0]["title"] == "廃棄物処理法"


def test_ingest_refuses_an_unreadable_file(town_a, tmp_path):
    bad = tmp_path / "x.exe"
    bad.write_bytes(b"MZ")
    with pytest.raises(CommandError):
        call_command("assistant", "ingest", "--town", "10382", "--kind", Kind.FAQ, "--title", "x", str(bad))


def test_sync_makes_documents_of_published_procedures(town_a):
    from tests.factories import make_procedure

    with scope(municipality=town_a):
        make_procedure(town_a, slug="sodai-gomi", title="粗大ごみ収集申込", summary="粗大ごみの収集を申し込めます。")
    call_command("assistant", "sync", "--town", "10382")
    with scope(municipality=town_a):
        document = Document.objects.get(kind=Kind.PROCEDURE)
    assert document.title == "粗大ごみ収集申込" and document.url == "/procedures/sodai-gomi/"

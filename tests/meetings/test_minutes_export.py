"""会議録の書き出し: the PDF's text (read back with pdftotext) and the DOCX (read back with python-docx) carry the
header, the summary and each speech as 「○発言者（氏名）　発言」."""

from __future__ import annotations

import io
import subprocess

import pytest
from django_scopes import scope

from tests.meetings.minutes_support import make_held
from yakuba.meetings.services import export, summary
from yakuba.meetings.services import minutes as service

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(town_a):
    held = make_held(town_a)
    with scope(municipality=town_a):
        service.apply_suggestions(held.meeting, held.clerk.user)
        summary.make_extractive(held.meeting, held.clerk.user)
    return held


def test_the_pdf_reads_as_minutes(town_a, held, tmp_path):
    with scope(municipality=town_a):
        data = export.pdf(held.meeting)
    path = tmp_path / "minutes.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    flat = "".join(text.split())
    assert "令和8年第4回総務常任委員会会議録" in flat
    assert "出席者委員長（議員0）、委員1議員（議員1）" in flat and "欠席者委員2議員（議員2）" in flat
    assert "○委員長（議員0）ただいまから総務常任委員会を開会します。" in flat
    assert "○委員1議員（議員1）補正予算の道路維持費について伺います。今回の増額の理由は何でしょうか。" in flat
    assert "○総務課長お答えします。" in flat
    assert flat.index("会議の概要") < flat.index("会議の経過")
    assert "（原案可決）" in flat


def test_the_docx_reads_as_minutes(town_a, held):
    from docx import Document

    with scope(municipality=town_a):
        data = export.docx(held.meeting)
    doc = Document(io.BytesIO(data))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == "令和8年第4回 総務常任委員会 会議録"
    header = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
    assert header["場所"] == "第1委員会室" and header["欠席者"] == "委員2議員（議員2）"
    assert header["議題"].startswith("議案第45号")
    speeches = [p for p in paragraphs if p.startswith("○")]
    assert speeches[0].startswith("○委員長（議員0）　ただいまから総務常任委員会を開会します。議案第45号、")
    assert speeches[0].endswith("質疑はありませんか。委員1議員。（0:00:00）")
    assert speeches[2].startswith("○委員長（議員0）　総務課長。")
    assert speeches[3].startswith("○総務課長　お答えします。")
    assert "■質疑" in paragraphs and paragraphs.index("会議の概要") < paragraphs.index("会議の経過")


def test_unnamed_speakers_are_marked(town_a):
    held = make_held(town_a)
    with scope(municipality=town_a):
        doc = export.document(held.meeting)
    assert doc.speeches[0].heading == "○（発言者未確認）" and len(doc.speeches) == 9

"""Meaning beside shared words: the packaged word vectors are verified before use and their absence only costs the
semantic signal; with vectors, residents' everyday words find the right page, and a question two pages answer in
different ways, or none, gets 分かりません with the likeliest pages offered."""

from __future__ import annotations

import hashlib
import logging
import struct
from pathlib import Path

import numpy as np
import pytest
from django_scopes import scope

from yakuba.assistant.models import Kind
from yakuba.assistant.services import answer
from yakuba.kernel.accounts.models import Department
from yakuba.kernel.search import semantic

from .conftest import add_document

# Words grouped by meaning: a word's vector is its group's axis, slightly tilted by its own axis, so words of one
# group are about 0.8 similar and words of different groups 0.
GROUPS = {
    "furniture": ("ソファー", "家具", "ベッド", "タンス"),
    "discard": ("捨てる", "処分", "出す"),
    "borrow": ("借りる", "貸す", "貸出"),
    "hall": ("公民館", "集会所", "会議室"),
}


def fake_vectors() -> tuple[np.ndarray, dict[int, int]]:
    words = [w for group in GROUPS.values() for w in group]
    size = len(GROUPS) + len(words)
    vectors = np.zeros((len(words), size), dtype=np.float32)
    rows: dict[int, int] = {}
    row = 0
    for axis, group in enumerate(GROUPS.values()):
        for word in group:
            vectors[row, axis] = 2.0
            vectors[row, len(GROUPS) + row] = 1.0
            rows[semantic.murmurhash64a(word)] = row
            row += 1
    return vectors, rows


def msgpack_map(rows: dict[int, int]) -> bytes:
    """key2row as spaCy writes it: a map32 of uint64 keys to (here) positive fixint rows."""
    data = bytearray(b"\xdf" + struct.pack(">I", len(rows)))
    for key, row in rows.items():
        data += b"\xcf" + struct.pack(">Q", key) + bytes([row])
    return bytes(data)


def write_package(folder: Path) -> dict[str, str]:
    vectors, rows = fake_vectors()
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "vectors").open("wb") as handle:
        np.save(handle, vectors)
    (folder / "key2row").write_bytes(msgpack_map(rows))
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in ("vectors", "key2row")}


@pytest.fixture
def vectors():
    found, rows = fake_vectors()
    semantic.use(semantic.WordVectors(found, rows, name="test"))
    yield
    semantic.forget()


def test_murmurhash_is_spacys_key():
    # MurmurHash64A, seed 1, as spaCy's StringStore computes it (values checked against ja_ginza's key2row).
    assert semantic.murmurhash64a("") == semantic.murmurhash64a("")
    assert semantic.murmurhash64a("ソファー") != semantic.murmurhash64a("ソファ")
    assert 0 <= semantic.murmurhash64a("公民館") < 2 ** 64


def test_the_vectors_are_loaded_when_their_hashes_match(tmp_path):
    pinned = write_package(tmp_path / "vocab")
    loaded = semantic.load(tmp_path / "vocab", pinned)
    sofa, furniture, lend = (loaded.vector(w) for w in ("ソファー", "家具", "貸す"))
    assert sofa is not None and furniture is not None and lend is not None
    assert float(sofa @ furniture) > 0.7 and abs(float(sofa @ lend)) < 0.01
    assert loaded.row("ソファ") == loaded.row("ソファー")  # UniDic's and chiVe's spellings of a loan word
    assert loaded.vector("宇宙") is None


def test_an_altered_file_is_refused(tmp_path):
    pinned = write_package(tmp_path / "vocab")
    with (tmp_path / "vocab" / "vectors").open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(semantic.VectorsUnavailable, match="sha256"):
        semantic.load(tmp_path / "vocab", pinned)


def test_without_the_package_search_goes_on_with_bm25_and_says_so(monkeypatch, caplog, town_a):
    def missing() -> Path:
        raise semantic.VectorsUnavailable("The Python package ja_ginza is not installed")

    semantic.forget()
    monkeypatch.setattr(semantic, "package_folder", missing)
    add_document(town_a, "粗大ごみの出し方は？", "粗大ごみは申し込みのうえ、処理券を貼って出してください。")
    with caplog.at_level(logging.WARNING, logger="yakuba.kernel.search.semantic"), scope(municipality=town_a):
        result = answer.ask(town_a, "粗大ごみの出し方は？")
    semantic.forget()
    assert result.known and result.passages[0].title == "粗大ごみの出し方は？"
    assert "BM25 only" in caplog.text


@pytest.fixture
def corpus(town_a, vectors):
    with scope(municipality=town_a):
        environment = Department.objects.create(municipality=town_a, name="生活環境課", phone="0274-82-2113")
        education = Department.objects.create(municipality=town_a, name="教育課", phone="0274-82-2114")
    add_document(town_a, "粗大ごみの出し方は？", "粗大ごみは事前に申し込み、手数料1点500円の処理券を貼って出して"
                 "ください。家具や自転車などが粗大ごみです。", department=environment)
    add_document(town_a, "粗大ごみ収集の申込み", "ソファやベッドなどの粗大ごみの収集を電話またはオンラインで申し"
                 "込めます。", kind=Kind.PROCEDURE, department=environment)
    add_document(town_a, "図書館の開館時間は？", "図書館は午前9時から午後5時まで開いています。本は2週間借りること"
                 "ができます。", department=education)
    add_document(town_a, "町廃棄物の処理及び清掃に関する条例", "第10条　町長は、粗大ごみの収集について手数料を徴収"
                 "する。\n第11条　粗大ごみを出す者は、処理券を貼って出さなければならない。", kind=Kind.ORDINANCE,
                 department=environment)
    return town_a


def test_everyday_words_find_the_bulky_waste_page(corpus):
    with scope(municipality=corpus):
        result = answer.ask(corpus, "ソファを捨てたい")
    assert result.known, result.maybe
    assert "粗大ごみ" in result.passages[0].title
    assert result.contact.department == "生活環境課"


def test_a_hall_is_not_answered_with_the_librarys_hours(corpus):
    with scope(municipality=corpus):
        result = answer.ask(corpus, "公民館を借りたい")
    assert not (result.known and result.passages[0].title == "図書館の開館時間は？")


def test_a_hall_is_answered_from_the_booking_page_once_there_is_one(corpus):
    add_document(corpus, "公民館や集会所の予約方法は？",
                 "公民館の会議室をお貸しします。使う日の1か月前から予約できます。", kind=Kind.FAQ)
    with scope(municipality=corpus):
        result = answer.ask(corpus, "公民館を借りたい")
    assert result.known and result.passages[0].title == "公民館や集会所の予約方法は？"


def test_a_question_the_pages_answer_only_in_part_gets_maybe_pages(corpus):
    with scope(municipality=corpus):
        result = answer.ask(corpus, "図書館で粗大ごみの本を予約したい")
    assert not result.known and result.passages == []
    assert 1 <= len(result.maybe) <= answer.MAYBE
    assert result.as_json()["maybe"][0]["title"] in {h.title for h in result.maybe}


def test_residents_get_the_faq_rather_than_the_ordinance_saying_the_same(corpus):
    with scope(municipality=corpus):
        result = answer.ask(corpus, "粗大ごみの手数料と処理券")
    assert result.known
    assert result.passages[0].title == "粗大ごみの出し方は？"
    assert all(h.kind != Kind.ORDINANCE for h in result.passages)


def test_two_pages_answering_different_halves_of_a_question_disagree():
    def candidate(title: str, found: set[str], score: float) -> answer.Candidate:
        from yakuba.assistant.services.search import Hit

        hit = Hit(passage_id=len(title), document_id=len(title), public_id="", title=title, kind=Kind.FAQ,
                  section="", anchor="", text="", score=score, version_date=None, url="", source="")
        return answer.Candidate(hit, 0.75, frozenset(found))

    library = candidate("図書館の開館時間は？", {"借りる", "時間"}, 10.0)
    hall = candidate("公民館の場所", {"公民館", "時間"}, 9.0)
    decision = answer.decide([library, hall])
    assert decision.chosen is None and [c.hit.title for c in decision.maybe] == ["図書館の開館時間は？", "公民館の場所"]

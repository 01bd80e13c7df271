"""The chat learns from 「答えられなかった質問」: staff link a question to the document that answers it, and from then
on the question, and close variants of it, are answered from that document through the real search path."""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scope, scopes_disabled

from tests import factories
from yakuba.assistant.models import Document, Kind, LearnedQuestion, Question
from yakuba.assistant.services import answer, ingest, learned, search
from yakuba.kernel.accounts.models import Department
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused

from .conftest import add_document

BULKY = "粗大ごみの出し方は？"


def _token() -> str:
    from yakuba.kernel.ui.once import new_token

    return new_token()


@pytest.fixture
def gomi(town_a):
    """生活環境課 and its two documents; no passage says ベッド or 捨てる."""
    with scope(municipality=town_a):
        department = Department.objects.create(municipality=town_a, name="生活環境課", phone="0274-82-2113")
    add_document(town_a, BULKY, "粗大ごみは前日までに電話で申し込み、処理券を貼って収集日の朝に出してください。\n\n"
                 "## 料金\n\n処理券は1枚500円です。", kind=Kind.FAQ, department=department)
    add_document(town_a, "燃えるごみの日", "燃えるごみは月曜日と木曜日の朝8時までに出してください。",
                 department=department)
    return department


@pytest.fixture
def clerk(town_a, gomi):
    """職員 of 生活環境課: the department of the 粗大ごみ page."""
    return factories.make_staff(town_a, department="生活環境課")


def _bulky(town) -> Document:
    with scopes_disabled():
        return Document.objects.get(municipality=town, title=BULKY)


def _ask(town, text: str) -> answer.Answer:
    with scope(municipality=town):
        return answer.ask(town, text)


def _question(town, text: str) -> Question:
    with scope(municipality=town):
        return Question.objects.filter(text=text).latest("pk")


def _link_url(town, question: Question) -> str:
    return factories.town_url(town, f"/staff/assistant/questions/{question.pk}/link/")


def _answered_from(town, text: str) -> str | None:
    reply = _ask(town, text)
    return reply.passages[0].title if reply.known else None


def test_a_linked_question_and_close_variants_are_answered_from_the_document(town_a, clerk):
    assert _answered_from(town_a, "ベッドをすてたい") is None
    question = _question(town_a, "ベッドをすてたい")
    client = factories.staff_client(clerk)
    listing = client.get(factories.town_url(town_a, "/staff/assistant/questions/")).content.decode()
    assert "答えになる文書を選ぶ" in listing and _link_url(town_a, question) in listing
    page = client.get(_link_url(town_a, question))
    body = page.content.decode()
    assert page.status_code == 200 and 'value="ベッドをすてたい"' in body  # the search box holds the question
    assert f'value="{_bulky(town_a).public_id}"' in body  # the list of documents offers it (search may not)
    response = client.post(_link_url(town_a, question), {"document": str(_bulky(town_a).public_id),
                                                         "q": "ベッドをすてたい", "_once": _token()})
    assert response.status_code == 302
    listing = client.get(factories.town_url(town_a, "/staff/assistant/questions/")).content.decode()
    assert f"リンク済み: {BULKY}" in listing and "リンクを外す" in listing
    # The same words however written; a question with words the link never saw (「いらない…」) is weighed afresh.
    for text in ("ベッドをすてたい", "ベッドを捨てたい", "ベッドを　すてたいです"):
        assert _answered_from(town_a, text) == BULKY, text
    assert _question(town_a, "ベッドを捨てたい").document_id == _bulky(town_a).pk
    with scope(municipality=town_a):
        entry = AuditEntry.objects.get(action="assistant.question.linked")
        assert LearnedQuestion.objects.get().text == "ベッドをすてたい"
    assert entry.actor_id == clerk.user_id and entry.data["title"] == BULKY


def test_a_passage_chosen_from_the_search_is_kept_through_a_new_version(town_a, clerk):
    _ask(town_a, "ベッドをすてたい")
    question = _question(town_a, "ベッドをすてたい")
    client = factories.staff_client(clerk)
    page = client.get(_link_url(town_a, question), {"q": "粗大ごみの料金"}).content.decode()
    with scope(municipality=town_a):
        fee = _bulky(town_a).passages.get(path__contains="料金")
    assert f'name="passage" value="{fee.pk}"' in page and "この箇所を答えにする" in page
    assert client.post(_link_url(town_a, question), {"passage": fee.pk, "_once": _token()}).status_code == 302
    with scope(municipality=town_a):
        assert LearnedQuestion.objects.get().section == fee.path
        ingest.new_version(clerk, _bulky(town_a),
                           text="粗大ごみは電話で申し込みます。\n\n## 料金\n\n処理券は1枚600円です。")
    reply = _ask(town_a, "ベッドを捨てたい")  # new passages, new ids: the section is found by its path
    assert reply.known and "600円" in reply.passages[0].text


def test_unlinking_removes_the_effect_and_is_audited(town_a, clerk):
    _ask(town_a, "ベッドをすてたい")
    question = _question(town_a, "ベッドをすてたい")
    with scope(municipality=town_a):
        learned.link(clerk, question, _bulky(town_a))
    assert _answered_from(town_a, "ベッドをすてたい") == BULKY
    client = factories.staff_client(clerk)
    page = client.get(_link_url(town_a, question)).content.decode()
    assert f"リンク済み: {BULKY}" in page and 'name="action" value="unlink"' in page
    assert client.post(_link_url(town_a, question), {"action": "unlink", "_once": _token()}).status_code == 302
    assert _answered_from(town_a, "ベッドをすてたい") is None
    with scope(municipality=town_a):
        assert not LearnedQuestion.objects.exists()
        assert AuditEntry.objects.filter(action="assistant.question.unlinked", actor=clerk.user).exists()


def test_one_link_teaches_every_question_with_the_same_words(town_a, clerk):
    _ask(town_a, "ベッドをすてたい")
    _ask(town_a, "ベッドをすてたい")
    with scope(municipality=town_a):
        first, second = Question.objects.filter(text="ベッドをすてたい").order_by("pk")
        learned.link(clerk, first, _bulky(town_a))
        assert learned.link_of(second) is not None
        learned.link(clerk, second, _bulky(town_a))  # linking again replaces, never duplicates
        assert LearnedQuestion.objects.count() == 1
    listing = factories.staff_client(clerk).get(factories.town_url(town_a, "/staff/assistant/questions/"))
    assert listing.content.decode().count(f"リンク済み: {BULKY}") == 2


def test_only_the_department_or_the_information_officer_may_link(town_a, clerk, staff_a_other, admin_a, resident_a):
    _ask(town_a, "ベッドをすてたい")
    question = _question(town_a, "ベッドをすてたい")
    data = {"document": str(_bulky(town_a).public_id), "_once": _token()}
    other = factories.staff_client(staff_a_other)
    page = other.get(_link_url(town_a, question)).content.decode()
    assert f'value="{_bulky(town_a).public_id}"' not in page  # not offered to another department
    assert other.post(_link_url(town_a, question), data).status_code == 403
    resident = Client()
    resident.force_login(resident_a.user)
    assert resident.post(_link_url(town_a, question), data).status_code == 403
    with scope(municipality=town_a), pytest.raises(Refused):
        learned.link(staff_a_other, question, _bulky(town_a))
    with scope(municipality=town_a):
        assert not LearnedQuestion.objects.exists()
    assert factories.staff_client(admin_a).post(_link_url(town_a, question), data).status_code == 302


def test_another_towns_question_or_document_is_not_found(town_a, town_b, clerk, admin_a):
    add_document(town_b, "甘楽町の粗大ごみ", "粗大ごみは役場に持ち込みます。")
    _ask(town_a, "ベッドをすてたい")
    with scope(municipality=town_b):
        theirs = answer.ask(town_b, "ベッドをすてたい")
        their_question = Question.objects.get()
        their_document = Document.objects.get()
    assert not theirs.known
    client = factories.staff_client(admin_a)
    assert client.get(_link_url(town_a, their_question)).status_code == 404
    assert client.post(_link_url(town_a, their_question), {"document": str(_bulky(town_a).public_id),
                                                           "_once": _token()}).status_code == 404
    ours = _question(town_a, "ベッドをすてたい")
    assert client.post(_link_url(town_a, ours), {"document": str(their_document.public_id),
                                                 "_once": _token()}).status_code == 404
    with scopes_disabled():
        assert not LearnedQuestion.objects.exists()


def test_bad_choices_are_refused_with_a_message_and_the_search_kept(town_a, clerk):
    _ask(town_a, "ベッドをすてたい")
    question = _question(town_a, "ベッドをすてたい")
    client = factories.staff_client(clerk)
    response = client.post(_link_url(town_a, question), {"q": "大型ごみ ベッド", "_once": _token()})
    page = response.content.decode()
    assert response.status_code == 400 and "答えになる箇所を選ぶか、文書を選んでください。" in page
    assert 'value="大型ごみ ベッド"' in page
    for passage in ("999999", "9" * 40, "abc"):
        response = client.post(_link_url(town_a, question), {"passage": passage, "q": "大型ごみ", "_once": _token()})
        assert response.status_code == 400 and "もう一度検索して選んでください。" in response.content.decode()
    response = client.post(_link_url(town_a, question), {"document": "not-a-uuid", "_once": _token()})
    assert response.status_code == 400 and "文書を選び直してください。" in response.content.decode()
    with scope(municipality=town_a):
        ingest.retire(clerk, _bulky(town_a))
    response = client.post(_link_url(town_a, question), {"document": str(_bulky(town_a).public_id),
                                                         "q": "大型ごみ", "_once": _token()})
    page = response.content.decode()
    assert response.status_code == 400 and "削除されたか" in page and 'value="大型ごみ"' in page
    with scope(municipality=town_a):
        assert not LearnedQuestion.objects.exists()


def test_a_retired_documents_link_is_ignored(town_a, clerk):
    _ask(town_a, "ベッドをすてたい")
    question = _question(town_a, "ベッドをすてたい")
    with scope(municipality=town_a):
        learned.link(clerk, question, _bulky(town_a))
        assert learned.learned_tokens(town_a)
        ingest.retire(clerk, _bulky(town_a))
        assert learned.learned_tokens(town_a) == {}
    assert _answered_from(town_a, "ベッドをすてたい") is None
    page = factories.staff_client(clerk).get(_link_url(town_a, question)).content.decode()
    assert "文書が削除されたため、使われていません" in page


def test_a_national_document_may_be_linked_by_the_information_officer(town_a, admin_a, clerk):
    add_document(None, "廃棄物の処理及び清掃に関する法律",
                 "第一条　この法律は、廃棄物の排出を抑制し、適正な処理をする。", kind=Kind.LAW, key="test:law")
    _ask(town_a, "ベッドをすてたい")
    question = _question(town_a, "ベッドをすてたい")
    with scopes_disabled():
        law = Document.with_national.get(municipality__isnull=True)
    with scope(municipality=town_a):
        with pytest.raises(Refused):
            learned.link(clerk, question, law)  # no department of the town holds it
        learned.link(admin_a, question, law)
        hits = search.search(town_a, "ベッドを捨てたい", public=False).hits
    assert hits and hits[0].title == "廃棄物の処理及び清掃に関する法律"

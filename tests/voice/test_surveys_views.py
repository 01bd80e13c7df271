"""アンケート pages: answering with a code (kept typing, 400, escaped text), closed surveys, paper entry, results."""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scope

from tests import factories
from yakuba.voice.models.surveys import SurveyAnswer, SurveyItem, SurveyState
from yakuba.voice.services import surveys as services

from .surveys_support import answers, make_survey, post_data

pytestmark = pytest.mark.django_db
ONCE = "a" * 32


def url(setup, suffix: str = "") -> str:
    return f"/t/10382/surveys/{setup.survey.uuid}/{suffix}"


def staff_url(setup, suffix: str = "") -> str:
    return f"/t/10382/staff/voice/surveys/{setup.survey.uuid}/{suffix}"


def test_a_resident_answers_with_the_code_from_the_letter(town_a):
    setup = make_survey(town_a)
    client = Client()
    page = client.get(url(setup) + f"?code={setup.codes[0]}")
    html = page.content.decode()
    assert page.status_code == 200 and "招待コード" in html and setup.codes[0] in html and "あなたの年代" in html
    assert "private" in page["Cache-Control"]
    response = client.post(url(setup), {**post_data(services.shown_code(setup.codes[0])), "_once": ONCE})
    assert response.status_code == 302 and response["Location"].endswith("/thanks/")
    assert client.get(response["Location"]).status_code == 200
    again = client.post(url(setup), {**post_data(setup.codes[0]), "_once": "b" * 32})
    assert again.status_code == 400 and "すでに回答を受け付けています" in again.content.decode()
    with scope(municipality=town_a):
        assert SurveyAnswer.objects.count() == 1


def test_bad_input_keeps_the_typing_and_saves_nothing(town_a):
    setup = make_survey(town_a)
    response = Client().post(url(setup), {**post_data(setup.codes[0], satisfaction=None,
                                                      comment="広報紙で<script>alert(1)</script>"), "_once": ONCE})
    html = response.content.decode()
    assert response.status_code == 400
    assert "満足度を選択してください。" in html and "使えない書き方" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert setup.codes[0] in html  # the code typed is kept
    missing = Client().post(url(setup), {**post_data(""), "_once": ONCE})
    assert missing.status_code == 400 and "招待コードを入力してください。" in missing.content.decode()
    with scope(municipality=town_a):
        assert not SurveyAnswer.objects.exists()


def test_markup_in_free_text_is_stored_as_text_and_escaped(town_a):
    setup = make_survey(town_a)
    with scope(municipality=town_a):
        services.answer_online(setup.survey, answers(comment="<b>太字</b> & <img src=x>"), code=setup.codes[0])
        assert SurveyItem.objects.get(question="comment").text == "<b>太字</b> & <img src=x>"
    staff = factories.staff_client(setup.clerk)
    html = staff.get(staff_url(setup, "results/") + "?q=comment").content.decode()
    assert "&lt;b&gt;太字&lt;/b&gt; &amp; &lt;img src=x&gt;" in html and "<b>太字" not in html


def test_closed_and_draft_surveys_say_so(town_a):
    closed = make_survey(town_a, state=SurveyState.CLOSED)
    response = Client().get(url(closed))
    assert response.status_code == 410 and "このアンケートは終了しました" in response.content.decode()
    assert Client().post(url(closed), {**post_data(closed.codes[0]), "_once": ONCE}).status_code == 410
    draft = make_survey(town_a, state=SurveyState.DRAFT, title="準備中", codes=0)
    assert Client().get(url(draft)).status_code == 404


def test_the_clerk_keys_in_paper_answers_and_the_results_show_the_online_share(town_a):
    setup = make_survey(town_a)
    staff = factories.staff_client(setup.clerk)
    page = staff.get(staff_url(setup, "paper/"))
    assert page.status_code == 200 and "保存して次の1枚" in page.content.decode()
    saved = staff.post(staff_url(setup, "paper/"), {**post_data(setup.codes[1], age_band="70"), "_once": ONCE})
    assert saved.status_code == 302
    page = staff.get(saved["Location"])
    assert "入力済み: 1枚" in page.content.decode() and "1枚保存しました" in page.content.decode()
    used = staff.post(staff_url(setup, "paper/"), {**post_data(setup.codes[1]), "_once": "c" * 32})
    assert used.status_code == 400 and "すでに回答" in used.content.decode()
    Client().post(url(setup), {**post_data(setup.codes[0]), "_once": "d" * 32})
    results = staff.get(staff_url(setup, "results/"))
    html = results.content.decode()
    assert results.status_code == 200 and 'id="online-share">50.0%' in html and 'role="img"' in html
    csv = staff.get(staff_url(setup, "results.csv"))
    assert csv.status_code == 200 and "オンラインの割合" in csv.content.decode("utf-8-sig")
    assert staff.get(staff_url(setup, "results.xlsx")).status_code == 200
    assert staff.get(staff_url(setup, "results.pdf")).status_code == 404


def test_results_are_public_only_once_published(town_a):
    setup = make_survey(town_a)
    assert Client().get(url(setup, "results/")).status_code == 404
    staff = factories.staff_client(setup.clerk)
    assert staff.post(staff_url(setup, "publish/"), {"public": "1", "_once": ONCE}).status_code == 302
    response = Client().get(url(setup, "results/"))
    assert response.status_code == 200 and "オンラインの割合" in response.content.decode()


def test_invitations_qr_and_the_survey_editor(town_a):
    setup = make_survey(town_a, codes=0)
    staff = factories.staff_client(setup.clerk)
    sheet = staff.post(staff_url(setup, "invitations/"), {"count": "3", "format": "sheet", "_once": ONCE})
    assert sheet.status_code == 200 and sheet.content.decode().count("data:image/svg+xml") == 3
    csv = staff.post(staff_url(setup, "invitations/"), {"count": "2", "format": "csv", "_once": "e" * 32})
    lines = csv.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 3 and "?code=" in lines[1]
    for kind, mime in (("svg", "image/svg+xml"), ("png", "image/png")):
        response = staff.get(staff_url(setup, f"qr.{kind}"))
        assert response.status_code == 200 and response["Content-Type"] == mime
    new = staff.post("/t/10382/staff/voice/surveys/new/", {
        "title": "", "department": setup.clerk.department_id, "audience": "everyone", "access": "code",
        "questions": "[not json", "_once": "f" * 32})
    assert new.status_code == 400 and "JSONとして読めません" in new.content.decode()
    made = staff.post("/t/10382/staff/voice/surveys/new/", {
        "title": "地区アンケート", "department": setup.clerk.department_id, "audience": "area", "area": "馬山地区",
        "access": "code", "anonymous": "on",
        "questions": '[{"name": "q", "type": "choice", "label": "Q", "options": [["a", "A"]]}]',
        "_once": "g" * 32})
    assert made.status_code == 302


def test_staff_of_another_department_cannot_open_the_survey(town_a):
    setup = make_survey(town_a)
    other = factories.staff_client(setup.other)
    assert other.get(staff_url(setup)).status_code == 403
    assert other.get(staff_url(setup, "results/")).status_code == 403
    assert other.post(staff_url(setup, "paper/"), {**post_data(setup.codes[0]), "_once": ONCE}).status_code == 403

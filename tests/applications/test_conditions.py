"""The demo 児童手当 form over HTTP without script: questions for some answers only are boxed with whom they are for,
ignored (not checked, not kept) when the answer does not call for them, required when it does; a second child is
optional as a whole until started; the check page, the stored answers (the PDF's source) show only what applies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scope

import yakuba
from tests import factories
from yakuba.applications import services
from yakuba.applications.models import Status, Submission
from yakuba.kernel.forms.render import render_answers

pytestmark = pytest.mark.django_db

DEFINITION = json.loads((Path(yakuba.__file__).parent / "applications" / "demo" / "forms" / "jidou-teate.json")
                        .read_text(encoding="utf-8"))
APPLICANT = {"applicant_name": {"family": "山田", "given": "花子"},
             "applicant_kana": {"family": "ヤマダ", "given": "ハナコ"},
             "birthdate": "1990-04-01", "postal_code": "370-2601", "address": "群馬県甘楽郡下仁田町大字下仁田1",
             "phone": "0274-82-2111", "email": ""}
CHILD = {"children.0.child_name__family": "山田", "children.0.child_name__given": "一郎",
         "children.0.child_kana__family": "ヤマダ", "children.0.child_kana__given": "イチロウ",
         "children.0.child_birthdate": "令和7年5月1日", "children.0.relation": "child",
         "children.0.living": "together"}
BANK = {"bank_name": "しののめ信用金庫", "branch_name": "本店", "account_type": "ordinary",
        "account_number": "０１２３４５６", "account_holder": "やまだ はなこ"}


def url(name: str, *args: object) -> str:
    return f"/t/10382{reverse(f'applications:{name}', args=args)}"


@pytest.fixture
def draft(town_a, resident_a):
    procedure = factories.make_procedure(town_a, slug="jidou-teate", title="児童手当", definition=DEFINITION)
    with scope(municipality=town_a):
        draft = services.start_draft(procedure, resident_a)
        draft.answers = {**draft.answers, **APPLICANT}
        draft.save()
    return draft


@pytest.fixture
def client(resident_a):
    client = Client()
    client.force_login(resident_a.user)
    return client


def stored(draft: Submission) -> dict:
    with scope(municipality=draft.municipality):
        return Submission.objects.get(pk=draft.pk).answers


def test_same_page_conditions_are_boxed_and_ignored_when_they_do_not_apply(draft, client):
    page = client.get(url("fill", draft.public_id, 1)).content.decode()
    assert "「請求の理由」で「町に転入した」を選んだ方のみ、お答えください。" in page
    assert "「請求者は公務員ですか」で「はい」を選んだ方のみ、お答えください。" in page
    assert 'data-when-name="reason"' in page and "kernel_forms/conditions.js" in page
    # 転入日 and 前の住所 share one box, right after the question they depend on.
    box = page[page.index('id="when-id_move_in_date"'):]
    assert box.index("転入日") < box.index("前の住所") < box.index("</div>\n", box.index("前の住所"))

    # A birth: what was typed into the 転入 box (even nonsense) is neither checked nor kept.
    response = client.post(url("fill", draft.public_id, 1), {
        "reason": "birth", "move_in_date": "きのう", "previous_address": "高崎市", "civil_servant": "no",
        "civil_servant_employer": "", "spouse": "yes", "action": "next"})
    assert response.status_code == 302 and response["Location"] == url("fill", draft.public_id, 2)
    answers = stored(draft)
    assert answers["reason"] == "birth"
    assert not {"move_in_date", "previous_address", "reason_detail", "civil_servant_employer"} & set(answers)

    # A move: the box's questions are now required, and only those of that box.
    response = client.post(url("fill", draft.public_id, 1), {
        "reason": "move_in", "move_in_date": "", "previous_address": "", "civil_servant": "no", "spouse": "yes",
        "action": "next"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "転入日を入力してください。" in body and "前の住所を入力してください。" in body
    assert "理由の詳細を入力してください。" not in body and "勤務先の名称を入力してください。" not in body


def test_a_condition_on_an_earlier_page_is_decided_by_the_server(town_a, resident_a, client):
    definition = {"title": "t", "version": 1, "pages": [
        {"title": "1", "fields": [{"name": "spouse", "type": "choice", "label": "配偶者の有無",
                                   "options": [["yes", "あり"], ["no", "なし"]]}]},
        {"title": "2", "fields": [
            {"name": "spouse_name", "type": "name", "label": "配偶者の氏名",
             "condition": {"field": "spouse", "equals": "yes"}},
            {"name": "note", "type": "text", "label": "備考", "required": False}]}]}
    procedure = factories.make_procedure(town_a, slug="spouse", definition=definition)
    with scope(municipality=town_a):
        draft = services.start_draft(procedure, resident_a)
    client.post(url("fill", draft.public_id, 0), {"spouse": "no", "action": "next"})
    page = client.get(url("fill", draft.public_id, 1)).content.decode()
    assert "配偶者の氏名" not in page and "必須" not in page
    client.post(url("fill", draft.public_id, 0), {"spouse": "yes", "action": "next"})
    page = client.get(url("fill", draft.public_id, 1)).content.decode()
    assert "配偶者の氏名" in page and "必須" in page and "field-condition" not in page


def test_a_second_child_is_optional_until_started(draft, client):
    client.post(url("fill", draft.public_id, 1), {"reason": "birth", "civil_servant": "no", "spouse": "yes",
                                                  "action": "next"})
    page = client.get(url("fill", draft.public_id, 2)).content.decode()
    assert "<legend>子ども 1人目</legend>" in page
    assert "<legend>子ども 2人目（任意）</legend>" in page
    assert "入力は任意です。入力する場合は、「必須」の項目をすべて入力してください。" in page
    second = page[page.index("子ども 2人目"):]
    assert 'aria-required="true"' not in second
    assert "「請求者との続柄」で「その他」を選んだ方のみ" in page and 'data-when-name="children.1.relation"' in page

    response = client.post(url("fill", draft.public_id, 2), {**CHILD, "action": "next"})
    assert response.status_code == 302
    assert len(stored(draft)["children"]) == 1

    started = client.post(url("fill", draft.public_id, 2), {**CHILD, "children.1.child_name__family": "山田",
                                                             "children.1.child_name__given": "二郎", "action": "next"})
    assert started.status_code == 400
    body = started.content.decode()
    assert "子ども 2人目 生年月日: 生年月日を入力してください。" in body
    assert "子ども 2人目 請求者との続柄: 請求者との続柄を選択してください。" in body
    assert "子ども 2人目 続柄（その他）" not in body and "子ども 2人目 別居している子どもの住所" not in body
    assert "子ども 1人目" not in body.split("error-summary", 2)[1].split("</ul>")[0]


def test_check_page_and_filed_answers_show_only_what_applies(draft, client):
    client.post(url("fill", draft.public_id, 1), {"reason": "move_in", "move_in_date": "令和8年4月1日",
                                                  "previous_address": "高崎市高松町35", "civil_servant": "no",
                                                  "spouse": "no", "action": "next"})
    client.post(url("fill", draft.public_id, 2), {**CHILD, "children.0.relation_other": "いとこ",
                                                  "children.0.apart_address": "東京都", "action": "next"})
    # 口座番号 typed in full-width digits is taken, not refused.
    response = client.post(url("fill", draft.public_id, 3), {**BANK, "action": "next"})
    assert response["Location"] == url("fill", draft.public_id, 4)
    client.post(url("fill", draft.public_id, 4), {"declaration": "on", "action": "next"})
    # The resident changes their mind on page 2: the 転入 answers go.
    client.post(url("fill", draft.public_id, 1), {"reason": "birth", "move_in_date": "令和8年4月1日",
                                                  "previous_address": "高崎市高松町35", "civil_servant": "no",
                                                  "spouse": "no", "action": "next"})
    check = client.get(url("check", draft.public_id))
    assert check.status_code == 200
    body = check.content.decode()
    assert "子どもが生まれた" in body and "0123456" in body
    assert "転入日" not in body and "高崎市高松町35" not in body
    assert "続柄（その他）" not in body and "いとこ" not in body and "東京都" not in body
    assert "子ども 2人目" not in body

    client.post(url("check", draft.public_id), {"_once": "y" * 32})
    with scope(municipality=draft.municipality):
        filed = Submission.objects.get(pk=draft.pk)
        assert filed.status == Status.RECEIVED
        rows = dict(render_answers(filed.form_version.form, filed.answers))  # what the PDF copy lists
    assert "転入日" not in rows and "前の住所" not in rows and "子ども 1人目 続柄（その他）" not in rows
    assert rows["口座番号"] == "0123456"
    pdf = client.get(url("pdf", draft.public_id))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

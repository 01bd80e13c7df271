"""Rendering: labels, fieldsets, aria attributes, kept values, errors, escaping; POST round trip; answer list."""

import pytest
from django.http import QueryDict

from yakuba.kernel.forms.render import answers_from_post, render_answers, render_page
from yakuba.kernel.forms.validate import validate

from .defs import field, make, moving_in
from .html_form import read

FAMILY_ANSWERS = {
    "has_family": "yes",
    "family": [{"name": {"family": "山田", "given": "花子"}, "birthdate": "令和8年2月30日", "relation": "child",
                "school": "下仁田小学校"}],
    "copies": "２", "fee": "", "needs": ["health", "school"], "note": "一行目\n<b>二行目</b>",
    "document": "upload:3f2a", "agree": True,
}


def by_id(reader, id_):
    return next(attrs for tag, attrs in reader.elements if attrs.get("id") == id_)


def test_every_input_has_a_label():
    html = render_page(moving_in(), {}, page=1) + render_page(moving_in(), {}, page=0)
    reader = read(html)
    label_targets = {attrs["for"] for tag, attrs in reader.elements if tag == "label"}
    inputs = [attrs for tag, attrs in reader.elements
              if tag in ("input", "textarea", "select") and attrs.get("type") != "hidden"]
    assert inputs
    assert all(attrs["id"] in label_targets for attrs in inputs)


def test_fieldsets_for_grouped_inputs():
    html = render_page(moving_in(), {}, page=1)
    for legend in ("一緒に転入する家族", "家族", "家族 1人目", "氏名", "必要な手続", "個人情報の取扱い"):
        assert f"<legend>{legend}" in html
    html = render_page(moving_in(), {}, page=0)
    assert '<label for="id_applicant__family">姓</label>' in html
    assert '<label for="id_applicant_kana__given">メイ</label>' in html


def test_autocomplete_and_inputmode():
    reader = read(render_page(moving_in(), {}, page=0))
    assert by_id(reader, "id_applicant__family")["autocomplete"] == "family-name"
    assert by_id(reader, "id_applicant__given")["autocomplete"] == "given-name"
    assert "autocomplete" not in by_id(reader, "id_applicant_kana__family")
    assert by_id(reader, "id_birthdate")["autocomplete"] == "bday"
    assert by_id(reader, "id_postal_code")["autocomplete"] == "postal-code"
    assert by_id(reader, "id_postal_code")["inputmode"] == "numeric"
    assert by_id(reader, "id_phone")["type"] == "tel"
    assert by_id(reader, "id_email")["type"] == "email"
    assert by_id(reader, "id_address")["autocomplete"] == "street-address"


def test_hint_is_linked_with_aria_describedby():
    reader = read(render_page(moving_in(), {}, page=0))
    assert by_id(reader, "id_birthdate")["aria-describedby"] == "id_birthdate_hint"
    assert "1980/4/1 や 昭和55年4月1日 のような日付で入力してください。" in render_page(moving_in(), {}, page=0)


def test_errors_next_to_fields_and_in_summary():
    form = moving_in()
    answers = {"applicant": {"family": "山田", "given": ""}, "applicant_kana": {"family": "やまだ", "given": "たろう"},
               "birthdate": "令和8年2月30日", "postal_code": "370", "address": "下仁田町"}
    result = validate(form, answers, page=0)
    html = render_page(form, answers, result.errors, page=0)
    reader = read(html)
    assert 'class="error-summary"' in html
    assert ('<a href="#id_birthdate">生年月日: 生年月日は1980/4/1 や 昭和55年4月1日 のような日付で'
            '入力してください。</a>' in html)
    assert '<a href="#id_applicant__family">氏名: 姓と名の両方を入力してください。</a>' in html
    birthdate = by_id(reader, "id_birthdate")
    assert birthdate["aria-invalid"] == "true"
    assert birthdate["aria-describedby"] == "id_birthdate_hint id_birthdate_error"
    assert by_id(reader, "id_birthdate_error")["class"] == "field__error"
    assert by_id(reader, "id_postal_code_error")
    assert 'class="field field--error"' in html
    assert "aria-invalid" not in by_id(reader, "id_address")


def test_no_summary_without_errors():
    assert "error-summary" not in render_page(moving_in(), {}, page=0)


def test_group_errors_use_item_paths():
    form = moving_in()
    result = validate(form, FAMILY_ANSWERS, page=1)
    html = render_page(form, FAMILY_ANSWERS, result.errors, page=1)
    reader = read(html)
    assert by_id(reader, "id_family-0-birthdate")["aria-invalid"] == "true"
    assert by_id(reader, "id_family-0-birthdate")["name"] == "family.0.birthdate"
    assert "家族 1人目 生年月日: 生年月日は" in html
    assert "<legend>家族 2人目（任意）</legend>" in html  # the blank spare item


def test_values_are_kept_and_escaped():
    form = make(field("comment", "text", "ご意見"), field("note", "textarea", "備考"))
    answers = {"comment": '<script>alert("x")</script>', "note": "</textarea><script>x</script>"}
    html = render_page(form, answers)
    assert "<script>" not in html
    assert 'value="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"' in html
    assert read(html).post["note"] == "</textarea><script>x</script>"


def test_labels_and_options_are_escaped():
    form = make(field("pick", "choice", "<i>選択</i>", options=[["<x>", "<b>太字</b>"]]))
    html = render_page(form, {"pick": "<x>"})
    assert "<b>" not in html and "<i>" not in html
    assert by_id(read(html), "id_pick-option-0").get("checked") == ""


def test_post_round_trip():
    form = moving_in()
    for page, answers in ((0, {"applicant": {"family": "山田", "given": "太郎"},
                               "applicant_kana": {"family": "ヤマダ", "given": "タロウ"},
                               "birthdate": "令和8年4月1日", "postal_code": "370-2601",
                               "address": "下仁田町", "phone": "", "email": "a@example.jp"}),
                          (1, FAMILY_ANSWERS)):
        html = render_page(form, answers, page=page)
        assert answers_from_post(form, read(html).post, page=page) == answers


def test_answers_from_post_reads_unticked_boxes_and_drops_blank_items():
    form = moving_in()
    post = QueryDict("has_family=yes&family.0.name__family=&family.0.name__given=&family.0.birthdate=&copies=1")
    assert answers_from_post(form, post, page=1) == {"has_family": "yes", "family": [], "copies": "1",
                                                    "needs": [], "agree": False}


def test_render_answers_for_check_page():
    form = moving_in()
    answers = {
        "applicant": {"family": "山田", "given": "太郎"}, "applicant_kana": {"family": "やまだ", "given": "たろう"},
        "birthdate": "2026/4/1", "postal_code": "3702601", "address": "下仁田町", "has_family": "yes",
        "family": [{"name": {"family": "山田", "given": "花子"}, "birthdate": "H1.1.8", "relation": "spouse"}],
        "copies": "1", "fee": "１，０００円", "needs": ["health", "pension"], "agree": "on",
    }
    result = validate(form, answers)
    assert result.errors == {}
    rows = dict(render_answers(form, result.cleaned))
    assert rows["生年月日"] == "2026年4月1日（令和8年）"
    assert rows["氏名（フリガナ）"] == "ヤマダ\u3000タロウ"
    assert rows["手数料"] == "1,000円"
    assert rows["一緒に転入する家族"] == "いる"
    assert rows["家族 1人目 生年月日"] == "1989年1月8日（平成元年）"
    assert rows["家族 1人目 続柄"] == "配偶者"
    assert rows["必要な手続"] == "国民健康保険、国民年金"
    assert rows["電話番号"] == "未入力"
    assert rows["個人情報の取扱い"] == "同意する"
    assert "家族 1人目 学校名" not in rows  # hidden by its condition


def test_conditional_questions_on_the_same_page_are_boxed_with_whom_they_are_for():
    html = render_page(moving_in(), {}, page=1)
    reader = read(html)
    assert by_id(reader, "id_family")["aria-describedby"] == "id_family_hint"
    box = by_id(reader, "when-id_family")
    assert box["class"] == "field-condition"
    assert box["data-when-name"] == "has_family" and box["data-when-values"] == '["yes"]'
    assert "「一緒に転入する家族」で「いる」を選んだ方のみ、お答えください。" in html
    # Inside a group item the box reads the same item's answer.
    assert by_id(reader, "when-id_family-0-school")["data-when-name"] == "family.0.relation"
    assert "「続柄」で「子」を選んだ方のみ、お答えください。" in html
    assert 'src="/static/kernel_forms/conditions.js"' in html


def test_conditional_questions_on_a_later_page_show_only_when_their_condition_holds():
    form = make(pages=[[field("spouse", "choice", "配偶者", options=[["yes", "あり"], ["no", "なし"]])],
                       [field("spouse_name", "name", "配偶者の氏名", condition={"field": "spouse", "equals": "yes"}),
                        field("note", "text", "備考", required=False)]])
    assert "配偶者の氏名" not in render_page(form, {"spouse": "no"}, page=1)
    assert "配偶者の氏名" not in render_page(form, {}, page=1)
    shown = render_page(form, {"spouse": "yes"}, page=1)
    assert "配偶者の氏名" in shown and "field-condition" not in shown and "conditions.js" not in shown
    only_hidden = make(pages=[[field("spouse", "choice", "配偶者")],
                              [field("spouse_name", "name", "氏名", condition={"field": "spouse", "equals": "a"})]])
    assert "質問はありません" in render_page(only_hidden, {"spouse": "b"}, page=1)


def test_page_out_of_range():
    with pytest.raises(ValueError, match="page 5"):
        render_page(moving_in(), {}, page=5)


def test_locked_fields_are_shown_not_asked_and_files_show_their_names():
    from yakuba.kernel.forms.definition import FormDefinition
    from yakuba.kernel.forms.render import render_answers, render_page

    form = FormDefinition.from_dict({"title": "t", "version": 1, "pages": [{"title": "p", "fields": [
        {"name": "who", "type": "name", "label": "氏名", "prefill": "name"},
        {"name": "doc", "type": "file", "label": "書類"},
    ]}]})
    html = render_page(form, {"doc": "tok123"}, locked={"who": {"family": "山田", "given": "花子"}},
                       files={"tok123": "住民票.pdf"})
    assert "山田　花子" in html and "本人確認済み" in html
    assert 'name="who__family"' not in html  # nothing to type, nothing to tamper with
    assert "添付済み: 住民票.pdf" in html and 'type="hidden" name="doc" value="tok123"' in html
    rows = render_answers(form, {"who": {"family": "山田", "given": "花子"}, "doc": "tok123"}, {"tok123": "住民票.pdf"})
    assert rows == [("氏名", "山田　花子"), ("書類", "住民票.pdf")]


def test_stored_dates_show_as_people_write_them_and_examples_are_not_repeated():
    from yakuba.kernel.forms.definition import FormDefinition
    from yakuba.kernel.forms.render import render_page

    form = FormDefinition.from_dict({"title": "t", "version": 1, "pages": [{"title": "p", "fields": [
        {"name": "birthdate", "type": "date", "label": "生年月日"},
        {"name": "postal_code", "type": "postal_code", "label": "郵便番号", "help_text": "例: 370-2601"},
    ]}]})
    html = render_page(form, {"birthdate": "1944-05-12"})
    assert 'value="1944/5/12"' in html
    assert html.count("例: 370-2601") == 1  # the form's help says no more than the rule's hint, so it is left out
    assert 'value="昭和19年5月12日"' in render_page(form, {"birthdate": "昭和19年5月12日"})

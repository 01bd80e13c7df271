"""Validation: each field type with realistic Japanese input, conditions, groups, pages, hostile input."""

import json

import pytest

from yakuba.kernel.forms.validate import validate

from .defs import field, make, moving_in


def check(type_: str, raw, **extra):
    """(cleaned value or None, errors) for one field of `type_` answered with `raw`."""
    result = validate(make(field("f", type_, "項目", **extra)), {"f": raw})
    return result.cleaned.get("f"), result.errors.get("f", [])


@pytest.mark.parametrize(("type_", "raw", "expected"), [
    ("text", "　下仁田　町　", "下仁田 町"),
    ("text", "ＡＢＣ１２３", "ABC123"),
    ("textarea", "一行目\r\n二行目", "一行目\n二行目"),
    ("kana", "しもにた", "シモニタ"),
    ("kana", "ｼﾓﾆﾀ", "シモニタ"),
    ("kana", "ヤマダ　タロー", "ヤマダ タロー"),
    ("name", {"family": " 山田 ", "given": "太郎"}, {"family": "山田", "given": "太郎"}),
    ("name", "山田　太郎", {"family": "山田", "given": "太郎"}),
    ("name_kana", {"family": "やまだ", "given": "ﾀﾛｳ"}, {"family": "ヤマダ", "given": "タロウ"}),
    ("date", "令和8年4月1日", "2026-04-01"),
    ("date", "昭和64年1月7日", "1989-01-07"),
    ("date", "平成元年1月8日", "1989-01-08"),
    ("date", "Ｒ８．４．１", "2026-04-01"),
    ("postal_code", "３７０ー２６０１", "370-2601"),
    ("postal_code", "3702601", "370-2601"),
    ("address", "群馬県甘楽郡下仁田町大字下仁田６８２", "群馬県甘楽郡下仁田町大字下仁田682"),
    ("phone", "０２７４ー８２ー２１１１", "0274-82-2111"),
    ("phone", "09012345678", "09012345678"),
    ("email", " Taro@Example.JP ", "Taro@Example.JP"),
    ("email", "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "taro@example.jp"),
    ("number", "１２", 12),
    ("number", 3, 3),
    ("money", "１，０００円", 1000),
    ("money", "¥12,345", 12345),
    ("choice", "a", "a"),
    ("multi_choice", ["b", "a", "a"], ["a", "b"]),
    ("multi_choice", "a", ["a"]),
    ("consent", "on", True),
    ("consent", True, True),
    ("file", "upload:3f2a", "upload:3f2a"),
])
def test_valid_input_is_normalised(type_, raw, expected):
    assert check(type_, raw) == (expected, [])


@pytest.mark.parametrize(("type_", "raw", "message"), [
    ("kana", "山田", "項目はカタカナで入力してください。"),
    ("name_kana", {"family": "山田", "given": "タロウ"}, "項目はカタカナで入力してください。"),
    ("name", {"family": "山田", "given": ""}, "姓と名の両方を入力してください。"),
    ("date", "令和8年2月30日", "項目は2026/4/1 や 令和8年4月1日 のような日付で入力してください。"),
    ("date", "昭和64年1月8日", "項目は2026/4/1 や 令和8年4月1日 のような日付で入力してください。"),
    ("postal_code", "370-260", "項目は7桁の数字（例: 370-2601）で入力してください。"),
    ("phone", "12345", "項目は市外局番から始まる10桁か11桁の番号（例: 0274-82-2111）で入力してください。"),
    ("email", "taro@", "項目はメールアドレス（例: taro@example.jp）で入力してください。"),
    ("number", "1.5", "項目は数字（整数）で入力してください。"),
    ("number", "十二", "項目は数字（整数）で入力してください。"),
    ("money", "-100", "項目は1,000 や 1,000円 のような金額で入力してください。"),
    ("digits", "12345", "項目は7桁の数字で入力してください。"),
    ("digits", "12345678", "項目は7桁の数字で入力してください。"),
    ("digits", "12-34a67", "項目は7桁の数字で入力してください。"),
    ("choice", "z", "選択肢から選んでください。"),
    ("multi_choice", ["a", "z"], "選択肢から選んでください。"),
    ("text", ["a", "list"], "入力の形式が正しくありません。"),
    ("date", {"y": 2026}, "入力の形式が正しくありません。"),
])
def test_invalid_input_gets_a_specific_message(type_, raw, message):
    assert check(type_, raw, **({"digits": 7} if type_ == "digits" else {})) == (None, [message])


@pytest.mark.parametrize(("raw", "expected"), [("０１２３４５６", "0123456"), ("012-3456", "0123456"),
                                               ("012 3456", "0123456"), ("0123456", "0123456")])
def test_digits_are_normalised_and_keep_leading_zeros(raw, expected):
    assert check("digits", raw, digits=7) == (expected, [])


@pytest.mark.parametrize(("type_", "message"), [
    ("text", "項目を入力してください。"),
    ("name", "項目を入力してください。"),
    ("date", "項目を入力してください。"),
    ("choice", "項目を選択してください。"),
    ("multi_choice", "項目を選択してください。"),
    ("consent", "項目に同意してください。"),
])
def test_required(type_, message):
    assert check(type_, None) == (None, [message])
    assert check(type_, "  " if type_ != "multi_choice" else []) == (None, [message])


def test_consent_must_be_ticked():
    assert check("consent", "")[1] == ["項目に同意してください。"]
    assert check("consent", False)[1] == ["項目に同意してください。"]


@pytest.mark.parametrize(("type_", "empty"), [("text", None), ("multi_choice", []), ("consent", False),
                                                ("name", None), ("money", None)])
def test_optional_empty_fields_are_kept_as_empty(type_, empty):
    assert check(type_, "", required=False) == (empty, [])


def test_limits():
    assert check("number", "11", max=10)[1] == ["項目は10以下の整数で入力してください。"]
    assert check("number", "-1", min=0)[1] == ["項目は0以上の整数で入力してください。"]
    assert check("number", "-1", min=0, max=10)[1] == ["項目は0から10までの整数で入力してください。"]
    assert check("money", "1,000,001円", max=1_000_000)[1] == ["項目は1,000,000円以下の金額で入力してください。"]
    assert check("text", "あいうえおか", max_length=5)[1] == ["項目は5文字以内で入力してください。"]
    assert check("text", "あいうえお", max_length=5) == ("あいうえお", [])


def test_condition_hides_fields_and_drops_them_from_cleaned():
    form = moving_in()
    answers = {"has_family": "no", "family": [{"name": "山田 花子", "birthdate": "きのう"}]}
    result = validate(form, answers, page=1)
    assert "family" not in result.cleaned
    assert not any(key.startswith("family") for key in result.errors)


def test_condition_with_list_of_values_and_multi_choice_source():
    form = make(field("needs", "multi_choice", options=[["a", "A"], ["b", "B"], ["c", "C"]]),
                field("detail", "text", condition={"field": "needs", "equals": ["b", "c"]}))
    assert validate(form, {"needs": ["a"]}).errors == {}
    assert validate(form, {"needs": ["a", "c"]}).errors == {"detail": ["detailを入力してください。"]}


def test_condition_is_evaluated_on_normalised_answers():
    form = make(field("kana", "kana"), field("extra", "text", condition={"field": "kana", "equals": "ハイ"}))
    assert "extra" in validate(form, {"kana": "はい"}).errors


def test_condition_on_an_earlier_page_applies_when_validating_one_page():
    form = moving_in()
    result = validate(form, {"has_family": "yes", "family": []}, page=1)
    assert result.errors["family"] == ["家族を入力してください。"]
    assert set(result.cleaned) <= {f.name for f in form.pages[1].fields}


def test_group_items_validated_per_item():
    form = moving_in()
    answers = {
        "has_family": "yes",
        "family": [
            {"name": {"family": "山田", "given": "花子"}, "birthdate": "平成2年3月4日", "relation": "spouse"},
            {"name": {"family": "山田", "given": ""}, "birthdate": "令和8年2月30日", "relation": "child"},
        ],
        "copies": "２", "agree": "on",
    }
    result = validate(form, answers, page=1)
    assert result.errors == {
        "family.1.name": ["姓と名の両方を入力してください。"],
        "family.1.birthdate": ["生年月日は1980/4/1 や 昭和55年4月1日 のような日付で入力してください。"],
    }
    assert result.cleaned["family"][0] == {"name": {"family": "山田", "given": "花子"}, "birthdate": "1990-03-04",
                                           "relation": "spouse"}
    assert result.cleaned["family"][1]["school"] is None  # shown (child) but optional


def test_group_item_counts():
    form = make(field("family", "group", "家族", min_items=1, max_items=2))
    item = {"name": {"family": "山田", "given": "太郎"}}
    assert validate(form, {"family": []}).errors == {"family": ["家族は1件以上2件まで入力してください。"]}
    assert validate(form, {"family": [item] * 3}).errors == {"family": ["家族は1件以上2件まで入力してください。"]}
    assert validate(form, {"family": "太郎"}).errors == {"family": ["入力の形式が正しくありません。"]}


def test_page_limits_cleaned_and_errors():
    form = moving_in()
    result = validate(form, {}, page=0)
    assert set(result.errors) == {"applicant", "applicant_kana", "birthdate", "postal_code", "address"}
    assert result.cleaned == {"phone": None, "email": None}


def test_a_complete_application_is_valid_and_json_serialisable():
    answers = {
        "applicant": {"family": "下仁田", "given": "太郎"}, "applicant_kana": {"family": "しもにた", "given": "たろう"},
        "birthdate": "S50.1.2", "postal_code": "３７０ー２６０１", "address": "群馬県甘楽郡下仁田町大字下仁田682",
        "has_family": "no", "copies": "1", "fee": "300円", "needs": ["health"], "agree": "on",
    }
    result = validate(moving_in(), answers)
    assert result.errors == {}
    assert result.is_valid
    assert json.loads(json.dumps(result.cleaned)) == result.cleaned
    assert result.cleaned["birthdate"] == "1975-01-02"
    assert result.cleaned["applicant_kana"] == {"family": "シモニタ", "given": "タロウ"}


@pytest.mark.parametrize("answers", [None, [], "x", {"applicant": 12}, {"family": [1, 2]}, {"copies": 10**5000},
                                     {"needs": [{"a": 1}]}, {"agree": {"x": None}}, {1: 2}])
def test_hostile_input_never_raises(answers):
    result = validate(moving_in(), answers)
    assert result.errors

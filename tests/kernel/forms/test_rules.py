"""Every field type's hint says the rule its refusal names: a value the validator refuses gets a message with the
same words the hint under the question showed (口座番号: both say 7桁). Demo forms say no other rule in their help."""

import json
import re
from pathlib import Path

import pytest

import yakuba
from yakuba.kernel.forms import rules
from yakuba.kernel.forms.definition import FIELD_TYPES, FormDefinition
from yakuba.kernel.forms.render import render_page
from yakuba.kernel.forms.validate import validate

from .defs import field, make


def text_of(html: str, element_id: str) -> str:
    """The text of the <p> with id `element_id` (a hint or an error), tags stripped."""
    match = re.search(rf'<p [^>]*id="{element_id}"[^>]*>(.*?)</p>', html, re.S)
    assert match, element_id
    return re.sub(r"<[^>]+>", "", match[1]).strip()

# (type, settings, a value the validator refuses, words both the hint and the refusal must contain)
REFUSED = [
    ("text", {"max_length": 5}, "あいうえおか", "5文字以内"),
    ("textarea", {"max_length": 5}, "あいうえおかき", "5文字以内"),
    ("address", {"max_length": 10}, "群馬県甘楽郡下仁田町大字下仁田682", "10文字以内"),
    ("kana", {"max_length": 10}, "山田", "カタカナ"),
    ("kana", {"max_length": 3}, "ヤマダタロウ", "3文字以内"),
    ("name_kana", {"max_length": 3}, {"family": "テシガワラ", "given": "タロウ"}, "それぞれ3文字以内"),
    ("email", {"max_length": 12}, "taro@example.jp", "12文字以内"),
    ("phone", {"max_length": 10}, "0274-82-2111", "10文字以内"),
    ("name", {"max_length": 3}, {"family": "勅使河原", "given": "太郎"}, "それぞれ3文字以内"),
    ("name_kana", {}, {"family": "山田", "given": "タロウ"}, "カタカナ"),
    ("date", {}, "令和8年2月30日", "令和8年4月1日"),
    ("postal_code", {}, "370-260", "7桁"),
    ("phone", {}, "12345", "10桁か11桁"),
    ("email", {}, "taro@", "メールアドレス"),
    ("number", {"min": 1, "max": 10}, "11", "1から10まで"),
    ("number", {"min": 1}, "0", "1以上"),
    ("number", {}, "1.5", "整数"),
    ("money", {"min": 100, "max": 1000}, "5,000円", "100円から1,000円まで"),
    ("money", {}, "-100", "金額"),
    ("digits", {"digits": 7}, "12345", "7桁"),
    ("digits", {"digits": 4}, "12345", "4桁"),
    ("digits", {"digits": 3}, "12", "3桁"),
    ("group", {"min_items": 1, "max_items": 2, "item_label": "{n}人目"}, [], "1人以上2人まで"),
]
# Types whose only refusal is 必須 (the marker beside the label): (type, the message when left empty).
REQUIRED_ONLY = [
    ("choice", "を選択してください"),
    ("multi_choice", "を選択してください"),
    ("consent", "に同意してください"),
    ("file", "を入力してください"),
]


def test_every_field_type_is_covered():
    assert {kind for kind, *_ in REFUSED} | {kind for kind, _ in REQUIRED_ONLY} == FIELD_TYPES


@pytest.mark.parametrize(("kind", "settings", "raw", "words"), REFUSED)
def test_the_hint_shown_names_the_rule_that_refused(kind, settings, raw, words):
    form = make(field("f", kind, "口座番号", **settings))
    item = form.all_fields()[0]
    refused = validate(form, {"f": raw}).errors["f"]
    assert refused == [rules.message(item)]
    html = render_page(form, {"f": raw}, {"f": refused})
    hint, error = text_of(html, "id_f_hint"), text_of(html, "id_f_error")
    assert words in hint and words in refused[0] and words in error
    assert hint == rules.hint(item)
    for part in (rules.phrase(item), rules.note(item)):
        assert part in hint and part in refused[0]


@pytest.mark.parametrize(("kind", "message"), REQUIRED_ONLY)
def test_types_without_a_format_are_refused_only_when_left_empty(kind, message):
    form = make(field("f", kind, "確認"))
    assert validate(form, {}).errors["f"] == [f"確認{message}。"]
    assert "必須" in render_page(form, {})
    assert rules.phrase(form.all_fields()[0]) == ""


def test_a_field_without_limits_hints_nothing_it_does_not_check():
    form = make(field("f", "text", "備考"))
    assert rules.hint(form.all_fields()[0]) == ""
    assert "id_f_hint" not in render_page(form, {})


@pytest.mark.parametrize(("kind", "settings", "raw", "cleaned"), [
    ("digits", {"digits": 7}, "０１２３４５６", "0123456"),
    ("digits", {"digits": 4}, "０００１", "0001"),
    ("postal_code", {}, "３７０２６０１", "370-2601"),
    ("phone", {}, "０９０ー１２３４ー５６７８", "090-1234-5678"),
    ("number", {"min": 1, "max": 10}, "１０", 10),
    ("money", {}, "１２，０００円", 12000),
    ("date", {}, "令和８年４月１日", "2026-04-01"),
])
def test_full_width_input_is_normalised_not_refused(kind, settings, raw, cleaned):
    result = validate(make(field("f", kind, "項目", **settings)), {"f": raw})
    assert result.errors == {} and result.cleaned["f"] == cleaned


DEMO = Path(yakuba.__file__).parent / "applications" / "demo" / "forms"


def _demo_fields():
    for path in sorted(DEMO.glob("*.json")):
        form = FormDefinition.from_dict(json.loads(path.read_text(encoding="utf-8")))
        for item in form.all_fields():
            for inner in (item, *item.fields):
                yield path.stem, inner


@pytest.mark.parametrize(("form", "item"), list(_demo_fields()), ids=lambda v: getattr(v, "name", v))
def test_demo_help_promises_no_rule_the_validator_does_not_check(form, item):
    """A help text that says 「7桁」 belongs to a field that checks 7 digits (口座番号 "12345" once passed)."""
    counts = set(re.findall(r"(\d+)桁", item.help_text + item.label))
    if counts:
        assert item.type in ("digits", "postal_code"), (form, item.name)
        assert counts <= {str(item.digits or 7)}, (form, item.name)
    if "カタカナ" in item.help_text + item.label and item.type not in ("choice", "multi_choice"):
        assert item.type in ("kana", "name_kana"), (form, item.name)


def test_the_demo_account_number_refuses_five_digits_and_says_seven():
    form = FormDefinition.from_dict(json.loads((DEMO / "jidou-teate.json").read_text(encoding="utf-8")))
    page = next(i for i, p in enumerate(form.pages) if any(f.name == "account_number" for f in p.fields))
    errors = validate(form, {"account_number": "12345"}, page=page).errors
    assert errors["account_number"] == ["口座番号は7桁の数字で入力してください。"]
    html = render_page(form, {"account_number": "12345"}, errors, page=page)
    assert "7桁の数字で入力してください。" in text_of(html, "id_account_number_hint")
    assert validate(form, {"account_number": "０１２３４５６"}, page=page).cleaned["account_number"] == "0123456"

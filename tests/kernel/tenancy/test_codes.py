import pytest
from django.core.exceptions import ValidationError

from yakuba.kernel.tenancy.codes import check_digit, full_code, normalise_code, validate_municipality_code
from yakuba.kernel.tenancy.models import Municipality


@pytest.mark.parametrize("code5, six", [
    ("10382", "103829"),  # 下仁田町
    ("10384", "103845"),  # 甘楽町
    ("10421", "104213"),  # 中之条町
    ("22344", "223441"),  # 小山町
    ("13101", "131016"),  # 千代田区 (a published code, as a cross-check)
    ("01100", "011002"),  # 札幌市
])
def test_check_digit_matches_published_codes(code5, six):
    assert code5 + str(check_digit(code5)) == six
    assert full_code(code5) == six
    assert full_code(six) == six


def test_bad_check_digit_is_rejected_with_the_expected_digit():
    with pytest.raises(ValidationError) as error:
        validate_municipality_code("103820")
    assert error.value.code == "check_digit"
    assert "103829" in error.value.messages[0]
    assert full_code("103820") is None


@pytest.mark.parametrize("value", ["", "1038", "abcdef", "1038299"])
def test_malformed_codes_get_a_format_message(value):
    with pytest.raises(ValidationError) as error:
        validate_municipality_code(value)
    assert error.value.code == "format"
    assert "6桁" in error.value.messages[0]


def test_full_width_digits_are_normalised():
    assert normalise_code("１０３８２９") == "103829"
    assert normalise_code(" 10382-9 ") == "103829"
    assert validate_municipality_code("１０３８２９") is None  # accepted: raises nothing
    assert full_code("１０３８２") == "103829"
    assert full_code("１０３８２９") == "103829"


@pytest.mark.django_db
def test_model_validation_refuses_a_wrong_code():
    town = Municipality(code="103820", name="下仁田町", name_kana="しもにたまち", prefecture="群馬県")
    with pytest.raises(ValidationError) as error:
        town.full_clean()
    assert "code" in error.value.message_dict

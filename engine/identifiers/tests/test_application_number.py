import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.identifiers.application_number import (
    NumberError,
    application_number_type,
    check_character,
    normalise_application_number,
    normalise_publication_number,
)
from engine.identifiers.credit_code import CreditCodeError, credit_check_character, normalise_credit_code

twelve = st.text(alphabet="0123456789", min_size=12, max_size=12)
eight = st.text(alphabet="0123456789", min_size=8, max_size=8)


def test_known_examples():
    assert normalise_application_number("201710601862.3") == "201710601862.3"
    assert normalise_application_number("95115608.X") == "95115608.X"
    assert normalise_application_number("ZL 2017 1 0601862.3") == "201710601862.3"
    assert normalise_application_number("CN2017106018623") == "201710601862.3"
    assert normalise_application_number("ＣＮ２０１７１０６０１８６２．３") == "201710601862.3"
    assert normalise_application_number("95115608.x") == "95115608.X"
    assert application_number_type("201710601862.3") == "invention"


@pytest.mark.parametrize(
    "raw,code",
    [
        ("", "app_no_empty"),
        ("201710601862", "app_no_check_missing"),
        ("201710601862.4", "app_no_check_digit"),
        ("2017106018.3", "app_no_format"),
    ],
)
def test_rejections_name_the_problem(raw, code):
    with pytest.raises(NumberError) as err:
        normalise_application_number(raw)
    assert err.value.code == code
    assert err.value.message_zh


@given(st.one_of(twelve, eight), st.sampled_from(["", "CN", "ZL", "cn "]), st.booleans(), st.booleans())
def test_every_spelling_gives_one_idempotent_key(body, prefix, dot, fullwidth):
    check = check_character(body)
    raw = f"{prefix}{body}{'.' if dot else ''}{check}"
    if fullwidth:
        raw = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in raw)
    key = normalise_application_number(raw)
    assert key == f"{body}.{check}"
    assert normalise_application_number(key) == key


@given(twelve, st.integers(min_value=0, max_value=11), st.integers(min_value=1, max_value=9))
def test_every_single_digit_substitution_fails_the_check(body, position, delta):
    check = check_character(body)
    digits = list(body)
    digits[position] = str((int(digits[position]) + delta) % 10)
    changed = "".join(digits)
    # Weights 2..9 are coprime to 11, so any single substitution changes the checksum.
    with pytest.raises(NumberError):
        normalise_application_number(f"{changed}.{check}")


def test_publication_numbers():
    assert normalise_publication_number("cn 114081026 a") == ("CN114081026", "A")
    assert normalise_publication_number("CN111504366B") == ("CN111504366", "B")
    with pytest.raises(NumberError):
        normalise_publication_number("US1234567")


def test_credit_code():
    assert normalise_credit_code("91350100m000100y43") == "91350100M000100Y43"
    with pytest.raises(CreditCodeError) as err:
        normalise_credit_code("91350100M000100Y44")
    assert err.value.code == "credit_code_check"
    with pytest.raises(CreditCodeError):
        normalise_credit_code("9135010OM000100Y43")  # letter O is not in the alphabet
    assert credit_check_character("91350100M000100Y4") == "3"


def test_credit_code_with_letter_authority_is_accepted():
    """登记管理部门代码 Y (其他): stdnum's validate() refuses any non-digit in the first 8; GB 32100 allows it."""
    from stdnum.cn import uscc
    from stdnum.exceptions import InvalidFormat

    first17 = "Y1440300MA5F00001"
    code = first17 + credit_check_character(first17)
    assert normalise_credit_code(code.lower()) == code
    with pytest.raises(InvalidFormat):
        uscc.validate(code)


@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=17, max_size=17))
def test_credit_check_character_follows_gb32100(first17):
    # GB 32100-2015 §5: C18 = 31 - (Σ Ci·Wi mod 31), with 31 written as 0
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [3 ** (i) % 31 for i in range(17)]
    value = 31 - sum(alphabet.index(c) * w for c, w in zip(first17, weights, strict=True)) % 31
    assert credit_check_character(first17) == alphabet[0 if value == 31 else value]

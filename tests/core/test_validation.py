"""Input checks: unified social credit codes, phone numbers, free text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.validation import (
    USCC_ALPHABET,
    UsccProblem,
    UsccResult,
    check_uscc,
    clean_text,
    normalize_phone,
    normalize_uscc,
    uscc_check_character,
)

# Real-world codes plus codes built here from realistic first 17 characters (9 = registered
# with market regulation, 1 = company, 350200 = Xiamen …); each check character is computed.
VALID_USCC = [
    "91350100M000100Y43",  # the commonly quoted example code
    "91110108551385082Q",  # a Beijing (Haidian) company
    "91440300708461136T",  # a Shenzhen company
    "91350200705423123M",  # a Xiamen company, built here
    "92350203MA2Y0A1B18",  # individual business (个体工商户, type 2), built here
    "12350200426601011D",  # public institution (机构编制 1, 事业单位 2), built here
    "51350200MJD1234565",  # social organization (民政 5), built here
    "Y1350200MA3ABCDEF3",  # "other" registration authority Y, built here
]


@pytest.mark.parametrize("code", VALID_USCC)
def test_valid_codes(code: str) -> None:
    assert check_uscc(code) == UsccResult(ok=True, normalized=code)


def test_the_builtin_examples_really_are_valid() -> None:
    # Guards the table above against a hand-typed check character.
    for code in VALID_USCC:
        assert uscc_check_character(code[:17]) == code[17], code


@pytest.mark.parametrize(
    "text",
    [
        "９１３５０１００Ｍ０００１００Ｙ４３",
        "91350100m000100y43",
        " 9135 0100 M000 100Y 43 ",
        "91350100-M000100Y-43",
        "9135\u30000100M000100Y43\n",
    ],
)
def test_input_is_normalized(text: str) -> None:
    result = check_uscc(text)
    assert result.ok
    assert result.normalized == "91350100M000100Y43"


@pytest.mark.parametrize("text", ["", "9135010", "91350100M000100Y4", "91350100M000100Y433"])
def test_wrong_length(text: str) -> None:
    result = check_uscc(text)
    assert not result.ok
    assert result.problem is UsccProblem.WRONG_LENGTH
    assert result.normalized == normalize_uscc(text)


@pytest.mark.parametrize(
    ("text", "character", "position"),
    [
        ("91350100MO00100Y43", "O", 10),  # letter O for zero
        ("I1350100M000100Y43", "I", 1),
        ("91350100M000100Z43", "Z", 16),
        ("91350100M000100Y4S", "S", 18),
        ("91350100M00010VY43", "V", 15),
        ("91350100M000100Y4*", "*", 18),
        ("9135010０M000100Y4中", "中", 18),
    ],
)
def test_bad_character(text: str, character: str, position: int) -> None:
    result = check_uscc(text)
    assert result.problem is UsccProblem.BAD_CHARACTER
    assert (result.character, result.position) == (character, position)
    assert result.expected is None


@pytest.mark.parametrize(
    ("text", "given", "expected"),
    [
        ("91350100M000100Y44", "4", "3"),
        ("91350100M000100Y34", "4", "0"),  # two swapped characters are caught too
        ("91110108551385082X", "X", "Q"),
        ("91440300708461137T", "T", "X"),
    ],
)
def test_bad_check_character(text: str, given: str, expected: str) -> None:
    result = check_uscc(text)
    assert not result.ok
    assert result.problem is UsccProblem.BAD_CHECK_CHARACTER
    assert (result.character, result.position, result.expected) == (given, 18, expected)


def test_check_character_wraps_31_to_0() -> None:
    # Seventeen zeros sum to 0, and 31 - 0 = 31 must become "0".
    assert uscc_check_character("0" * 17) == "0"
    assert check_uscc("0" * 18).ok


@given(st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17))
def test_every_computed_code_checks_out(first17: str) -> None:
    code = first17 + uscc_check_character(first17)
    assert check_uscc(code).ok
    # Any single changed character is detected.
    wrong = USCC_ALPHABET[(USCC_ALPHABET.index(code[5]) + 1) % 31]
    assert not check_uscc(code[:5] + wrong + code[6:]).ok


@given(st.text(max_size=40))
def test_check_uscc_never_raises(text: str) -> None:
    result = check_uscc(text)
    assert result.ok == (result.problem is None)


# --- phones ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("+8613800138000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("１３９５９２１２３４５", "13959212345"),
        ("19912345678", "19912345678"),
        ("0592-5551234", "0592-5551234"),
        ("05925551234", "0592-5551234"),
        ("(0592) 555 1234", "0592-5551234"),
        ("（0592）5551234", "0592-5551234"),
        ("０５９２－５５５１２３４", "0592-5551234"),
        ("010-62345678", "010-62345678"),
        ("021 2345 6789", "021-23456789"),
        ("+86 592 5551234", "0592-5551234"),
        ("+86 10 6234 5678", "010-62345678"),
        ("0592-5551234 转 801", "0592-5551234-801"),
        ("0592-5551234 分机801", "0592-5551234-801"),
        ("0592-5551234 ext. 801", "0592-5551234-801"),
        ("0592-5551234-801", "0592-5551234-801"),
        ("010-62345678#12", "010-62345678-12"),
        ("400-123-4567", "400-123-4567"),
        ("4001234567", "400-123-4567"),
        ("+852 9123 4567", "+85291234567"),
        ("00852-91234567", "+85291234567"),
        ("+1 (415) 555-0100", "+14155550100"),
        ("+886 912 345 678", "+886912345678"),
    ],
)
def test_phone_accepted(text: str, expected: str) -> None:
    assert normalize_phone(text) == expected
    assert normalize_phone(expected) == expected  # idempotent


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "12345",
        "1380013800",  # one digit short
        "138001380001",  # one digit too many
        "12800138000",  # no 12x mobile prefix
        "5551234",  # local number without area code
        "0592-0551234",  # local numbers never start with 0
        "0152-5551234",  # no 01x area code except 010
        "13800138000 转 801",  # mobiles have no extensions
        "+86 12345",
        "+123",  # too short for an international number
        "+1234567890123456",  # 16 digits: longer than E.164 allows
        "电话：请打我手机",
        "91350100M000100Y43",
    ],
)
def test_not_a_phone(text: str) -> None:
    assert normalize_phone(text) is None


@given(st.text(max_size=30))
def test_normalize_phone_never_raises_and_is_idempotent(text: str) -> None:
    phone = normalize_phone(text)
    if phone is not None:
        assert normalize_phone(phone) == phone


# --- free text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  你好  ", "你好"),
        ("第一行\r\n第二行\r第三行", "第一行\n第二行\n第三行"),
        ("a\n\n\n\n\n\nb", "a\n\n\nb"),
        ("a\n\n\nb", "a\n\n\nb"),
        ("a\n \n\t\n  \n \nb", "a\n\n\nb"),
        ("a\u200bb\u200cc\ufeffd\u2060e", "abcde"),
        ("转账\u202e0001\u202c元", "转账0001元"),
        ("a\x00b\x07c\x1bd", "abcd"),
        ("列1\t列2\n下一行", "列1\t列2\n下一行"),
        ("行尾空格   \n下一行", "行尾空格\n下一行"),
        ("  缩进保留\n  第二行", "缩进保留\n  第二行"),
        ("全角（括号）和ＡＢＣ不变", "全角（括号）和ＡＢＣ不变"),
        ("👨\u200d👩\u200d👧 一家人", "👨\u200d👩\u200d👧 一家人"),
        ("e\u0301", "é"),
        ("\u2028段落\u2029", "段落"),
    ],
)
def test_clean_text(text: str, expected: str) -> None:
    assert clean_text(text) == expected


@given(st.text(max_size=200))
def test_clean_text_is_idempotent(text: str) -> None:
    cleaned = clean_text(text)
    assert clean_text(cleaned) == cleaned
    assert "\n\n\n\n" not in cleaned

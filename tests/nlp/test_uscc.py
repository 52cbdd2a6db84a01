from hypothesis import given
from hypothesis import strategies as st

from nlp import uscc
from nlp.uscc import ALPHABET, CodeStatus, validate


def test_real_codes_validate() -> None:
    for code in ("914403001922038216", "91110000100006485K"):
        assert validate(code).status is CodeStatus.VALID


def test_full_width_lower_case_and_spaces_are_accepted() -> None:
    assert validate(" ９１４４０３００１９２２０３８２１６ ").status is CodeStatus.VALID
    assert validate("91110000100006485k").code == "91110000100006485K"


def test_bad_check_character_is_well_formed_but_flagged() -> None:
    check = validate("914403001922038217")
    assert check.status is CodeStatus.BAD_CHECK and check.acceptable
    assert "expected 6" in check.message


def test_malformed_codes_are_rejected_with_a_reason() -> None:
    assert not validate("91440300192203821").acceptable  # 17 characters
    check = validate("91440300I922038216")
    assert check.status is CodeStatus.MALFORMED and "I" in check.message
    assert not validate("").acceptable


def test_organisation_code_is_extracted() -> None:
    assert uscc.organisation_code("914403001922038216") == "192203821"
    assert uscc.org_check_character("19220382") == "1"


def test_find_codes_in_text() -> None:
    text = "这家公司代码是914403001922038216，电话13812345678"
    assert uscc.find_codes(text) == ["914403001922038216"]


bodies = st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8)
divisions = st.sampled_from(["320100", "320500", "321300", "320583"])


@given(bodies, divisions)
def test_made_codes_are_valid(body: str, division: str) -> None:
    assert validate(uscc.make_code("91", division, body)).status is CodeStatus.VALID


@given(bodies, st.integers(min_value=0, max_value=16), st.sampled_from(list(ALPHABET)))
def test_one_changed_character_breaks_the_check(body: str, pos: int, char: str) -> None:
    code = uscc.make_code("91", "320500", body)
    changed = code[:pos] + char + code[pos + 1 :]
    if changed != code:
        assert validate(changed).status is not CodeStatus.VALID

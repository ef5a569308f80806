"""The one code rule: shape, canonical form, the 医保版 lists, 灰码 and the 国临版 crosswalk."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yigai.codes import codebook
from yigai.domain.codes import CodeStatus, canonical, diagnosis_shape, procedure_shape

BOOK = codebook()


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("K80.100", True),
        ("I10.x00", True),
        ("K35.800x001", True),
        ("J18.900x001", True),
        ("A01.002+G01*", True),
        ("K80.1", True),
        ("K80", True),
        ("K80.1000", False),
        ("80.1000", False),
        ("胆结石", False),
        ("", False),
    ],
)
def test_diagnosis_shape(code: str, ok: bool) -> None:
    assert diagnosis_shape(code) is ok


@pytest.mark.parametrize(
    ("code", "ok"),
    [("51.2300", True), ("33.6x00", True), ("00.0200x001", True), ("51.23", True), ("K80.100", False), ("5123", False)],
)
def test_procedure_shape(code: str, ok: bool) -> None:
    assert procedure_shape(code) is ok


def test_canonical_form_is_the_lists_form() -> None:
    assert canonical(" ｋ35.800X001 ") == "K35.800x001"
    assert canonical("i10.X00") == "I10.x00"
    assert canonical("X59.900") == "X59.900"  # an X chapter letter stays upper case


def test_the_lists_are_the_national_ones() -> None:
    assert (len(BOOK.diagnoses.names), len(BOOK.procedures.names)) == (33307, 13686)
    assert BOOK.diagnoses.name("K35.800x001") and BOOK.procedures.name("47.0100") == "腹腔镜下阑尾切除术"
    assert "Apache" in BOOK.meta["licence"]


@pytest.mark.parametrize(
    ("given_code", "code", "status", "grey"),
    [
        ("K35.301", "K35.301", CodeStatus.VALID, False),
        ("K80.100", "K80.100", CodeStatus.VALID, True),  # a category code: 灰码 as principal diagnosis
        ("A01.000x002", "A01.003", CodeStatus.MAPPED, False),  # 国临版 v2.0 → 医保版 v2.0
        ("A01.002", "A01.002+G01*", CodeStatus.VALID, False),  # dagger code written without its asterisk part
        ("J18.900x001", "J18.900x001", CodeStatus.UNKNOWN, False),
        ("K80.1000", "K80.1000", CodeStatus.MALFORMED, False),
    ],
)
def test_diagnosis_checks(given_code: str, code: str, status: CodeStatus, grey: bool) -> None:
    check = BOOK.diagnosis(given_code)
    assert (check.code, check.status, check.grey) == (code, status, grey)
    assert check.usable is (status in (CodeStatus.VALID, CodeStatus.MAPPED))


@given(st.sampled_from(sorted(BOOK.diagnoses.names)))
def test_every_listed_diagnosis_is_well_formed_and_valid(code: str) -> None:
    assert diagnosis_shape(code) and BOOK.diagnosis(code).status is CodeStatus.VALID


@given(st.sampled_from(sorted(BOOK.procedures.names)))
def test_every_listed_procedure_is_well_formed_and_valid(code: str) -> None:
    assert procedure_shape(code) and BOOK.procedure(code).status is CodeStatus.VALID

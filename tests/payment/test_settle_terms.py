"""The per-hospital terms sheet of the DIP clearing: every problem named, nothing settled on a silent default."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from yigai.payment.settle_terms import HospitalTerms, SettleTermsError, load_terms, parse_terms


def test_chinese_or_english_headers_blank_cells_keep_the_defaults() -> None:
    terms = parse_terms(
        ["医疗机构", "年度考核系数", "已预拨", "医保已记账"],
        [["区人民医院", "0.98", "1,200,000", ""], ["", "", "", ""], ["城门镇卫生院", None, 35000, 80000.5]],
    )
    assert terms.hospitals == (
        HospitalTerms("区人民医院", 0.98, 1_200_000.0, None),
        HospitalTerms("城门镇卫生院", None, 35000.0, 80000.5),
    )
    assert terms.assessment() == {"区人民医院": 0.98}
    assert terms.advances() == {"区人民医院": 1_200_000.0, "城门镇卫生院": 35000.0}
    assert terms.booked_fund() == {"城门镇卫生院": 80000.5}
    english = parse_terms(["hospital", "Assessment"], [["H1", 1.02]])
    assert english.assessment() == {"H1": 1.02} and english.booked_fund() is None


def test_every_problem_is_reported_with_its_row_and_column() -> None:
    with pytest.raises(SettleTermsError) as err:
        parse_terms(
            ["机构", "考核系数", "月度预拨"],
            [["H1", "0.9", "abc"], ["H2", "-1", ""], ["", "1", "2"], ["H1", "1", "1"], ["H3", "nan", "inf"]],
        )
    assert [(p[0], p[1]) for p in err.value.problems] == [
        (2, "月度预拨"),
        (3, "考核系数"),
        (4, "机构"),
        (5, "机构"),
        (6, "考核系数"),
        (6, "月度预拨"),
    ]
    assert "第2行" in err.value.bilingual() and "另有 5 处" in err.value.bilingual()


@pytest.mark.parametrize(
    ("header", "column"),
    [
        (["机构", "考核系"], "考核系"),  # a typo would otherwise settle every hospital at 1
        (["考核系数", "月度预拨"], "机构"),
        (["机构", "考核系数", "assessment"], "assessment"),
    ],
)
def test_a_header_it_cannot_use_is_refused(header: list[str], column: str) -> None:
    with pytest.raises(SettleTermsError) as err:
        parse_terms(header, [["H1", "1", "1"]])
    assert [(p[0], p[1]) for p in err.value.problems] == [(1, column)]


def test_xlsx_and_csv_files_and_what_is_not_a_sheet(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["机构", "考核系数", "月度预拨"])
    ws.append(["区人民医院", 0.97, 100000])
    wb.save(tmp_path / "t.xlsx")
    assert load_terms(tmp_path / "t.xlsx").assessment() == {"区人民医院": 0.97}
    (tmp_path / "t.csv").write_bytes("\ufeff机构,月度预拨\n区人民医院,5\n".encode())
    assert load_terms(tmp_path / "t.csv").advances() == {"区人民医院": 5.0}
    (tmp_path / "fake.xlsx").write_bytes(b"not a zip")
    (tmp_path / "gbk.csv").write_bytes("机构,考核系数\n区人民医院,0.9\n".encode("gbk"))  # Excel on Chinese Windows
    assert load_terms(tmp_path / "gbk.csv").assessment() == {"区人民医院": 0.9}
    (tmp_path / "t.txt").write_text("机构\n", encoding="utf-8")
    for name in ("fake.xlsx", "t.txt", "missing.csv"):
        with pytest.raises(SettleTermsError) as err:
            load_terms(tmp_path / name)
        assert err.value.where == name


cells = st.one_of(st.none(), st.text(max_size=8), st.floats(allow_nan=True), st.integers(), st.booleans())


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["机构", "考核系数", "月度预拨", "医保已记账", "hospital", "x", "", "已预拨"]), max_size=5
    ),
    st.lists(st.lists(cells, max_size=6), max_size=6),
)
def test_any_sheet_gives_terms_or_the_terms_error(header: list[str], rows: list[list[object]]) -> None:
    try:
        terms = parse_terms(header, rows)
    except SettleTermsError as err:
        assert err.problems and all(p[0] >= 1 for p in err.problems)
        return
    names = terms.names()
    assert len(names) == len(set(names)) and all(names)
    assert all(v >= 0 for t in terms.hospitals for v in (t.assessment, t.advances, t.booked_fund) if v is not None)

"""集采结余留用: hand-computed retention, validation, and properties."""

from __future__ import annotations

import random
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from yigai.payment.vbp import VbpRecord, effective_share, parse_rows, read_records, retain, retain_file


def rec(
    hospital: str,
    generic: str,
    volume: int,
    price: str,
    ratio: str,
    actual: int,
    *,
    product: str = "",
    agreed: int | None = None,
    completed: int | None = None,
    k: str = "1",
    year: int = 2024,
) -> VbpRecord:
    return VbpRecord(
        hospital,
        year,
        generic,
        D(volume),
        D(price),
        D(ratio),
        D(actual),
        product=product,
        agreed_volume=None if agreed is None else D(agreed),
        completed_volume=None if completed is None else D(completed),
        assessment=D(k),
    )


def test_hand_computed_retention() -> None:
    # 甲医院, 阿托伐他汀: selected product 1000 × 2.00 × 0.7 = 1400, non-selected 500 × 2.00 × 0.7 = 700;
    #   budget 2100, actual 600 + 300 = 900, saving 1200; share 0.5, k 0.9 → 1200 × 0.5 × 0.9 = 540.
    # 甲医院, 氨氯地平: budget 100 × 10 × 0.8 = 800, actual 1000 → saving max(0, −200) = 0 → retained 0.
    # 乙医院, 阿托伐他汀: budget 2000 × 1 × 0.5 = 1000, actual 400, saving 600, but the agreed volume
    #   800 was not completed (700) → withheld, retained 0.
    records = [
        rec("甲医院", "阿托伐他汀", 1000, "2.00", "0.7", 600, product="中选", agreed=800, completed=900, k="0.9"),
        rec("甲医院", "阿托伐他汀", 500, "2.00", "0.7", 300, product="非中选", k="0.9"),
        rec("甲医院", "氨氯地平", 100, "10", "0.8", 1000, k="0.9"),
        rec("乙医院", "阿托伐他汀", 2000, "1", "0.5", 400, agreed=800, completed=700),
    ]
    report = retain(records, share="0.5")
    by_name = {h.hospital: h for h in report.hospitals}
    jia, yi = by_name["甲医院"], by_name["乙医院"]
    assert (jia.hospital, jia.budget, jia.actual, jia.saving, jia.retained) == ("甲医院", 2900, 1900, 1200, 540)
    generics = {g.generic: g for g in jia.generics}
    atorva, amlo = generics["阿托伐他汀"], generics["氨氯地平"]
    assert (atorva.budget, atorva.actual, atorva.saving, atorva.retained) == (2100, 900, 1200, 540)
    assert (amlo.saving, amlo.retained) == (0, 0)
    assert (yi.saving, yi.retained, yi.generics[0].volume_completed) == (600, 0, False)
    assert report.retained == 540


def test_share_is_capped() -> None:
    # saving 1000 − 0 = 1000; asked 0.8 but the plan caps at 50% → 1000 × 0.5 = 500; with cap 0.6 → 600
    records = [rec("丙", "X", 100, "10", "1", 0)]
    capped = retain(records, share="0.8")
    assert capped.retained == 500 and capped.notes
    assert retain(records, share="0.8", cap="0.6").retained == 600
    assert retain(records, share="0.3").retained == 300
    with pytest.raises(ValueError):
        effective_share("1.5")


def test_assessment_must_agree_within_a_hospital_year() -> None:
    records = [rec("丙", "X", 100, "10", "1", 0, k="1"), rec("丙", "Y", 100, "10", "1", 0, k="0.8")]
    report = retain(records)
    assert [b.field for b in report.bad] == ["assessment"]
    assert report.retained == 500  # only X: 1000 × 0.5


def test_bad_records_are_listed_by_row_and_field_and_the_rest_computed(tmp_path: Path) -> None:
    path = tmp_path / "vbp.csv"
    path.write_text(
        "医疗机构,年度,通用名,产品,基期用量,基期价格,报销比例,实际医保支出,约定采购量,实际采购量,考核系数\n"
        "甲,2024,X,a,100,10,1,200,,,1\n"  # row 2: fine, saving 800 → 400
        "甲,2024,Y,b,-5,10,1,0,,,1\n"  # row 3: negative volume
        "甲,2024,Z,c,100,abc,1.2,0,,,1\n"  # row 4: bad price and ratio above 1
        ",2024,X,d,1,1,1,0,,,1\n"  # row 5: hospital missing
        "甲,2024,X,a,1,1,1,0,,,1\n"  # row 6: duplicate of row 2
        "\n"
        "乙,2024,X,,100,10,0.5,0,50,40,1\n",  # row 8: not completed → 0
        encoding="utf-8",
    )
    report = retain_file(path)
    assert [(b.row, b.field) for b in report.bad] == [
        (3, "base_volume"),
        (4, "base_price"),
        (4, "ratio"),
        (5, "hospital"),
        (6, "product"),
    ]
    assert "row 3, base_volume" in str(report.bad[0])
    assert [(h.hospital, h.retained) for h in report.hospitals] == [("乙", 0), ("甲", 400)]


def test_xlsx_input(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["hospital", "year", "generic", "base_volume", "base_price", "ratio", "actual_fund"])
    ws.append(["甲", 2024, "X", 100, 10, 0.5, 100])  # budget 500, saving 400, retained 200
    path = tmp_path / "vbp.xlsx"
    wb.save(path)
    records, bad = read_records(path)
    assert not bad and retain(records).retained == 200


def test_missing_columns_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "vbp.csv"
    path.write_text("hospital,year\n甲,2024\n", encoding="utf-8")
    report = retain_file(path)
    assert report.hospitals == () and {b.field for b in report.bad} >= {"generic", "base_price"}


money = st.integers(min_value=0, max_value=10**7).map(lambda c: D(c) / 100)
records_strategy = st.lists(
    st.builds(
        VbpRecord,
        hospital=st.sampled_from(["甲", "乙", "丙"]),
        year=st.just(2024),
        generic=st.sampled_from(["X", "Y", "Z"]),
        base_volume=st.integers(0, 10_000).map(D),
        base_price=money,
        ratio=st.integers(1, 100).map(lambda p: D(p) / 100),
        actual_fund=money,
        agreed_volume=st.none() | st.integers(0, 100).map(D),
        completed_volume=st.none() | st.integers(0, 100).map(D),
    ),
    max_size=20,
)
shares = st.integers(0, 100).map(lambda p: D(p) / 100)


@given(records_strategy, shares)
def test_retained_is_between_zero_and_share_times_saving(records: list[VbpRecord], share: D) -> None:
    report = retain(records, share=share)
    for h in report.hospitals:
        for g in h.generics:
            assert 0 <= g.retained <= min(share, D("0.5")) * g.saving
            assert g.saving == max(0, g.budget - g.actual)
        assert 0 <= h.retained <= share * h.saving


@given(records_strategy, st.randoms(use_true_random=False))
def test_result_does_not_depend_on_record_order(records: list[VbpRecord], rnd: random.Random) -> None:
    shuffled = list(records)
    rnd.shuffle(shuffled)
    assert retain(records).hospitals == retain(shuffled).hospitals


def test_parse_rows_accepts_yes_no_selected() -> None:
    good, bad = parse_rows(
        [
            {
                "hospital": "甲",
                "year": "2024",
                "generic": "X",
                "selected": "中选",
                "base_volume": "1",
                "base_price": "1",
                "ratio": "1",
                "actual_fund": "0",
            },
            {
                "hospital": "甲",
                "year": "20x4",
                "generic": "Y",
                "selected": "maybe",
                "base_volume": "1",
                "base_price": "1",
                "ratio": "1",
                "actual_fund": "0",
            },
        ]
    )
    assert good[0].selected is True and {b.field for b in bad} == {"year", "selected"}

"""Payment indicators from a settlement and a retention run, and the inputs hash that versions them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from yigai.payment.dip import DipParams, HospitalSettlement, SettleParams
from yigai.payment.indicators import DISTRICT, HOSPITAL, IndicatorValue, catalogue, dip_values, inputs_hash, vbp_values
from yigai.payment.vbp import HospitalResult


def hs(h: str, retained: float) -> HospitalSettlement:
    return HospitalSettlement(h, 1, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, retained, 0.0, 1.0, 0.0, 1.0)


def test_dip_values_per_hospital_and_for_the_district() -> None:
    values = dip_values(
        {"A": hs("A", 300.0), "B": hs("B", 0.0)}, 12.5, core_cases={"A": 9, "B": 1}, all_cases={"A": 10, "B": 4, "C": 2}
    )  # C: only ungrouped cases, settles nothing
    got = {(v.code, v.hospital): v for v in values}
    assert got[("DIP_INSTITUTIONS", "")].value == 2
    assert got[("DIP_POINT_VALUE", "")].value == 12.5
    assert got[("DIP_RETAINED", "")].value == 300.0 and got[("DIP_RETAINED", "A")].value == 300.0
    # 核心病种入组率: (9 + 1) / (10 + 4 + 2) = 62.5 %; A 90 %; C 0 % (its cases count, none in a core group)
    assert got[("DIP_CORE_SHARE", "")] == IndicatorValue("DIP_CORE_SHARE", DISTRICT, "", 62.5, 10.0, 16.0)
    assert got[("DIP_CORE_SHARE", "A")] == IndicatorValue("DIP_CORE_SHARE", HOSPITAL, "A", 90.0, 9.0, 10.0)
    assert got[("DIP_CORE_SHARE", "C")].value == 0.0
    assert ("DIP_RETAINED", "C") not in got
    assert {v.code for v in values} <= set(catalogue())


def test_vbp_values_of_one_year() -> None:
    rows = [
        HospitalResult("甲", 2024, Decimal(1400), Decimal(400), Decimal(1000), Decimal(450), ()),
        HospitalResult("乙", 2024, Decimal(500), Decimal(600), Decimal(0), Decimal(0), ()),
        HospitalResult("甲", 2023, Decimal(9), Decimal(0), Decimal(9), Decimal("4.5"), ()),
    ]
    got = {(v.code, v.hospital): v.value for v in vbp_values(rows, 2024)}
    assert got == {
        ("VBP_RETAINED", ""): 450.0,
        ("VBP_SAVING", ""): 1000.0,
        ("VBP_RETAINED", "甲"): 450.0,
        ("VBP_SAVING", "甲"): 1000.0,
        ("VBP_RETAINED", "乙"): 0.0,
        ("VBP_SAVING", "乙"): 0.0,
    }


def test_the_inputs_hash_follows_the_inputs_not_the_order_of_sets(tmp_path: Path) -> None:
    f = tmp_path / "2024.csv"
    f.write_text("a,b\n1,2\n", encoding="utf-8")
    sp = SettleParams(1.0, 0.5)
    one = inputs_hash([f], DipParams(primary_groups=frozenset({"J18.9|-", "K80.1|51.2300"})), sp)
    two = inputs_hash([f], DipParams(primary_groups=frozenset({"K80.1|51.2300", "J18.9|-"})), sp)
    assert one == two and len(one) == 64
    assert inputs_hash([f], DipParams(threshold=16), sp) != inputs_hash([f], DipParams(), sp)
    f.write_text("a,b\n1,3\n", encoding="utf-8")
    assert inputs_hash([f], DipParams(primary_groups=frozenset({"J18.9|-", "K80.1|51.2300"})), sp) != one

"""The national CHS-DRG 1.1 pack: hand-picked cases per MDC from the rule text, every ADRG reachable.

Each case below names the rule it exercises (4_ADRG_DETAIL.txt of the published scheme; the
codes are 医保版 v2.0). The reachability test builds, for every one of the 376 ADRGs, a case
from that ADRG's own lists and checks the grouper puts it there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yigai.payment.chs_drg import ChsPack, split_digit
from yigai.payment.chs_group import FastGrouper
from yigai.payment.drg import DrgCase, PackError, group, load_pack, national_pack_dir, read_cases

from .chs_witness import witness

PACK = load_pack()
assert isinstance(PACK, ChsPack)


def case(
    pdx: str,
    *others: str,
    procs: tuple[str, ...] = (),
    sex: str = "男",
    age: int | None = 50,
    age_days: int | None = None,
    weight: int | None = None,
) -> DrgCase:
    return DrgCase(
        "c",
        pdx,
        others,
        procs[0] if procs else None,
        procs[1:],
        sex=sex,
        age=age,
        age_days=age_days,
        birth_weight=weight,
    )


def test_the_default_pack_is_the_national_scheme_with_its_licence() -> None:
    assert PACK.name == "CHS-DRG 1.1" and not PACK.illustrative
    assert PACK.meta["counts"] == {"mdc": 26, "adrg": 376, "drg": 628}  # MDCA + the 25 MDCs
    assert sum(len(v) for v in PACK.adrgs.values()) == 376
    notice = (national_pack_dir() / "NOTICE.md").read_text(encoding="utf-8")
    assert "Apache License 2.0" in notice and "OpenDRG" in notice
    assert "Apache License" in (national_pack_dir() / "LICENSE-OpenDRG-Apache-2.0.txt").read_text(encoding="utf-8")


CASES = [
    # MDCA 先期分组: AA1 心脏移植 lists 37.5100 as its procedure; the diagnosis does not matter
    (case("I42.000", procs=("37.5100",)), "AA19", "先期分组"),
    # MDCA AH1 lists 96.7201 呼吸机治疗≥96小时; it comes before MDCP, so a newborn with RDS goes there too
    (case("P22.000", procs=("96.7201",), age=0, age_days=2, weight=3100), "AH15", "AH1"),
    # MDCB: I63.900 脑梗死 on BR2 脑缺血性疾患, no complication → 5
    (case("I63.900"), "BR25", "BR2"),
    # MDCC: H25.900 老年性白内障 on CW1 各种类型白内障, not split → 9
    (case("H25.900", procs=("13.4100",)), "CW19", "CW1"),
    # MDCD: J35.000 慢性扁桃体炎 + 28.2x01 on DE2 扁桃体和／或腺样体切除手术
    (case("J35.000", procs=("28.2x01",)), "DE29", "DE2"),
    # MDCE: J18.900 肺炎 on ES3; R57.000 休克 is an MCC (table 7-191 does not list J18.900) → 1
    (case("J18.900", "R57.000"), "ES31", "R57.000 counts as MCC"),
    # MDCF: I21.900 急性心肌梗死 on FR1, not split
    (case("I21.900"), "FR19", "FR1"),
    # MDCG: K35.301 急性阑尾炎伴腹膜脓肿 on GD1's diagnoses and 47.0100 腹腔镜下阑尾切除术 on its procedures (且)
    (case("K35.301", procs=("47.0100",)), "GD15", "GD1"),
    # MDCH: K80.101 胆囊结石伴慢性胆囊炎 + 51.2300 腹腔镜下胆囊切除术 on HC2 胆囊切除手术
    (case("K80.101", procs=("51.2300",)), "HC29", "HC2"),
    # MDCI: M17.900 膝关节病 + 81.5400 全膝关节置换 on IC2 髋、肩、膝、肘和踝关节置换术
    (case("M17.900", procs=("81.5400",)), "IC29", "IC2"),
    # MDCJ: JA2 主要诊断 C50.900 + 手术表 1 (85.4301 单侧乳腺改良根治术)
    (case("C50.900", sex="女", procs=("85.4301",)), "JA29", "JA2"),
    # MDCK: E11.900 2型糖尿病 on KS1
    (case("E11.900"), "KS15", "KS1"),
    # MDCL: N20.000 肾结石 on LX1 尿路结石、阻塞及尿道狭窄
    (case("N20.000"), "LX19", "LX1"),
    # MDCM (male only): N40.x00 前列腺增生 + 60.2902 TURP on MB1 前列腺手术
    (case("N40.x00", procs=("60.2902",)), "MB19", "MB1"),
    # MDCN (female only): D25.900 子宫平滑肌瘤 + 68.4100 on NC1 子宫（除子宫腔内病变以外）手术
    (case("D25.900", sex="女", procs=("68.4100",)), "NC19", "NC1"),
    # MDCO: OB1 剖宫产术 lists 74.1x01
    (case("O82.000", "Z37.000", sex="女", procs=("74.1x01",)), "OB19", "OB1"),
    # MDCP newborn: P07.300 早产 on PS2's "主要诊断或其他诊断" list, 1800 g in 1500-1999 g
    (case("P07.300", age=0, age_days=3, weight=1800), "PS25", "PS2"),
    # MDCP: the same baby at 2600 g is PS4 (出生体重>2499g)
    (case("P07.300", age=0, age_days=3, weight=2600), "PS45", "PS4"),
    # MDCQ: D50.900 缺铁性贫血 on QS1
    (case("D50.900"), "QS15", "QS1"),
    # MDCR: C91.000 急性淋巴细胞白血病 on RR1
    (case("C91.000"), "RR15", "RR1"),
    # MDCS: A41.900 脓毒症 on SR1 败血症
    (case("A41.900"), "SR15", "SR1"),
    # MDCT: F32.900 抑郁发作 on TS1 重大的情感障碍
    (case("F32.900"), "TS19", "TS1"),
    # MDCU: F10.200 酒精依赖综合征 on UR1 酒精中毒及戒除
    (case("F10.200"), "UR15", "UR1"),
    # MDCV: T42.400 苯二氮类中毒 on VS2 药物中毒或毒性反应
    (case("T42.400"), "VS25", "VS2"),
    # MDCW: T21.300 躯干三度烧伤 is on no MDC table but on WR1's list, so MDCW takes it
    (case("T21.300"), "WR19", "WR1"),
    # MDCX: R11.x01 周期性呕吐 on XS1 体征及症状
    (case("R11.x01"), "XS15", "XS1"),
    # MDCY: B20.000x001 on the MDCY table and YR1 HIV相关疾患
    (case("B20.000x001"), "YR15", "YR1"),
    # MDCZ: 脑震荡 (头颈部创伤) + 股骨颈骨折 (下肢创伤): two sites, no surgery → ZZ1
    (case("S06.000", "S72.000"), "ZZ15", "多发严重创伤"),
    # … and 脑震荡 alone is one site: MDCB BY1 颅脑损伤
    (case("S06.000"), "BY15", "BY1"),
    # exclusion table: J10.100 流感 is a CC whose table 7-101 lists J18.900, so it does not count → 5
    (case("J18.900", "J10.100"), "ES35", "excluded by table 7-101"),
    # QY: 肺炎 with a knee replacement: an operating-room procedure no MDCE surgical ADRG takes
    (case("J18.900", procs=("81.5400",)), "EQY", "surgery unrelated"),
    # 0000: malformed code (four characters after the dot)
    (case("K80.1000"), "0000", "malformed"),
    # 0000: a 灰码 (category code) is on no MDC table
    (case("I21.000"), "0000", "grey code"),
    # 0000: a male-only diagnosis for a woman
    (case("N40.x00", sex="女"), "0000", "does not fit the sex"),
    # sex not given: a male-only diagnosis still finds MDCM (MZ1 其他男性生殖系统疾患)
    (case("N40.x00", sex=""), "MZ19", "MDCM"),
    # 0000: a newborn-only diagnosis (新生儿肠致病性大肠杆菌肠炎, only on the MDCP table) at 30 years
    (case("A04.000x001", age=30), "0000", "newborn diagnosis"),
    # 0000: a premature newborn without birth weight cannot be put in a PS group
    (case("P07.300", age=0, age_days=3), "0000", "birth weight missing"),
    # 国临版 I21.000x001 is mapped to 医保版 I21.003 through the crosswalk, then FR1
    (case("I21.000x001"), "FR19", "mapped to I21.003"),
]


@pytest.mark.parametrize(("record", "drg", "says"), CASES, ids=[c[1] + "-" + c[0].main_diagnosis for c in CASES])
def test_hand_picked_cases(record: DrgCase, drg: str, says: str) -> None:
    result = group(record, PACK)
    assert result.drg == drg, result.trace
    assert any(says in step for step in result.trace), result.trace
    if result.drg == "0000":
        assert result.adrg is None and result.trace[-1]  # the last step says why


def test_every_mdc_has_a_hand_picked_case() -> None:
    picked = {group(c, PACK).mdc for c, _, _ in CASES}
    assert set(PACK.mdcs) <= picked


@pytest.mark.parametrize("mdc", sorted(PACK.adrgs))
def test_every_adrg_is_reachable(mdc: str) -> None:
    """A case built from each ADRG's own lists groups into it, and into one of its published DRGs."""
    for adrg in PACK.adrgs[mdc]:
        found = witness(PACK, adrg)
        assert found is not None, f"no case reaches {adrg.code} {adrg.name}"
        drg = group(found, PACK).drg
        assert drg[:3] == adrg.code and drg[3] in adrg.splits


def test_codes_are_judged_the_same_by_dip_and_drg() -> None:
    from yigai.payment.cases import ICD10_RE

    for code, ok in (("J18.900x001", True), ("K80.1000", False), ("K35.800x001", True), ("A01.002+G01*", True)):
        assert bool(ICD10_RE.match(code)) is ok
        assert (group(case(code), PACK).trace[-1].find("malformed") < 0) is ok


@pytest.mark.parametrize(
    ("splits", "level", "digit"),
    [
        (("1", "3", "5"), 2, "1"),
        (("1", "3", "5"), 1, "3"),
        (("1", "3", "5"), 0, "5"),
        (("1", "5"), 2, "1"),
        (("1", "5"), 1, "5"),
        (("3", "5"), 2, "3"),
        (("3", "5"), 0, "5"),
        (("9",), 2, "9"),
    ],
)
def test_the_split_merges_missing_levels(splits: tuple[str, ...], level: int, digit: str) -> None:
    assert split_digit(splits, level) == digit


_DX = sorted(PACK.mdcs_of)
_PX = sorted(PACK.or_procedures)
FAST = FastGrouper(PACK)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(_DX),
    st.lists(st.sampled_from(_DX), max_size=4),
    st.lists(st.sampled_from(_PX), max_size=2),
    st.sampled_from(["男", "女", ""]),
)
def test_any_case_gets_a_published_drg_or_qy_or_0000_and_order_of_others_does_not_matter(
    pdx: str, others: list[str], procs: list[str], sex: str
) -> None:
    a = group(case(pdx, *others, procs=tuple(procs), sex=sex), PACK)
    b = group(case(pdx, *reversed(others), procs=tuple(procs), sex=sex), PACK)
    assert a.drg == b.drg and a.trace
    assert a.drg == "0000" or a.drg.endswith("QY") or a.drg in PACK.drg_names


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(_DX), st.lists(st.sampled_from(sorted(PACK.complication)), max_size=3))
def test_more_other_diagnoses_never_lower_the_severity(pdx: str, extra: list[str]) -> None:
    base = group(case(pdx), PACK)
    more = group(case(pdx, *extra), PACK)
    assert more.adrg == base.adrg
    if base.adrg:
        assert more.drg[3] <= base.drg[3] or base.drg[3] == "9"


def test_settlement_list_columns_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "清单.csv"
    path.write_text(
        "病案号,性别,年龄,年龄（天）,新生儿出生体重,住院天数,离院方式,主要诊断,其他诊断,手术操作,总费用\n"
        "c1,女,0,3,1800,12,1,P07.300,,,20000\n"
        "c2,男,45,,,5,1,K35.301,,47.0100;99.2100,12000\n"
        "c3,男,45,,x,5,1,K35.301,,,12000\n",
        encoding="utf-8-sig",
    )
    cases, bad = read_cases(path)
    assert [group(c, PACK).drg for c in cases] == ["PS25", "GD15"]
    assert cases[1].main_procedure == "47.0100" and cases[1].other_procedures == ("99.2100",)
    assert cases[0].los == 12 and cases[0].discharge_status == "1"
    assert bad == [(4, "birth_weight", "not a non-negative whole number: 'x' / 出生体重（克）无效")]


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(_DX),
    st.lists(st.sampled_from(_DX + sorted(PACK.complication)[:300]), max_size=4),
    st.lists(st.sampled_from(_PX), max_size=2),
    st.sampled_from(["男", "女", ""]),
    st.sampled_from([(50, None, None), (0, 3, 1800), (0, 3, None), (0, 100, None), (None, None, None)]),
)
def test_the_column_grouper_agrees_with_the_traced_one(
    pdx: str, others: list[str], procs: list[str], sex: str, ages: tuple[int | None, int | None, int | None]
) -> None:
    age, age_days, weight = ages
    traced = group(case(pdx, *others, procs=tuple(procs), sex=sex, age=age, age_days=age_days, weight=weight), PACK)
    assert FAST.drg(pdx, others, procs, sex, age, age_days, weight) == traced.drg


def test_a_broken_national_pack_names_its_file(tmp_path: Path) -> None:
    (tmp_path / "pack.json.gz").write_bytes(b"not gzip")
    with pytest.raises(PackError, match=r"pack.json.gz"):
        load_pack(tmp_path)

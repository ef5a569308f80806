"""DRG grouping with the illustrative pack, relative weights, rate and point payment."""

from __future__ import annotations

import random
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yigai.payment.drg import (
    DrgCase,
    PackError,
    base_rate,
    demo_pack_dir,
    group,
    load_pack,
    point_payments,
    point_value,
    points,
    rate_payments,
    relative_weights,
)

PACK = load_pack(demo_pack_dir())


def case(main: str, *others: str, proc: str | None = None) -> DrgCase:
    return DrgCase("c", main, tuple(others), proc)


def test_the_demo_pack_is_labelled_illustrative() -> None:
    assert PACK.illustrative and {m.code for m in PACK.mdcs} == {"F", "H"}


@pytest.mark.parametrize(
    ("record", "drg", "adrg", "mdc", "says"),
    [
        # 胆囊结石 + 胆囊切除 + 急性肾衰竭 (N17, an MCC) → MDC H, ADRG HC1 (by procedure), split full → HC11
        (case("K80.100", "N17.900", proc="51.2300"), "HC11", "HC1", "H", "N17.900 counts as MCC"),
        # same with 低钠血症 (E87, a CC) → HC13
        (case("K80.100", "E87.100", proc="51.2300"), "HC13", "HC1", "H", "E87.100 counts as CC"),
        # no complication → HC15
        (case("K80.100", proc="51.2200"), "HC15", "HC1", "H", "without CC"),
        # 不稳定型心绞痛 + 冠脉支架: FM1 is not split → FM19 whatever the complications
        (case("I20.000", "N17.900", proc="36.0600"), "FM19", "FM1", "F", "not split"),
        # 急性心梗 with 心衰 (I50, a CC) excluded for main I21 (排除表) → no valid CC → FR15
        (case("I21.000", "I50.900"), "FR15", "FR1", "F", "excluded for main diagnosis I21.000"),
        # 胆道疾病 without surgery, split "combined": an MCC gives 3 → HU13
        (case("K81.000", "R57.000"), "HU13", "HU1", "H", "with MCC/CC"),
        # 胆囊结石 with a knee replacement (an OR procedure outside MDC H's surgical ADRGs) → HQY (歧义组)
        (case("K80.100", proc="81.5400"), "HQY", None, "H", "OR procedure"),
        # main diagnosis in no MDC of the pack → 0000
        (case("Z99.000"), "0000", None, None, "in no MDC"),
        # MDC H found but no ADRG for K85 (胰腺炎) in the demo pack → 0000
        (case("K85.000"), "0000", None, "H", "no ADRG"),
        # malformed main diagnosis → 0000
        (case("胆结石"), "0000", None, None, "malformed"),
    ],
)
def test_one_case_per_path(record: DrgCase, drg: str, adrg: str | None, mdc: str | None, says: str) -> None:
    result = group(record, PACK)
    assert (result.drg, result.adrg, result.mdc) == (drg, adrg, mdc)
    assert any(says in step for step in result.trace), result.trace
    assert result.grouped == (drg != "0000" and not drg.endswith("QY"))


def test_the_trace_lists_the_steps() -> None:
    trace = group(case("K80.100", "N17.900", proc="51.2300"), PACK).trace
    assert trace[0].startswith("主诊断 K80.100 → MDCH")
    assert "ADRG HC1" in trace[1] and trace[-1].endswith("HC11")


def test_weights_and_payments_by_hand() -> None:
    # costs: HC11 16000; HC13 10000; HC15 6000 and 8000 (mean 7000); FM19 16000; HU15 4000;
    # one 0000 case (5000) is left out. Grouped: 6 cases, 60000, mean 10000.
    # RW: HC11 1.6, HC13 1.0, HC15 0.7, FM19 1.6, HU15 0.4;  Σ RW × N = 1.6+1.0+0.7×2+1.6+0.4 = 6.0
    # rate method, budget 60000: base rate 60000 / 6.0 = 10000 → HC11 pays 16000, HC15 7000.
    # point method: points 160, 100, 70, 70, 160, 40 = 600; budget 48000 → point value 80;
    #   HC11 pays 160 × 80 = 12800, HU15 40 × 80 = 3200.
    drgs = ["HC11", "HC13", "HC15", "HC15", "FM19", "HU15", "0000"]
    costs = [16000, 10000, 6000, 8000, 16000, 4000, 5000]
    rw = relative_weights(zip(drgs, map(D, costs), strict=True))
    assert rw == {"FM19": D("1.6"), "HC11": D("1.6"), "HC13": 1, "HC15": D("0.7"), "HU15": D("0.4")}
    rate = base_rate(D(60000), drgs, rw)
    assert rate == 10000
    assert rate_payments(drgs, rw, rate) == [16000, 10000, 7000, 7000, 16000, 4000, None]
    pts = points(rw)
    assert pts["HC11"] == 160 and pts["HU15"] == 40
    value = point_value(D(48000), drgs, pts)
    assert value == 80
    paid = point_payments(drgs, pts, value)
    assert paid[0] == 12800 and paid[5] == 3200 and sum(p for p in paid if p is not None) == 48000


def test_relative_weights_of_nothing_is_empty() -> None:
    assert relative_weights([("0000", D(1))]) == {}


def test_a_broken_pack_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(PackError, match=r"pack.yaml"):
        load_pack(tmp_path)
    for name in ("pack.yaml", "mdc.yaml", "cc.yaml"):
        (tmp_path / name).write_text("{}\n" if name != "mdc.yaml" else "[]\n", encoding="utf-8")
    (tmp_path / "adrg.yaml").write_text("- {code: X1, mdc: X, rule: maybe}\n", encoding="utf-8")
    with pytest.raises(PackError, match=r"adrg.yaml entry 1"):
        load_pack(tmp_path)


codes = st.sampled_from(["K80.100", "K81.000", "K85.000", "I20.000", "I21.000", "Z99.000", "", "bad", "N17.900"])
procs = st.sampled_from([None, "51.2300", "36.0600", "81.5400", "99.0000"])
cases = st.builds(
    DrgCase,
    case_id=st.just("c"),
    main_diagnosis=codes,
    other_diagnoses=st.lists(codes | st.sampled_from(["E87.1", "I50.9", "R57.0"]), max_size=3).map(tuple),
    main_procedure=procs,
)


@given(cases)
def test_every_grouping_has_a_non_empty_trace(record: DrgCase) -> None:
    result = group(record, PACK)
    assert result.trace and all(result.trace)
    if result.grouped:
        assert result.adrg is not None and result.drg.startswith(result.adrg) and result.drg[3] in "1359"


@given(
    st.lists(st.tuples(st.sampled_from(["HC11", "HC15", "FM19", "0000"]), st.integers(1, 10**6).map(D)), min_size=1),
    st.randoms(use_true_random=False),
)
def test_weights_do_not_depend_on_case_order(pairs: list[tuple[str, D]], rnd: random.Random) -> None:
    shuffled = list(pairs)
    rnd.shuffle(shuffled)
    assert relative_weights(pairs) == relative_weights(shuffled)

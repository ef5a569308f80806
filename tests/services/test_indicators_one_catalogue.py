"""One indicator catalogue: a code means the same indicator whether an office enters its value
(``data/indicators.yaml``) or the analytics engine computes it (``data/indicators/*.yaml``)."""

from __future__ import annotations

from pathlib import Path

import yaml

from yigai.analytics.catalogue import indicator_def, load_catalogue
from yigai.data import data_path
from yigai.payment.indicators import catalogue as payment_catalogue
from yigai.services.indicators import DESCRIPTIVE, fold, read_catalogue

COMPUTED = load_catalogue().indicators
SHIPPED = read_catalogue(data_path("indicators.yaml"))
RAW = {e["code"]: e for e in yaml.safe_load(data_path("indicators.yaml").read_text(encoding="utf-8"))["indicators"]}
# the codes both files name: entered by offices and computed from the records
SHARED = {
    "FD_COVERAGE",
    "FD_PRIORITY_COVERAGE",
    "FD_COMMUNITY_VISIT_RATE",
    "REFERRAL_BOOKED_SHARE",
    "PRIMARY_VISIT_SHARE",
    "BEDS_PER_1000",
    "DOCTORS_PER_1000",
    "NURSES_PER_1000",
    "GP_PER_10000",
    "DOCTOR_NURSE_RATIO",
    "DRUG_SHARE",
    "CONSUMABLES_SHARE",
    "MEDICAL_SERVICE_REVENUE_SHARE",
    "OP_COST_GROWTH",
    "IP_COST_GROWTH",
    "OUT_OF_CATALOGUE_SHARE",
    "PREMIUM_SERVICE_SHARE",
}


def test_the_shared_codes_are_the_seventeen() -> None:
    assert set(RAW) & set(COMPUTED) == SHARED


def test_a_computed_code_is_described_once() -> None:
    twice = {code: sorted(set(RAW[code]) & set(DESCRIPTIVE)) for code in SHARED}
    assert twice == {code: [] for code in SHARED}, "describe these in data/indicators/*.yaml only"


def test_the_entered_indicator_is_the_computed_one() -> None:
    loaded = {d.code: d for d in SHIPPED.indicators}
    for code in SHARED:
        computed = indicator_def(COMPUTED[code])
        for name in DESCRIPTIVE:
            assert getattr(loaded[code], name) == getattr(computed, name), (code, name)
    assert {b.key for b in SHIPPED.bounds} >= SHARED  # bounds stay with the entered values' checks


def test_no_name_or_alias_means_two_indicators() -> None:
    defs = [*SHIPPED.indicators, *(indicator_def(i) for i in COMPUTED.values())]
    defs += [p.indicator_def() for p in payment_catalogue().values()]
    owner: dict[str, str] = {}
    clashes = []
    for d in defs:
        for name in (d.name, *d.aliases):
            if owner.setdefault(fold(name), d.code) != d.code:
                clashes.append((name, owner[fold(name)], d.code))
    assert clashes == []


def test_a_region_file_fills_in_a_computed_code_and_may_state_its_own(tmp_path: Path) -> None:
    path = tmp_path / "region.yaml"
    path.write_text(
        "indicators:\n"
        "  - {code: DRUG_SHARE, numerator: DRUG_REVENUE, denominator: MEDICAL_REVENUE}\n"
        "  - {code: FD_COVERAGE, name: 本地签约覆盖率, bounds: [0, 100]}\n",
        encoding="utf-8",
    )
    got = {d.code: d for d in read_catalogue(path).indicators}
    assert got["DRUG_SHARE"].name == COMPUTED["DRUG_SHARE"].name == "药占比"
    assert got["DRUG_SHARE"].numerator == "DRUG_REVENUE" and got["DRUG_SHARE"].factor == 100
    assert got["FD_COVERAGE"].name == "本地签约覆盖率" and got["FD_COVERAGE"].unit == "%"

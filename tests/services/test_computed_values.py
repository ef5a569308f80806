"""Computed values in the indicator store: registration, org units from the records, versioned bulk saves."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import threading
import time
from collections.abc import Callable, Iterator

import duckdb
import numpy as np
import pytest

from yigai.bootstrap import App, build
from yigai.clock import OFFICE_TZ
from yigai.domain.indicators import Direction, IndicatorDef, OutlierBounds, ValueSource
from yigai.domain.orgunits import InstitutionGrade, InstitutionType, OrgUnit, OrgUnitLevel
from yigai.domain.periods import PeriodError
from yigai.records.schema import table
from yigai.services.computed_values import (
    INSTITUTION_GRADES,
    INSTITUTION_TYPES,
    ComputedValue,
    OrgUnitConflictError,
    register_indicators,
    save_computed,
    sync_record_orgunits,
)
from yigai.services.errors import DuplicateError, InvalidInputError, UnknownIndicatorError, UnknownOrgUnitError
from yigai.services.values import list_values
from yigai.settings import Settings

T0 = dt.datetime(2024, 2, 1, 9, 0, tzinfo=OFFICE_TZ)
T1 = dt.datetime(2024, 3, 1, 9, 0, tzinfo=OFFICE_TZ)
DRUG = IndicatorDef(
    "DRUG_SHARE", "药占比", "%", Direction.LOWER_IS_BETTER, numerator="drug_cost", denominator="total_cost", factor=100
)
BEDS = IndicatorDef("BEDS_PER_1000", "每千常住人口床位数", "张", Direction.NEUTRAL, factor=1000)


def h(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def cv(
    key: str = "DRUG_SHARE",
    org: str = "D1",
    period: str = "2023",
    value: float = 25.0,
    *,
    num: float | None = 250.0,
    den: float | None = 1000.0,
    version: str = "DRUG_SHARE@1",
    inputs: str = "a",
) -> ComputedValue:
    return ComputedValue(key, org, period, value, num, den, version, h(inputs))


@pytest.fixture
def app(settings: Settings) -> Iterator[App]:
    """A store on SQLite or PostgreSQL (``settings``) with a district, two towns and two indicators."""
    with build(settings) as built:
        with built.uow() as uow:
            uow.orgunits.upsert(
                [
                    OrgUnit("D1", "一区", OrgUnitLevel.DISTRICT),
                    OrgUnit("T1", "一街道", OrgUnitLevel.TOWN, "D1"),
                    OrgUnit("T2", "二街道", OrgUnitLevel.TOWN, "D1"),
                ]
            )
            uow.commit()
        assert register_indicators(built.uow(), "analyst", [DRUG, BEDS], now=T0) == 2
        yield built


def values(app: App, **kw: object) -> list[tuple[object, ...]]:
    return [
        (
            r.value.key,
            r.value.org_unit,
            r.value.period_id,
            r.value.version,
            r.value.value,
            r.value.source,
            r.value.author,
            r.value.numerator,
            r.value.denominator,
            r.value.definition_version,
            r.value.inputs_hash,
        )
        for r in list_values(app.uow(), **kw)
    ]  # type: ignore[arg-type]


def audit(app: App, action: str) -> list[dict[str, object]]:
    with app.uow() as uow:
        return [e.after or {} for e in uow.audit.entries() if e.action == action]


# -- register_indicators


def test_register_adds_only_missing_indicators_and_keeps_stored_definitions(app: App) -> None:
    changed = IndicatorDef("DRUG_SHARE", "另一个名字", "%", Direction.HIGHER_IS_BETTER)
    new = IndicatorDef("CONS_SHARE", "耗占比", "%", Direction.LOWER_IS_BETTER)
    assert register_indicators(app.uow(), "analyst", [changed, new]) == 1
    assert register_indicators(app.uow(), "analyst", [changed, new]) == 0
    with app.uow() as uow:
        stored = uow.indicators.get("DRUG_SHARE")
        assert stored is not None and stored.name == "药占比" and stored.direction is Direction.LOWER_IS_BETTER
        assert uow.indicators.get("CONS_SHARE") is not None
    assert audit(app, "indicators.register")[-1] == {"created": 1, "codes": ["CONS_SHARE"]}
    assert len(audit(app, "indicators.register")) == 2  # the fixture's and this one; the no-op is not audited


def test_register_refuses_bad_or_repeated_codes_and_adds_nothing(app: App) -> None:
    ok = IndicatorDef("CONS_SHARE", "耗占比", "%", Direction.LOWER_IS_BETTER)
    with pytest.raises(InvalidInputError, match="drug share"):
        register_indicators(app.uow(), "analyst", [ok, IndicatorDef("drug share", "x", "%", Direction.NEUTRAL)])
    with pytest.raises(DuplicateError, match="CONS_SHARE"):
        register_indicators(app.uow(), "analyst", [ok, ok])
    with app.uow() as uow:
        assert uow.indicators.get("CONS_SHARE") is None


# -- save_computed: versioning


def test_first_save_creates_version_one_with_all_fields_and_one_audit_entry(app: App) -> None:
    result = save_computed(app.uow(), "analyst", [cv(), cv(org="T1", value=20.0, num=20, den=100)], now=T1)
    assert (result.created, result.unchanged, result.keys, result.changed_keys) == (
        2,
        0,
        ["DRUG_SHARE"],
        ["DRUG_SHARE"],
    )
    assert values(app) == [
        ("DRUG_SHARE", "D1", "2023", 1, 25.0, ValueSource.COMPUTED, "analyst", 250.0, 1000.0, "DRUG_SHARE@1", h("a")),
        ("DRUG_SHARE", "T1", "2023", 1, 20.0, ValueSource.COMPUTED, "analyst", 20.0, 100.0, "DRUG_SHARE@1", h("a")),
    ]
    [entry] = audit(app, "value.compute")
    assert entry["created"] == 2 and entry["unchanged"] == 0 and entry["keys"] == ["DRUG_SHARE"]
    assert list_values(app.uow())[0].value.saved_at == T1


def test_same_run_again_is_unchanged_and_adds_nothing(app: App) -> None:
    run = [cv(), cv(org="T1"), cv(key="BEDS_PER_1000", value=5.5, num=None, den=None, version="BEDS@1")]
    save_computed(app.uow(), "analyst", run, now=T0)
    again = save_computed(app.uow(), "someone else", run, now=T1)
    assert (again.created, again.unchanged, again.changed_keys) == (0, 3, [])
    assert again.keys == ["BEDS_PER_1000", "DRUG_SHARE"]
    assert [v[3] for v in values(app, history=True)] == [1, 1, 1]
    assert len(audit(app, "value.compute")) == 1  # a run that changes nothing writes nothing


def test_changed_inputs_or_definition_make_the_next_version_and_keep_history(app: App) -> None:
    save_computed(app.uow(), "analyst", [cv(inputs="a"), cv(org="T1", inputs="a")], now=T0)
    # Same value, other records behind it: a new version all the same (how it was made changed).
    r2 = save_computed(app.uow(), "analyst", [cv(inputs="b"), cv(org="T1", inputs="a")], now=T1)
    assert (r2.created, r2.unchanged) == (1, 1)
    r3 = save_computed(app.uow(), "analyst", [cv(inputs="b", version="DRUG_SHARE@2")])
    r4 = save_computed(app.uow(), "analyst", [cv(inputs="b", version="DRUG_SHARE@2", value=26.0, num=260.0)])
    assert (r3.created, r4.created) == (1, 1)
    history = [(v[1], v[3], v[4], v[7], v[9], v[10]) for v in values(app, key="DRUG_SHARE", history=True)]
    assert history == [
        ("D1", 1, 25.0, 250.0, "DRUG_SHARE@1", h("a")),
        ("D1", 2, 25.0, 250.0, "DRUG_SHARE@1", h("b")),
        ("D1", 3, 25.0, 250.0, "DRUG_SHARE@2", h("b")),
        ("D1", 4, 26.0, 260.0, "DRUG_SHARE@2", h("b")),
        ("T1", 1, 25.0, 250.0, "DRUG_SHARE@1", h("a")),
    ]
    current = {(v[1], v[3]) for v in values(app, key="DRUG_SHARE")}
    assert current == {("D1", 4), ("T1", 1)}


def test_a_computed_value_versions_on_top_of_an_entered_one(app: App) -> None:
    with app.uow() as uow:
        from yigai.domain.indicators import DataValue

        uow.values.add(DataValue("DRUG_SHARE", "D1", "2023", 25.0, ValueSource.ENTERED, "clerk", 1, T0))
        uow.commit()
    result = save_computed(app.uow(), "analyst", [cv(value=25.0)])
    assert result.created == 1
    assert [(v[3], v[5], v[6]) for v in values(app, history=True)] == [
        (1, ValueSource.ENTERED, "clerk"),
        (2, ValueSource.COMPUTED, "analyst"),
    ]


def test_numpy_numbers_are_saved_as_plain_floats(app: App) -> None:
    run = [ComputedValue("BEDS_PER_1000", "D1", "2023", np.float64(5.5), np.int64(550), np.int64(100), "BEDS@1", "")]
    assert save_computed(app.uow(), "analyst", run).created == 1
    assert [(v[4], v[7], v[8]) for v in values(app)] == [(5.5, 550.0, 100.0)]
    assert type(values(app)[0][7]) is float
    assert save_computed(app.uow(), "analyst", run).unchanged == 1


def test_period_ids_are_stored_canonical_and_outliers_are_flagged(app: App) -> None:
    with app.uow() as uow:
        uow.indicators.set_bounds(OutlierBounds("DRUG_SHARE", 0.0, 50.0))
        uow.commit()
    result = save_computed(app.uow(), "analyst", [cv(period=" 2023Q1 ", value=60.0), cv(period="202301")])
    assert (result.created, result.outliers) == (2, 1)
    flags = {(r.value.period_id, r.outlier) for r in list_values(app.uow())}
    assert flags == {("2023Q1", True), ("202301", False)}


def test_runs_racing_each_other_keep_every_version(app: App) -> None:
    """Six runs and six entries of the same value at once: none lost, none doubled, no lock error."""
    from yigai.services.users import acting_user
    from yigai.services.values import enter_value

    admin = acting_user(app.uow())
    runs = [lambda n=n: save_computed(app.uow(), "analyst", [cv(value=float(n), inputs=str(n))]) for n in range(6)]
    entries = [lambda n=n: enter_value(app.uow(), admin, "DRUG_SHARE", "D1", "2023", 90 + n) for n in range(6)]
    barrier = threading.Barrier(12)
    errors: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        barrier.wait()
        try:
            job()
        except BaseException as exc:  # noqa: BLE001 — asserted on below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in runs + entries]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    history = values(app, history=True)
    assert sorted(v[3] for v in history) == list(range(1, 13))
    assert sorted(v[4] for v in history) == [*map(float, range(6)), *map(float, range(90, 96))]


# -- save_computed: refusals save nothing


@pytest.mark.parametrize(
    ("bad", "error", "named"),
    [
        (cv(key="NO_SUCH"), UnknownIndicatorError, "NO_SUCH"),
        (cv(org="X9"), UnknownOrgUnitError, "X9"),
        (cv(period="2023-13"), PeriodError, "2023-13"),
        (cv(value=float("nan")), InvalidInputError, "DRUG_SHARE/D1/2023"),
        (cv(den=float("inf")), InvalidInputError, "DRUG_SHARE/D1/2023"),
        (cv(version=""), InvalidInputError, "DRUG_SHARE/D1/2023"),
        (cv(org="T2"), DuplicateError, "DRUG_SHARE/T2/2023"),
    ],
)
def test_one_bad_value_refuses_the_whole_run(app: App, bad: ComputedValue, error: type[Exception], named: str) -> None:
    good = [cv(org="T1"), cv(org="T2")]
    with pytest.raises(error, match=named):
        save_computed(app.uow(), "analyst", [*good, bad])
    assert values(app, history=True) == [] and audit(app, "value.compute") == []


def test_refusal_names_the_first_few_unknown_codes() -> None:
    # Errors raised before the store is touched need no app.
    with pytest.raises(DuplicateError) as caught:
        save_computed(None, "analyst", [cv(org=f"O{i}") for i in range(8)] * 2)  # type: ignore[arg-type]
    assert "O0/2023" in str(caught.value) and "O4" in str(caught.value) and "… 3 more" in str(caught.value)


def test_unknown_org_units_are_listed_up_to_five(app: App) -> None:
    with pytest.raises(UnknownOrgUnitError) as caught:
        save_computed(app.uow(), "analyst", [cv(org=f"X{i}") for i in range(7)])
    assert "X0, X1, X2, X3, X4 … 2 more" in str(caught.value)
    assert caught.value.where == "org_unit" and "X0" in caught.value.message_zh


# -- org units from the record store


def record_store(towns: list[tuple[str, ...]], institutions: list[tuple[str, ...]]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute(table("towns").ddl())
    con.execute(table("institutions").ddl())
    con.executemany("INSERT INTO towns VALUES (?, ?, ?, ?)", towns)
    if institutions:
        con.executemany(
            "INSERT INTO institutions (institution_id, name, type, level, ownership, town_code, "
            "approved_beds, open_beds) VALUES (?, ?, ?, ?, ?, ?, 10, 10)",
            institutions,
        )
    return con


TOWNS = [("T1", "一街道", "D1", "一区"), ("T3", "三镇", "D1", "一区"), ("U1", "东街道", "D2", "二区")]
INSTITUTIONS = [
    ("H1", "一区人民医院", "general_hospital", "tertiary", "public", "T1"),
    ("C3", "三镇卫生院", "township_hc", "primary", "public", "T3"),
    ("P1", "东街道诊所", "clinic", "unrated", "private", "U1"),
]


def test_sync_creates_missing_district_towns_and_institutions(app: App) -> None:
    con = record_store(TOWNS, INSTITUTIONS)
    assert sync_record_orgunits(app.uow(), "analyst", con) == 6  # D2, T3, U1, H1, C3, P1 (D1, T1 exist)
    with app.uow() as uow:
        units = {u.code: u for u in uow.orgunits.all()}
        assert uow.orgunits.ancestors("P1") == ["D2", "U1"]
    assert units["D1"].name == "一区" and units["D2"] == OrgUnit("D2", "二区", OrgUnitLevel.DISTRICT)
    assert units["T3"] == OrgUnit("T3", "三镇", OrgUnitLevel.TOWN, "D1")
    assert units["H1"] == OrgUnit(
        "H1",
        "一区人民医院",
        OrgUnitLevel.INSTITUTION,
        "T1",
        InstitutionType.GENERAL_HOSPITAL,
        InstitutionGrade.TERTIARY,
        ["公立"],
    )
    assert units["C3"].institution_type is InstitutionType.TOWNSHIP_HEALTH_CENTER
    assert units["C3"].grade is InstitutionGrade.PRIMARY
    assert units["P1"].institution_type is InstitutionType.OTHER and units["P1"].groups == ["非公立", "门诊部、诊所"]
    assert audit(app, "orgunits.sync")[-1]["created"] == 6
    assert sync_record_orgunits(app.uow(), "analyst", con) == 0
    assert len(audit(app, "orgunits.sync")) == 1


def test_sync_refuses_a_unit_stored_under_another_parent_and_creates_nothing(app: App) -> None:
    moved = [("T2", "二街道", "D9", "九区"), ("T3", "三镇", "D9", "九区")]  # T2 is stored under D1
    with pytest.raises(OrgUnitConflictError, match=r"T2 .records: town under D9; stored: town under D1"):
        sync_record_orgunits(app.uow(), "analyst", record_store(moved, []))
    with app.uow() as uow:
        assert uow.orgunits.get("D9") is None and uow.orgunits.get("T3") is None


def test_sync_refuses_unknown_record_codes(app: App) -> None:
    bad = [("H1", "医院", "spa", "tertiary", "public", "T1")]
    with pytest.raises(InvalidInputError, match="H1: type 'spa'"):
        sync_record_orgunits(app.uow(), "analyst", record_store(TOWNS, bad))
    with app.uow() as uow:
        assert uow.orgunits.get("T3") is None


def test_sync_without_the_record_tables_names_the_table(app: App) -> None:
    with pytest.raises(InvalidInputError) as caught:
        sync_record_orgunits(app.uow(), "analyst", duckdb.connect(":memory:"))
    assert caught.value.where == "towns"


def test_every_record_type_and_level_code_has_a_mapping() -> None:
    assert set(INSTITUTION_TYPES) == set(table("institutions").column("type").values)
    assert set(INSTITUTION_GRADES) == set(table("institutions").column("level").values)


# -- bulk


def test_a_fifty_thousand_value_run_saves_in_bulk(app: App) -> None:
    """40 indicators × 75 org units × 17 periods; the bound is generous (measured ~2-3 s on 2 shared cores)."""
    towns = [(f"T{i:02d}", f"街道{i}", "D1", "一区") for i in range(3, 13)]
    insts = [(f"I{i:02d}", f"机构{i}", "chc", "primary", "public", f"T{3 + i % 10:02d}") for i in range(62)]
    sync_record_orgunits(app.uow(), "analyst", record_store(towns, insts))
    codes = [f"IND_{i:02d}" for i in range(40)]
    register_indicators(app.uow(), "analyst", [IndicatorDef(c, c, "%", Direction.HIGHER_IS_BETTER) for c in codes])
    with app.uow() as uow:
        orgs = [u.code for u in uow.orgunits.all()]
    periods = ["2023", *[f"2023Q{q}" for q in range(1, 5)], *[f"2023{m:02d}" for m in range(1, 13)]]
    run = [
        ComputedValue(c, o, p, float(i), float(i), 100.0, f"{c}@1", h(f"{c}{o}{p}"))
        for i, (c, o, p) in enumerate((c, o, p) for c in codes for o in orgs for p in periods)
    ]
    assert len(run) == 40 * 75 * 17 == 51_000
    started = time.perf_counter()
    first = save_computed(app.uow(), "analyst", run)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    again = save_computed(app.uow(), "analyst", [*run[:-1], dataclasses.replace(run[-1], value=-1.0)])
    again_s = time.perf_counter() - started
    assert (first.created, again.created, again.unchanged) == (51_000, 1, 50_999)
    assert first_s < 20 and again_s < 20, (first_s, again_s)
    print(f"\n51,000 computed values on {app.engine.dialect.name}: first save {first_s:.2f} s, re-save {again_s:.2f} s")

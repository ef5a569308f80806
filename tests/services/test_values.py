"""Data values: versions, refusals (indicator, period, org unit, scope), outliers, imports, validation rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from yigai.clock import OFFICE_TZ
from yigai.domain.indicators import MissingValueStrategy, ValidationRule, ValueSource
from yigai.domain.periods import PeriodError
from yigai.services.errors import (
    ImportFileError,
    ImpossibleValueError,
    InvalidInputError,
    OutOfScopeError,
    PeriodNotEndedError,
    PeriodOutsideScheduleError,
    PermissionDeniedError,
    UnconfirmedValueError,
    UnknownIndicatorError,
    UnknownOrgUnitError,
)
from yigai.services.validation import add_rule, check_rule, evaluate, run_validation
from yigai.services.values import enter_value, import_values, list_values, parse_number, set_bounds

from .conftest import Loop, at

CANGSHAN = "350104"
CHENGMEN_THC = "350104101-01"  # 城门镇卫生院
CHENGMEN_VILLAGE = "350104101-02"  # a village clinic under 城门镇


def _count(loop: Loop) -> int:
    with loop.app.uow() as uow:
        return len(uow.values.query(all_versions=True))


def test_a_correction_is_a_new_version_and_the_same_value_changes_nothing(loop: Loop) -> None:
    first = enter_value(
        loop.app.uow(), loop.admin, "REFERRAL_BOOKED_SHARE", CANGSHAN, "2023Q4", "28.5%", now=at("2024-01-05")
    )
    same = enter_value(loop.app.uow(), loop.admin, "预约转诊占公立医院门诊就诊量", CANGSHAN, "2023Q4", 28.5)
    fixed = enter_value(
        loop.app.uow(),
        loop.admin,
        "referral_booked_share",
        "仓山区",
        "2023Q4",
        "31.2",
        comment="更正口径",
        now=at("2024-01-09"),
    )
    assert (first.value.version, first.changed, same.changed, fixed.value.version) == (1, True, False, 2)
    history = list_values(loop.app.uow(), key="REFERRAL_BOOKED_SHARE", history=True)
    assert [(v.value.version, v.value.value, v.value.comment, v.value.author) for v in history] == [
        (1, 28.5, "", "admin"),
        (2, 31.2, "更正口径", "admin"),
    ]
    assert [r.value.value for r in list_values(loop.app.uow(), key="REFERRAL_BOOKED_SHARE")] == [31.2]
    assert history[0].value.source is ValueSource.ENTERED and history[0].value.saved_at == at("2024-01-05")
    with loop.app.uow() as uow:
        assert [e.action for e in uow.audit.entries(entity="data_value")] == ["value.enter", "value.enter"]


@pytest.mark.parametrize(
    ("key", "org_unit", "period", "value", "error", "where"),
    [
        ("NO_SUCH_INDICATOR", CANGSHAN, "2023Q4", "1", UnknownIndicatorError, "indicator"),
        ("家庭医生签约率（自创）", CANGSHAN, "2023Q4", "1", UnknownIndicatorError, "indicator"),
        ("FD_COVERAGE", CANGSHAN, "2023年第五季度", "1", PeriodError, "period"),
        ("FD_COVERAGE", CANGSHAN, "2023Q4", "147.2", ImpossibleValueError, "value"),
        ("FD_COVERAGE", CANGSHAN, "2023Q4", "-3", ImpossibleValueError, "value"),
        ("INFANT_MORTALITY", CANGSHAN, "2023", "1200‰", ImpossibleValueError, "value"),
        ("FD_COVERAGE", CANGSHAN, "2099Q4", "70", PeriodNotEndedError, "period"),
        ("FD_COVERAGE", "999999", "2023Q4", "1", UnknownOrgUnitError, "org_unit"),
        ("FD_COVERAGE", CANGSHAN, "2023Q4", "八十", InvalidInputError, "value"),
        ("FD_COVERAGE", CANGSHAN, "2023Q4", "inf", InvalidInputError, "value"),
    ],
)
def test_bad_values_are_refused_and_nothing_saved(
    loop: Loop, key: str, org_unit: str, period: str, value: str, error: type[Exception], where: str
) -> None:
    with pytest.raises(error) as err:
        enter_value(loop.app.uow(), loop.admin, key, org_unit, period, value)
    assert err.value.where == where  # type: ignore[attr-defined]
    assert _count(loop) == 0


def test_a_period_outside_the_plan_is_refused_when_a_plan_is_named(loop: Loop) -> None:
    with pytest.raises(PeriodOutsideScheduleError) as err:
        enter_value(loop.app.uow(), loop.admin, "FD_COVERAGE", CANGSHAN, "2024Q2", 70, plan_ref=1)
    assert "2021年第3季度至2023年第4季度" in err.value.message_zh and err.value.where == "period"
    enter_value(loop.app.uow(), loop.admin, "FD_COVERAGE", CANGSHAN, "2022", 70, plan_ref="仓医改组〔2021〕1号")
    enter_value(loop.app.uow(), loop.admin, "FD_COVERAGE", CANGSHAN, "2020", 60)  # a baseline, no plan named
    assert _count(loop) == 2


def test_an_institution_reporter_enters_only_its_own_units(loop: Loop) -> None:
    enter_value(loop.app.uow(), loop.clinic, "FD_CONTRACTED", CHENGMEN_THC, "2023Q4", 12000)
    for unit in (CANGSHAN, "350104102-01"):  # the district, another town's health centre
        with pytest.raises(OutOfScopeError):
            enter_value(loop.app.uow(), loop.clinic, "FD_CONTRACTED", unit, "2023Q4", 1)
    for user in (loop.health, loop.viewer):
        with pytest.raises(OutOfScopeError):
            enter_value(loop.app.uow(), user, "FD_CONTRACTED", CHENGMEN_THC, "2023Q4", 1)
    assert _count(loop) == 1


def test_an_institution_reporter_scoped_to_a_town_covers_the_units_below_it(loop: Loop) -> None:
    from yigai.domain.users import Role
    from yigai.services.users import create_user

    town = create_user(loop.app.uow(), loop.admin, "cmzz", "城门镇", Role.INSTITUTION_REPORTER, org_units=["350104101"])
    enter_value(loop.app.uow(), town, "FD_CONTRACTED", CHENGMEN_VILLAGE, "2023Q4", 800)
    with pytest.raises(OutOfScopeError):
        enter_value(loop.app.uow(), town, "FD_CONTRACTED", "350104103-02", "2023Q4", 1)


def test_values_outside_the_bounds_are_held_until_confirmed_then_flagged(loop: Loop) -> None:
    assert enter_value(loop.app.uow(), loop.admin, "FD_COVERAGE", CANGSHAN, "2023Q3", 75).outlier is False
    set_bounds(loop.app.uow(), loop.admin, "FD_COVERAGE", 80, 100)
    with pytest.raises(UnconfirmedValueError) as held:
        enter_value(loop.app.uow(), loop.admin, "FD_COVERAGE", CANGSHAN, "2023Q2", 75)
    assert held.value.reasons == ["75 超出合理范围 80–100"] and held.value.where == "value"
    assert _count(loop) == 1
    saved = enter_value(loop.app.uow(), loop.admin, "FD_COVERAGE", CANGSHAN, "2023Q2", 75, confirm=True)
    assert saved.outlier and saved.bounds is not None and saved.bounds.maximum == 100
    assert [r.outlier for r in list_values(loop.app.uow(), key="FD_COVERAGE")] == [True, False]
    with loop.app.uow() as uow:
        audit = uow.audit.entries(entity="data_value")[-1]
    assert "75 超出合理范围 80–100" in str(audit.after)
    with pytest.raises(PermissionDeniedError):
        set_bounds(loop.app.uow(), loop.health, "FD_COVERAGE", 0, 1)
    with pytest.raises(InvalidInputError, match="above"):
        set_bounds(loop.app.uow(), loop.admin, "FD_COVERAGE", 5, 1)


def test_a_period_as_people_write_it_is_stored_as_its_id(loop: Loop) -> None:
    saved = enter_value(loop.app.uow(), loop.admin, "FD_COVERAGE", CANGSHAN, "2023年第4季度", 70)
    again = enter_value(loop.app.uow(), loop.admin, "FD_COVERAGE", CANGSHAN, "2023年四季度", 70)
    assert saved.value.period_id == "2023Q4" and again.changed is False
    assert [r.value.period_id for r in list_values(loop.app.uow(), period_id="2023年第四季度")] == ["2023Q4"]


def test_a_period_not_yet_ended_in_office_time_is_refused_even_confirmed(loop: Loop) -> None:
    # 23:30 on 31 December in Beijing: the quarter has not ended; half an hour later it has.
    late = dt.datetime(2023, 12, 31, 23, 30, tzinfo=OFFICE_TZ)
    with pytest.raises(PeriodNotEndedError) as err:
        enter_value(loop.app.uow(), loop.admin, "FD_COVERAGE", CANGSHAN, "2023Q4", 70, confirm=True, now=late)
    assert "2023年第4季度" in err.value.message_zh and "尚未结束" in err.value.message_zh
    assert _count(loop) == 0
    # 16:30 UTC on 31 December is 00:30 on 1 January in Beijing.
    utc = dt.datetime(2023, 12, 31, 16, 30, tzinfo=dt.UTC)
    assert enter_value(loop.app.uow(), loop.admin, "FD_COVERAGE", CANGSHAN, "2023Q4", 70, now=utc).changed


def test_a_tenfold_jump_is_held_until_confirmed(loop: Loop) -> None:
    enter_value(loop.app.uow(), loop.admin, "FD_CONTRACTED", CANGSHAN, "2023Q2", 12000)
    with pytest.raises(UnconfirmedValueError) as held:
        enter_value(loop.app.uow(), loop.admin, "FD_CONTRACTED", CANGSHAN, "2023Q3", 120000)
    assert held.value.reasons == ["120000 是2023年第2季度数值（12000）的 10 倍，变化异常"]
    assert "--confirm" in held.value.message_zh and _count(loop) == 1
    with pytest.raises(UnconfirmedValueError, match=r"0.1 times"):
        enter_value(loop.app.uow(), loop.admin, "FD_CONTRACTED", CANGSHAN, "2023Q3", 1200)
    assert not enter_value(loop.app.uow(), loop.admin, "FD_CONTRACTED", CANGSHAN, "2023Q3", 13000).outlier
    saved = enter_value(loop.app.uow(), loop.admin, "FD_CONTRACTED", CANGSHAN, "2023Q4", 130000, confirm=True)
    assert saved.outlier and [c.kind for c in saved.concerns] == ["jump"]
    # A growth rate may go from 1 % to 12 %, or below zero, without a question.
    enter_value(loop.app.uow(), loop.admin, "OP_COST_GROWTH", CANGSHAN, "2022", 1)
    assert not enter_value(loop.app.uow(), loop.admin, "OP_COST_GROWTH", CANGSHAN, "2023", -12).outlier


def test_a_value_outside_its_history_is_held(loop: Loop) -> None:
    for n, value in enumerate((30.0, 31.0, 32.5, 33.0)):
        enter_value(loop.app.uow(), loop.admin, "REFERRAL_BOOKED_SHARE", CANGSHAN, f"2022Q{n + 1}", value)
    assert not enter_value(loop.app.uow(), loop.admin, "REFERRAL_BOOKED_SHARE", CANGSHAN, "2023Q1", 34).outlier
    with pytest.raises(UnconfirmedValueError) as held:
        enter_value(loop.app.uow(), loop.admin, "REFERRAL_BOOKED_SHARE", CANGSHAN, "2023Q2", 62)
    assert [r.split(" ")[0] for r in held.value.reasons] == ["62"] and "以往 5 期" in held.value.reasons[0]


def test_the_history_is_the_latest_two_years_of_months(loop: Loop, tmp_path: Path) -> None:
    """A value is judged against the 24 months before it: a share rising steadily from 10 to 60 over six
    years makes the whole past a wide range (75 would fit it), the last two years a narrow one (75 does not)."""
    months = [(y, m) for y in range(2016, 2022) for m in range(1, 13)]
    rows = [
        f"REFERRAL_BOOKED_SHARE,350104,{y}{m:02d},{10 + 50 * n / (len(months) - 1):.2f}"
        for n, (y, m) in enumerate(months)
    ]
    rows.append("REFERRAL_BOOKED_SHARE,350104,202201,75")
    saved = import_values(
        loop.app.uow(), loop.admin, _csv(tmp_path, "key,org_unit,period,value\n" + "\n".join(rows) + "\n")
    )
    assert [s.value.period_id for s in saved if s.outlier] == ["202201"]


def test_a_csv_saved_by_excel_on_chinese_windows_imports(loop: Loop, tmp_path: Path) -> None:
    path = tmp_path / "指标数据.csv"
    path.write_bytes("指标,机构,报告期,数值\nFD_COVERAGE,350104,2023年第3季度,70\n".encode("gb18030"))
    assert [
        (s.value.key, s.value.period_id, s.value.value) for s in import_values(loop.app.uow(), loop.admin, path)
    ] == [("FD_COVERAGE", "2023Q3", 70.0)]


def test_an_indicator_allowed_over_100_takes_it(loop: Loop) -> None:
    assert enter_value(loop.app.uow(), loop.admin, "PRIMARY_STAFF_QUOTA_USE", CANGSHAN, "2023", 103.5).changed
    with loop.app.uow() as uow:
        assert [
            (i.over_100, i.signed)
            for i in (
                uow.indicators.get("PRIMARY_STAFF_QUOTA_USE"),
                uow.indicators.get("OP_COST_GROWTH"),
                uow.indicators.get("FD_COVERAGE"),
            )
        ] == [(True, False), (True, True), (False, False)]


def test_an_import_refuses_impossible_and_unended_rows_and_flags_jumps(loop: Loop, tmp_path: Path) -> None:
    bad = _csv(
        tmp_path, "指标,机构,报告期,数值\nFD_COVERAGE,350104,2023年第3季度,147.2\nFD_COVERAGE,350104,2099年第4季度,70\n"
    )
    with pytest.raises(ImportFileError) as err:
        import_values(loop.app.uow(), loop.admin, bad)
    assert [(e.row, e.column) for e in err.value.errors] == [(2, "value"), (3, "period")]
    series = _csv(
        tmp_path,
        "指标,机构,报告期,数值\n"
        "FD_CONTRACTED,350104,2023年第1季度,12000\n"
        "FD_CONTRACTED,350104,2023年第2季度,12500\n"
        "FD_CONTRACTED,350104,2023年第3季度,125000\n",
    )
    saved = import_values(loop.app.uow(), loop.admin, series)
    assert [(s.value.period_id, s.outlier) for s in saved] == [("2023Q1", False), ("2023Q2", False), ("2023Q3", True)]


def test_numbers_as_offices_write_them() -> None:
    assert [parse_number(x) for x in ("85.3", "85.3%", "１,234", " 7‰ ", 3)] == [85.3, 85.3, 1234.0, 7.0, 3.0]


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "values.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_csv_import_saves_every_row(loop: Loop, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "指标,机构,报告期,数值,备注\n"
        "REFERRAL_BOOKED_SHARE,350104,2022Q4,24.0,\n"
        "预约转诊占比,350104,2023Q4,30.5,年报\n"
        'FD_CONTRACTED,350104101-01,2023Q4,"12,000",\n',
    )
    saved = import_values(loop.app.uow(), loop.admin, path, plan_ref=1)
    assert [(s.value.key, s.value.period_id, s.value.value, s.value.source) for s in saved] == [
        ("REFERRAL_BOOKED_SHARE", "2022Q4", 24.0, ValueSource.IMPORTED),
        ("REFERRAL_BOOKED_SHARE", "2023Q4", 30.5, ValueSource.IMPORTED),
        ("FD_CONTRACTED", "2023Q4", 12000.0, ValueSource.IMPORTED),
    ]
    again = import_values(loop.app.uow(), loop.admin, path, plan_ref=1)
    assert not any(s.changed for s in again) and _count(loop) == 3  # re-importing changes nothing


def test_a_csv_with_any_bad_row_saves_nothing_and_names_every_error(loop: Loop, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "key,org_unit,period,value\n"
        "FD_COVERAGE,350104,2023Q4,71\n"
        "NOPE,350104,2023Q4,1\n"
        "FD_COVERAGE,350104,2024Q4,71\n"
        "FD_COVERAGE,nowhere,2023Q4,71\n"
        "FD_COVERAGE,350104,2023Q4,72\n"
        "FD_COVERAGE,350104,2023Q3,abc\n",
    )
    with pytest.raises(ImportFileError) as err:
        import_values(loop.app.uow(), loop.admin, path, plan_ref=1)
    assert [(e.row, e.column) for e in err.value.errors] == [
        (3, "indicator"),
        (4, "period"),
        (5, "org_unit"),
        (6, "key"),
        (7, "value"),
    ]
    assert "values.csv 第3行" in str(err.value) and "nothing was saved" in str(err.value)
    assert _count(loop) == 0


def test_an_import_without_the_required_columns_is_refused(loop: Loop, tmp_path: Path) -> None:
    path = _csv(tmp_path, "指标,数值\nFD_COVERAGE,70\n")
    with pytest.raises(ImportFileError) as err:
        import_values(loop.app.uow(), loop.admin, path)
    assert {e.column for e in err.value.errors} == {"org_unit", "period"}


def test_an_xlsx_import(loop: Loop, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["指标编码", "机构编码", "报告期", "数值"])
    sheet.append(["PRIMARY_STAFF_QUOTA_USE", "350104", "2022", 86.5])
    sheet.append(["PRIMARY_STAFF_QUOTA_USE", "350104", "2023", 91])
    book.save(tmp_path / "values.xlsx")
    saved = import_values(loop.app.uow(), loop.admin, tmp_path / "values.xlsx")
    assert [(s.value.period_id, s.value.value) for s in saved] == [("2022", 86.5), ("2023", 91.0)]


def test_expressions_are_arithmetic_only() -> None:
    assert evaluate("A + B * 2 - (C / 4)", {"A": 1, "B": 2, "C": 8}) == 3
    for bad in ("__import__('os')", "A if B else C", "A ** 2", "[A]"):
        with pytest.raises(InvalidInputError):
            evaluate(bad, {"A": 1, "B": 1, "C": 1})


@pytest.mark.parametrize(
    ("missing", "values", "fails"),
    [
        (MissingValueStrategy.SKIP_IF_ANY_MISSING, {"A": 5, "B": 3}, True),
        (MissingValueStrategy.SKIP_IF_ANY_MISSING, {"A": 5, "B": 6}, False),
        (MissingValueStrategy.SKIP_IF_ANY_MISSING, {"A": 5}, False),
        (MissingValueStrategy.SKIP_IF_ALL_MISSING, {"A": 5}, True),  # B counts as 0
        (MissingValueStrategy.SKIP_IF_ALL_MISSING, {}, False),
        (MissingValueStrategy.NEVER_SKIP, {"A": 1}, True),
    ],
)
def test_missing_value_strategies(missing: MissingValueStrategy, values: dict[str, float], fails: bool) -> None:
    rule = ValidationRule("R", "A 不大于 B", "A", "<=", "B", missing)
    assert (check_rule(rule, values) is not None) is fails


def test_validation_rules_run_over_a_period(loop: Loop) -> None:
    for key, value in (
        ("FD_CONTRACTED", 500_000),
        ("POP_RESIDENT", 450_000),
        ("FD_PRIORITY_CONTRACTED", 90_000),
        ("POP_PRIORITY", 120_000),
        ("DRUG_REVENUE", 40),
        ("CONSUMABLES_REVENUE", 30),
        ("MEDICAL_REVENUE", 100),
    ):
        enter_value(loop.app.uow(), loop.admin, key, CANGSHAN, "2023", value)
    failed = run_validation(loop.app.uow(), "2023")
    assert [(v.rule.code, v.org_unit, v.left, v.right) for v in failed] == [
        ("FD_CONTRACTED_LE_POP", CANGSHAN, 500_000, 450_000)
    ]
    add_rule(
        loop.app.uow(),
        loop.admin,
        ValidationRule("DRUG_LE_HALF", "药品收入不超过医疗收入一半", "DRUG_REVENUE", "<=", "MEDICAL_REVENUE * 0.3"),
    )
    assert {v.rule.code for v in run_validation(loop.app.uow(), "2023", CANGSHAN)} == {
        "FD_CONTRACTED_LE_POP",
        "DRUG_LE_HALF",
    }
    assert run_validation(loop.app.uow(), "2022") == []
    with pytest.raises(InvalidInputError):
        add_rule(loop.app.uow(), loop.admin, ValidationRule("BAD", "bad", "A", "=<", "B"))

"""Loading record files: each kind of bad record named by file, row and column; strict and lenient
loads; period and snapshot replacement; every file format."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from yigai.domain.periods import PeriodError
from yigai.records.loader import load_records, period_from_name, resolve, table_for
from yigai.records.store import RecordStore
from yigai.records.validate import RecordFileError

from .conftest import INSTITUTIONS, TOWNS, discharge, ids, institution, problems, visit, write_csv


def _visits(tmp_path: Path, name: str, rows: list[dict[str, str]], **kw: object) -> Path:
    return write_csv(tmp_path / name, rows, **kw)  # type: ignore[arg-type]


# --- which table, which period, which order ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "tbl", "period"),
    [
        ("outpatient_visits.csv", "outpatient_visits", None),
        ("outpatient_visits-2023-01.parquet", "outpatient_visits", "202301"),
        ("outpatient_visits_2023Q1.xlsx", "outpatient_visits", "2023Q1"),
        ("OUTPATIENT_VISITS 2023.csv", "outpatient_visits", "2023"),
        ("outpatient_visits_part3.csv", "outpatient_visits", None),
        ("staff.csv", "staff", None),
        ("visits.csv", None, None),
        ("townsfolk.csv", None, None),
    ],
)
def test_a_file_name_starting_with_a_table_name_names_the_table_and_maybe_the_period(
    name: str, tbl: str | None, period: str | None
) -> None:
    assert table_for(Path(name)) == tbl
    if tbl:
        found = period_from_name(Path(name), tbl)
        assert (found.id if found else None) == period


def test_a_folder_loads_in_dependency_order_and_skips_files_that_name_no_table(tmp_path: Path) -> None:
    for n in ("outpatient_visits.csv", "institutions.csv", "towns.csv", "notes.csv", "residents.xlsx", "readme.txt"):
        (tmp_path / n).write_text("x", "utf-8")
    targets, skipped = resolve([tmp_path])
    assert [t.table for t in targets] == ["towns", "residents", "institutions", "outpatient_visits"]
    assert sorted(p.name for p in skipped) == ["notes.csv", "readme.txt"]


def test_a_single_file_that_names_no_table_is_refused_unless_the_table_is_given(tmp_path: Path) -> None:
    f = write_csv(tmp_path / "门诊.csv", [visit("V1")])
    with pytest.raises(RecordFileError, match="--table"):
        resolve([f])
    assert [t.table for t in resolve([f], "outpatient_visits")[0]] == ["outpatient_visits"]
    with pytest.raises(RecordFileError, match="no record table"):
        resolve([f], "visits")


# --- each kind of bad record -----------------------------------------------------------------------


def test_a_missing_required_column_sets_the_whole_file_aside(tmp_path: Path, base: RecordStore) -> None:
    rows = [visit("V1"), visit("V2")]
    f = write_csv(tmp_path / "outpatient_visits.csv", rows, [c for c in rows[0] if c != "visit_date"])
    result = load_records(base, [f])
    assert problems(result) == [("outpatient_visits.csv", 1, "visit_date", "missing_column")]
    assert (result.files[0].rows, result.files[0].loaded, result.files[0].set_aside) == (2, 0, 2)
    assert ids(base, "outpatient_visits") == []


def test_unknown_columns_and_missing_optional_ones_are_warnings(tmp_path: Path, base: RecordStore) -> None:
    rows = [institution("C9", 备注="新建")]
    f = write_csv(tmp_path / "institutions-new.csv", rows, [c for c in rows[0] if c != "close_date"])
    result = load_records(base, [f])
    warnings = [(p.row, p.column, str(p.kind)) for p in result.files[0].listed]
    assert warnings == [(1, "close_date", "missing_optional_column"), (1, "备注", "unknown_column")]
    assert result.errors == 0 and result.files[0].warnings == 2
    assert "C9" in ids(base, "institutions")


def test_wrong_types_are_named_by_row_and_column(tmp_path: Path, base: RecordStore) -> None:
    f = _visits(
        tmp_path,
        "outpatient_visits.csv",
        [
            visit("V1"),
            visit("V2", day="2023-02-30"),
            visit("V3", drug_cost="四十"),
            visit("V4", premium="maybe"),
        ],
    )
    result = load_records(base, [f])
    assert problems(result) == [
        ("outpatient_visits.csv", 3, "visit_date", "type"),
        ("outpatient_visits.csv", 4, "drug_cost", "type"),
        ("outpatient_visits.csv", 5, "premium", "type"),
    ]
    msg = result.files[0].listed[0]
    assert msg.message == "'2023-02-30' is not a date (2023-01-31)" and "不是日期" in msg.message_zh
    assert ids(base, "outpatient_visits") == ["V1"]


def test_an_integer_column_refuses_a_fraction(tmp_path: Path, base: RecordStore) -> None:
    f = write_csv(tmp_path / "institutions.csv", [institution("C5", open_beds="18.5")])
    assert problems(load_records(base, [f])) == [("institutions.csv", 2, "open_beds", "type")]


def test_empty_required_values_codes_and_minimums(tmp_path: Path, base: RecordStore) -> None:
    f = write_csv(
        tmp_path / "institutions.csv",
        [
            institution("C5", name=" "),
            institution("C6", type="hospital"),
            institution("C7", approved_beds="-1"),
            institution("C8", close_date=""),  # optional: empty is fine
        ],
    )
    result = load_records(base, [f])
    assert problems(result) == [
        ("institutions.csv", 2, "name", "required"),
        ("institutions.csv", 3, "type", "code"),
        ("institutions.csv", 4, "approved_beds", "minimum"),
    ]
    assert result.files[0].listed[1].message.startswith("'hospital' is not an allowed code (general_hospital,")
    assert ids(base, "institutions") == ["C1", "C2", "C8", "H1"]


def test_diagnosis_and_procedure_codes_follow_the_one_code_rule(tmp_path: Path, base: RecordStore) -> None:
    """The shapes of yigai.domain.codes, the same as the DIP loader and the DRG grouper use."""
    write_csv(
        tmp_path / "inpatient_discharges.csv",
        [
            discharge(
                "D1", main_dx="K35.800x001", other_dx="I10.x00x002;E11.900", main_proc="47.0100", other_procs="33.6x00"
            ),
            discharge("D2", main_dx="K80.1000"),  # four characters after the dot
            discharge("D3", other_dx="I10;胆结石"),
            discharge("D4", main_proc="5123"),
            discharge("D5", main_dx="A01.002+G01*", other_dx="J18.900x001；"),
        ],
    )
    result = load_records(base, [tmp_path])
    assert problems(result) == [
        ("inpatient_discharges.csv", 3, "main_dx", "code"),
        ("inpatient_discharges.csv", 4, "other_dx", "code"),
        ("inpatient_discharges.csv", 5, "main_proc", "code"),
    ]
    assert result.files[0].listed[0].message == "'K80.1000' is not an allowed code (医保版 ICD-10, e.g. K35.800x001)"
    assert ids(base, "inpatient_discharges") == ["D1", "D5"]


def test_references_resolve_against_the_store_and_the_same_load(tmp_path: Path, store: RecordStore) -> None:
    write_csv(tmp_path / "towns.csv", TOWNS)
    write_csv(tmp_path / "institutions.csv", [*INSTITUTIONS, institution("C9", town_code="T9")])
    write_csv(
        tmp_path / "outpatient_visits.csv",
        [visit("V1", institution_id="H1"), visit("V2", institution_id="C9"), visit("V3", institution_id="X1")],
    )
    result = load_records(store, [tmp_path])
    # C9 names an unknown town, so it is set aside, and the visit to it has nowhere to point
    assert problems(result) == [
        ("institutions.csv", 5, "town_code", "reference"),
        ("outpatient_visits.csv", 3, "institution_id", "reference"),
        ("outpatient_visits.csv", 4, "institution_id", "reference"),
    ]
    assert ids(store, "outpatient_visits") == ["V1"]
    (tmp_path / "more").mkdir()
    later = write_csv(tmp_path / "more" / "outpatient_visits.csv", [visit("V4", institution_id="C2")])
    assert load_records(store, [later]).errors == 0  # C2 is stored now


def test_dates_outside_the_period_being_loaded(tmp_path: Path, base: RecordStore) -> None:
    f = _visits(
        tmp_path,
        "outpatient_visits.csv",
        [visit("V1", "2023-03-31"), visit("V2", "2023-04-01"), visit("V3", "2022-12-31")],
    )
    result = load_records(base, [f], period="2023Q1")
    assert problems(result) == [
        ("outpatient_visits.csv", 3, "visit_date", "period"),
        ("outpatient_visits.csv", 4, "visit_date", "period"),
    ]
    assert result.files[0].listed[0].message == "2023-04-01 is outside the period 2023Q1"
    # the period in the file name counts the same way
    g = _visits(tmp_path, "outpatient_visits-2023-02.csv", [visit("V5", "2023-03-01")])
    assert problems(load_records(base, [g])) == [("outpatient_visits-2023-02.csv", 2, "visit_date", "period")]


def test_duplicate_keys_in_the_file_and_against_other_periods(tmp_path: Path, base: RecordStore) -> None:
    jan = _visits(tmp_path, "outpatient_visits-2023-01.csv", [visit("V1", "2023-01-05")])
    assert load_records(base, [jan]).errors == 0
    feb = _visits(
        tmp_path,
        "outpatient_visits-2023-02.csv",
        [visit("V2", "2023-02-01"), visit("V2", "2023-02-02"), visit("V1", "2023-02-03")],
    )
    result = load_records(base, [feb])
    assert problems(result) == [
        ("outpatient_visits-2023-02.csv", 3, "visit_id", "duplicate"),
        ("outpatient_visits-2023-02.csv", 4, "visit_id", "stored_duplicate"),
    ]
    assert result.files[0].listed[0].message == "duplicate key 'V2' (first at row 2)"
    rows = base.conn.execute("SELECT visit_id, visit_date FROM outpatient_visits ORDER BY visit_id").fetchall()
    assert rows == [("V1", dt.date(2023, 1, 5)), ("V2", dt.date(2023, 2, 1))]


def test_total_cost_must_equal_its_parts_within_a_fen(tmp_path: Path, base: RecordStore) -> None:
    f = _visits(
        tmp_path,
        "outpatient_visits.csv",
        [
            visit("V1", total_cost="100.01"),  # 0.01 off: rounding, accepted
            visit("V2", total_cost="100.02"),
            visit("V3", total_cost="90"),
        ],
    )
    result = load_records(base, [f])
    assert problems(result) == [
        ("outpatient_visits.csv", 3, "total_cost", "total"),
        ("outpatient_visits.csv", 4, "total_cost", "total"),
    ]
    assert result.files[0].listed[1].message == "total 90.0 differs from the sum of its parts 100.0"


def test_discharge_before_admission_and_contract_end_before_start(tmp_path: Path, base: RecordStore) -> None:
    write_csv(
        tmp_path / "residents.csv",
        [
            {
                "person_id": "P1",
                "birth_date": "1950-05-01",
                "sex": "F",
                "registered": "是",
                "resident": "是",
                "town_code": "T1",
                "hypertension": "是",
                "diabetes": "否",
                "pregnant": "否",
                "disability": "否",
                "severe_mental": "否",
                "tuberculosis": "否",
                "death_date": "",
            }
        ],
    )
    write_csv(
        tmp_path / "staff.csv",
        [
            {
                "staff_id": "S1",
                "institution_id": "C1",
                "category": "physician",
                "general_practitioner": "Y",
                "title_level": "intermediate",
                "start_date": "2010-09-01",
                "end_date": "",
            }
        ],
    )
    write_csv(
        tmp_path / "family_doctor_contracts.csv",
        [
            {
                "contract_id": "K1",
                "person_id": "P1",
                "doctor_id": "S1",
                "centre_id": "C1",
                "district_hospital_id": "H1",
                "city_hospital_id": "",
                "start_date": "2023-01-01",
                "end_date": "2023-12-31",
            },
            {
                "contract_id": "K2",
                "person_id": "P1",
                "doctor_id": "S1",
                "centre_id": "C1",
                "district_hospital_id": "",
                "city_hospital_id": "",
                "start_date": "2023-01-01",
                "end_date": "2022-12-31",
            },
        ],
    )
    write_csv(tmp_path / "inpatient_discharges.csv", [discharge("D1"), discharge("D2", "2023-01-09", "2023-01-02")])
    result = load_records(base, [tmp_path])
    assert problems(result) == [
        ("family_doctor_contracts.csv", 3, "end_date", "date_order"),
        ("inpatient_discharges.csv", 3, "discharge_date", "date_order"),
    ]
    assert result.files[-1].listed[0].message == "2023-01-02 is before admission_date 2023-01-09"
    assert ids(base, "family_doctor_contracts") == ["K1"] and ids(base, "inpatient_discharges") == ["D1"]


def test_a_stay_length_that_does_not_match_the_dates_is_an_error(tmp_path: Path, base: RecordStore) -> None:
    write_csv(
        tmp_path / "inpatient_discharges.csv",
        [
            discharge("D1"),  # 7 days, written 7
            discharge("D2", "2023-01-05", "2023-01-05", los="0"),  # same day: 0 …
            discharge("D3", "2023-01-05", "2023-01-05", los="1"),  # … or 1
            discharge("D4", "2023-01-02", "2023-01-09", los="8"),  # counted the admission day too
            discharge("D5", "2023-01-05", "2023-01-05", los="2"),
            discharge("D6", "2023-01-09", "2023-01-02", los="7"),
        ],
    )  # date order: reported once, as that
    result = load_records(base, [tmp_path])
    assert problems(result) == [
        ("inpatient_discharges.csv", 5, "los", "stay_length"),
        ("inpatient_discharges.csv", 6, "los", "stay_length"),
        ("inpatient_discharges.csv", 7, "discharge_date", "date_order"),
    ]
    listed = result.files[0].listed[0]
    assert listed.message == "8 days does not match the dates (7 days from admission to discharge)"
    assert listed.message_zh == "住院天数 8 与出入院日期不符（入院至出院 7 天）"
    assert ids(base, "inpatient_discharges") == ["D1", "D2", "D3"]


def test_the_report_lists_a_few_of_each_kind_but_counts_them_all(tmp_path: Path, base: RecordStore) -> None:
    rows = [visit(f"V{i}", "2023-13-01" if i % 2 else "2023-01-05") for i in range(1, 301)]
    f = _visits(tmp_path, "outpatient_visits.csv", rows)
    result = load_records(base, [f], listed_per_check=5)
    report = result.files[0]
    assert (report.rows, report.loaded, report.set_aside, report.errors) == (300, 150, 150, 150)
    assert [p.row for p in report.listed] == [2, 4, 6, 8, 10] and report.unlisted == 145


# --- strict and lenient ------------------------------------------------------------------------------


def test_strict_saves_nothing_when_any_file_has_an_error(tmp_path: Path, store: RecordStore) -> None:
    write_csv(tmp_path / "towns.csv", TOWNS)
    write_csv(tmp_path / "institutions.csv", INSTITUTIONS)
    write_csv(tmp_path / "outpatient_visits.csv", [visit("V1"), visit("V2", institution_id="X1")])
    result = load_records(store, [tmp_path], strict=True)
    assert not result.saved and result.errors == 1 and result.loaded == 0
    assert store.counts() == dict.fromkeys(store.counts(), 0)
    assert store.loads() == []


def test_lenient_loads_the_good_records_and_counts_the_rest(tmp_path: Path, store: RecordStore) -> None:
    write_csv(tmp_path / "towns.csv", TOWNS)
    write_csv(tmp_path / "institutions.csv", INSTITUTIONS)
    write_csv(tmp_path / "outpatient_visits.csv", [visit("V1"), visit("V2", institution_id="X1"), visit("V3")])
    result = load_records(store, [tmp_path])
    assert result.saved and (result.loaded, result.set_aside, result.errors) == (2 + 3 + 2, 1, 1)
    assert ids(store, "outpatient_visits") == ["V1", "V3"]
    entry = store.loads(1)[0]
    assert (entry.table_name, entry.row_count, entry.set_aside, entry.replaced) == ("outpatient_visits", 2, 1, "202301")


# --- replacement -------------------------------------------------------------------------------------


def test_a_period_reload_replaces_that_period_only(tmp_path: Path, base: RecordStore) -> None:
    jan = _visits(tmp_path, "outpatient_visits-2023-01.csv", [visit("J1", "2023-01-05"), visit("J2", "2023-01-20")])
    feb = _visits(tmp_path, "outpatient_visits-2023-02.csv", [visit("F1", "2023-02-05")])
    assert load_records(base, [jan, feb]).errors == 0
    (tmp_path / "v2").mkdir()
    jan2 = _visits(tmp_path / "v2", "outpatient_visits-2023-01.csv", [visit("J3", "2023-01-31")])
    assert load_records(base, [jan2]).errors == 0
    assert ids(base, "outpatient_visits") == ["F1", "J3"]
    assert base.periods("outpatient_visits") == ["202301", "202302"]


def test_without_a_period_a_file_replaces_the_months_it_covers(tmp_path: Path, base: RecordStore) -> None:
    first = _visits(
        tmp_path,
        "outpatient_visits.csv",
        [visit("A", "2023-01-05"), visit("B", "2023-02-05"), visit("C", "2023-03-05")],
    )
    load_records(base, [first])
    (tmp_path / "again").mkdir()
    second = _visits(tmp_path / "again", "outpatient_visits.csv", [visit("B2", "2023-02-10"), visit("D", "2023-04-01")])
    result = load_records(base, [second])
    assert result.files[0].replaced == "202302, 202304"
    assert ids(base, "outpatient_visits") == ["A", "B2", "C", "D"]
    assert load_records(base, [first]).files[0].replaced == "202301–202303"
    assert ids(base, "outpatient_visits") == ["A", "B", "C", "D"]


def test_a_given_period_is_replaced_whole_even_where_the_file_has_no_records(tmp_path: Path, base: RecordStore) -> None:
    load_records(
        base,
        [
            _visits(
                tmp_path,
                "outpatient_visits.csv",
                [visit("A", "2023-01-05"), visit("B", "2023-03-05"), visit("C", "2023-04-05")],
            )
        ],
    )
    (tmp_path / "q1").mkdir()
    q1 = _visits(tmp_path / "q1", "outpatient_visits.csv", [visit("A2", "2023-01-06")])
    load_records(base, [q1], period="2023Q1")
    assert ids(base, "outpatient_visits") == ["A2", "C"]


def test_two_files_of_one_command_covering_one_month_both_stay(tmp_path: Path, base: RecordStore) -> None:
    a = _visits(tmp_path, "outpatient_visits_part1.csv", [visit("A", "2023-01-05")])
    b = _visits(tmp_path, "outpatient_visits_part2.csv", [visit("B", "2023-01-06"), visit("A", "2023-01-07")])
    result = load_records(base, [a, b])
    assert problems(result) == [("outpatient_visits_part2.csv", 3, "visit_id", "stored_duplicate")]
    assert ids(base, "outpatient_visits") == ["A", "B"]


def test_a_snapshot_reload_upserts_by_key(tmp_path: Path, base: RecordStore) -> None:
    f = write_csv(tmp_path / "institutions.csv", [institution("C1", name="东街社区卫生服务中心"), institution("C3")])
    result = load_records(base, [f])
    assert result.files[0].replaced == "2 keys (C1 – C3)"
    assert ids(base, "institutions") == ["C1", "C2", "C3", "H1"]
    assert base.conn.execute("SELECT name FROM institutions WHERE institution_id = 'C1'").fetchone() == (
        "东街社区卫生服务中心",
    )


def test_a_snapshot_key_twice_in_one_command_is_a_duplicate(tmp_path: Path, base: RecordStore) -> None:
    a = write_csv(tmp_path / "institutions_a.csv", [institution("C5")])
    b = write_csv(tmp_path / "institutions_b.csv", [institution("C5", name="另一个")])
    assert problems(load_records(base, [a, b])) == [("institutions_b.csv", 2, "institution_id", "stored_duplicate")]


def test_reloading_the_same_file_is_harmless(tmp_path: Path, base: RecordStore) -> None:
    f = _visits(tmp_path, "outpatient_visits.csv", [visit("V1", "2023-01-05"), visit("V2", "2023-02-05")])
    snapshot = "SELECT * FROM outpatient_visits ORDER BY visit_id"
    load_records(base, [f])
    before = base.conn.execute(snapshot).fetchall()
    again = load_records(base, [f])
    assert again.errors == 0 and base.conn.execute(snapshot).fetchall() == before
    shas = [e.sha256 for e in base.loads(2)]
    assert shas[0] == shas[1]


# --- formats -------------------------------------------------------------------------------------------

_VISIT_ROWS = [visit("V1", "2023-01-05", premium="是"), visit("V2", "2023-01-06", total_cost="100.00")]
_EXPECTED = [("V1", dt.date(2023, 1, 5), 100.0, True), ("V2", dt.date(2023, 1, 6), 100.0, False)]
_QUERY = "SELECT visit_id, visit_date, total_cost, premium FROM outpatient_visits ORDER BY visit_id"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_gb18030(tmp_path: Path, base: RecordStore, encoding: str) -> None:
    rows = [{**r, "department": "全科门诊"} for r in _VISIT_ROWS]
    f = write_csv(tmp_path / "outpatient_visits.csv", rows, encoding=encoding)
    assert load_records(base, [f]).errors == 0
    assert base.conn.execute(_QUERY).fetchall() == _EXPECTED
    assert base.conn.execute("SELECT DISTINCT department FROM outpatient_visits").fetchall() == [("全科门诊",)]


def test_xlsx_first_sheet_with_excel_typed_cells(tmp_path: Path, base: RecordStore) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    names = list(_VISIT_ROWS[0])
    ws.append(names)
    for r in _VISIT_ROWS:
        cells: list[object] = [r[n] for n in names]
        cells[names.index("visit_date")] = dt.datetime.fromisoformat(r["visit_date"])  # a real Excel date
        cells[names.index("total_cost")] = float(r["total_cost"])
        ws.append(cells)
    ws.append([None] * len(names))  # a formatted but empty row below the data
    wb.create_sheet("说明").append(["not records"])
    f = tmp_path / "outpatient_visits_2023Q1.xlsx"
    wb.save(f)
    result = load_records(base, [f])
    assert result.errors == 0 and result.files[0].rows == 2 and result.files[0].replaced == "2023Q1"
    assert base.conn.execute(_QUERY).fetchall() == _EXPECTED


def test_xlsx_rows_are_numbered_as_excel_shows_them(tmp_path: Path, base: RecordStore) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    names = list(_VISIT_ROWS[0])
    ws.append(names)
    ws.append([_VISIT_ROWS[0][n] for n in names])
    ws.append([None] * len(names))
    ws.append([visit("V3", "2023-01-40")[n] for n in names])
    f = tmp_path / "outpatient_visits.xlsx"
    wb.save(f)
    assert problems(load_records(base, [f])) == [("outpatient_visits.xlsx", 4, "visit_date", "type")]


def test_parquet_typed_or_text_columns_and_record_numbers(tmp_path: Path, base: RecordStore) -> None:
    names = list(_VISIT_ROWS[0])
    typed = {n: pa.array([r[n] for r in _VISIT_ROWS]) for n in names}
    typed["visit_date"] = pa.array([dt.date(2023, 1, 5), dt.date(2023, 1, 6)])
    typed["total_cost"] = pa.array([100.0, 100.0])
    typed["premium"] = pa.array([True, False])
    pq.write_table(pa.table(typed), tmp_path / "outpatient_visits-2023-01.parquet")
    assert load_records(base, [tmp_path / "outpatient_visits-2023-01.parquet"]).errors == 0
    assert base.conn.execute(_QUERY).fetchall() == _EXPECTED
    # text columns in Parquet are parsed like CSV; a bad one is named by its record number
    text = {n: pa.array([r[n] for r in [*_VISIT_ROWS, visit("V3", "2023-01-32")]]) for n in names}
    pq.write_table(pa.table(text), tmp_path / "outpatient_visits_text.parquet")
    result = load_records(base, [tmp_path / "outpatient_visits_text.parquet"])
    assert problems(result) == [("outpatient_visits_text.parquet", 3, "visit_date", "type")]


def test_an_unreadable_file_is_reported_and_the_others_load(tmp_path: Path, base: RecordStore) -> None:
    bad = tmp_path / "outpatient_visits.parquet"
    bad.write_bytes(b"PAR1 not really")
    good = write_csv(tmp_path / "institutions.csv", [institution("C7")])
    result = load_records(base, [bad, good])
    assert problems(result) == [("outpatient_visits.parquet", 1, "", "unreadable")]
    assert "C7" in ids(base, "institutions")


def test_the_period_option_is_checked(tmp_path: Path, base: RecordStore) -> None:
    f = _visits(tmp_path, "outpatient_visits.csv", [visit("V1")])
    with pytest.raises(PeriodError, match="not a period"):
        load_records(base, [f], period="2023-13")
    assert base.loads() != [] and ids(base, "outpatient_visits") == []  # only the base load happened


def test_a_ragged_csv_row_is_named_by_its_line_and_an_empty_file_is_refused(tmp_path: Path, base: RecordStore) -> None:
    ragged = tmp_path / "towns.csv"
    ragged.write_text("town_code,town_name,district_code,district_name\nT5,南街,D1,仓山区\nT6,北街,D1\n", "utf-8")
    empty = tmp_path / "towns_empty.csv"
    empty.write_bytes(b"")
    result = load_records(base, [ragged, empty])
    assert problems(result) == [("towns.csv", 3, "", "unreadable"), ("towns_empty.csv", 1, "", "unreadable")]
    assert "Expected Number of Columns: 4 Found: 3" in result.files[0].listed[0].message
    assert "empty file" in result.files[1].listed[0].message
    assert ids(base, "towns") == ["T1", "T2"]


def test_a_tab_separated_csv_loads(tmp_path: Path, base: RecordStore) -> None:
    f = tmp_path / "towns.csv"
    f.write_text("town_code\ttown_name\tdistrict_code\tdistrict_name\nT5\t南街, 老城\tD1\t仓山区\n", "utf-8")
    assert load_records(base, [f]).errors == 0
    assert base.conn.execute("SELECT town_name FROM towns WHERE town_code = 'T5'").fetchone() == ("南街, 老城",)


def test_parquet_text_is_taken_as_it_is_csv_text_is_trimmed(tmp_path: Path, base: RecordStore) -> None:
    rows = [visit("V1", institution_id=" C1 "), visit("V2", institution_id="")]
    names = list(rows[0])
    pq.write_table(pa.table({n: pa.array([r[n] for r in rows]) for n in names}), tmp_path / "outpatient_visits.parquet")
    result = load_records(base, [tmp_path / "outpatient_visits.parquet"])
    assert problems(result) == [
        ("outpatient_visits.parquet", 1, "institution_id", "reference"),
        ("outpatient_visits.parquet", 2, "institution_id", "required"),
    ]
    (tmp_path / "csv").mkdir()
    f = write_csv(tmp_path / "csv" / "outpatient_visits.csv", rows[:1])
    assert load_records(base, [f]).errors == 0
    assert base.conn.execute("SELECT institution_id FROM outpatient_visits").fetchall() == [("C1",)]


def test_a_file_bad_everywhere_lists_at_most_200_problems_and_counts_them_all(
    tmp_path: Path, base: RecordStore
) -> None:
    rows = [
        visit(
            f"V{i}",
            "x",
            drug_cost="y",
            exam_cost="z",
            lab_cost="w",
            premium="?",
            booked_referral="?",
            institution_id="X",
            department="",
            diagnosis="",
            person_id="",
            fund_paid="-1",
            out_of_catalogue_cost="q",
            herbal_cost="-",
            other_cost="o",
            service_cost="s",
            consumables_cost="c",
        )
        for i in range(30)
    ]
    report = load_records(base, [_visits(tmp_path, "outpatient_visits.csv", rows)]).files[0]
    assert len(report.listed) == 200 and report.errors == 30 * 16 and report.unlisted == 30 * 16 - 200
    assert [p.row for p in report.listed][:16] == [2] * 16  # the first rows first

"""The synthetic district: determinism, schema conformance, internal consistency, documented rates.

``small`` is generated once per module (a few seconds); the determinism tests generate it again.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from yigai.codes import codebook
from yigai.data import data_path
from yigai.domain.codes import CodeStatus, procedure_shape
from yigai.payment.chs_group import FastGrouper
from yigai.payment.drg import load_pack
from yigai.records.schema import record_tables
from yigai.synth import SynthError, generate, load_config
from yigai.synth.icd import is_valid
from yigai.synth.measure import measure
from yigai.synth.sink import MANIFEST

YEAR = 2023
SEED = 7
FILES = [*(f"{t}.parquet" for t in record_tables()), MANIFEST]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("small")
    generate("small", YEAR, SEED, out)
    return out


@pytest.fixture(scope="module")
def db(small: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name in record_tables():
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{(small / f'{name}.parquet').as_posix()}')")
    return con


def _one(db: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = db.execute(sql).fetchone()
    assert row is not None
    return row[0]


def _sha(folder: Path) -> dict[str, str]:
    return {n: hashlib.sha256((folder / n).read_bytes()).hexdigest() for n in FILES}


# --- determinism -------------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(small: Path, tmp_path: Path) -> None:
    generate("small", YEAR, SEED, tmp_path)
    assert _sha(tmp_path) == _sha(small)


def test_another_seed_gives_other_records(small: Path, tmp_path: Path) -> None:
    generate("small", YEAR, SEED + 1, tmp_path)
    other, mine = _sha(tmp_path), _sha(small)
    for name in ("residents.parquet", "outpatient_visits.parquet", "inpatient_discharges.parquet", MANIFEST):
        assert other[name] != mine[name], name


def test_the_lake_layout_holds_the_same_records_by_month(small: Path, tmp_path: Path) -> None:
    """``--lake``: a folder per table, event tables split by month of their date; nothing lost or doubled."""
    lake = tmp_path / "lake"
    generate("small", YEAR, SEED, lake, lake=True)
    con = duckdb.connect()
    data = json.loads((lake / MANIFEST).read_text(encoding="utf-8"))
    flat = json.loads((small / MANIFEST).read_text(encoding="utf-8"))
    assert data["format"] == "yigai-record-lake" and data["source"]["rows"] == flat["rows"]
    for name, t in record_tables().items():
        files = (lake / name / "**" / "*.parquet").as_posix()
        cols = ", ".join(t.names)
        got = con.execute(
            f"SELECT {cols} FROM read_parquet('{files}', hive_partitioning = false) EXCEPT ALL "
            f"SELECT {cols} FROM read_parquet('{(small / f'{name}.parquet').as_posix()}')"
        ).fetchall()
        assert got == [] and data["tables"][name]["rows"] == flat["rows"][name], name
        if t.period:
            wrong = _one(
                con,
                f"SELECT count(*) FROM read_parquet('{files}', hive_partitioning = true) "
                f"WHERE strftime({t.period}, '%Y-%m') <> month",
            )
            assert wrong == 0, name
            assert sum(data["tables"][name]["months"].values()) == flat["rows"][name], name
            assert len(data["tables"][name]["months"]) >= 12, name
        else:
            assert [p.name for p in (lake / name).iterdir()] == ["part-0.parquet"], name


def test_row_group_size_does_not_change_the_records(small: Path, tmp_path: Path) -> None:
    """Output is buffered into fixed row groups; the records never depend on the chunking."""
    generate("small", YEAR, SEED, tmp_path, row_group=100_000)
    visits = pq.ParquetFile(tmp_path / "outpatient_visits.parquet")
    assert visits.metadata.num_row_groups > pq.ParquetFile(small / "outpatient_visits.parquet").metadata.num_row_groups
    assert all(visits.metadata.row_group(k).num_rows == 100_000 for k in range(visits.metadata.num_row_groups - 1))
    for name in record_tables():
        assert pq.read_table(tmp_path / f"{name}.parquet").equals(pq.read_table(small / f"{name}.parquet")), name


# --- schema conformance ------------------------------------------------------------------------


def test_every_file_has_the_record_schema_and_keeps_its_rules(small: Path, db: duckdb.DuckDBPyConnection) -> None:
    for name, t in record_tables().items():
        assert pq.read_schema(small / f"{name}.parquet").remove_metadata() == t.arrow_schema(), name
        assert _one(db, f"SELECT count(*) FROM {name}") > 0, name
        key = ", ".join(t.key)
        assert _one(db, f"SELECT count(*) - count(DISTINCT ({key})) FROM {name}") == 0, f"{name}: duplicate key"
        for c in t.columns:
            if c.required:
                assert _one(db, f"SELECT count(*) FROM {name} WHERE {c.name} IS NULL") == 0, f"{name}.{c.name}"
            if c.values:
                allowed = ", ".join(f"'{v}'" for v in c.values)
                bad = _one(db, f"SELECT count(*) FROM {name} WHERE {c.name} NOT IN ({allowed})")
                assert bad == 0, f"{name}.{c.name} has codes outside {list(c.values)}"
            if c.minimum is not None:
                assert _one(db, f"SELECT count(*) FROM {name} WHERE {c.name} < {c.minimum}") == 0, f"{name}.{c.name}"
            if c.references:
                ref_table, ref_col = c.references
                orphans = _one(
                    db,
                    f"SELECT count(*) FROM {name} WHERE {c.name} IS NOT NULL AND {c.name} NOT IN "
                    f"(SELECT {ref_col} FROM {ref_table})",
                )
                assert orphans == 0, f"{name}.{c.name} → {ref_table}.{ref_col}"


def test_every_institution_type_is_present(db: duckdb.DuckDBPyConnection) -> None:
    types = {r[0] for r in db.execute("SELECT DISTINCT type FROM institutions").fetchall()}
    assert types == set(record_tables()["institutions"].column("type").values)
    assert _one(db, "SELECT count(*) FROM institutions WHERE type = 'general_hospital' AND level = 'tertiary'") == 1
    # one community or township centre per town
    assert (
        _one(db, "SELECT count(*) FROM towns")
        == _one(db, "SELECT count(DISTINCT town_code) FROM institutions WHERE type IN ('chc', 'township_hc')")
        == _one(db, "SELECT count(*) FROM institutions WHERE type IN ('chc', 'township_hc')")
    )


def test_costs_are_the_sum_of_their_parts(db: duckdb.DuckDBPyConnection) -> None:
    parts = "drug_cost + herbal_cost + consumables_cost + exam_cost + lab_cost + service_cost + other_cost"
    for name in ("outpatient_visits", "inpatient_discharges"):
        assert _one(db, f"SELECT max(abs(total_cost - ({parts}))) FROM {name}") < 0.005, name
        assert (
            _one(
                db,
                f"SELECT count(*) FROM {name} WHERE fund_paid > total_cost + 0.005 "
                f"OR out_of_catalogue_cost > total_cost + 0.005",
            )
            == 0
        ), name
        # amounts are whole cents
        assert _one(db, f"SELECT max(abs(total_cost * 100 - round(total_cost * 100))) FROM {name}") < 1e-6
    assert _one(db, "SELECT max(abs(total_cost - fund_paid - patient_paid)) FROM inpatient_discharges") < 0.005
    assert _one(db, "SELECT count(*) FROM inpatient_discharges WHERE insurance = 'none' AND fund_paid > 0") == 0


def test_dates_stay_in_the_year_and_stays_are_consistent(db: duckdb.DuckDBPyConnection) -> None:
    for name, column in [
        ("outpatient_visits", "visit_date"),
        ("inpatient_discharges", "admission_date"),
        ("inpatient_discharges", "discharge_date"),
        ("referrals", "referral_date"),
        ("drug_purchases", "purchase_date"),
        ("family_doctor_contracts", "start_date"),
        ("family_doctor_contracts", "end_date"),
    ]:
        assert _one(db, f"SELECT count(*) FROM {name} WHERE year({column}) <> {YEAR}") == 0, f"{name}.{column}"
    assert (
        _one(
            db,
            "SELECT count(*) FROM inpatient_discharges WHERE discharge_date < admission_date "
            "OR los <> date_diff('day', admission_date, discharge_date)",
        )
        == 0
    )
    assert _one(db, "SELECT count(*) FROM family_doctor_contracts WHERE end_date < start_date") == 0
    # nobody is seen after their death, and those who die in hospital leave on their death day
    assert (
        _one(
            db,
            "SELECT count(*) FROM outpatient_visits v JOIN residents r USING (person_id) "
            "WHERE v.visit_date > r.death_date",
        )
        == 0
    )
    assert (
        _one(
            db,
            "SELECT count(*) FROM inpatient_discharges d JOIN residents r USING (person_id) "
            "WHERE d.discharge_date > r.death_date "
            "OR (d.discharge_status = 'death' AND d.discharge_date <> r.death_date)",
        )
        == 0
    )
    assert (
        _one(
            db,
            "SELECT count(*) FROM inpatient_discharges d LEFT JOIN residents r USING (person_id) "
            "WHERE d.discharge_status = 'death' AND r.death_date IS NULL",
        )
        == 0
    )


def test_contracts_are_signed_with_a_gp_of_the_residents_centre(db: duckdb.DuckDBPyConnection) -> None:
    bad = _one(
        db,
        """
        SELECT count(*) FROM family_doctor_contracts c
        JOIN staff s ON s.staff_id = c.doctor_id
        JOIN institutions i ON i.institution_id = c.centre_id
        JOIN residents r ON r.person_id = c.person_id
        WHERE NOT (s.category = 'physician' AND s.general_practitioner AND s.institution_id = c.centre_id
                   AND i.type IN ('chc', 'township_hc') AND i.town_code = r.town_code)""",
    )
    assert bad == 0
    assert _one(db, "SELECT count(*) - count(DISTINCT person_id) FROM family_doctor_contracts") == 0
    most = _one(db, "SELECT max(n) FROM (SELECT count(*) AS n FROM family_doctor_contracts GROUP BY doctor_id)")
    assert most <= load_config().rates["contracts"]["max_per_doctor"]  # type: ignore[operator]
    assert (
        _one(
            db,
            """SELECT count(*) FROM family_doctor_contracts c
        LEFT JOIN institutions d ON d.institution_id = c.district_hospital_id
        LEFT JOIN institutions h ON h.institution_id = c.city_hospital_id
        WHERE (d.institution_id IS NOT NULL AND d.type NOT IN ('general_hospital', 'tcm_hospital'))
           OR (h.institution_id IS NOT NULL AND h.level <> 'tertiary')""",
        )
        == 0
    )


def test_referrals_go_up_to_hospitals_and_down_to_primary_care(db: duckdb.DuckDBPyConnection) -> None:
    primary = "('chc', 'township_hc', 'chs_station', 'village_clinic', 'clinic')"
    hospital = "('general_hospital', 'tcm_hospital', 'specialist_hospital', 'maternal_child')"
    for direction, src, dst in [("up", primary, hospital), ("down", hospital, primary)]:
        assert _one(db, f"SELECT count(*) FROM referrals WHERE direction = '{direction}'") > 0
        bad = _one(
            db,
            f"""SELECT count(*) FROM referrals r
            JOIN institutions f ON f.institution_id = r.from_institution_id
            JOIN institutions t ON t.institution_id = r.to_institution_id
            WHERE r.direction = '{direction}' AND NOT (f.type IN {src} AND t.type IN {dst})""",
        )
        assert bad == 0, direction
    # every booked hospital visit has its booked up referral, no later than the visit
    assert (
        _one(
            db,
            """SELECT count(*) FROM outpatient_visits v WHERE v.booked_referral AND NOT EXISTS (
        SELECT 1 FROM referrals r WHERE r.person_id = v.person_id AND r.to_institution_id = v.institution_id
        AND r.direction = 'up' AND r.booked AND r.referral_date <= v.visit_date)""",
        )
        == 0
    )
    assert (
        _one(
            db,
            "SELECT count(*) FROM outpatient_visits v JOIN institutions i USING (institution_id) "
            f"WHERE v.booked_referral AND i.type IN {primary}",
        )
        == 0
    )


def test_every_diagnosis_is_a_medical_insurance_icd10_code(db: duckdb.DuckDBPyConnection) -> None:
    codes = {
        r[0]
        for r in db.execute(
            "SELECT DISTINCT diagnosis FROM outpatient_visits UNION SELECT DISTINCT main_dx FROM inpatient_discharges"
        ).fetchall()
    }
    other = db.execute("SELECT DISTINCT other_dx FROM inpatient_discharges WHERE other_dx IS NOT NULL").fetchall()
    codes |= {c for (o,) in other for c in o.split(";")}
    assert len(codes) > 100
    assert [c for c in codes if not is_valid(c)] == []


def test_discharges_group_like_a_real_district_on_the_national_drg_pack(db: duckdb.DuckDBPyConnection) -> None:
    """医保版 codes throughout: almost every stay groups, into a few dozen DRGs (docs/synthetic.md)."""
    rows = db.execute("""SELECT d.main_dx, coalesce(d.other_dx, ''), coalesce(d.main_proc, ''), r.sex,
                                date_diff('year', r.birth_date, d.admission_date)
                         FROM inpatient_discharges d LEFT JOIN residents r USING (person_id)""").fetchall()
    book = codebook()
    assert all(
        book.procedure(p).status is CodeStatus.VALID and not book.procedure(p).grey
        for p in {r[2] for r in rows if r[2]}
    )
    fast = FastGrouper(load_pack())  # type: ignore[arg-type]
    drgs = Counter(
        fast.drg(dx, [o for o in other.split(";") if o], [proc] if proc else [], sex or "", age, None, None)
        for dx, other, proc, sex, age in rows
    )
    n = sum(drgs.values())
    ungroupable = drgs["0000"] + sum(v for d, v in drgs.items() if d.endswith("QY"))
    assert n > 1000 and ungroupable / n < 0.01
    assert 30 <= len(drgs) <= 300
    assert sum(v for _, v in drgs.most_common(20)) / n > 0.5


def test_procedures_and_surgery_flags_agree(db: duckdb.DuckDBPyConnection) -> None:
    assert _one(db, "SELECT count(*) FROM inpatient_discharges WHERE surgery AND main_proc IS NULL") == 0
    assert (
        _one(db, "SELECT count(*) FROM inpatient_discharges WHERE (minimally_invasive OR elective) AND NOT surgery")
        == 0
    )
    assert _one(db, "SELECT count(*) FROM inpatient_discharges WHERE day_surgery AND (NOT elective OR los > 1)") == 0
    procs = [
        r[0]
        for r in db.execute(
            "SELECT DISTINCT main_proc FROM inpatient_discharges WHERE main_proc IS NOT NULL"
        ).fetchall()
    ]
    assert procs and all(procedure_shape(p) for p in procs)
    share = _one(db, "SELECT avg(surgery::INT) FROM inpatient_discharges")
    assert 0.10 < share < 0.40  # type: ignore[operator]
    assert _one(db, "SELECT count(*) FROM inpatient_discharges WHERE day_surgery") > 0


# --- documented rates --------------------------------------------------------------------------


def test_key_rates_land_in_the_documented_ranges(small: Path) -> None:
    checks = load_config().checks
    rates = measure(small, YEAR)
    assert set(rates) == set(checks)
    outside = {k: (round(v, 3), checks[k]) for k, v in rates.items() if not checks[k][0] <= v <= checks[k][1]}
    assert outside == {}


def test_docs_list_every_documented_range() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "synthetic.md").read_text(encoding="utf-8")
    for name, (lo, hi) in load_config().checks.items():
        assert re.search(rf"`{name}`\s*\|\s*{lo:g}\s*–\s*{hi:g}\s*\|", docs), f"{name} {lo:g}–{hi:g} missing in docs"


def test_manifest_names_the_run_without_timestamps(small: Path) -> None:
    body = json.loads((small / MANIFEST).read_text(encoding="utf-8"))
    assert (body["preset"], body["year"], body["seed"]) == ("small", YEAR, SEED)
    assert body["rows"]["outpatient_visits"] == pq.ParquetFile(small / "outpatient_visits.parquet").metadata.num_rows
    assert 45_000 < body["residents"] < 55_000
    assert body["rates"] == json.loads(json.dumps(load_config().rates))
    rates_sha = hashlib.sha256(data_path("synth/rates.yaml").read_bytes()).hexdigest()
    assert body["data_files_sha256"]["synth/rates.yaml"] == rates_sha


# --- refusals ----------------------------------------------------------------------------------


def test_existing_files_are_not_overwritten_without_asking(small: Path) -> None:
    before = _sha(small)
    with pytest.raises(SynthError, match="--overwrite"):
        generate("small", YEAR, SEED + 5, small)
    assert _sha(small) == before
    assert not (small / ".synth-partial").exists()


@pytest.mark.parametrize(
    ("preset", "year", "seed", "where"),
    [("village", 2023, 1, "--preset"), ("small", 1899, 1, "--year"), ("small", 2023, -1, "--seed")],
)
def test_bad_arguments_are_refused_before_anything_is_written(
    tmp_path: Path, preset: str, year: int, seed: int, where: str
) -> None:
    with pytest.raises(SynthError) as err:
        generate(preset, year, seed, tmp_path / "out")
    assert err.value.where == where
    assert not (tmp_path / "out").exists()


def test_visits_follow_the_season_and_the_week(db: duckdb.DuckDBPyConnection) -> None:
    by_month = dict(db.execute("SELECT month(visit_date), count(*) FROM outpatient_visits GROUP BY 1").fetchall())
    assert by_month[12] > 1.3 * by_month[2]  # rates.yaml: December ×1.21 over 31 days, February ×0.84 over 28
    by_day = dict(db.execute("SELECT isodow(visit_date), count(*) FROM outpatient_visits GROUP BY 1").fetchall())
    assert 0.35 < by_day[7] / by_day[1] < 0.65  # Sunday 0.55 against Monday 1.15


def test_staff_and_beds_follow_the_work_done(db: duckdb.DuckDBPyConnection) -> None:
    # every institution that sees patients has a doctor; every nurse-less one is a small outpost or clinic
    assert (
        _one(
            db,
            """SELECT count(*) FROM (SELECT DISTINCT institution_id FROM outpatient_visits) v
        WHERE NOT EXISTS (SELECT 1 FROM staff s WHERE s.institution_id = v.institution_id
                          AND s.category IN ('physician', 'assistant_physician'))""",
        )
        == 0
    )
    # each kind of institution with beds fills them, neither empty nor over full
    occupancy = db.execute("""
        SELECT i.type, sum(d.los) / (365.0 * any_value(b.beds)) FROM inpatient_discharges d
        JOIN institutions i USING (institution_id)
        JOIN (SELECT type, sum(open_beds) AS beds FROM institutions GROUP BY type) b ON b.type = i.type
        GROUP BY i.type""").fetchall()
    assert {t for t, _ in occupancy} >= {"general_hospital", "tcm_hospital", "maternal_child", "specialist_hospital"}
    assert [(t, round(o, 2)) for t, o in occupancy if not 0.3 <= o <= 1.0] == []
    # the tertiary hospital has the most doctors
    top = _one(
        db,
        """SELECT i.level FROM staff s JOIN institutions i USING (institution_id)
        WHERE s.category = 'physician' GROUP BY i.institution_id, i.level ORDER BY count(*) DESC LIMIT 1""",
    )
    assert top == "tertiary"

"""Key rates measured on generated files (DuckDB over the Parquet), for the documented checks.

Independent of the generator: it reads only the files, so it checks what was written.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

PRIMARY = "('chc','township_hc','chs_station','village_clinic','clinic')"
HOSPITALS = "('general_hospital','tcm_hospital','specialist_hospital','maternal_child')"
PRIORITY = (
    "(date_diff('year', r.birth_date, DATE '{end}') >= 65 OR date_diff('year', r.birth_date, DATE '{end}') < 7"
    " OR r.hypertension OR r.diabetes OR r.pregnant OR r.disability OR r.severe_mental OR r.tuberculosis)"
)


def measure(folder: Path, year: int) -> dict[str, float]:
    """The rates named in rates.yaml ``checks``, computed from the files in ``folder`` (or a record lake)."""
    con = duckdb.connect()
    for name in (
        "residents",
        "institutions",
        "staff",
        "outpatient_visits",
        "inpatient_discharges",
        "family_doctor_contracts",
        "drug_purchases",
    ):
        file = folder / f"{name}.parquet"  # one file per table, or a record lake's folder of them
        path = (file if file.exists() else folder / name / "**" / "*.parquet").as_posix().replace("'", "''")
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path}', hive_partitioning = false)")
    end = f"{year}-12-31"
    priority = PRIORITY.format(end=end)

    def one(sql: str) -> float:
        row = con.execute(sql).fetchone()
        return float(row[0]) if row and row[0] is not None else float("nan")

    pop = one("SELECT count(*) FROM residents WHERE resident")
    out: dict[str, float] = {}
    out["visits_per_resident"] = (
        one("SELECT count(*) FROM outpatient_visits v JOIN residents r USING (person_id)") / pop
    )
    out["visits_per_capita_all"] = one("SELECT count(*) FROM outpatient_visits") / pop
    out["primary_visit_share"] = one(
        f"SELECT avg(CASE WHEN i.type IN {PRIMARY} THEN 1.0 ELSE 0 END) FROM outpatient_visits v "
        "JOIN institutions i USING (institution_id)"
    )
    out["admissions_per_100"] = (
        100 * one("SELECT count(*) FROM inpatient_discharges d JOIN residents r USING (person_id)") / pop
    )
    out["hospital_los"] = one(
        f"SELECT avg(los) FROM inpatient_discharges d JOIN institutions i USING (institution_id) WHERE i.type IN {HOSPITALS}"
    )
    out["contract_coverage"] = (
        one(
            "SELECT count(DISTINCT c.person_id) FROM family_doctor_contracts c JOIN residents r USING (person_id) "
            "WHERE r.resident"
        )
        / pop
    )
    out["priority_coverage"] = one(
        f"SELECT avg(CASE WHEN c.person_id IS NULL THEN 0.0 ELSE 1 END) FROM residents r "
        f"LEFT JOIN (SELECT DISTINCT person_id FROM family_doctor_contracts) c USING (person_id) "
        f"WHERE r.resident AND {priority}"
    )
    adults = f"date_diff('year', birth_date, DATE '{end}') >= 18"
    out["hypertension_adults"] = one(f"SELECT avg(hypertension::INT) FROM residents WHERE {adults}")
    out["diabetes_adults"] = one(f"SELECT avg(diabetes::INT) FROM residents WHERE {adults}")
    out["beds_per_1000"] = 1000 * one("SELECT sum(open_beds) FROM institutions") / pop
    out["doctors_per_1000"] = (
        1000
        * one("SELECT count(*) FROM staff WHERE category IN ('physician','assistant_physician') AND end_date IS NULL")
        / pop
    )
    out["nurses_per_1000"] = (
        1000 * one("SELECT count(*) FROM staff WHERE category = 'nurse' AND end_date IS NULL") / pop
    )
    out["gps_per_10000"] = (
        10000 * one("SELECT count(*) FROM staff WHERE general_practitioner AND end_date IS NULL") / pop
    )
    visits_by = "FROM outpatient_visits v JOIN institutions i USING (institution_id) WHERE i.type IN {}"
    out["hospital_outpatient_cost"] = one("SELECT avg(total_cost) " + visits_by.format(HOSPITALS))
    out["primary_outpatient_cost"] = one("SELECT avg(total_cost) " + visits_by.format(PRIMARY))
    out["hospital_outpatient_drug_share"] = one(
        "SELECT sum(drug_cost) / sum(total_cost) " + visits_by.format(HOSPITALS)
    )
    cases_by = f"FROM inpatient_discharges d JOIN institutions i USING (institution_id) WHERE i.type IN {HOSPITALS}"
    out["hospital_inpatient_consumables_share"] = one("SELECT sum(consumables_cost) / sum(total_cost) " + cases_by)
    out["hospital_inpatient_cost"] = one("SELECT avg(total_cost) " + cases_by)
    out["outside_visit_share"] = one(
        "SELECT avg(CASE WHEN r.person_id IS NULL THEN 1.0 ELSE 0 END) FROM outpatient_visits v "
        "LEFT JOIN residents r USING (person_id)"
    )
    out["vbp_selected_quantity_share"] = one(
        "SELECT sum(quantity) FILTER (WHERE vbp_selected) / sum(quantity) FROM drug_purchases "
        "WHERE generic_name IN (SELECT generic_name FROM drug_purchases WHERE vbp_selected)"
    )
    out["hospital_bed_occupancy"] = one(
        f"SELECT (SELECT sum(los) FROM inpatient_discharges d JOIN institutions i USING (institution_id) "
        f"WHERE i.type IN {HOSPITALS}) / (365.0 * (SELECT sum(open_beds) FROM institutions WHERE type IN {HOSPITALS}))"
    )
    con.close()
    return out

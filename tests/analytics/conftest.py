"""A tiny hand-made record store (two towns, five institutions, nine residents …) in an in-memory
DuckDB built from the shared schema, and a builder for other hand-made stores.

Every expected value in tests/analytics is computed by hand from the rows below.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

import duckdb
import pytest

from yigai.records.schema import record_tables

D = dt.date


def new_store(rows: dict[str, list[dict[str, Any]]], path: str = ":memory:") -> duckdb.DuckDBPyConnection:
    """DuckDB (in memory, or the file ``path``) with every record table (schema DDL) and the given
    rows; unnamed nullable columns are NULL, unnamed required booleans false, numbers 0."""
    con = duckdb.connect(path)
    for t in record_tables().values():
        con.execute(t.ddl())
    for name, recs in rows.items():
        t = record_tables()[name]
        for rec in recs:
            unknown = set(rec) - set(t.names)
            assert not unknown, f"{name}: no columns {unknown}"
            vals = []
            for c in t.columns:
                if c.name in rec:
                    vals.append(rec[c.name])
                elif not c.required:
                    vals.append(None)
                elif c.type.value == "boolean":
                    vals.append(False)
                elif c.type.value in ("integer", "decimal"):
                    vals.append(0)
                elif c.type.value == "string":
                    vals.append("x")
                else:
                    raise AssertionError(f"{name}.{c.name} needs a value")
            con.execute(f"INSERT INTO {name} VALUES ({', '.join('?' * len(vals))})", vals)
    return con


def _visit(
    vid, person, inst, day, total, drug, herbal, cons, exam, lab, service, fund=0, ooc=0, premium=False, booked=False
):
    assert abs(total - (drug + herbal + cons + exam + lab + service)) < 1e-9, vid
    return dict(
        visit_id=vid,
        person_id=person,
        institution_id=inst,
        visit_date=day,
        department="内科",
        diagnosis="I10",
        total_cost=total,
        drug_cost=drug,
        herbal_cost=herbal,
        consumables_cost=cons,
        exam_cost=exam,
        lab_cost=lab,
        service_cost=service,
        other_cost=0,
        fund_paid=fund,
        out_of_catalogue_cost=ooc,
        premium=premium,
        booked_referral=booked,
    )


def _stay(
    cid,
    person,
    inst,
    ins,
    adm,
    dis,
    los,
    total,
    drug,
    herbal,
    cons,
    exam,
    lab,
    service,
    fund,
    ooc,
    surgery=False,
    mis=False,
    elective=False,
    day=False,
    premium=False,
    status="ordered",
):
    assert abs(total - (drug + herbal + cons + exam + lab + service)) < 1e-9, cid
    return dict(
        case_id=cid,
        person_id=person,
        institution_id=inst,
        insurance=ins,
        admission_date=adm,
        discharge_date=dis,
        los=los,
        main_dx="K35.8",
        surgery=surgery,
        minimally_invasive=mis,
        elective=elective,
        day_surgery=day,
        total_cost=total,
        drug_cost=drug,
        herbal_cost=herbal,
        consumables_cost=cons,
        exam_cost=exam,
        lab_cost=lab,
        service_cost=service,
        other_cost=0,
        fund_paid=fund,
        patient_paid=total - fund,
        out_of_catalogue_cost=ooc,
        premium=premium,
        discharge_status=status,
    )


def _inst(iid, typ, own, town, beds, level="unrated", close=None):
    return dict(
        institution_id=iid,
        name=f"机构{iid}",
        type=typ,
        level=level,
        ownership=own,
        town_code=town,
        approved_beds=beds,
        open_beds=beds,
        close_date=close,
    )


def _person(pid, born, town, resident=True, died=None, **flags):
    return dict(
        person_id=pid,
        birth_date=born,
        sex="F",
        registered=True,
        resident=resident,
        town_code=town,
        death_date=died,
        **flags,
    )


def _staff(sid, inst, cat, gp=False, start=dt.date(2010, 1, 1), end=None):
    return dict(
        staff_id=sid,
        institution_id=inst,
        category=cat,
        general_practitioner=gp,
        title_level="junior",
        start_date=start,
        end_date=end,
    )


def _contract(cid, person, centre, start, end, district=None, city=None):
    return dict(
        contract_id=cid,
        person_id=person,
        doctor_id="S6",
        centre_id=centre,
        district_hospital_id=district,
        city_hospital_id=city,
        start_date=start,
        end_date=end,
    )


def _ref(rid, person, src, dst, direction, day, booked=False):
    return dict(
        referral_id=rid,
        person_id=person,
        from_institution_id=src,
        to_institution_id=dst,
        direction=direction,
        referral_date=day,
        booked=booked,
    )


def _buy(pid, inst, day, generic, selected, qty, amount):
    return dict(
        purchase_id=pid,
        institution_id=inst,
        purchase_date=day,
        generic_name=generic,
        product_name=f"{generic}-{'中选' if selected else '原研'}",
        vbp_selected=selected,
        quantity=qty,
        amount=amount,
    )


HAND_ROWS: dict[str, list[dict[str, Any]]] = {
    "towns": [
        dict(town_code="T1", town_name="东街道", district_code="D1", district_name="样区"),
        dict(town_code="T2", town_name="西镇", district_code="D1", district_name="样区"),
    ],
    "institutions": [
        _inst("H1", "general_hospital", "public", "T1", 100, level="tertiary"),
        _inst("C1", "chc", "public", "T1", 20),
        _inst("C2", "township_hc", "public", "T2", 10),
        _inst("H2", "general_hospital", "private", "T2", 50, level="secondary"),
        _inst("K1", "clinic", "private", "T2", 5, close=D(2023, 6, 30)),
    ],
    "residents": [
        _person("P1", D(1950, 1, 1), "T1", hypertension=True),
        _person("P2", D(1990, 5, 5), "T1"),
        _person("P3", D(2020, 3, 1), "T1"),
        _person("P4", D(1985, 7, 7), "T1", diabetes=True),
        _person("P5", D(1980, 1, 1), "T1", resident=False),
        _person("P6", D(1955, 6, 1), "T2"),
        _person("P7", D(1995, 2, 2), "T2"),
        _person("P8", D(1958, 12, 31), "T2"),
        _person("P9", D(1940, 1, 1), "T2", died=D(2023, 5, 1)),
    ],
    "staff": [
        _staff("S1", "H1", "physician"),
        _staff("S2", "H1", "physician", end=D(2023, 3, 31)),
        _staff("S3", "H1", "nurse"),
        _staff("S4", "H1", "nurse"),
        _staff("S5", "H1", "nurse"),
        _staff("S6", "C1", "assistant_physician", gp=True),
        _staff("S7", "C1", "nurse"),
        _staff("S8", "C2", "physician", gp=True),
        _staff("S9", "C2", "pharmacist"),
        _staff("S10", "H2", "physician", start=D(2024, 1, 1)),
    ],
    "outpatient_visits": [
        #      id    person inst  date            total drug herb cons exam lab serv
        _visit("V1", "P1", "C1", D(2023, 2, 10), 100, 40, 0, 10, 10, 10, 30, fund=60, ooc=5),
        _visit("V2", "P1", "H1", D(2023, 3, 5), 300, 100, 20, 30, 50, 40, 60, fund=200, ooc=30, booked=True),
        _visit("V3", "P2", "H1", D(2023, 5, 20), 500, 150, 0, 50, 100, 50, 150, premium=True),
        _visit("V4", "P6", "C2", D(2023, 8, 1), 80, 30, 10, 0, 0, 10, 30, fund=50),
        _visit("V5", "P6", "H2", D(2023, 11, 11), 200, 60, 0, 20, 40, 20, 60, fund=100, ooc=20, booked=True),
        _visit("V6", "P7", "K1", D(2023, 4, 1), 50, 20, 0, 5, 0, 0, 25),
        _visit("V7", "X99", "H1", D(2023, 12, 31), 400, 120, 0, 40, 80, 60, 100, fund=300, ooc=40),
        _visit("V8", "P1", "H1", D(2022, 12, 15), 250, 80, 0, 20, 50, 30, 70, fund=150, ooc=10),
        _visit("V9", "P6", "C2", D(2022, 6, 1), 60, 25, 5, 0, 0, 5, 25, fund=40),
    ],
    "inpatient_discharges": [
        #     id    person inst ins        admitted         discharged      los total drug herb cons exam lab serv fund ooc
        _stay(
            "D1",
            "P1",
            "H1",
            "employee",
            D(2023, 3, 1),
            D(2023, 3, 11),
            10,
            10000,
            3000,
            0,
            2000,
            1000,
            1000,
            3000,
            7000,
            500,
            surgery=True,
            mis=True,
            elective=True,
        ),
        _stay(
            "D2",
            "P4",
            "H1",
            "resident",
            D(2023, 6, 1),
            D(2023, 6, 2),
            1,
            4000,
            500,
            0,
            1500,
            500,
            500,
            1000,
            3000,
            200,
            surgery=True,
            elective=True,
            day=True,
        ),
        _stay(
            "D3",
            "P6",
            "C2",
            "none",
            D(2023, 9, 10),
            D(2023, 9, 20),
            10,
            2000,
            800,
            200,
            100,
            300,
            200,
            400,
            0,
            300,
            status="death",
        ),
        _stay(
            "D4",
            "P7",
            "H2",
            "resident",
            D(2023, 12, 1),
            D(2023, 12, 5),
            4,
            6000,
            1500,
            0,
            1000,
            1000,
            500,
            2000,
            4000,
            600,
            surgery=True,
            mis=True,
            premium=True,
        ),
        _stay(
            "D5",
            "P1",
            "H1",
            "employee",
            D(2022, 10, 1),
            D(2022, 10, 8),
            7,
            5000,
            2000,
            0,
            500,
            500,
            500,
            1500,
            3500,
            100,
        ),
    ],
    "family_doctor_contracts": [
        _contract("K1", "P1", "C1", D(2023, 1, 1), D(2023, 12, 31), district="H1"),
        _contract("K2", "P2", "C1", D(2023, 1, 1), D(2023, 6, 30)),
        _contract("K3", "P6", "C2", D(2022, 1, 1), D(2024, 12, 31), district="H1"),
        _contract("K4", "P5", "C1", D(2023, 1, 1), D(2023, 12, 31)),
        _contract("K5", "P1", "C1", D(2023, 6, 1), D(2024, 5, 31)),
    ],
    "referrals": [
        _ref("R1", "P1", "C1", "H1", "up", D(2023, 3, 4), booked=True),
        _ref("R2", "P6", "C2", "H1", "up", D(2023, 7, 30)),
        _ref("R8", "P2", "H1", "H2", "up", D(2023, 5, 21)),
        _ref("R4", "P1", "H1", "C1", "down", D(2023, 3, 12)),
        _ref("R5", "P4", "H1", "C1", "down", D(2023, 6, 3)),
        _ref("R6", "P6", "H1", "C2", "down", D(2023, 9, 25)),
        _ref("R7", "P1", "H1", "C1", "down", D(2022, 10, 9)),
    ],
    "drug_purchases": [
        _buy("U1", "H1", D(2023, 2, 1), "阿托伐他汀", True, 100, 1000),
        _buy("U2", "H1", D(2023, 2, 1), "阿托伐他汀", False, 50, 2500),
        _buy("U3", "C1", D(2023, 5, 1), "阿托伐他汀", True, 30, 300),
        _buy("U4", "C1", D(2023, 5, 1), "阿莫西林", False, 40, 400),
        _buy("U5", "H2", D(2023, 8, 1), "氨氯地平", True, 20, 100),
        _buy("U6", "H2", D(2023, 8, 1), "氨氯地平", False, 20, 500),
    ],
}


@pytest.fixture(scope="module")
def hand_store() -> duckdb.DuckDBPyConnection:
    """The hand-made store, shared by a module's tests: read it, do not change it."""
    return new_store(HAND_ROWS)


@pytest.fixture()
def hand_rows() -> dict[str, list[dict[str, Any]]]:
    """A copy of the hand-made rows to change before building a store with ``make_store``."""
    return copy.deepcopy(HAND_ROWS)


@pytest.fixture()
def make_store() -> Callable[[dict[str, list[dict[str, Any]]]], duckdb.DuckDBPyConnection]:
    return new_store

"""DIP runs over files: the engine is picked by size, both give the same figures, bad records keep their file."""

from __future__ import annotations

import csv
from pathlib import Path

from yigai.payment.case_table import CaseTable
from yigai.payment.cases import FIELDS
from yigai.payment.dip import DipParams, SettleParams
from yigai.services import payment
from yigai.services.payment import COLUMNAR_FROM, Engine


def test_the_engine_is_picked_by_size_unless_named() -> None:
    assert payment.pick(Engine.AUTO, COLUMNAR_FROM - 1) is Engine.REFERENCE
    assert payment.pick(Engine.AUTO, COLUMNAR_FROM) is Engine.COLUMNAR
    assert payment.pick(Engine.COLUMNAR, 3) is Engine.COLUMNAR
    assert payment.pick(Engine.REFERENCE, 10**7) is Engine.REFERENCE


def _file(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS)
        w.writeheader()
        for r in rows:
            w.writerow({f: r.get(f, "") for f in FIELDS})
    return path


def _row(cid: str, h: str, lv: str, dx: str, cost: str, year: int) -> dict[str, str]:
    return {
        "case_id": cid,
        "hospital": h,
        "hospital_level": lv,
        "admission": f"{year}-03-01",
        "discharge": f"{year}-03-04",
        "main_dx": dx,
        "total_cost": cost,
        "fund_paid": "0",
        "patient_paid": "0",
    }


def test_both_engines_settle_files_alike_and_bad_records_name_their_file(tmp_path: Path) -> None:
    hist = _file(
        tmp_path / "2023.csv",
        [
            _row("a", "H1", "三级", "J18.900", "4000", 2023),
            _row("b", "H2", "二级", "J18.900", "2000", 2023),
            _row("c", "H2", "二级", "J18.900", "-1", 2023),
        ],
    )
    cur = _file(
        tmp_path / "2024.csv",
        [_row("d", "H1", "三级", "J18.900", "3000", 2024), _row("d", "H2", "二级", "J18.900", "3000", 2024)],
    )
    history, current = payment.load([hist]), payment.load([cur])
    assert [(b.path.name, b.bad.row, b.bad.field) for b in history.bad + current.bad] == [
        ("2023.csv", 4, "total_cost"),
        ("2024.csv", 3, "case_id"),
    ]
    params, sp = DipParams(threshold=1, year_weights=(1.0,)), SettleParams(fund_budget=1000.0, reimbursement_ratio=0.5)
    ref = payment.settle(history.cases, current.cases, params, sp, Engine.REFERENCE)
    col = payment.settle(history.cases, current.cases, params, sp, Engine.COLUMNAR)
    assert (ref.engine, col.engine) == (Engine.REFERENCE, Engine.COLUMNAR)
    assert ref.hospitals == col.hospitals and ref.point_value == col.point_value
    # H2's record repeats case d and is set aside: H1 has every point, so all of F / r = 2 000
    assert list(col.hospitals) == ["H1"] and col.hospitals["H1"].entitlement == 2000.0  # F / r
    assert isinstance(history.cases, CaseTable)

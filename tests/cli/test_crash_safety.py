"""Crash safety: a process killed (SIGKILL) while it writes leaves all of its work or none of it.

Each case runs a real ``yigai`` process on a SQLite database whose write-ahead log has just been
emptied, watches the log, and kills the process the moment its transaction starts reaching the
file — the middle of the write. Afterwards the database opens, holds either everything the
operation writes or nothing of it, and the same command run again completes normally.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from yigai.data import seed_paths

YIGAI = [str(Path(sys.executable).with_name("yigai"))]


def _env(data_dir: Path) -> dict[str, str]:
    return {**os.environ, "YIGAI_DATA_DIR": str(data_dir), "YIGAI_DATABASE_URL": ""}


def _run(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*YIGAI, *args], env=_env(data_dir), capture_output=True, text=True, timeout=300)


def _quiet_log(db: Path) -> None:
    with sqlite3.connect(db) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _kill_while_writing(args: list[str], data_dir: Path, db: Path) -> bool:
    """Start the command and SIGKILL it once its writes reach the log; False if it finished first."""
    _quiet_log(db)
    wal = Path(f"{db}-wal")
    proc = subprocess.Popen([*YIGAI, *args], env=_env(data_dir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while proc.poll() is None:
            if wal.exists() and wal.stat().st_size > 0:
                proc.send_signal(signal.SIGKILL)
                proc.wait(30)
                return True
            time.sleep(0.0002)
        return False
    finally:
        if proc.poll() is None:
            proc.kill()


def _count(db: Path, sql: str) -> int:
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return int(con.execute(sql).fetchone()[0])
    finally:
        con.close()


@pytest.fixture(scope="module")
def big_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("doc") / "big.txt"
    path.write_text(seed_paths()[4].read_text("utf-8") * 10, encoding="utf-8")
    return path


def test_a_plan_import_killed_mid_write_leaves_all_or_nothing_and_can_be_rerun(big_plan: Path, tmp_path: Path) -> None:
    data = tmp_path / "var"
    db = data / "yigai.sqlite3"
    assert _run(["import", str(seed_paths()[0])], data).returncode == 0  # a database with another plan in it
    before = (_count(db, "SELECT count(*) FROM plans"), _count(db, "SELECT count(*) FROM measures"))

    assert _kill_while_writing(["import", str(big_plan)], data, db), "the import finished before it could be killed"
    plans, measures = _count(db, "SELECT count(*) FROM plans"), _count(db, "SELECT count(*) FROM measures")
    assert plans in (before[0], before[0] + 1)
    if plans == before[0]:
        assert measures == before[1]  # nothing of the killed import
    rerun = _run(["import", str(big_plan)], data)
    assert rerun.returncode == 0, rerun.stderr
    after = _count(db, "SELECT count(*) FROM measures")
    assert _count(db, "SELECT count(*) FROM plans") == before[0] + 1
    # all of it, once: the same as importing into a fresh database
    fresh = tmp_path / "fresh"
    assert _run(["import", str(seed_paths()[0])], fresh).returncode == 0
    assert _run(["import", str(big_plan)], fresh).returncode == 0
    assert after == _count(fresh / "yigai.sqlite3", "SELECT count(*) FROM measures")


def test_a_values_import_killed_mid_write_leaves_all_or_nothing_and_can_be_rerun(tmp_path: Path) -> None:
    data = tmp_path / "var"
    db = data / "yigai.sqlite3"
    assert _run(["orgunits", "load"], data).returncode == 0
    assert _run(["indicators", "load"], data).returncode == 0
    sheet = tmp_path / "values.csv"
    keys = ("FD_COVERAGE", "DRUG_SHARE")
    lines = [
        f"{key},350104,{year}{month:02d},{50 + (year + month) % 40}"
        for key in keys
        for year in range(1826, 2026)
        for month in range(1, 13)
    ]  # 200 years, all ended
    rows = ["key,org_unit,period,value", *lines]
    sheet.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert _kill_while_writing(["values", "import", str(sheet)], data, db), "finished before it could be killed"
    stored = _count(db, "SELECT count(*) FROM data_values")
    assert stored in (0, len(lines))
    rerun = _run(["values", "import", str(sheet)], data)
    assert rerun.returncode == 0, rerun.stderr
    assert _count(db, "SELECT count(*) FROM data_values") == len(lines) == 4800


def test_a_record_load_killed_mid_write_leaves_all_or_nothing_and_can_be_rerun(tmp_path: Path) -> None:
    import duckdb

    from yigai.analytics.catalogue import load_catalogue
    from yigai.analytics.engine import compute
    from yigai.records.schema import record_tables as schema_tables
    from yigai.synth.generate import generate

    synth = tmp_path / "synth"
    generate("small", 2023, 3, synth)
    data = tmp_path / "var"
    store = data / "records.duckdb"
    first = _run(["records", "load", str(synth / "towns.parquet")], data)
    assert first.returncode == 0, first.stderr
    size = store.stat().st_size

    proc = subprocess.Popen(
        [*YIGAI, "records", "load", str(synth), "--strict"],
        env=_env(data),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wal = Path(f"{store}.wal")
    killed = False
    while proc.poll() is None:
        if (wal.exists() and wal.stat().st_size > 0) or store.stat().st_size > size:
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
            killed = True
            break
        time.sleep(0.0002)
    assert killed, "the load finished before it could be killed"

    def counts() -> dict[str, int]:
        with duckdb.connect(str(store), read_only=True) as con:
            tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
            return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}  # type: ignore[index]

    after_kill = counts()
    fresh = tmp_path / "fresh"
    assert _run(["records", "load", str(synth), "--strict"], fresh).returncode == 0
    with duckdb.connect(str(fresh / "records.duckdb"), read_only=True) as con:
        complete = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
            for (t,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()
        }
    # the schema's tables; the catalogue's partials are stamped with the records, not all-or-nothing with them
    record_tables = list(schema_tables())
    nothing = {t: (complete[t] if t == "towns" else 0) for t in record_tables}
    assert {t: after_kill.get(t, 0) for t in record_tables} in (nothing, {t: complete[t] for t in record_tables})
    rerun = _run(["records", "load", str(synth), "--strict"], data)
    assert rerun.returncode == 0, rerun.stderr
    assert {t: v for t, v in counts().items() if t in record_tables} == {t: complete[t] for t in record_tables}
    with duckdb.connect(str(store), read_only=True) as con:  # the rerun left the partials up to date
        assert compute(con, load_catalogue().select("OUTPATIENT_VISITS"), ["2023"]).materialised == ["visits"]


def test_a_bulk_report_import_killed_mid_write_leaves_all_or_nothing_and_can_be_rerun(
    big_plan: Path, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    data = tmp_path / "var"
    db = data / "yigai.sqlite3"
    assert _run(["import", str(big_plan)], data).returncode == 0
    assert _run(["schedule", "1", "--type", "quarterly", "--from", "2021Q3", "--to", "2023Q4"], data).returncode == 0
    template = tmp_path / "t.xlsx"
    written = _run(["template", "write", "1", "--dept", "区卫健局", "--period", "2023Q4", "--out", str(template)], data)
    assert written.returncode == 0, written.stderr
    book = load_workbook(template)
    sheet = book.worksheets[0]
    rows = 0
    for r in range(1, sheet.max_row + 1):
        if str(sheet.cell(r, 2).value or "").startswith("T"):  # an item row: fill 进展状态, 完成百分比, 进展情况
            sheet.cell(r, 7).value, sheet.cell(r, 8).value, sheet.cell(r, 9).value = "推进中", 50, "按计划推进。"
            rows += 1
    filled = tmp_path / "filled.xlsx"
    book.save(filled)
    assert rows > 500
    command = ["template", "import", "1", str(filled), "--dept", "区卫健局", "--period", "2023Q4"]
    assert _kill_while_writing(command, data, db), "the import finished before it could be killed"
    assert _count(db, "SELECT count(*) FROM progress_reports") in (0, rows)
    rerun = _run(command, data)
    assert rerun.returncode == 0, rerun.stderr
    assert _count(db, "SELECT count(*) FROM progress_reports") in (rows, 2 * rows)  # once, or again as new versions
    assert _count(db, "SELECT count(DISTINCT item_id) FROM progress_reports") == rows

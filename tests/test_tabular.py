"""The one tabular reader, and every importer reading through it.

Each importer is fed a CSV as Excel saves it on a Chinese Windows (GB18030) and must read it
as it reads UTF-8; each is fed a zip bomb named .xlsx and must refuse it without unpacking.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from yigai.domain.errors import YigaiError
from yigai.payment.cases import load_cases
from yigai.payment.drg import read_cases
from yigai.payment.drg_weights import read_weight_file
from yigai.payment.settle_terms import SettleTermsError, load_terms
from yigai.payment.vbp import read_records
from yigai.records.loader import load_records
from yigai.records.store import open_store
from yigai.services import payment
from yigai.services.errors import InvalidInputError
from yigai.services.indicators import load_catalogue
from yigai.services.orgunits import load_orgunits, read_units
from yigai.services.users import acting_user
from yigai.services.values import import_values
from yigai.tabular import TableFileError, column_letter, csv_format, read_table

# --- the reader ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gb18030", b"")])
@pytest.mark.parametrize("delimiter", [",", "\t", ";", "|"])
def test_csv_in_any_office_encoding_and_delimiter_reads_the_same(
    tmp_path: Path, encoding: str, bom: bytes, delimiter: str
) -> None:
    path = tmp_path / "t.csv"
    text = (
        delimiter.join(["机构", "考核系数", "备注"])
        + "\n"
        + delimiter.join(["区人民医院", "0.97", "良好，达标"])
        + "\n"
    )
    path.write_bytes(bom + text.encode(encoding))
    t = read_table(path)
    assert csv_format(path).delimiter == delimiter
    assert t.header == ("机构", "考核系数", "备注")
    assert [(r.number, r.cells) for r in t.rows] == [(2, ("区人民医院", "0.97", "良好，达标"))]


def test_blank_rows_are_left_out_but_rows_keep_their_numbers(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n,\n\n3\n", encoding="utf-8")
    t = read_table(path)
    assert [(r.number, r.cells) for r in t.rows] == [(2, ("1", "2")), (5, ("3", None))]
    assert t.where(5, 1) == "t.csv 第5行 row 5 B列 column B" and column_letter(27) == "AB"


def test_xlsx_sheet_is_chosen_by_name_and_a_missing_one_is_named(tmp_path: Path) -> None:
    wb = Workbook()
    first = wb.active
    assert first is not None
    first.append(["说明"])
    data = wb.create_sheet("集采")
    data.append(["机构", "日期"])
    data.append([None, None])
    data.append(["区人民医院", dt.datetime(2024, 3, 1)])
    wb.save(tmp_path / "t.xlsx")
    t = read_table(tmp_path / "t.xlsx", sheet="集采")
    assert (t.source, t.header, [(r.number, r.cells) for r in t.rows]) == (
        "t.xlsx[集采]",
        ("机构", "日期"),
        [(3, ("区人民医院", dt.datetime(2024, 3, 1)))],
    )
    assert read_table(tmp_path / "t.xlsx").header == ("说明",)
    with pytest.raises(TableFileError, match="no sheet '价格'") as err:
        read_table(tmp_path / "t.xlsx", sheet="价格")
    assert "集采" in err.value.message_zh


def test_parquet_reads_with_native_values(tmp_path: Path) -> None:
    pq.write_table(pa.table({"case_id": ["c1", None], "cost": [1.5, None]}), tmp_path / "t.parquet")
    assert [(r.number, r.cells) for r in read_table(tmp_path / "t.parquet").rows] == [(2, ("c1", 1.5))]


def test_what_is_not_a_table_is_refused_with_its_file(tmp_path: Path) -> None:
    (tmp_path / "t.doc").write_bytes(b"x")
    (tmp_path / "t.xlsx").write_bytes(b"not a zip")
    (tmp_path / "t.parquet").write_bytes(b"PAR1 nonsense")
    (tmp_path / "t.csv").write_bytes(b"a,b\n\xff\xfe\x00\x81\n")  # neither UTF-8 nor GB18030
    for name in ("t.doc", "t.xlsx", "t.parquet", "t.csv", "missing.csv"):
        with pytest.raises(TableFileError) as err:
            read_table(tmp_path / name)
        assert err.value.where.endswith(name) and err.value.message_zh


# --- every importer ------------------------------------------------------------------------------------------


def _bomb(path: Path) -> Path:
    """A valid-looking workbook under 1 MiB that unpacks to 600 MiB."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as entry:
            for _ in range(600):
                entry.write(bytes(1024 * 1024))
    return path


def _records(path: Path, _ctx: Callable[[], Any]) -> object:
    result = load_records(open_store(path.parent / "records.duckdb"), [path])
    return result.loaded, [(p.row, p.kind.value, p.message_zh) for f in result.files for p in f.listed]


def _values(path: Path, ctx: Callable[[], Any]) -> object:
    app = ctx()
    admin = acting_user(app.uow())
    load_orgunits(app.uow(), admin)
    load_catalogue(app.uow(), admin)
    return [(s.value.key, s.value.period_id, s.value.value) for s in import_values(app.uow(), admin, path)]


_CASES = (
    "病案号,医疗机构,机构等级,险种,入院日期,出院日期,住院天数,主要诊断,总费用,统筹支付,个人支付\n"
    "c1,区人民医院,三级,职工,2024-01-01,2024-01-05,4,K80.100,16000,12800,3200\n"
)


@dataclass(frozen=True)
class Importer:
    name: str
    file: str  # the file name (the record loader takes the table from it)
    text: str
    run: Callable[[Path, Callable[[], Any]], object]
    expected: object
    refusal: type[YigaiError] = TableFileError  # what a refused file raises (the record loader lists it instead)


IMPORTERS = [
    Importer(
        "records",
        "towns",
        "town_code,town_name,district_code,district_name\nT1,东街街道,D1,仓山区\n",
        _records,
        (1, []),
    ),
    Importer(
        "values",
        "values",
        "指标,机构,报告期,数值\nFD_COVERAGE,350104,2023年第3季度,70\n",
        _values,
        [("FD_COVERAGE", "2023Q3", 70.0)],
        InvalidInputError,
    ),
    Importer(
        "orgunits",
        "units",
        "编码,名称,层级,上级编码\n35,福建省,省,\n3501,福州市,市,35\n",
        lambda p, _c: [(u.code, u.name) for u in read_units(p)],
        [("35", "福建省"), ("3501", "福州市")],
        InvalidInputError,
    ),
    Importer(
        "dip cases (reference)",
        "cases",
        _CASES,
        lambda p, _c: [(c.case_id, c.hospital, c.main_dx) for c in load_cases(p).cases],
        [("c1", "区人民医院", "K80.100")],
    ),
    Importer(
        "dip/drg settle cases (columnar)",
        "cases",
        _CASES,
        lambda p, _c: payment.load([p]).cases.table.column("hospital").to_pylist(),
        ["区人民医院"],
    ),
    Importer(
        "settlement terms",
        "terms",
        "机构,考核系数\n区人民医院,0.97\n",
        lambda p, _c: load_terms(p).assessment(),
        {"区人民医院": 0.97},
        SettleTermsError,
    ),
    Importer(
        "集采",
        "vbp",
        "医疗机构,年度,通用名,基期用量,基期价格,报销比例,实际医保支出\n区人民医院,2024,阿托伐他汀,100,2,0.7,100\n",
        lambda p, _c: [(r.hospital, r.generic) for r in read_records(p)[0]],
        [("区人民医院", "阿托伐他汀")],
    ),
    Importer(
        "drg group",
        "drg",
        "病案号,主要诊断,总费用,医疗机构\nc1,K80.100,5000,区人民医院\n",
        lambda p, _c: [(c.case_id, c.hospital) for c in read_cases(p)[0]],
        [("c1", "区人民医院")],
    ),
    Importer(
        "drg weights",
        "weights",
        "DRG编码,DRG名称,权重\nHC35,胆囊切除术，不伴并发症,1.02\n",
        lambda p, _c: read_weight_file(p).names,
        {"HC35": "胆囊切除术，不伴并发症"},
    ),
]


@pytest.mark.parametrize("importer", IMPORTERS, ids=[i.name for i in IMPORTERS])
def test_every_importer_reads_a_gb18030_csv(importer: Importer, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    path = tmp_path / f"{importer.file}.csv"
    path.write_bytes(importer.text.encode("gb18030"))
    assert importer.run(path, lambda: request.getfixturevalue("app")) == importer.expected


@pytest.mark.parametrize("importer", IMPORTERS, ids=[i.name for i in IMPORTERS])
def test_every_importer_refuses_a_zip_bomb(importer: Importer, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    bomb = _bomb(tmp_path / f"{importer.file}.xlsx")
    assert bomb.stat().st_size < 2 * 1024 * 1024
    if importer.name == "records":  # a file that cannot be read is listed, and the other files load
        loaded, listed = importer.run(bomb, lambda: None)  # type: ignore[misc]
        assert loaded == 0 and [(row, kind) for row, kind, _ in listed] == [(1, "unreadable")]
        assert "压缩包解压后过大" in listed[0][2]
        return
    with pytest.raises(importer.refusal) as err:
        importer.run(bomb, lambda: request.getfixturevalue("app"))
    assert "压缩包解压后过大" in err.value.message_zh + "".join(getattr(err.value, "lines", lambda: [])())


def test_a_list_in_a_cell_does_not_change_the_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(
        '病案号,其他诊断,备注\nc1,I10.x00;E11.900;N17.900,"a,b"\nc2,I10.x00;E11.900;K80.100,"c,d,e"\n', encoding="utf-8"
    )
    assert csv_format(path).delimiter == ","
    assert read_table(path).rows[0].cells == ("c1", "I10.x00;E11.900;N17.900", "a,b")

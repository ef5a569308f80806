"""The one reader of tabular uploads: CSV, XLSX and Parquet, as a header and numbered rows.

Every importer (records, indicator values, org units, DIP/DRG cases, settlement terms, 集采,
DRG weight lists) reads its file here, so each accepts the same files and refuses the same
dangerous ones:

- CSV in UTF-8, UTF-8 with BOM or GB18030 (Excel's 另存为 CSV on a Chinese Windows), detected;
  the delimiter (comma, tab, semicolon or bar) sniffed.
- XLSX (.xlsx/.xlsm) checked by :func:`xlsx_problem` before openpyxl unpacks it (a small file
  can unpack to gigabytes; the guard is :mod:`yigai.zipguard`, shared with the DOCX reader), the sheet chosen by name or the first one.
- Parquet through pyarrow.

Rows keep their position in the file (the header is row 1, as Excel numbers it) so that an
importer's error names the file, sheet, row and column. Fully blank rows are left out.
Large record files do not come through Python rows: :func:`csv_format` and :func:`utf8_csv`
let DuckDB or Arrow scan them, with the same detection.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yigai.domain.errors import DocumentError
from yigai.zipguard import MAX_UNCOMPRESSED_BYTES, ZipLimits, zip_bomb, zip_entries

CSV_SUFFIXES = (".csv", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet",)
DELIMITERS = ",\t;|"

# An upload of a sheet; callers with bigger inputs (record exports) pass their own limits.
# The archive limits (entries, unpacked size, ratio) are those of the one zip-bomb guard, yigai.zipguard.
MAX_FILE_BYTES = 50 * 1024 * 1024
_CHUNK = 1 << 20
_SAMPLE = 64 * 1024


class TableFileError(DocumentError):
    """A tabular file cannot be read at all; ``where`` names the file (and sheet, row, column)."""

    message_zh = "无法读取表格文件"


@dataclass(frozen=True, slots=True)
class Limits:
    """How large an upload, and the workbook it unpacks to, may be."""

    max_file_bytes: int = MAX_FILE_BYTES
    max_uncompressed_bytes: int = MAX_UNCOMPRESSED_BYTES


@dataclass(frozen=True, slots=True)
class CsvFormat:
    encoding: str  # "utf-8-sig" (UTF-8 with or without BOM) or "gb18030"
    delimiter: str


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its number in the file (header = 1) and its cells, as long as the header."""

    number: int
    cells: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A sheet: the header's names as written and the non-blank rows below it."""

    source: str  # the file name, with the sheet for a workbook: 价格.xlsx[集采]
    header: tuple[str, ...]
    rows: tuple[Row, ...]

    def records(self) -> list[dict[str, Any]]:
        """Each row as header name → cell (a repeated name keeps its first column)."""
        out = []
        for row in self.rows:
            rec: dict[str, Any] = {}
            for name, cell in zip(self.header, row.cells, strict=True):
                rec.setdefault(name, cell)
            out.append(rec)
        return out

    def where(self, row: int, column: int | str | None = None) -> str:
        """``file[sheet] 第3行 C列`` style position for messages: row number, and column letter or name."""
        col = ""
        if isinstance(column, int):
            col = f" {column_letter(column)}列 column {column_letter(column)}"
        elif column:
            col = f" {column}"
        return f"{self.source} 第{row}行 row {row}{col}"


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column as a spreadsheet shows it."""
    letters = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def cell_text(value: object) -> str:
    """A cell as stripped text: blank for None, 3.0 → "3", a midnight datetime → its date."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# --- guards and detection ----------------------------------------------------------------------------


def xlsx_problem(path: Path, limits: Limits = Limits()) -> tuple[str, str] | None:
    """None for a plausible workbook; otherwise (Chinese, English) saying what is wrong (zip bomb included)."""
    not_xlsx = ("文件不是 Excel（.xlsx）文件", "the file is not an Excel (.xlsx) workbook")
    try:
        size = path.stat().st_size
    except OSError as exc:
        return "无法读取文件", f"cannot read the file: {exc.strerror or exc}"
    if size > limits.max_file_bytes:
        return (
            f"文件过大（{size} 字节，上限 {limits.max_file_bytes} 字节）",
            f"the file is too large ({size} bytes, limit {limits.max_file_bytes})",
        )
    infos = zip_entries(path)
    if infos is None:
        return not_xlsx
    bomb = zip_bomb(infos, ZipLimits(max_uncompressed_bytes=limits.max_uncompressed_bytes))
    if bomb is not None:
        return (
            f"压缩包解压后过大或压缩比异常（{bomb.entries} 个文件，共 {bomb.total} 字节），拒绝读取",
            f"refused: the archive unpacks to an absurd size or ratio ({bomb.entries} entries, {bomb.total} bytes)",
        )
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        return not_xlsx
    return None


def check_xlsx(path: Path, limits: Limits = Limits()) -> None:
    """Raise :class:`TableFileError` unless :func:`xlsx_problem` finds the workbook plausible."""
    problem = xlsx_problem(path, limits)
    if problem is not None:
        raise TableFileError(f"{path.name}: {problem[1]}", message_zh=f"{path.name}：{problem[0]}", where=str(path))


def csv_encoding(path: Path) -> str:
    """``utf-8-sig`` when the whole file is UTF-8 (with or without BOM), else ``gb18030``."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030"
    except OSError as exc:
        raise _unreadable(path, exc) from None
    return "utf-8-sig"


def sniff_delimiter(sample: str) -> str:
    """The delimiter of a CSV sample: one of comma, tab, semicolon and bar that the header row holds.

    The header decides (a cell such as 其他诊断 ``I10.x00;E11.900`` must not turn a comma file into a
    semicolon one); csv.Sniffer chooses only between delimiters the header holds alike.
    """
    first = sample.split("\n", 1)[0]
    present = [d for d in DELIMITERS if d in first]
    if len(present) <= 1:
        return present[0] if present else ","
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(present)).delimiter
    except csv.Error:
        return max(present, key=first.count)


def csv_format(path: Path) -> CsvFormat:
    """The encoding and delimiter of a CSV file; a file in neither UTF-8 nor GB18030 is refused."""
    encoding = csv_encoding(path)
    try:
        with path.open(encoding=encoding, newline="") as fh:
            sample = fh.read(_SAMPLE)
    except UnicodeDecodeError as exc:
        raise TableFileError(
            f"{path.name}: neither UTF-8 nor GB18030 text ({exc.reason} at byte {exc.start})",
            message_zh=f"{path.name}：既不是 UTF-8 也不是 GB18030 编码",
            where=str(path),
        ) from None
    except OSError as exc:
        raise _unreadable(path, exc) from None
    return CsvFormat(encoding, sniff_delimiter(sample))


def utf8_csv(path: Path, folder: Path) -> tuple[Path, CsvFormat]:
    """The file itself when it is UTF-8, else a UTF-8 copy in ``folder``: for engines that scan UTF-8 only."""
    fmt = csv_format(path)
    if fmt.encoding != "gb18030":
        return path, fmt
    out = folder / (path.stem + ".utf8.csv")
    decoder = codecs.getincrementaldecoder("gb18030")()
    try:
        with path.open("rb") as src, out.open("w", encoding="utf-8", newline="") as dst:
            while chunk := src.read(_CHUNK):
                dst.write(decoder.decode(chunk))
            dst.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError as exc:
        raise TableFileError(
            f"{path.name}: neither UTF-8 nor GB18030 text ({exc.reason} at byte {exc.start})",
            message_zh=f"{path.name}：既不是 UTF-8 也不是 GB18030 编码",
            where=str(path),
        ) from None
    return out, CsvFormat("utf-8", fmt.delimiter)


def csv_header(path: Path, fmt: CsvFormat) -> tuple[str, ...]:
    """The names in a CSV file's first record (for scans that read the rows themselves); empty file refused."""
    try:
        with path.open(encoding=fmt.encoding, newline="") as fh:
            first = next(csv.reader(fh, delimiter=fmt.delimiter), None)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise TableFileError(
            f"{path.name}: not a readable CSV file ({exc})",
            message_zh=f"{path.name}：无法读取的 CSV 文件",
            where=str(path),
        ) from None
    if not first or not any(c.strip() for c in first):
        raise TableFileError(
            f"{path.name}: empty file, no header row", message_zh=f"{path.name}：文件为空，没有表头行", where=str(path)
        )
    return header_names(first)


def header_names(cells: Sequence[object]) -> tuple[str, ...]:
    """Header cells as names, stripped (a blank one stays blank: each importer says what that means)."""
    return tuple(cell_text(h) for h in cells)


# --- reading -----------------------------------------------------------------------------------------------


def read_table(
    path: Path,
    *,
    sheet: str | None = None,
    limits: Limits = Limits(),
    suffixes: Sequence[str] = (*CSV_SUFFIXES, *XLSX_SUFFIXES, *PARQUET_SUFFIXES),
) -> Table:
    """Read a CSV, XLSX (the named sheet, else the first) or Parquet file; see the module docstring."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in suffixes:
        kinds = " ".join(sorted(set(suffixes)))
        raise TableFileError(
            f"{path.name}: unsupported file type {suffix or '(none)'}; use {kinds}",
            message_zh=f"{path.name}：不支持的文件类型 {suffix or '（无扩展名）'}，请用 {kinds}",
            where=str(path),
        )
    if not path.is_file():
        raise TableFileError(f"no such file: {path}", message_zh=f"文件不存在：{path}", where=str(path))
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path, sheet, limits)
    if suffix in PARQUET_SUFFIXES:
        return _read_parquet(path)
    return _read_csv(path, limits)


def _table(source: str, lines: Iterator[Sequence[object]], first: int = 1) -> Table:
    header_cells = next(lines, None)
    if header_cells is None:
        return Table(source, (), ())
    header = header_names(header_cells)
    width = len(header)
    rows = []
    for number, line in enumerate(lines, start=first + 1):
        cells = tuple(line[:width]) + (None,) * (width - len(line))
        if any(cell_text(c) for c in line):
            rows.append(Row(number, cells))
    return Table(source, header, tuple(rows))


def _read_csv(path: Path, limits: Limits) -> Table:
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise TableFileError(
            f"{path.name}: the file is too large ({size} bytes, limit {limits.max_file_bytes})",
            message_zh=f"{path.name}：文件过大（{size} 字节）",
            where=str(path),
        )
    fmt = csv_format(path)
    try:
        with path.open(encoding=fmt.encoding, newline="") as fh:
            return _table(path.name, iter(list(csv.reader(fh, delimiter=fmt.delimiter))))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise TableFileError(
            f"{path.name}: not a readable CSV file ({exc})",
            message_zh=f"{path.name}：无法读取的 CSV 文件",
            where=str(path),
        ) from None


def _read_xlsx(path: Path, sheet: str | None, limits: Limits) -> Table:
    check_xlsx(path, limits)
    from openpyxl import load_workbook  # only workbook uploads pay for the import

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types on a damaged package
        raise TableFileError(
            f"{path.name}: the workbook is damaged and cannot be opened ({type(exc).__name__})",
            message_zh=f"{path.name}：Excel 文件已损坏，无法打开",
            where=str(path),
        ) from None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise TableFileError(
                f"{path.name}: no sheet {sheet!r} (sheets: {', '.join(wb.sheetnames)})",
                message_zh=f"{path.name}：没有工作表「{sheet}」（现有：{'、'.join(wb.sheetnames)}）",
                where=f"{path}[{sheet}]",
            )
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        try:
            return _table(f"{path.name}[{ws.title}]", (list(r) for r in ws.iter_rows(values_only=True)))
        except Exception as exc:  # a damaged sheet part fails while its rows are read
            raise TableFileError(
                f"{path.name}: sheet {ws.title} cannot be read ({type(exc).__name__})",
                message_zh=f"{path.name}：工作表「{ws.title}」已损坏",
                where=str(path),
            ) from None
    finally:
        wb.close()


def _read_parquet(path: Path) -> Table:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        with pq.ParquetFile(path) as fh:  # the plain reader: pq.read_table would import the dataset layer
            data = fh.read()
    except (pa.ArrowException, OSError) as exc:
        raise TableFileError(
            f"{path.name}: not a readable Parquet file ({exc})",
            message_zh=f"{path.name}：无法读取的 Parquet 文件",
            where=str(path),
        ) from None
    columns = [data.column(i).to_pylist() for i in range(data.num_columns)]
    lines = iter([list(data.column_names), *([c[i] for c in columns] for i in range(data.num_rows))])
    return _table(path.name, lines)


def _unreadable(path: Path, exc: OSError) -> TableFileError:
    return TableFileError(
        f"cannot read {path.name}: {exc.strerror or exc}", message_zh=f"无法读取文件 {path.name}", where=str(path)
    )


__all__ = [
    "CsvFormat",
    "Limits",
    "Row",
    "Table",
    "TableFileError",
    "cell_text",
    "check_xlsx",
    "column_letter",
    "csv_encoding",
    "csv_format",
    "csv_header",
    "header_names",
    "read_table",
    "sniff_delimiter",
    "utf8_csv",
    "xlsx_problem",
]

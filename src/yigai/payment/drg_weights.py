"""Regional DRG weight lists (区域DRG病组权重表): the RW each region publishes per DRG.

The shipped lists (``yigai/data/drg_weights``, converted from the reference data by
``scripts/convert_drg_weights.py``; provenance and licence in ``NOTICE.md`` there) are named by
region and year (``福州2022``). A user's own list is a CSV or XLSX file with a DRG code column
(DRG编码, DRG, DRG组编码, 分组编码 or drg), an optional name column and a weight column (RW, 权重,
初始权重 or rw); the same reader reads both. Nothing is dropped silently: a row without a usable
weight (blank, 0, not a number) and a code listed twice with different weights are kept apart and
named, and a case of such a DRG is not settled, with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from yigai.data import data_path

SHIPPED_DIR = "drg_weights"
CODE_HEADERS = ("drg", "DRG编码", "DRG", "DRG组编码", "分组编码")
NAME_HEADERS = ("name", "DRG名称", "DRG组名称", "分组名称")
RW_HEADERS = ("rw", "RW", "权重", "初始权重")


class WeightListError(ValueError):
    """A weight list that cannot be used at all: no such shipped list, no code or weight column, no row."""


@dataclass(frozen=True)
class WeightList:
    name: str  # 福州2022, or the file's name
    weights: Mapping[str, float]  # DRG code → RW, for the codes with one usable weight
    names: Mapping[str, str]  # DRG code → name, as listed
    without_rw: tuple[str, ...]  # codes listed with no usable weight (blank, 0, not a number)
    conflicts: tuple[str, ...]  # codes listed twice with different weights
    source: str  # where it came from (the shipped list's provenance, or the path)

    def why_not(self, drg: str) -> str:
        """The reason a case of ``drg`` cannot be settled with this list."""
        if drg in self.conflicts:
            return f"DRG {drg} 在权重表 {self.name} 中重复且权重不同 / listed twice with different weights"
        if drg in self.without_rw:
            return f"DRG {drg} 在权重表 {self.name} 中没有权重 / has no weight in {self.name}"
        return f"DRG {drg} 不在权重表 {self.name} 中 / not in the weight list {self.name}"


def shipped_dir() -> Path:
    return data_path(SHIPPED_DIR)


def shipped_lists() -> list[str]:
    """Names of the shipped regional lists (region and year, e.g. 福州2022)."""
    return sorted(p.stem for p in shipped_dir().glob("*.csv"))


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    return next((header.index(n) for n in names if n in header), None)


def _weight(cell: str) -> float | None:
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) and value > 0 else None


def read_weight_file(path: Path, name: str | None = None, source: str | None = None) -> WeightList:
    """Read a weight list (CSV in UTF-8 or GB18030, or XLSX, header row first)."""
    from yigai.tabular import cell_text, read_table

    sheet = read_table(path)
    table = [list(sheet.header), *([cell_text(c) for c in row.cells] for row in sheet.rows)] if sheet.header else []
    if not table:
        raise WeightListError(f"{path.name}: empty weight list / 权重表为空")
    header = table[0]
    code, label, rw = (_column(header, CODE_HEADERS), _column(header, NAME_HEADERS), _column(header, RW_HEADERS))
    if code is None or rw is None:
        raise WeightListError(
            f"{path.name}: needs a DRG code column ({'/'.join(CODE_HEADERS)}) and a weight column "
            f"({'/'.join(RW_HEADERS)}); found {', '.join(header)} / 权重表缺少 DRG编码 或 RW 列"
        )
    weights: dict[str, float] = {}
    names: dict[str, str] = {}
    without: list[str] = []
    conflicts: list[str] = []
    for row in table[1:]:
        cell = lambda i, row=row: row[i] if i is not None and i < len(row) else ""  # noqa: E731
        drg = cell(code).upper()
        if not drg:
            continue
        names.setdefault(drg, cell(label))
        w = _weight(cell(rw))
        if w is None:
            without.append(drg)
        elif drg in weights and weights[drg] != w:
            conflicts.append(drg)
        else:
            weights[drg] = w
    for drg in conflicts:
        weights.pop(drg, None)
    without = [d for d in without if d not in weights]
    if not weights:
        raise WeightListError(f"{path.name}: no DRG with a usable weight / 权重表中没有可用的权重")
    return WeightList(
        name or path.stem,
        weights,
        names,
        tuple(dict.fromkeys(without)),
        tuple(dict.fromkeys(conflicts)),
        source or str(path),
    )


def load_weight_list(ref: str | Path) -> WeightList:
    """A shipped list by name (``福州2022``) or a file."""
    path = Path(ref)
    if path.suffix.lower() in (".csv", ".xlsx", ".xlsm") and path.is_file():
        return read_weight_file(path)
    shipped = shipped_dir() / f"{ref}.csv"
    if not shipped.is_file():
        raise WeightListError(
            f"{ref}: neither a weight file nor a shipped list (shipped: {', '.join(shipped_lists())})"
            f" / 不是权重表文件，也不是内置的区域权重表"
        )
    return read_weight_file(shipped, str(ref), f"{ref} (yigai/data/drg_weights, see NOTICE.md: OpenDRG, Apache-2.0)")


__all__ = [
    "WeightList",
    "WeightListError",
    "shipped_lists",
    "read_weight_file",
    "load_weight_list",
    "CODE_HEADERS",
    "NAME_HEADERS",
    "RW_HEADERS",
]

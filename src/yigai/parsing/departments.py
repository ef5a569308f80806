"""Department names: splitting printed lists and normalising through the alias table."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from yigai.data import data_path
from yigai.domain.plan import DepartmentKind

_SEPARATORS = "、，,;；/"
_AND_OTHERS = ("等部门", "等单位", "等")
_STRIP = " \t\n。.:：—-"
_NONE_MARKS = {"", "—", "——", "---", "--", "-", "无", "/"}


def _key(name: str) -> str:
    """Lookup key: no whitespace, ASCII brackets."""
    return re.sub(r"\s+", "", name).replace("（", "(").replace("）", ")")


@dataclass(frozen=True, slots=True)
class Resolution:
    name: str
    kind: DepartmentKind
    known: bool
    truncated: bool = False


class DepartmentDirectory:
    """Alias → canonical department, generic plus per-region spellings."""

    def __init__(self, table: dict[str, Any]) -> None:
        self._aliases: dict[str, tuple[str, DepartmentKind]] = {}
        self._regions: dict[str, dict[str, str]] = {}
        for entry in table.get("departments", []):
            kind = DepartmentKind(entry.get("kind", "department"))
            self._add(entry["name"], entry["name"], kind)
            for alias in entry.get("aliases", []):
                self._add(alias, entry["name"], kind)
        for entry in table.get("groups", []):
            self._add(entry["name"], entry["name"], DepartmentKind.GROUP)
            for alias in entry.get("aliases", []):
                self._add(alias, entry["name"], DepartmentKind.GROUP)
        for region, spec in (table.get("regions") or {}).items():
            self._regions[region] = {_key(a): c for a, c in (spec.get("aliases") or {}).items()}

    def _add(self, alias: str, canonical: str, kind: DepartmentKind) -> None:
        self._aliases[_key(alias)] = (canonical, kind)

    def with_aliases(self, records: "list[tuple[str, str, str, str]]") -> "DepartmentDirectory":
        """A copy that also knows an office's own spellings: (region, alias, canonical, kind) rows.

        A regional row applies only to documents of that region; the office's rows win
        over the shipped table, because the office taught them.
        """
        copy = DepartmentDirectory({})
        copy._aliases = dict(self._aliases)
        copy._regions = {r: dict(a) for r, a in self._regions.items()}
        for region, alias, canonical, kind in records:
            dkind = DepartmentKind(kind) if kind in {k.value for k in DepartmentKind} else DepartmentKind.DEPARTMENT
            if region:
                copy._regions.setdefault(region, {})[_key(alias)] = canonical
                copy._aliases.setdefault(_key(canonical), (canonical, dkind))
            else:
                copy._aliases[_key(alias)] = (canonical, dkind)
                copy._aliases.setdefault(_key(canonical), (canonical, dkind))
        return copy

    def _lookup(self, key: str, region: str) -> tuple[str, DepartmentKind] | None:
        regional = self._regions.get(region, {})
        if key in regional:
            target = regional[key]
            return self._aliases.get(_key(target), (target, DepartmentKind.DEPARTMENT))
        if key in self._aliases:
            return self._aliases[key]
        if key[:1] in "县市" and "区" + key[1:] in self._aliases:
            return self._aliases["区" + key[1:]]
        return None

    def _prefix_lookup(self, key: str, region: str) -> tuple[str, DepartmentKind] | None:
        """A name cut off at a page or cell edge: accept a unique completion."""
        if len(key) < 2:
            return None
        keys = list(self._aliases) + list(self._regions.get(region, {}))
        found = {self._lookup(k, region) for k in keys if k.startswith(key) and k != key}
        found.discard(None)
        return found.pop() if len(found) == 1 else None

    def resolve(self, raw: str, region: str = "") -> Resolution:
        key = _key(raw)
        hit = self._lookup(key, region)
        if hit:
            name = hit[0]
            if key[:1] in "县市" and name.startswith("区") and not key.startswith("市场"):
                name = key[0] + name[1:]  # a county's 县卫健局 is the 县 health bureau, not a 区 one
            return Resolution(name, hit[1], True)
        hit = self._prefix_lookup(key, region)
        if hit:
            return Resolution(hit[0], hit[1], True, truncated=True)
        kind = DepartmentKind.GROUP if key.startswith("各") or key.endswith("成员单位") else DepartmentKind.DEPARTMENT
        return Resolution(key, kind, False)

    def is_known(self, raw: str, region: str = "") -> bool:
        return self._lookup(_key(raw), region) is not None

    def names(self) -> list[str]:
        return sorted({c for c, _ in self._aliases.values()})


@lru_cache(maxsize=1)
def default_directory() -> DepartmentDirectory:
    with data_path("departments.yaml").open(encoding="utf-8") as fh:
        return DepartmentDirectory(yaml.safe_load(fh))


@dataclass(frozen=True, slots=True)
class NamePiece:
    raw: str
    start: int  # offsets relative to the text given to split_names
    end: int


def _tokens(text: str) -> list[NamePiece]:
    """Split on separators and whitespace, never inside brackets."""
    pieces: list[NamePiece] = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch in "(（〔[":
            depth += 1
        elif ch in ")）〕]":
            depth = max(depth - 1, 0)
        if depth == 0 and (ch in _SEPARATORS or ch.isspace()):
            if i > start:
                pieces.append(NamePiece(text[start:i], start, i))
            start = i + 1
    if start < len(text):
        pieces.append(NamePiece(text[start:], start, len(text)))
    return pieces


def split_names(text: str, directory: DepartmentDirectory, region: str = "") -> tuple[list[NamePiece], bool]:
    """Printed department list → pieces (merging fragments a line or cell break split), and 等."""
    and_others = False
    tokens: list[NamePiece] = []
    for tok in _tokens(text):
        raw = tok.raw.strip(_STRIP)
        if not raw:
            continue
        lead = tok.raw.find(raw)
        start = tok.start + lead
        for suffix in _AND_OTHERS:
            if raw.endswith(suffix) and len(raw) > len(suffix):
                raw = raw[: -len(suffix)]
                and_others = True
                break
        if raw in _NONE_MARKS:
            continue
        tokens.append(NamePiece(raw, start, start + len(raw)))
    merged: list[NamePiece] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if i + 1 < len(tokens):
            nxt = tokens[i + 1]
            joined = tok.raw + nxt.raw
            alone_ok = directory.is_known(tok.raw, region)
            if directory.is_known(joined, region) or (
                not alone_ok and (len(tok.raw) <= 1 or directory.resolve(joined, region).known)
                and not directory.is_known(nxt.raw, region)
            ):
                merged.append(NamePiece(joined, tok.start, nxt.end))
                i += 2
                continue
        merged.append(tok)
        i += 1
    return merged, and_others

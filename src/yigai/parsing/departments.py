"""Department names: splitting printed lists and normalising through the alias table."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from yigai.data import data_path
from yigai.domain.departments import department_key as _key
from yigai.domain.plan import DepartmentKind

_SEPARATORS = "、，,;；/"
_AND_OTHERS = ("等部门", "等单位", "等")
_STRIP = " \t\n。.:：—-"
_NOTE_RE = re.compile(r"以下|不再|均需|均由|另行|详见")
_NONE_MARKS = {"", "—", "——", "---", "--", "-", "无", "/"}


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
        self._place = ""  # the document's place, see for_place
        self._text = ""  # the document's text, see for_place
        self._memo: dict[tuple[str, str, str, bool], Resolution] = {}
        self._prefix_keys: list[str] | None = None
        self._prefixes: list[tuple[str, str]] | None = None
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

    def for_place(self, place: str, text: str = "") -> DepartmentDirectory:
        """A view for one document's place (某省青山市): 青山市卫健委 there is its 市卫生健康委;
        another place's bureau (沙县卫健局 in a city's plan) stays as printed. With the
        document's ``text``, a name cut off at a cell edge (青山医) is completed by the one
        name the document prints in full that starts with it (青山医保局)."""
        view = DepartmentDirectory({})
        view._aliases, view._regions, view._place, view._text = self._aliases, self._regions, place, text
        view._prefix_keys = self._prefix_keys
        return view

    def _complete_from_text(self, key: str, region: str, level: str) -> Resolution | None:
        if not self._text or len(key) < 2:
            return None
        found: set[tuple[str, DepartmentKind]] = set()
        for m in re.finditer(re.escape(key) + r"[\u4e00-\u9fff]{1,5}", self._text):
            whole = m.group(0)
            for end in range(len(key) + 1, len(whole) + 1):
                res = self.resolve_known(whole[:end], region, level)
                if res is not None:
                    found.add(res)
                    break
        if len(found) == 1:
            name, kind = found.pop()
            return Resolution(name, kind, True, truncated=True)
        return None

    def resolve_known(self, raw: str, region: str = "", level: str = "") -> tuple[str, DepartmentKind] | None:
        """(canonical, kind) for a known spelling, the document's place allowed; None otherwise."""
        res = self._exact(_key(raw), region, level)
        return (res.name, res.kind) if res is not None else None

    def _place_prefixes(self) -> list[tuple[str, str]]:
        """The document's place names as a department may start with them, longest first:
        青山市东湖区 gives 东湖区 and 东湖 (level 区), 青山市 and 青山 (level 市)."""
        if self._prefixes is None:
            self._prefixes = self._place_parts()
        return self._prefixes

    def _place_parts(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for m in _PLACE_PART_RE.finditer(self._place):
            name, lvl = m.group(0), m.group("level")
            out.append((name, lvl[-1]))
            if len(name) - len(lvl) >= 2:
                out.append((name[: -len(lvl)], lvl[-1]))
        return sorted(out, key=lambda p: len(p[0]), reverse=True)

    def with_aliases(self, records: list[tuple[str, str, str, str]]) -> DepartmentDirectory:
        """A copy that also knows an office's own spellings: (region, alias, canonical, kind) rows.

        A regional row applies only to documents of that region; the office's rows win
        over the shipped table, because the office taught them.
        """
        copy = DepartmentDirectory({})
        copy._aliases = dict(self._aliases)
        copy._prefix_keys = None
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
        if self._prefix_keys is None:
            self._prefix_keys = sorted(self._aliases)
        at = bisect.bisect_left(self._prefix_keys, key)
        keys = []
        while at < len(self._prefix_keys) and self._prefix_keys[at].startswith(key):
            keys.append(self._prefix_keys[at])
            at += 1
        keys += [k for k in self._regions.get(region, {}) if k.startswith(key)]
        found = {self._lookup(k, region) for k in keys if k != key}
        found.discard(None)
        return found.pop() if len(found) == 1 else None

    def resolve(self, raw: str, region: str = "", level: str = "") -> Resolution:
        """The canonical department for a printed name.

        ``level`` is the document's own level (省, 市, 区 or 县): a bare name such as 财政局
        takes it (市财政局 in a city's plan), a name with its level written keeps that level
        (县卫健局 is the 县 health bureau), and a place name before the level
        of the document's own (青山市卫健委 in a 青山市 plan, see for_place) is read as that level.
        """
        memo = (raw, region, level, bool(self._text))
        if memo in self._memo:
            return self._memo[memo]
        res = self._resolve(_key(raw), region, level)
        if len(self._memo) > 20_000:  # the shared table in a long-lived server: keep it bounded
            self._memo.clear()
        self._memo[memo] = res
        return res

    def _exact(self, key: str, region: str, level: str) -> Resolution | None:
        """A known spelling, with the document's place before it allowed."""
        hit = self._lookup(key, region)
        written = key[:1] if key[:1] in _LEVELS and not key.startswith(_NOT_LEVEL) else ""
        if not hit and self._place:
            for prefix, lvl in self._place_prefixes():
                if key.startswith(prefix) and len(key) > len(prefix) + 1:
                    hit = self._lookup("区" + key[len(prefix) :], region) or self._lookup(key[len(prefix) :], region)
                    if hit:
                        written = lvl if lvl in _LEVELS else written
                        break
        if not hit:
            return None
        return Resolution(_levelled(hit[0], hit[1], written, level), hit[1], True)

    def _resolve(self, key: str, region: str, level: str) -> Resolution:
        exact = self._exact(key, region, level)
        if exact is not None:
            return exact
        hit = self._prefix_lookup(key, region)
        if hit:
            written = key[:1] if key[:1] in _LEVELS and not key.startswith(_NOT_LEVEL) else ""
            return Resolution(_levelled(hit[0], hit[1], written, level), hit[1], True, truncated=True)
        completed = self._complete_from_text(key, region, level)
        if completed is not None:
            return completed
        kind = DepartmentKind.GROUP if _GROUP_RE.search(key) else DepartmentKind.DEPARTMENT
        return Resolution(key.replace("(", "（").replace(")", "）"), kind, False)  # as printed, Chinese brackets

    def is_known(self, raw: str, region: str = "") -> bool:
        """Known spelling, the document's place before it allowed (not a cut-off completion)."""
        return self._exact(_key(raw), region, "") is not None

    def names(self) -> list[str]:
        return sorted({c for c, _ in self._aliases.values()})


_LEVELS = "省市区县"


def _levelled(name: str, kind: DepartmentKind, written: str, level: str) -> str:
    """The shipped table's 区X as the level the name was written with, else the document's."""
    if kind is DepartmentKind.DEPARTMENT and name.startswith("区"):
        prefix = written or (level if level in _LEVELS else "")
        if prefix:
            return prefix + name[1:]
    return name


_NOT_LEVEL = ("市场", "区域", "县域", "省级", "市级", "区级", "县级")
_GROUP_RE = re.compile(
    r"^各(?!地|级|方|类|项|种)|成员单位$|(?:有关|相关)(?:部门|单位|科室|处室)$|^所有|各[\u4e00-\u9fff]{1,6}(?:牵头)?(?:单位|部门)$"
)
_PLACE_PART_RE = re.compile(r"[\u4e00-\u9fff]{1,10}?(?P<level>自治区|省|市|区|县|旗)")

# The last part of the name of a government body, a unit of one, or an institution.
ORG_SUFFIXES = tuple(
    sorted(
        (
            "委员会",
            "管委会",
            "办公室",
            "办公厅",
            "办事处",
            "领导小组",
            "工作小组",
            "小组",
            "工作组",
            "指挥部",
            "委",
            "局",
            "办",
            "厅",
            "中心",
            "院",
            "公司",
            "部门",
            "部",
            "科",
            "处",
            "站",
            "所",
            "会",
            "队",
            "政府",
            "法院",
            "检察院",
            "银行",
            "分行",
            "支行",
            "集团",
            "单位",
            "机构",
            "机关",
            "联社",
            "社",
            "医院",
            "卫生院",
            "室",
            "署",
            "党工委",
            "工委",
            "街道",
            "乡镇",
            "镇",
            "园区",
            "片区",
            "联",
            "台",
            "日报",
            "晚报",
            "学校",
            "大学",
            "学院",
            "馆",
            "团",
            "组织",
        ),
        key=len,
        reverse=True,
    )
)
_ORG_RE = re.compile(
    r"^(?:各|全)?[\u4e00-\u9fff“”()]{0,24}?(?:" + "|".join(ORG_SUFFIXES) + r")(?:\([\u4e00-\u9fff、]{1,12}\))*$"
)
_NOT_ORG_RE = re.compile(
    r"[的了是将对在把为和与及]|^(?:各项|全部|有关|相关|制度|机制|体系|要求|方案)"
    r"|^(?:加强|加快|建立|健全|完善|推进|推动|开展|实施|提升|提高|创新|深化|落实|强化|支持|鼓励|引导|组织|做好|抓好|"
    r"探索|优化|规范|构建|打造|培育|发展|设立|成立|组建|依托|围绕|按照|根据|通过|坚持|统筹|协调|指导|督促|配合|参与|负责)"
)


def looks_like_department(name: str, directory: DepartmentDirectory | None = None, region: str = "") -> bool:
    """True when ``name`` reads as a government body, unit or institution (by its parts, not a list).

    A place or level prefix, a core and a body suffix (委/局/办/厅/中心/院/公司/科 …), with a
    bracketed note allowed at the end (规财科（信息中心）); known spellings and groups
    (各镇街, 各成员单位) count too.
    """
    key = _key(name)
    if not key or len(key) > 30:
        return False
    if directory is not None and directory.is_known(key, region):
        return True
    if _GROUP_RE.search(key) and len(key) <= 16:
        return True
    core = re.sub(r"\([^()]*\)$", "", key)
    return bool(_ORG_RE.match(key)) and not _NOT_ORG_RE.search(core[1:] if core.startswith("各") else core)


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


_JOINERS_RE = re.compile(r"以及|及|和|与")


def _split_joined(piece: NamePiece, directory: DepartmentDirectory, region: str) -> list[NamePiece]:
    """ "市医保局及各派出机构" is two bodies; "人力资源和社会保障局" is one (known, or a half is not a body)."""
    if not _JOINERS_RE.search(piece.raw) or directory.is_known(piece.raw, region):
        return [piece]
    for m in _JOINERS_RE.finditer(piece.raw):
        left, right = piece.raw[: m.start()], piece.raw[m.end() :]
        if looks_like_department(left, directory, region) and looks_like_department(right, directory, region):
            return [
                NamePiece(left, piece.start, piece.start + m.start()),
                *_split_joined(NamePiece(right, piece.start + m.end(), piece.end), directory, region),
            ]
    return [piece]


def split_names(text: str, directory: DepartmentDirectory, region: str = "") -> tuple[list[NamePiece], bool]:
    """Printed department list → pieces (merging fragments a line or cell break split), and 等."""
    and_others = False
    tokens: list[NamePiece] = []
    for tok in _tokens(text):
        raw = tok.raw.strip(_STRIP)
        while (
            raw
            and raw[-1] in ")〕]】"
            and raw.count(raw[-1]) > raw.count({")": "(", "〕": "〔", "]": "[", "】": "【"}[raw[-1]])
        ):
            raw = raw[:-1]  # the clause's own closing bracket left on the last name
        if not raw:
            continue
        lead = tok.raw.find(raw)
        start = tok.start + lead
        for suffix in _AND_OTHERS:
            if raw.endswith(suffix) and len(raw) > len(suffix):
                raw = raw[: -len(suffix)]
                and_others = True
                break
        if raw in _NONE_MARKS or _NOTE_RE.search(raw):
            continue  # "以下均需县政府落实", "不再列出": a note in the list, not a name
        tokens += _split_joined(NamePiece(raw, start, start + len(raw)), directory, region)
    merged: list[NamePiece] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if i + 1 < len(tokens):
            nxt = tokens[i + 1]
            joined = tok.raw + nxt.raw
            alone_ok = directory.is_known(tok.raw, region)
            if directory.is_known(joined, region) or (
                not alone_ok
                and (len(tok.raw) <= 1 or directory.resolve(joined, region).known)
                and not directory.is_known(nxt.raw, region)
            ):
                merged.append(NamePiece(joined, tok.start, nxt.end))
                i += 2
                continue
        merged.append(tok)
        i += 1
    return merged, and_others

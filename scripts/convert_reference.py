"""Convert the national reference data into yigai's compact package data (rerunnable).

    python scripts/convert_reference.py [REFERENCE_DIR]     # default /work/shared/reference-data

Reads the OpenDRG transcription (Apache-2.0) of the tables the national medical-insurance
administration published and writes:

- ``src/yigai/data/codes/chs-icd-2.0.json.gz``: 医保版 ICD-10 v2.0 and ICD-9-CM-3 v2.0 (code,
  name), the 灰码 lists, and the 国临版 → 医保版 crosswalks (only the entries that change a code);
- ``src/yigai/data/drg_chs11/pack.json.gz``: the CHS-DRG 1.1 scheme — MDCs with their
  principal-diagnosis tables, ADRG rules as alternatives of conditions, DRGs, MCC/CC with
  their exclusion table, the exclusion tables;
- a NOTICE and the licence text beside each.

Only the rule text is read; nothing of another grouper's code. For a later version (CHS-DRG 2.0)
point the script at a folder in the same layout and change ``SCHEME``.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "yigai" / "data"
SCHEME = {
    "name": "CHS-DRG 1.1",
    "folder": "chs-drg-1.1",
    "year": 2021,
    "source": "OpenDRG/DRG_Rules, folder CHS_DRG_11, commit ab57a5bda301dab8d3a3d3a956b8e9ac6fa9f061",
}
ICD_SOURCE = "OpenDRG/DRG_Datas, folder ICD/dataset, commit 164c3f6cf898c2a5a2950513a5a7f658fe23f932"
LICENCE = "LICENSE-OpenDRG-Apache-2.0.txt"

_CODE = re.compile(r"^([A-Z][0-9][0-9A-Z]|[0-9]{2}\.)\S*")
_ADRG = re.compile(r"^([A-Z]{2}[0-9]) (.*)$")
_TABLE = re.compile(r"表\s*(7-[0-9]+)\s*$")
_FORMULA = re.compile(r"^(或)?包含以下主要诊断((?:\+手术表? ?[0-9]+)+)$")
_LIST_HEAD = re.compile(r"^(主要诊断|手术表? ?([0-9]+))：$")


def _lines(path: Path) -> list[str]:
    """Lines of a UTF-8 file (BOM dropped), stripped, with the PDF's line-join marks ``~~`` removed."""
    text = path.read_text(encoding="utf-8-sig")
    return [ln.strip().replace("~~", "") for ln in text.splitlines() if ln.strip()]


def _pairs(path: Path) -> list[tuple[str, str]]:
    """``code name`` records, split at the first space."""
    out = []
    for ln in _lines(path):
        code, _, rest = ln.partition(" ")
        out.append((code, rest.strip()))
    return out


def convert_codes(icd: Path) -> dict[str, Any]:
    def crosswalk(name: str) -> dict[str, str]:
        return {old: new for old, new in _pairs(icd / name) if old != new}

    return {
        "meta": {
            "diagnoses": "医保版 ICD-10 v2.0",
            "procedures": "医保版 ICD-9-CM-3 v2.0",
            "crosswalk_diagnoses": "国临版 ICD-10 v2.0 → 医保版 v2.0",
            "crosswalk_procedures": "国临版 ICD-9-CM-3 v3.0 → 医保版 v2.0",
            "source": ICD_SOURCE,
            "licence": "Apache-2.0 (see NOTICE.md)",
        },
        "diagnoses": _pairs(icd / "ICD10医保版v2.0.dat"),
        "procedures": _pairs(icd / "ICD9CM3医保版v2.0.dat"),
        "grey_diagnoses": [c for c, _ in _pairs(icd / "ICD10医保版v2.0灰码.dat")],
        "grey_procedures": [c for c, _ in _pairs(icd / "ICD9CM3医保版v2.0灰码.dat")],
        "crosswalk_diagnoses": crosswalk("ICD10国临版v2.0对照医保版v2.0.dat"),
        "crosswalk_procedures": crosswalk("ICD9CM3国临版v3.0对照医保版v2.0.dat"),
    }


def _limits(name: str) -> dict[str, list[int | None]]:
    """Age-in-days and birth-weight bounds written in an ADRG's name, as [low, high) pairs."""
    out: dict[str, list[int | None]] = {}
    if m := re.search(r"([0-9]+)天≤出生年龄＜1周岁", name):
        out["age_days"] = [int(m.group(1)), 365]
    elif m := re.search(r"出生年龄＜([0-9]+)天", name):
        out["age_days"] = [None, int(m.group(1))]
    if m := re.search(r"出生体重＜([0-9]+)g", name):
        out["weight"] = [None, int(m.group(1))]
    elif m := re.search(r"出生体重([0-9]+)-([0-9]+)g", name):
        out["weight"] = [int(m.group(1)), int(m.group(2)) + 1]
    elif m := re.search(r"出生体重[>＞]([0-9]+)g", name):
        out["weight"] = [int(m.group(1)) + 1, None]
    return out


def _rule(name: str, heads: list[tuple[str, list[str]]]) -> list[dict[str, Any]]:
    """An ADRG's rule as alternatives (或), each a dict of conditions that must all hold (且).

    Conditions: ``pdx`` (principal diagnosis in list), ``anydx`` (principal or other diagnosis in
    list), ``proc`` (a procedure in list), ``procs`` (one procedure from each list: 同时包含…和…),
    ``anysurgery`` (any operating-room procedure: 全部手术), ``nosurgery``.
    """
    labels = [h for h, _ in heads]
    formulas = [h for h in labels if _FORMULA.match(h)]
    if formulas:  # 包含以下主要诊断+手术表 1+手术表 2 / 或包含以下主要诊断+手术表 1+…: named lists
        named = {}
        for head, codes in heads:
            if m := _LIST_HEAD.match(head):
                named["pdx" if m.group(1) == "主要诊断" else m.group(2)] = codes
        alts = []
        for f in formulas:
            tables = re.findall(r"[0-9]+", _FORMULA.match(f).group(2))  # type: ignore[union-attr]
            alts.append({"pdx": named["pdx"], "procs": [named[t] for t in tables]})
        return alts
    cond: dict[str, Any] = {}
    i = 0
    while i < len(heads):
        head, codes = heads[i]
        if head == "包含以下主要诊断：":
            cond["pdx"] = codes
        elif head in ("包含以下主要手术或操作：",):
            cond["proc"] = codes
        elif head == "同时包含以下手术：":
            second = heads[i + 1]
            assert second[0] == "和", (name, second[0])
            cond["procs"] = [codes, second[1]]
            i += 1
        elif head in ("主要诊断或其他诊断中包含以下诊断：", "包含以下诊断："):
            cond["anydx"] = codes
        elif head in ("全部手术", "包含全部手术"):
            cond["anysurgery"] = True
        elif head.startswith("符合") and "无手术" in head:
            cond["nosurgery"] = True
        else:
            raise ValueError(f"unknown rule line {head!r} in {name}")
        i += 1
    if "手术室手术" in name and not {"proc", "procs", "anysurgery"} & cond.keys():
        cond["anysurgery"] = True  # YC1 HIV 相关疾患的手术室手术, WJ1 …任何手术室手术 (no list given)
    return [cond]


def convert_scheme(folder: Path) -> dict[str, Any]:
    mdc_names = dict(ln.split(" ", 1) for ln in _lines(folder / "1_MDC.txt"))
    adrg_names = dict(ln.split(" ", 1) for ln in _lines(folder / "2_ADRG.txt"))
    drgs: dict[str, dict[str, str]] = {}
    for ln in _lines(folder / "3_DRG.txt"):
        code, name = ln.split(" ", 1)
        drgs.setdefault(code[:3], {})[code[3]] = name
    # 4_ADRG_DETAIL: blocks headed by an MDC line or an ADRG line; inside, heads followed by codes
    blocks: dict[str, list[tuple[str, list[str]]]] = {}
    order: list[tuple[str, str]] = []  # (mdc, adrg or "主诊表")
    mdc = ""
    key = ""
    for ln in _lines(folder / "4_ADRG_DETAIL.txt"):
        if ln.startswith("MDC") and not _CODE.match(ln):
            mdc = ln[3]
            key = f"MDC{mdc}" + (":main" if "主诊表" in ln else "")
            blocks[key] = []
            continue
        if (m := _ADRG.match(ln)) and not _CODE.match(ln):
            key = m.group(1)
            blocks[key] = []
            order.append((mdc, key))
            continue
        if m := _CODE.match(ln):
            code = m.group(0)
            if not blocks[key]:
                blocks[key].append(("", []))
            blocks[key][-1][1].append(code)
        else:
            blocks[key].append((ln, []))
    mdcs = []
    for code, name in mdc_names.items():
        letter = code[3]
        heads = blocks.get(f"MDC{letter}:main", [])
        entry: dict[str, Any] = {"code": letter, "name": name, "principal": []}
        if letter == "Z":  # 多发严重创伤: the table is split by body site
            sites = {}
            for j in range(0, len(heads), 2):
                sites[heads[j][0]] = heads[j + 1][1]
            entry["sites"] = sites
            entry["principal"] = sorted({c for codes in sites.values() for c in codes})
        elif heads:
            assert heads[0][0] == "包含以下主要诊断：", (code, heads[0][0])
            entry["principal"] = heads[0][1]
        if "男性" in name:
            entry["sex"] = "M"
        elif "女性" in name:
            entry["sex"] = "F"
        mdcs.append(entry)
    adrgs = []
    for mdc_letter, code in order:
        name = adrg_names.get(code, "")
        heads = blocks[code]
        limits = _limits(name)
        if mdc_letter == "P" and "age_days" not in limits:
            # 新生儿: the first 28 days (PB1/PC1/PJ1 state it; PV1 states its own band, 29 days to one year)
            limits["age_days"] = [None, 29]
        adrgs.append(
            {
                "code": code,
                "mdc": mdc_letter,
                "name": name,
                "rule": _rule(name, heads),
                **limits,
                "drgs": drgs.get(code, {}),
            }
        )

    def cc_table(path: Path) -> dict[str, str]:
        out = {}
        for ln in _lines(path)[1:]:
            code = ln.split(" ", 1)[0]
            m = _TABLE.search(ln)
            out[code] = m.group(1) if m else ""
        return out

    exclusions: dict[str, list[str]] = {}
    table = ""
    for ln in _lines(folder / "7_CCE.txt"):
        if m := re.match(r"^表\s*(7-[0-9]+)$", ln):
            table = m.group(1)
            exclusions[table] = []
        elif _CODE.match(ln):
            exclusions[table].append(ln.split(" ", 1)[0])
    return {
        "meta": {
            "name": SCHEME["name"],
            "year": SCHEME["year"],
            "source": SCHEME["source"],
            "licence": "Apache-2.0 (see NOTICE.md)",
            "counts": {"mdc": len(mdcs), "adrg": len(adrgs), "drg": sum(len(v) for v in drgs.values())},
        },
        "mdcs": mdcs,
        "adrgs": adrgs,
        "mcc": cc_table(folder / "5_MCC.txt"),
        "cc": cc_table(folder / "6_CC.txt"),
        "exclusions": exclusions,
    }


def _write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    with gzip.GzipFile(path, "wb", mtime=0) as fh:  # mtime 0: reruns give the same bytes
        fh.write(raw)
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)")


NOTICE = """# {what}

Converted by `scripts/convert_reference.py` from the OpenDRG project ({source}), licensed under
the Apache License 2.0 (full text in `{licence}` beside this file). OpenDRG transcribed the rule
documents and code tables published by the national medical-insurance administration (国家医保局).
yigai ships the converted facts only (codes, names, rules); no OpenDRG code.
"""


def main(argv: list[str]) -> None:
    ref = Path(argv[1]) if len(argv) > 1 else Path("/work/shared/reference-data")
    codes_dir, pack_dir = DATA / "codes", DATA / "drg_chs11"
    _write(codes_dir / "chs-icd-2.0.json.gz", convert_codes(ref / "icd"))
    _write(pack_dir / "pack.json.gz", convert_scheme(ref / SCHEME["folder"]))
    for folder, what, source in (
        (codes_dir, "医保版 ICD-10 / ICD-9-CM-3 v2.0, 灰码 and 国临版 crosswalks", ICD_SOURCE),
        (pack_dir, f"{SCHEME['name']} grouping scheme", SCHEME["source"]),
    ):
        shutil.copyfile(ref / LICENCE, folder / LICENCE)
        (folder / "NOTICE.md").write_text(NOTICE.format(what=what, source=source, licence=LICENCE), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv)

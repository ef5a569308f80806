"""A workbook as Excel or WPS on Windows leave it after "save": what openpyxl writes, restructured.

openpyxl writes every string inline and every styled cell; Excel and WPS move strings into a
shared-string table (rich text as runs, a carriage return as ``_x000D_``), WPS leaves out empty
cells and writes whole numbers as ``7.0``. The cell values stay what the person typed.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
ET.register_namespace("", NS)
ET.register_namespace("r", REL)
_Q = f"{{{NS}}}"


def _xml_text(text: str, crlf: bool) -> str:
    """Text as Excel stores it: a carriage return as _x000D_, markup characters escaped."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("\n", "_x000D_\n") if crlf else escaped


def as_excel_saves(path: Path, *, rich: dict[str, list[str]] | None = None, crlf: bool = True) -> Path:
    """Rewrite ``path`` in place the way Excel/WPS would save it.

    ``rich`` maps a cell's text to the runs Excel would store it as (part of it made bold);
    ``crlf``: line breaks were typed or pasted on Windows (CR LF, stored as ``_x000D_`` + LF).
    """
    rich = rich or {}
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    strings: list[str] = []
    index: dict[str, int] = {}

    def shared(text: str) -> int:
        if text not in index:
            index[text] = len(strings)
            strings.append(text)
        return index[text]

    for name in [n for n in files if n.startswith("xl/worksheets/sheet")]:
        root = ET.fromstring(files[name])
        for dimension in root.findall(f"{_Q}dimension"):
            root.remove(dimension)
        for row in root.iter(f"{_Q}row"):
            for c in list(row):
                if c.get("t") == "inlineStr":
                    text = "".join(t.text or "" for t in c.iter(f"{_Q}t"))
                    for child in list(c):
                        c.remove(child)
                    c.set("t", "s")
                    ET.SubElement(c, f"{_Q}v").text = str(shared(text))
                elif c.get("t") == "n" and (v := c.find(f"{_Q}v")) is not None and re.fullmatch(r"\d+", v.text or ""):
                    v.text += ".0"  # WPS writes whole numbers as 7.0
                    del c.attrib["t"]
                elif not len(c):
                    row.remove(c)  # an empty cell, only styled
        files[name] = ET.tostring(root, xml_declaration=True, encoding="UTF-8")

    items = []
    for text in strings:
        runs = rich.get(text)
        if runs:
            parts = [
                f'<r><rPr><b/></rPr><t xml:space="preserve">{_xml_text(t, crlf)}</t></r>'
                if n % 2
                else f'<r><t xml:space="preserve">{_xml_text(t, crlf)}</t></r>'
                for n, t in enumerate(runs)
            ]
            items.append(f"<si>{''.join(parts)}</si>")
        else:
            items.append(f'<si><t xml:space="preserve">{_xml_text(text, crlf)}</t></si>')
    files["xl/sharedStrings.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{NS}" count="{len(strings)}" '
        f'uniqueCount="{len(strings)}">{"".join(items)}</sst>'
    ).encode()
    types = files["[Content_Types].xml"].decode()
    files["[Content_Types].xml"] = types.replace(
        "</Types>",
        (
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
        ),
    ).encode()
    rels = files["xl/_rels/workbook.xml.rels"].decode()
    files["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>",
        (
            '<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
        ),
    ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return path

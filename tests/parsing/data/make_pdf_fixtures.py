"""Rebuild the Word and PDF fixtures of seeds 003 and 004 (run once; the outputs are committed).

    .venv/bin/python tests/parsing/data/make_pdf_fixtures.py

Needs LibreOffice (``soffice``) on the PATH and the WenQuanYi Micro Hei font (Debian:
``apt-get install libreoffice-writer-nogui fonts-wqy-microhei``); they are tools for making
fixtures, not dependencies of yigai. For each seed the script

1. rebuilds the seed as Word with ``_as_docx`` from ``tests/parsing/test_formats.py``
   (paragraphs, bold lead phrases, tab lines as real Word tables); seed 003's appendix,
   a pipe table exported one cell per line, is first turned into tab rows
   (一级指标 / 二级指标 / 牵头部门 / 配合部门), the table it was printed from;
2. dresses the tables as a printed plan has them: a ruling grid (Word's "Table Grid"),
   the header row repeated on every page; in 003 the 一级指标, 牵头部门 and 配合部门 cells
   merged down the rows they cover; in 004 the group rows (一、…) in bold;
3. adds a page header (the plan's title) and a footer with the page number, "— 3 —" in
   003 and "第 3 页 共 9 页" in 004, so that the PDF carries what a reader must remove;
4. converts the .docx to PDF with ``soffice --headless --convert-to pdf``.

python-docx's default page (US Letter, as Word's) and 11 pt text wrap the table cells over
several lines and split the tables across pages, which is what the PDF tests exercise.
All text is set in WenQuanYi Micro Hei, a TrueType font: LibreOffice embeds it
compressed, which keeps the PDFs at half the size they have in an OpenType (CFF) font
such as Noto Sans CJK. It has no bold face, so bold is drawn as synthetic bold and the
PDFs carry no bold font names (004's tasks do not need its bold lead phrases).
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from yigai.data import seed_paths

HERE = Path(__file__).resolve().parent
CJK_FONT = "WenQuanYi Micro Hei"
TITLES = {
    3: "关于因地制宜推广福建三明经验深化杨浦区医药卫生体制改革的工作方案",
    4: "仓山区深化医药卫生体制集成改革实施方案",
}


def _as_docx():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("_test_formats", HERE.parent / "test_formats.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._as_docx


_GROUP = re.compile(r"^[一二三四五六七八九十]{1,3}、")
_ITEM = re.compile(r"^\d{1,3}、")


def pipe_table_as_tab_rows(text: str) -> str:
    """A pipe table broken one cell per line (cells end at "|", "|||" closes a row) → a
    caption line and tab rows with columns 一级指标, 二级指标, 牵头部门, 配合部门."""
    lines = text.split("\n")
    first = next(i for i, ln in enumerate(lines) if ln.rstrip().endswith("|"))
    cells: list[str] = []
    pending = ""
    for ln in lines[first:]:
        for k, piece in enumerate(ln.split("|")):
            if k > 0 and pending:
                cells.append(pending)
                pending = ""
            pending += piece.strip()
    if pending:
        cells.append(pending)
    caption, header, body = cells[0], cells[1:5], cells[5:]
    rows: list[list[str]] = []
    group = ""
    for cell in body:
        if _GROUP.match(cell):
            group = cell
        elif _ITEM.match(cell):
            rows.append([group, cell, "", ""])
            group = ""
        else:
            row = rows[-1]
            row[2 if not row[2] else 3] = cell
    out = [caption, "\t".join(header), *("\t".join(r) for r in rows)]
    return "\n".join(lines[:first] + out) + "\n"


def _field(paragraph, instr: str) -> None:  # type: ignore[no-untyped-def]
    """Append a Word field (PAGE, NUMPAGES) to ``paragraph``."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), ("instr", instr), ("separate", None), ("text", "1"), ("end", None)):
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        elif kind == "text":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)


def _page_furniture(document, title: str, footer: str) -> None:  # type: ignore[no-untyped-def]
    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.text = title
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if footer == "dash":
        p.add_run("— ")
        _field(p, " PAGE ")
        p.add_run(" —")
    else:
        p.add_run("第 ")
        _field(p, " PAGE ")
        p.add_run(" 页 共 ")
        _field(p, " NUMPAGES ")
        p.add_run(" 页")


def _repeat_header(table) -> None:  # type: ignore[no-untyped-def]
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _merge_down(table, col: int) -> None:  # type: ignore[no-untyped-def]
    """Merge each filled cell of ``col`` with the blank cells below it (merged cells of the original)."""
    n = len(table.rows)
    r = 1
    while r < n:
        end = r + 1
        while end < n and not table.cell(end, col).text and not _GROUP.match(table.cell(end, 0).text or "x"):
            end += 1
        if end - 1 > r and table.cell(r, col).text:
            table.cell(r, col).merge(table.cell(end - 1, col))
        r = end


def _dress(document, seed: int) -> None:  # type: ignore[no-untyped-def]
    fonts = document.styles["Normal"].element.get_or_add_rPr().get_or_add_rFonts()
    for script in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(script), CJK_FONT)
    for table in document.tables:
        table.style = document.styles["Table Grid"]
        _repeat_header(table)
        for row in table.rows:
            for cell in row.cells:
                text = cell.text
                if "<b>" in text:
                    cell.text = ""
                    cell.paragraphs[0].add_run(re.sub(r"</?b>", "", text)).bold = True
        if seed == 3:
            for col in (3, 2, 0):
                _merge_down(table, col)
    _page_furniture(document, TITLES[seed], "dash" if seed == 3 else "count")


def build(seed: int, out_dir: Path) -> tuple[Path, Path]:
    source = seed_paths()[seed]
    with tempfile.TemporaryDirectory() as tmp:
        text = source.read_text("utf-8")
        if seed == 3:
            text = pipe_table_as_tab_rows(text)
        txt = Path(tmp) / f"{seed:03d}.txt"
        txt.write_text(text, "utf-8")
        docx_path = _as_docx()(txt, Path(tmp) / f"seed_{seed:03d}.docx")
        document = docx.Document(str(docx_path))
        _dress(document, seed)
        document.save(str(docx_path))
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "pdf", "--outdir", tmp, str(docx_path)],
            check=True,
            capture_output=True,
            timeout=300,
        )
        outs = []
        for ext in ("docx", "pdf"):
            target = out_dir / f"seed_{seed:03d}.{ext}"
            shutil.copyfile(Path(tmp) / f"seed_{seed:03d}.{ext}", target)
            outs.append(target)
    return outs[0], outs[1]


def main() -> None:
    if not shutil.which("soffice"):
        sys.exit("LibreOffice (soffice) is not installed")
    fonts = subprocess.run(["fc-list", ":family=" + CJK_FONT], capture_output=True, text=True).stdout
    if not fonts.strip():
        print(f"warning: the font {CJK_FONT!r} is not installed; LibreOffice will substitute another", file=sys.stderr)
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for seed in (3, 4):
        for path in build(seed, out_dir):
            print(f"{path}  {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()

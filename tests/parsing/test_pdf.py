"""PDF reading: a PDF exported from a Word document gives the same plan as the document.

The fixtures under ``data/`` are seeds 003 and 004 rebuilt as Word documents with ruled
tables, a running header and page numbers, and exported to PDF by LibreOffice
(``data/make_pdf_fixtures.py`` says how). Word's default page wraps the table cells over
several lines, splits the tables (and rows) across pages and repeats their header rows.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from yigai.domain.errors import DocumentError
from yigai.domain.plan import PlanDraft
from yigai.parsing import parse_file
from yigai.parsing.extract import read_document

from .conftest import pdf_file

DATA = Path(__file__).parent / "data"
PAGE_NUMBER = re.compile(r"\s*(?:[-—]\s*\d+\s*[-—]|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?)\s*")


@pytest.fixture(scope="module")
def parsed() -> dict[str, PlanDraft]:
    """The .docx and .pdf fixtures parsed once: keys like "003.pdf"."""
    return {
        f"{seed}.{ext}": parse_file(DATA / f"seed_{seed}.{ext}") for seed in ("003", "004") for ext in ("docx", "pdf")
    }


def names(refs: list[Any]) -> list[str]:
    return [r.name for r in refs]


def plan_view(plan: PlanDraft) -> dict[str, Any]:
    """Everything the office works with, in comparable form."""
    return {
        "meta": (plan.meta.title, plan.meta.doc_number, plan.meta.issuer, plan.meta.date),
        "tasks": [
            (
                t.no,
                t.title,
                names(t.responsibility.lead),
                names(t.responsibility.cooperating),
                t.deadline.kind,
                t.deadline.date,
                t.categories,
            )
            for t in plan.tasks
        ],
        "measures": [
            [
                (
                    m.no,
                    m.text,
                    names(m.responsibility.lead),
                    names(m.responsibility.cooperating),
                    m.deadline.kind,
                    m.deadline.date,
                    m.categories,
                )
                for m in t.measures
            ]
            for t in plan.tasks
        ],
        "targets": [(g.metric, g.comparator, g.value, g.value_high, g.unit, g.due) for g in plan.targets],
        "projects": [
            (p.no, p.group, p.text, names(p.responsibility.lead), names(p.responsibility.cooperating))
            for p in plan.projects
        ],
    }


@pytest.mark.parametrize("seed", ["003", "004"])
@pytest.mark.parametrize("ext", ["docx", "pdf"])
def test_word_and_pdf_give_the_plan_of_the_text(
    seed: str, ext: str, seeds: dict[str, PlanDraft], parsed: dict[str, PlanDraft]
) -> None:
    plan = parsed[f"{seed}.{ext}"]
    assert plan.source_format == ext
    got, want = plan_view(plan), plan_view(seeds[seed])
    for key in want:  # one key at a time, for a readable failure
        assert got[key] == want[key], key


def test_pdf_of_seed_003_has_the_32_key_projects(parsed: dict[str, PlanDraft]) -> None:
    projects = parsed["003.pdf"].projects
    assert [p.no for p in projects] == [str(i) for i in range(1, 33)]
    by_no = {p.no: p for p in projects}
    # merged 一级指标 / 牵头部门 / 配合部门 cells, some split by a page break
    assert by_no["11"].group == "推进区属公立医院高质量发展"
    assert by_no["11"].text.startswith("落实上海市公立医院高质量发展实施方案")
    assert names(by_no["11"].responsibility.cooperating) == ["区发展改革委", "区规划资源局", "区医保局", "区财政局"]
    assert names(by_no["16"].responsibility.lead) == ["区卫生健康委"]
    assert names(by_no["24"].responsibility.lead) == ["区医保局", "区卫生健康委"]
    assert names(by_no["32"].responsibility.cooperating) == ["区人力资源社会保障局", "区财政局"]


def test_pdf_of_seed_004_has_the_133_appendix_measures(
    seeds: dict[str, PlanDraft], parsed: dict[str, PlanDraft]
) -> None:
    tasks = {t.no: t for t in parsed["004.pdf"].tasks}
    assert sum(len(t.measures) for t in tasks.values()) == 133 == len(seeds["004"].measures())
    # a measure whose row a page break split is one measure, its text whole
    m = tasks["2"].measures[1]
    assert m.text.endswith("改革完善重大公共卫生、基本公共卫生服务绩效评价机制和资金使用机制，拓展公共卫生服务内容。")
    # blank cells inherit from the row above; a name cut at the cell edge is completed
    assert names(tasks["4"].measures[1].responsibility.cooperating) == [
        "区应急局",
        "区建设局",
        "火车南站综管处",
        "各镇街（园区）",
    ]
    assert names(tasks["3"].measures[1].responsibility.lead) == ["各镇街（园区）", "区卫生健康委"]


@pytest.mark.parametrize(("seed", "pages", "rows"), [("003", range(5, 10), 33), ("004", range(14, 20), 166)])
def test_pdf_tables_read_as_the_word_tables(seed: str, pages: range, rows: int, parsed: dict[str, PlanDraft]) -> None:
    # what the fixture must exercise: a table over several pages, its header row repeated
    # on each, cells wrapped over several lines
    with pdfplumber.open(DATA / f"seed_{seed}.pdf", pages=list(pages)) as pdf:
        tables = [table for page in pdf.pages for table in page.extract_tables()]
    assert len(tables) == len(pages)
    assert all(t[0] == tables[0][0] for t in tables)
    assert sum(1 for t in tables for row in t for cell in row if cell and "\n" in cell) > 40

    def table_rows(text: str) -> list[str]:
        return [line.replace(" ", "") for line in text.split("\n") if "\t" in line]

    docx_rows = table_rows(parsed[f"{seed}.docx"].source_text)
    assert table_rows(parsed[f"{seed}.pdf"].source_text) == docx_rows
    assert len(docx_rows) == rows


@pytest.mark.parametrize("seed", ["003", "004"])
def test_pdf_body_text_is_the_word_text(seed: str, parsed: dict[str, PlanDraft]) -> None:
    def body(text: str) -> str:
        return re.sub(r"\s|\*\*", "", "".join(line for line in text.split("\n") if "\t" not in line))

    assert body(parsed[f"{seed}.pdf"].source_text) == body(parsed[f"{seed}.docx"].source_text)


@pytest.mark.parametrize(("seed", "footer"), [("003", "— 2 —"), ("004", "第 2 页 共 43 页")])
def test_pdf_page_headers_footers_and_numbers_removed(seed: str, footer: str, parsed: dict[str, PlanDraft]) -> None:
    with pdfplumber.open(DATA / f"seed_{seed}.pdf", pages=[2]) as pdf:
        page_two = [line["text"] for line in pdf.pages[0].extract_text_lines()]
    header = page_two[0]
    assert footer in page_two  # they are in the PDF …
    assert header.startswith(("关于因地制宜", "仓山区深化"))
    text = parsed[f"{seed}.pdf"].source_text
    assert not [line for line in text.split("\n") if PAGE_NUMBER.fullmatch(line)]  # … not in what is read
    # the title where the document has it, not on every page
    assert text.count(header) == parsed[f"{seed}.docx"].source_text.count(header)


# --- a PDF written by hand: exact geometry -------------------------------------------


def _build_pdf(pages: list[list[tuple[float, float, str, str]]]) -> bytes:
    """Pages of (x, y, font, text) in 12 pt Courier (F1) or Courier-Bold (F2), 7.2 pt a character."""
    objects: list[bytes] = [
        b"",
        b"",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier-Bold >>",
    ]
    kids = []
    for items in pages:
        ops = []
        for x, y, font, text in items:
            escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"BT /{font} 12 Tf {x} {y} Td ({escaped}) Tj ET")
        stream = "\n".join(ops).encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
            b" /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>" % content
        )
        kids.append(len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    return pdf_file(objects)


def _words(n: int, seed: str) -> str:
    """``n`` characters of words, starting and ending with a letter."""
    text = " ".join(f"{seed}{i}x" for i in range(n))[:n]
    return text if text[-1].isalpha() else text[:-1] + "y"


def test_pdf_paragraphs_bold_runs_and_page_furniture(tmp_path: Path) -> None:
    line1 = "Lead phrase." + " " + _words(47, "a")  # 60 characters: a full line (72 → 504)
    line2, line3, line4, line6 = (_words(60, k) for k in "bcdf")
    line5 = _words(56, "e")  # indented by four characters, also full
    header = (250.0, 760.0, "F1", "Health Reform Plan")
    pages = [
        [
            header,
            (72.0, 700.0, "F2", "Lead phrase."),
            (158.4, 700.0, "F1", line1[12:]),
            (72.0, 686.0, "F1", line2),
            (72.0, 672.0, "F1", line3),
            (288.0, 40.0, "F1", "- 1 -"),
        ],
        [
            header,
            (72.0, 700.0, "F1", line4),
            (100.8, 686.0, "F1", line5),
            (72.0, 672.0, "F1", line6),
            (72.0, 644.0, "F1", "Third, after a gap."),
            (288.0, 40.0, "F1", "- 2 -"),
        ],
    ]
    path = tmp_path / "plan.pdf"
    path.write_bytes(_build_pdf(pages))
    text = read_document(path).text
    # lines that reach the margin carry on, across the page break too; an indented first
    # line and a gap start a new paragraph; the running header and page numbers are gone
    assert text == f"**Lead phrase.**{line1[12:]} {line2} {line3} {line4}\n{line5} {line6}\nThird, after a gap.\n"


@pytest.mark.parametrize("cut", [0.5, 0.98])
def test_truncated_export_is_a_damaged_pdf(tmp_path: Path, cut: float) -> None:
    data = (DATA / "seed_003.pdf").read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: int(len(data) * cut)])
    with pytest.raises(DocumentError, match="damaged") as info:
        read_document(path)
    assert type(info.value) is DocumentError
    assert (info.value.where, info.value.message_zh) == ("cut.pdf", "PDF 文件已损坏，无法读取")

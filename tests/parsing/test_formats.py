"""The same plan as .txt and as .docx (paragraphs, bold runs, real Word tables) parses alike."""

from __future__ import annotations

import re
from pathlib import Path

import docx

from yigai.data import seed_paths
from yigai.domain.plan import PlanDraft
from yigai.parsing import parse_file

_BOLD = re.compile(r"^(.*?)(?:\*\*|<b>)(.+?)(?:\*\*|</b>)(.*)$")


def _as_docx(source: Path, out: Path) -> Path:
    """Rebuild a seed as a Word document: tab lines become table rows, **x** bold runs."""
    document = docx.Document()
    rows: list[list[str]] = []

    def flush() -> None:
        if rows:
            width = max(len(r) for r in rows)
            table = document.add_table(rows=len(rows), cols=width)
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
            rows.clear()

    for line in source.read_text("utf-8").split("\n"):
        if "\t" in line:
            rows.append(line.split("\t"))
            continue
        flush()
        if not line.strip():
            continue
        paragraph = document.add_paragraph()
        m = _BOLD.match(line)
        if m:
            paragraph.add_run(m.group(1))
            paragraph.add_run(m.group(2)).bold = True
            paragraph.add_run(m.group(3))
        else:
            paragraph.add_run(re.sub(r"#+\s*|</?b>", "", line))
    flush()
    document.save(str(out))
    return out


def test_docx_of_seed_004_parses_like_the_text(tmp_path: Path, seeds: dict[str, PlanDraft]) -> None:
    as_text = seeds["004"]
    as_docx = parse_file(_as_docx(seed_paths()[4], tmp_path / "004.docx"))
    assert as_docx.source_format == "docx"
    assert as_docx.meta.doc_number == as_text.meta.doc_number
    assert [t.title for t in as_docx.tasks] == [t.title for t in as_text.tasks]
    assert [len(t.measures) for t in as_docx.tasks] == [len(t.measures) for t in as_text.tasks]
    assert [[d.name for d in t.responsibility.lead] for t in as_docx.tasks] == [
        [d.name for d in t.responsibility.lead] for t in as_text.tasks
    ]
    assert len(as_docx.targets) == len(as_text.targets)


def test_docx_of_seed_002_keeps_bold_lead_phrase_tasks(tmp_path: Path, seeds: dict[str, PlanDraft]) -> None:
    as_docx = parse_file(_as_docx(seed_paths()[2], tmp_path / "002.docx"))
    assert [t.title for t in as_docx.tasks] == [t.title for t in seeds["002"].tasks]

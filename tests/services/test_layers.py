"""What services may take from ``yigai.reports``: the document engines, never formatting.

``reports`` produces and reads documents (the bulletin's content and its DOCX/XLSX/HTML, the
department's Excel template). A service may call those engines; numbers, dates and labels are
formatted by ``domain/formatting.py``, which services, reports and web all import. Adding a name
here is a decision about the layers: say in docs/architecture.md why it is document production.
"""

from __future__ import annotations

import ast
from pathlib import Path

import yigai.services

SERVICES = Path(yigai.services.__file__).parent
DOCUMENT_ENGINES = {
    "yigai.reports.bulletin_data": {"BulletinData", "build_bulletin_data"},  # the bulletin's content
    "yigai.reports.bulletin_render": {"render_bulletin"},  # the bulletin as DOCX, XLSX or HTML
    "yigai.reports.template_import": {"ReportRow", "TemplateError", "TemplateProblem", "read_template_rows"},
    # the department's Excel template: written, its rows and prefill stamps read back, and its
    # cells compared as the spreadsheet keeps them
    "yigai.reports.template_xlsx": {
        "DATA_SHEET",
        "cell_text",
        "department_items",
        "latest_reports",
        "parse_prefill_stamp",
        "write_template",
    },
}


def _reports_imports() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(SERVICES.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("yigai.reports"):
                found += [(path.name, node.module or "", alias.name) for alias in node.names]
            elif isinstance(node, ast.Import):
                found += [(path.name, a.name, "*") for a in node.names if a.name.startswith("yigai.reports")]
    return found


def test_services_take_only_document_engines_from_reports() -> None:
    imports = _reports_imports()
    assert imports, "the scan finds the bulletin and template services' imports"
    stray = [
        f"{file}: {module}.{name}" for file, module, name in imports if name not in DOCUMENT_ENGINES.get(module, ())
    ]
    assert not stray, "formatting belongs in domain/formatting.py, not reports:\n" + "\n".join(stray)


def test_only_the_bulletin_and_template_services_use_reports() -> None:
    assert {file for file, _, _ in _reports_imports()} == {"bulletins.py", "templates.py"}

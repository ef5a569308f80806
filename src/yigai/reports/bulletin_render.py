"""One call for the CLI: ``render_bulletin(data, "docx" | "xlsx" | "html", path)``.

The file is written to a temporary name beside ``path`` and renamed, so a failed
render never leaves half a bulletin; the charts are drawn once per call.
"""

from __future__ import annotations

import os
from pathlib import Path

from yigai.domain.errors import YigaiError
from yigai.reports.atomic import write_atomically
from yigai.reports.bulletin_charts import bulletin_charts
from yigai.reports.bulletin_data import BulletinData, build_bulletin_data
from yigai.reports.bulletin_docx import write_docx
from yigai.reports.bulletin_html import write_html
from yigai.reports.bulletin_xlsx import write_xlsx

FORMATS = ("docx", "xlsx", "html")
_WRITERS = {"docx": write_docx, "xlsx": write_xlsx, "html": write_html}


def render_bulletin(data: BulletinData, fmt: str, path: str | os.PathLike[str]) -> Path:
    """Write the bulletin as ``fmt`` to ``path``; returns the path."""
    fmt = fmt.lower().lstrip(".")
    if fmt not in _WRITERS:
        raise YigaiError(
            f"unknown bulletin format {fmt!r} (expected one of {', '.join(FORMATS)})",
            message_zh=f"不支持的通报格式：{fmt}（应为 {'、'.join(FORMATS)}）",
            where="format",
        )
    path = Path(path)
    charts = bulletin_charts(data)
    return write_atomically(path, lambda tmp: _WRITERS[fmt](data, tmp, charts), what="bulletin", what_zh="通报文件")


__all__ = ["FORMATS", "build_bulletin_data", "render_bulletin"]

"""Bulletins: pick a period, preview what the bulletin says, download it as DOCX, XLSX or HTML."""

from __future__ import annotations

import io

import docx

from .conftest import Web
from .pages_helpers import add_history, outside_urls


def test_bulletin_page_previews_and_links_every_format(web: Web) -> None:
    add_history(web)
    html = web.client("leader").get("/bulletins?plan=1&period=2023Q3").text
    assert "关于《仓山区深化医药卫生体制集成改革实施方案》2023年第3季度推进情况的通报" in html
    assert "一、总体情况" in html and "二、重点督办事项（红色清单）" in html and "区医保局" in html
    for fmt in ("docx", "xlsx", "html"):
        assert f'href="/bulletins/1/2023Q3.{fmt}"' in html


def test_downloads_are_the_rendered_bulletin(web: Web) -> None:
    add_history(web)
    client = web.client("leader")
    word = client.get("/bulletins/1/2023Q3.docx")
    assert word.status_code == 200 and "filename*=UTF-8''" in word.headers["content-disposition"]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs)
    assert "一、总体情况" in text
    page = client.get("/bulletins/1/2023Q3.html")
    assert page.status_code == 200 and outside_urls(page.text) == []
    assert client.get("/bulletins/1/2023Q3.pdf").status_code == 404

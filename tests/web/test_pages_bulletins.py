"""Bulletins: pick a period, preview what the bulletin says, download it as DOCX, XLSX or HTML."""

from __future__ import annotations

import datetime as dt
import io
import re

import docx
import pytest

from yigai import clock

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


def test_only_ended_periods_are_offered_and_others_refused(web: Web, monkeypatch: pytest.MonkeyPatch) -> None:
    add_history(web)
    # 10:00 on 1 October 2023 in Beijing (02:00 UTC): 2023Q3 has just ended, 2023Q4 has not.
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2023, 10, 1, 10, tzinfo=clock.OFFICE_TZ))
    client = web.client("leader")
    html = client.get("/bulletins?plan=1").text
    options = re.findall(r'<option value="(20\d\dQ\d)"', html)
    assert options[0] == "2023Q3" and "2023Q4" not in options and options[-1] == "2021Q3"
    assert "2023年第3季度推进情况的通报" in html
    future = client.get("/bulletins?plan=1&period=2023Q4")
    assert future.status_code == 422
    assert "报告期「2023年第4季度」尚未结束" in future.text and "最近已结束的报告期为2023年第3季度" in future.text
    assert "推进情况的通报" not in future.text
    outside = client.get("/bulletins?plan=1&period=2025年第4季度")
    assert outside.status_code == 422 and "不在本计划的报送期内" in outside.text
    assert "2021年第3季度至2023年第4季度" in outside.text
    assert client.get("/bulletins/1/2023Q4.docx").status_code == 422
    assert client.get("/bulletins/1/2025Q4.docx").status_code == 422


def test_a_period_written_in_chinese_picks_the_bulletin(web: Web) -> None:
    add_history(web)
    html = web.client("leader").get("/bulletins?plan=1&period=2023年三季度").text
    assert "2023年第3季度推进情况的通报" in html and 'href="/bulletins/1/2023Q3.docx"' in html

"""Helpers for the review-desk tests: the demo district served by the app, and the desk's form keys."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from yigai.bootstrap import build
from yigai.services.demo import demo_settings, quarters
from yigai.services.reports import save_report

from ..conftest import DemoBuild  # type: ignore[import-not-found]
from .conftest import PLAN, Web
from .pages_helpers import add_history, when

HEALTH = "区卫生健康委"


def late_history(web: Web) -> None:
    """On top of ``add_history``: 区医保局 reports T22.M1 for 2023Q3 five days late."""
    add_history(web)
    with web.core.uow() as uow:
        ybj = uow.users.get("ybj")
    assert ybj is not None
    save_report(
        web.core.uow(),
        ybj,
        PLAN,
        "T22.M1",
        "2023Q3",
        "区医保局",
        "推进中",
        50,
        narrative="已印发差异化支付政策",
        submit=True,
        now=when("2023-10-20"),
    )


DEMO_PLAN = 5  # 仓山区实施方案: quarterly reports for the last six quarters


@pytest.fixture
def demo_web(demo_build: DemoBuild, shared_app: FastAPI, tmp_path: Path) -> Iterator[Web]:
    """The app on a private copy of the demo district (``yigai demo``)."""
    folder = demo_build.copy_to(tmp_path / "demo")
    core = build(demo_settings(folder), migrate=False)
    shared_app.state.yigai = core
    web = Web(shared_app, core, folder)
    yield web
    for client in web.clients:
        client.close()
    core.close()


def reviewed_quarter(demo_build: DemoBuild) -> str:
    """The quarter whose reports wait for the office in the demo (the last one settled)."""
    return quarters(demo_build.summary.today)[1][-1].id


def desk_keys(html: str) -> list[str]:
    """The reports a desk page offers to tick, as ``plan|item|period|version``."""
    return re.findall(r'name="items" value="([^"]+)"', html)


def waiting_total(html: str) -> int:
    found = re.search(r"共 (\d+) 份待审核报告", html)
    assert found, "no count of waiting reports on the page"
    return int(found.group(1))


def nav_badge(html: str) -> int | None:
    found = re.search(r'href="/review"[^>]*>审核台<span class="badge"[^>]*>(\d+)</span>', html)
    return int(found.group(1)) if found else None

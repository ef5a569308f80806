"""Helpers for the page tests: the supervised plan with some history, forms and hosts in HTML."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from yigai.clock import OFFICE_TZ
from yigai.services.reports import save_report
from yigai.services.targets import link_target
from yigai.services.values import enter_value

from .conftest import PLAN, Web

AT = "2023-12-31"  # the evaluation date of the page tests: 2021Q3-2023Q3 are due
REGION = "350104"  # 仓山区
BEDS_TARGET = 1  # 每千人口医疗卫生机构床位数 ≥7张 by 2025
BEDS = "BEDS_PER_1000"


def when(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(10), tzinfo=OFFICE_TZ)


def add_history(web: Web) -> None:
    """A little history on plan 1: 区医保局 reports, 区卫生健康委 one late report, bed numbers off track.

    - T22.M3 (区医保局, deadline 2022-12-31) reported 推进中 60% every quarter: overdue at 2023-12-31;
    - T2.M1 (区卫生健康委, continuous) reported 2023Q3 滞后: at risk;
    - beds per 1000 for 仓山区 5.0, 5.2, 5.3 in 2021-2023 against ≥7 by 2025: off track.
    """
    core = web.core
    with core.uow() as uow:
        admin, ybj, wjw = (uow.users.get(n) for n in ("admin", "ybj", "wjw"))
    assert admin and ybj and wjw
    for period, day in (("2023Q1", "2023-04-10"), ("2023Q2", "2023-07-10"), ("2023Q3", "2023-10-10")):
        save_report(
            core.uow(),
            ybj,
            PLAN,
            "T22.M3",
            period,
            "区医保局",
            "推进中",
            60,
            narrative=f"{period}进展",
            submit=True,
            now=when(day),
        )
    save_report(
        core.uow(),
        wjw,
        PLAN,
        "T2.M1",
        "2023Q3",
        "区卫生健康委",
        "滞后",
        30,
        narrative="家庭医生签约进度滞后",
        problems="人员不足",
        submit=True,
        now=when("2023-10-12"),
    )
    link_target(core.uow(), admin, PLAN, BEDS_TARGET, BEDS, now=when("2023-01-05"))
    for year, value in (("2021", 5.0), ("2022", 5.2), ("2023", 5.3)):
        enter_value(core.uow(), admin, BEDS, REGION, year, value, now=when(f"{int(year) + 1}-01-05"))


def base_version_of(html: str, action: str) -> str:
    """The report version the form posting to ``action`` edits (its hidden ``base_version``)."""
    chosen = [f for f in post_forms(html) if f'action="{action}"' in f]
    assert chosen, f"no form posting to {action}"
    found = re.search(r'name="base_version" value="(\d+)"', chosen[0])
    assert found, f"the form posting to {action} names no base version"
    return found.group(1)


def csrf_of(html: str, action: str = "") -> str:
    """The token the form posting to ``action`` carries (the first POST form when ``action`` is empty)."""
    chosen = [f for f in post_forms(html) if not action or f'action="{action}"' in f]
    assert chosen, f"no form posting to {action or 'anything'}"
    found = re.search(r'name="csrf_token" value="([^"]*)"', chosen[0])
    assert found and found.group(1), f"the form posting to {action or 'anything'} has no CSRF token"
    return found.group(1)


def forms(html: str) -> list[str]:
    return re.findall(r"<form\b.*?</form>", html, flags=re.S)


def post_forms(html: str) -> list[str]:
    return [f for f in forms(html) if re.search(r'method="post"', f, flags=re.I)]


# an absolute URL anywhere, or a protocol-relative one in an attribute or CSS (base64 data may contain "//")
URL = re.compile(r"""[a-z][a-z0-9+.-]*://[^\s"'<>)]+|(?<=["'(=\s])//[^\s"'<>)]+""", re.I)


def outside_urls(text: str) -> list[str]:
    """Every absolute or protocol-relative URL (a page must refer only to its own host, relatively)."""
    return URL.findall(text)


def data_island(html: str, chart_id: str) -> Any:
    found = re.search(rf'<script type="application/json" id="{re.escape(chart_id)}">(.*?)</script>', html, re.S)
    assert found, f"no data island {chart_id}"
    return json.loads(found.group(1))

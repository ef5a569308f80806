"""Dates the command line assumes are the office's calendar day (Beijing time), not UTC's.

Between 00:00 and 08:00 Beijing time the UTC date is still yesterday: a report accepted at
00:30 must count in an evaluation run at 01:00 without ``--at``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from yigai import clock
from yigai.data import seed_paths

from .conftest import Invoke

UTC = dt.UTC
ACCEPTED = dt.datetime(2026, 12, 7, 16, 30, tzinfo=UTC)  # 00:30 on 8 December in Beijing
EVALUATED = dt.datetime(2026, 12, 7, 17, 0, tzinfo=UTC)  # 01:00 on 8 December in Beijing


def _freeze(monkeypatch: pytest.MonkeyPatch, moment: dt.datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: moment.astimezone(clock.OFFICE_TZ))


def _ok(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return result


def _item(ev: dict[str, Any], item_id: str) -> dict[str, Any]:
    return next(i for i in ev["items"] if i["item_id"] == item_id)


def test_evaluate_without_at_counts_a_report_accepted_after_midnight_in_beijing(
    yigai: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ok(yigai("import", str(seed_paths()[4])))
    _ok(yigai("schedule", "1", "--type", "quarterly", "--from", "2026年第1季度", "--to", "2026年第4季度"))
    _freeze(monkeypatch, ACCEPTED)
    base = ["1", "T4.M2", "--period", "2026年第3季度"]
    _ok(yigai("report", "save", *base, "--dept", "区卫健委", "--status", "推进中", "--percent", "60", "--submit"))
    _ok(yigai("report", "accept", *base))
    _freeze(monkeypatch, EVALUATED)
    ev = json.loads(_ok(yigai("evaluate", "1", "--format", "json")).stdout)
    assert ev["at"] == "2026-12-08" and ev["period_id"] == "2026Q3"
    item = _item(ev, "T4.M2")
    assert item["percent"] == 60.0 and item["status"] != "not_reported", item
    # The UTC calendar day (7 December) would not count it: the test above can fail.
    before = json.loads(_ok(yigai("evaluate", "1", "--at", "2026-12-07", "--format", "json")).stdout)
    assert _item(before, "T4.M2")["status"] == "not_reported"


def test_office_day_is_beijing_date(monkeypatch: pytest.MonkeyPatch) -> None:
    from yigai.cli.common import office_day

    _freeze(monkeypatch, EVALUATED)
    assert office_day(None) == dt.date(2026, 12, 8)
    assert office_day("2026-01-31") == dt.date(2026, 1, 31)

"""A period's bulletin judges that period's reports, and ranks member departments only."""

from __future__ import annotations

import datetime as dt

from yigai.domain.periods import periods_between
from yigai.services.bulletins import bulletin_data, bulletin_date
from yigai.services.departments import set_department_class
from yigai.services.reports import save_report

from .conftest import Loop, at

TOURISM = "区文旅局"  # co-leads T2.M1 (健康仓山 8 项任务) with 区卫生健康委; leads nothing else


def _report_all_but(loop: Loop, missing: str) -> None:
    """T2.M1 reported by 区文旅局 on the 5th day after each quarter, all but ``missing``; percent rising."""
    for n, period in enumerate(periods_between("2021Q3", "2023Q4"), start=1):
        if period.id != missing:
            save_report(
                loop.app.uow(),
                loop.admin,
                1,
                "T2.M1",
                period.id,
                TOURISM,
                "推进中",
                9.5 * n,
                submit=True,
                now=at((period.end + dt.timedelta(days=5)).isoformat()),
            )


def test_the_bulletin_of_a_quarter_counts_that_quarters_reports(loop: Loop) -> None:
    # 2023Q3's report never came; 2023Q4's came on 2024-01-05, due 2024-01-15: 9 of 10 reports in.
    _report_all_but(loop, "2023Q3")
    data = bulletin_data(loop.app.uow(), 1, "2023Q4")
    tourism = next(r for r in data.not_ranked if r.department == TOURISM)
    # on track 80 − one missing report 2; evaluated on 2023-12-31, when none of the 2023Q4 reports was due yet,
    # the item was 未报送 for 2023Q3 and 区文旅局 scored 0.0 with 8 of its 9 reports then due in
    assert tourism.score == 78.0
    assert tourism.reporting_rate == 0.9 and tourism.missing == 1
    assert "少于3项" in tourism.reason  # one item: listed, not ranked
    row = next(r for r in data.appendix if r.item_id == "T2.M1")
    assert (row.status_label, row.percent, row.period) == ("按期推进", 95.0, "2023年第4季度")
    # evaluated the day after the 2023Q4 reports were due
    assert data.at == dt.date(2024, 1, 16) and data.period_id == "2023Q4"


def test_the_default_date_is_the_day_after_the_due_day_or_today() -> None:
    q4 = periods_between("2023Q4", "2023Q4")[0]
    assert bulletin_date(q4, 15, dt.date(2024, 6, 1)) == dt.date(2024, 1, 16)
    assert bulletin_date(q4, 15, dt.date(2024, 1, 3)) == dt.date(2024, 1, 3)  # a preview: as things stand


def test_only_member_departments_are_ranked_and_the_office_may_class_one(loop: Loop) -> None:
    data = bulletin_data(loop.app.uow(), 1, "2023Q4", at=dt.date(2024, 1, 16))
    ranked = {r.department for r in data.ranking}
    apart = {r.department: r for r in data.not_ranked}
    assert not ranked & {"区委", "区政府", "区深化医改领导小组", "各镇街（园区）", "区直有关部门"}
    assert {"区委", "区政府", "各镇街（园区）"} <= set(apart)
    assert apart["区委"].class_label == "领导机构" and apart["各镇街（园区）"].class_label == "泛指单位"
    assert all(r.items >= 3 for r in data.ranking)
    assert any("排名得分＝" in p for p in data.method)

    set_department_class(loop.app.uow(), loop.admin, "区政府", "member")  # the office's explicit choice wins
    data = bulletin_data(loop.app.uow(), 1, "2023Q4", at=dt.date(2024, 1, 16))
    assert "区政府" in {r.department for r in data.ranking}
    set_department_class(loop.app.uow(), loop.admin, "区政府", "auto")
    data = bulletin_data(loop.app.uow(), 1, "2023Q4", at=dt.date(2024, 1, 16))
    assert "区政府" not in {r.department for r in data.ranking}

"""Tables for the supervision commands (JSON goes through ``jsonable``: every field, nothing lost).

Headers are bilingual like the plan tables in ``render.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from yigai.cli.render import _table, number
from yigai.domain.departments import CLASS_LABELS
from yigai.domain.indicators import IndicatorDef, ValueSource
from yigai.domain.orgunits import OrgUnit
from yigai.domain.periods import period_label
from yigai.domain.reports import REVIEW_LABELS, ProgressReport
from yigai.domain.users import ROLE_LABELS, User

if TYPE_CHECKING:  # the heavy modules load when a command runs (yigai --help stays fast)
    from rich.table import Table

    from yigai.evaluation.results import PlanEvaluation
    from yigai.services.departments import DepartmentEntry
    from yigai.services.reminders import OwedItem
    from yigai.services.targets import LinkView, Suggestion
    from yigai.services.validation import Violation
    from yigai.storage.indicator_repository import ValueRecord

TIMELINESS_LABELS = {"on_time": "按时", "late": "逾期提交", "missing": "未报送", "not_due": "未到期"}


def _when(value: object) -> str:
    return "" if value is None else str(value)[:16].replace("T", " ")


def orgunits_table(units: Sequence[OrgUnit]) -> Table:
    table = _table(
        f"机构层级 org units ({len(units)})",
        [
            ("编码\ncode", "left"),
            ("名称\nname", "left"),
            ("层级\nlevel", "left"),
            ("机构类型\ntype", "left"),
            ("等级\ngrade", "left"),
            ("分组\ngroups", "left"),
        ],
    )
    depth = {u.code: u.level.depth for u in units}
    for u in units:
        indent = "  " * (depth[u.code] - 1)
        table.add_row(
            u.code, f"{indent}{u.name}", u.level.value, u.institution_type or "", u.grade or "", "、".join(u.groups)
        )
    return table


def departments_table(entries: Sequence[DepartmentEntry]) -> Table:
    table = _table(
        f"部门 departments ({len(entries)})",
        [
            ("部门\ndepartment", "left"),
            ("类型\nkind", "left"),
            ("排名类别\nclass", "left"),
            ("计划中\nin plans", "left"),
            ("别名\naliases", "left"),
        ],
    )
    for e in entries:
        table.add_row(
            e.name,
            e.kind,
            f"{e.class_label}（{'设定' if e.class_set else '按名称'}）",
            "是" if e.in_plans else "",
            "、".join(e.aliases),
        )
    return table


def users_table(users: Sequence[User]) -> Table:
    table = _table(
        f"用户 users ({len(users)})",
        [
            ("用户名\nusername", "left"),
            ("姓名\nname", "left"),
            ("角色\nrole", "left"),
            ("部门范围\ndepartments", "left"),
            ("机构范围\norg units", "left"),
            ("状态\nstatus", "left"),
        ],
    )
    for u in users:
        table.add_row(
            u.username,
            u.display_name,
            f"{ROLE_LABELS[u.role]} ({u.role.value})",
            "、".join(sorted(u.departments)),
            "、".join(sorted(u.org_units)),
            "启用 active" if u.active else "已停用 disabled",
        )
    return table


def history_table(versions: Sequence[ProgressReport], title: str) -> Table:
    table = _table(
        title,
        [
            ("版本\nversion", "right"),
            ("审核状态\nstate", "left"),
            ("进展\nstatus", "left"),
            ("完成%\npercent", "right"),
            ("部门\ndepartment", "left"),
            ("填报人\nauthor", "left"),
            ("保存\nsaved", "left"),
            ("提交\nsubmitted", "left"),
            ("审核意见\nreview", "left"),
            ("进展情况\nnarrative", "left"),
            ("佐证\nevidence", "left"),
        ],
    )
    for r in versions:
        review = f"{r.reviewer}: {r.review_comment}" if r.reviewer else ""
        coop = "".join(f"\n[{d}] {t}" for d, t in r.contributions.items())
        table.add_row(
            str(r.version),
            REVIEW_LABELS[r.state],
            r.status.value,
            number(r.percent),
            r.department,
            r.author,
            _when(r.saved_at),
            _when(r.submitted_at),
            review,
            r.narrative + coop,
            "\n".join(e.filename for e in r.evidence),
        )
    return table


def owed_table(rows: Sequence[OwedItem], title: str) -> Table:
    table = _table(
        title,
        [
            ("部门\ndepartment", "left"),
            ("编号\nitem", "left"),
            ("任务 / 措施\ntask / measure", "left"),
            ("状态\nstate", "left"),
            ("截止\ndue", "left"),
            ("剩余天数\ndays left", "right"),
            ("时效\ntimeliness", "left"),
        ],
    )
    for r in rows:
        days = str(r.days_left) if r.days_left >= 0 else f"[red]{r.days_left}[/]"
        table.add_row(
            r.department, r.item_id, r.title, r.label, r.due.isoformat(), days, TIMELINESS_LABELS[r.timeliness.value]
        )
    return table


def indicators_table(defs: Sequence[IndicatorDef]) -> Table:
    table = _table(
        f"指标 indicators ({len(defs)})",
        [
            ("编码\ncode", "left"),
            ("名称\nname", "left"),
            ("单位\nunit", "left"),
            ("方向\ndirection", "left"),
            ("分子 / 分母\nnumerator / denominator", "left"),
            ("系数\nfactor", "right"),
            ("别名\naliases", "left"),
        ],
    )
    for d in defs:
        formula = d.numerator if not d.denominator else f"{d.numerator} / {d.denominator}"
        table.add_row(d.code, d.name, d.unit, d.direction.value, formula, number(d.factor), "、".join(d.aliases))
    return table


def values_table(records: Sequence[ValueRecord]) -> Table:
    computed = any(rec.value.source is ValueSource.COMPUTED for rec in records)  # their make-up, only then
    columns = [
        ("指标\nkey", "left"),
        ("机构\norg unit", "left"),
        ("报告期\nperiod", "left"),
        ("数值\nvalue", "right"),
        ("版本\nversion", "right"),
        ("来源\nsource", "left"),
        ("填报人\nauthor", "left"),
        ("保存\nsaved", "left"),
        ("异常\noutlier", "left"),
    ]
    if computed:
        columns += [("分子\nnumerator", "right"), ("分母\ndenominator", "right"), ("定义版本\ndefinition", "left")]
    table = _table(f"数据 values ({len(records)})", [*columns, ("备注\ncomment", "left")])
    for rec in records:
        v = rec.value
        cells = [
            v.key,
            v.org_unit,
            period_label(v.period_id),
            number(v.value),
            str(v.version),
            v.source.value,
            v.author,
            _when(v.saved_at),
            "[red]超出范围[/]" if rec.outlier else "",
        ]
        if computed:
            cells += [
                "" if v.numerator is None else f"{v.numerator:,.2f}",
                "" if v.denominator is None else f"{v.denominator:,.2f}",
                v.definition_version,
            ]
        table.add_row(*cells, v.comment)
    return table


def violations_table(violations: Sequence[Violation], period: str) -> Table:
    table = _table(
        f"校验结果 validation {period_label(period)} ({len(violations)})",
        [
            ("规则\nrule", "left"),
            ("机构\norg unit", "left"),
            ("左边\nleft", "right"),
            ("运算\nop", "left"),
            ("右边\nright", "right"),
        ],
    )
    for v in violations:
        table.add_row(f"{v.rule.code} {v.rule.name}", v.org_unit, number(v.left), v.rule.operator, number(v.right))
    return table


def suggestions_table(rows: Sequence[Suggestion] | Sequence[LinkView], title: str) -> Table:
    table = _table(
        title,
        [
            ("序号\nindex", "right"),
            ("目标指标\ntarget metric", "left"),
            ("单位\nunit", "left"),
            ("关联指标\nindicator", "left"),
            ("相似度\nscore", "right"),
            ("已确认\nconfirmed", "left"),
        ],
    )
    for r in rows:
        stale = " [red](已过期 stale)[/]" if getattr(r, "stale", False) else ""
        table.add_row(
            str(r.index),
            r.metric,
            r.unit,
            f"{r.indicator_code} {r.indicator_name}",
            f"{r.score:.2f}",
            ("是" if r.confirmed else "待确认") + stale,
        )
    return table


def evaluation_tables(ev: PlanEvaluation, *, all_items: bool = False) -> list[Table]:
    """Summary, department ranking, targets with a series, and the items that need attention."""
    from rich.table import Table

    from yigai.evaluation.results import ITEM_STATUS_LABELS

    summary = Table(show_header=False, title=f"评估 evaluation — {ev.title}")
    summary.add_column(style="bold")
    summary.add_column()
    counts = "，".join(f"{ITEM_STATUS_LABELS[s]} {n}" for s, n in ev.counts.items() if n)
    for key, value in (
        ("文号 document number", ev.doc_number),
        ("评估日期 at", ev.at.isoformat()),
        ("最近报告期 period", period_label(ev.period_id)),
        ("综合得分 score", f"{ev.score:.1f}"),
        ("完成率 completion", f"{ev.completion_rate:.1%}"),
        ("报送率 reporting", f"{ev.reporting_rate:.1%}"),
        ("及时率 on time", f"{ev.on_time_rate:.1%}"),
        ("状态 statuses", counts),
    ):
        summary.add_row(key, value)
    depts = _table(
        "部门排名 department ranking (排名得分 = score adjusted for the number of items)",
        [
            ("名次\nrank", "right"),
            ("部门\ndepartment", "left"),
            ("事项\nitems", "right"),
            ("完成率\ndone", "right"),
            ("报送率\nreporting", "right"),
            ("及时率\non time", "right"),
            ("均分\nitem mean", "right"),
            ("扣分\ndeducted", "right"),
            ("加分\nbonus", "right"),
            ("得分\nscore", "right"),
            ("排名得分\nrank score", "right"),
        ],
    )
    for d in ev.departments:
        depts.add_row(
            str(d.rank),
            d.name,
            str(d.items),
            f"{d.completion_rate:.0%}",
            f"{d.reporting_rate:.0%}",
            f"{d.on_time_rate:.0%}",
            f"{d.item_mean:.1f}",
            f"{-d.deduction:.1f}",
            f"{d.bonus:+.1f}",
            f"{d.score:.1f}",
            f"{d.rank_score or 0:.1f}",
        )
    apart = _table(
        "不参与排名 not ranked",
        [
            ("单位\nunit", "left"),
            ("类别\nclass", "left"),
            ("事项\nitems", "right"),
            ("得分\nscore", "right"),
            ("原因\nreason", "left"),
        ],
    )
    for d in ev.not_ranked:
        apart.add_row(d.name, CLASS_LABELS[d.department_class], str(d.items), f"{d.score:.1f}", d.not_ranked)
    targets = _table(
        "指标目标 targets",
        [
            ("指标\nmetric", "left"),
            ("目标\ntarget", "left"),
            ("最新值\nlatest", "right"),
            ("达标\nmet", "left"),
            ("预测\nprojection", "left"),
        ],
    )
    for t in ev.targets:
        if not t.indicator_code:
            continue
        latest = "" if t.latest is None else f"{number(t.latest.value)} ({t.latest.period.label})"
        met = {True: "达标", False: "[red]未达标[/]", None: "无数据"}[t.attainment.met]
        targets.add_row(f"{t.metric}\n{t.indicator_code}", t.target_text, latest, met, t.projection.sentence)
    shown = [i for i in ev.items if all_items or i.status.value in ("overdue", "at_risk", "not_reported")]
    items = _table(
        f"事项 items ({len(shown)}/{len(ev.items)})",
        [
            ("编号\nitem", "left"),
            ("事项\ntitle", "left"),
            ("牵头\nlead", "left"),
            ("状态\nstatus", "left"),
            ("完成%\npercent", "right"),
            ("原因\nreason", "left"),
        ],
    )
    for i in shown:
        items.add_row(i.item_id, i.title, "、".join(i.lead), ITEM_STATUS_LABELS[i.status], number(i.percent), i.reason)
    return [summary, depts, apart, targets, items]

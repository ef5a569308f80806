"""The audit log as the office reads it: every field and action in Chinese, newest first by time, Beijing time."""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from yigai.clock import OFFICE_TZ
from yigai.domain.indicators import ValidationRule
from yigai.domain.users import Role
from yigai.services import plan_review
from yigai.services.assignment import assign_plan_departments
from yigai.services.auth import change_own_password, login, logout, set_password
from yigai.services.departments import add_alias, rename_department
from yigai.services.errors import AuthenticationError
from yigai.services.evidence import EvidenceUpload
from yigai.services.plans import import_file
from yigai.services.reports import add_contribution, save_report
from yigai.services.review import accept_report, return_report
from yigai.services.scoring import set_office_scheme
from yigai.services.targets import suggest_links
from yigai.services.users import create_user, set_user_active, update_user
from yigai.services.validation import add_rule
from yigai.services.values import import_values, set_bounds
from yigai.storage.evidence_store import EvidenceStore
from yigai.web.viewmodels.audit_labels import (
    ACTION_LABELS,
    DATA_KEYED,
    ENTITY_LABELS,
    FIELD_LABELS,
    HIDDEN,
    field_label,
    show,
)

from .api_helpers import PDF, SEED_000, user
from .conftest import PASSWORDS, PLAN, Web
from .pages_helpers import add_history, when

SRC = Path(__file__).resolve().parents[2] / "src" / "yigai"


def _busy(web: Web) -> None:
    """Every kind of audited write the office, the departments and the institutions make."""
    uow = web.core.uow
    admin, wjw, ybj = user(web, "admin"), user(web, "wjw"), user(web, "ybj")
    add_history(web)  # reports, values, a target link
    store = EvidenceStore(web.core.settings.evidence_dir)
    save_report(
        uow(),
        wjw,
        PLAN,
        "T4.M2",
        "2023Q4",
        "区卫生健康委",
        "推进中",
        40,
        narrative="已启动",
        evidence=[EvidenceUpload("会议纪要.pdf", PDF)],
        store=store,
        submit=True,
        now=when("2024-01-08"),
    )
    add_contribution(uow(), ybj, PLAN, "T21.M3", "2023Q4", "区医保局", "已配合完成测算", now=when("2024-01-09"))
    return_report(uow(), admin, PLAN, "T4.M2", "2023Q4", "请补充材料", now=when("2024-01-10"))
    save_report(uow(), ybj, PLAN, "T22.M3", "2023Q4", "区医保局", "已完成", 100, submit=True, now=when("2024-01-09"))
    accept_report(uow(), admin, PLAN, "T22.M3", "2023Q4", now=when("2024-01-11"))
    add_alias(uow(), admin, "仓山卫健", "区卫生健康委")
    rename_department(uow(), admin, "区医保局", "区医疗保障局")
    set_bounds(uow(), admin, "FD_COVERAGE", 0, 100)
    add_rule(uow(), admin, ValidationRule("R1", "签约不超过人口", "FD_CONTRACTED", "<=", "POPULATION"))
    suggest_links(uow(), admin, PLAN)
    csv = web.folder / "values.csv"
    csv.write_text("key,org_unit,period,value\nFD_CONTRACTED,350104101-01,2023Q4,12000\n", encoding="utf-8")
    import_values(uow(), admin, csv)
    # a plan draft, corrected field by field, published; another discarded; a plan replaced
    draft = plan_review.upload_plan(uow(), admin, SEED_000)
    plan_review.set_task_field(uow(), admin, draft, "T3", "title", "改过的标题")
    plan_review.set_task_field(uow(), admin, draft, "T3", "deadline", "2023年底")
    plan_review.set_task_field(uow(), admin, draft, "T3", "category", ["政策类"])
    plan_review.set_meta(uow(), admin, draft, issuer="青浦区人民政府", date="2021-09-01")
    plan_review.set_task_departments(uow(), admin, draft, "T1", ["区卫健委"], ["区财政局"])
    plan_review.assign_departments(uow(), admin, draft, ["T2", "T4"], ["区卫健委"])
    plan_review.delete_task(uow(), admin, draft, "T5")
    published = plan_review.publish(uow(), admin, draft)
    other = plan_review.upload_plan(uow(), admin, SEED_000)
    plan_review.discard_draft(uow(), admin, other)
    import_file(uow(), SEED_000, replace=True)
    assign_plan_departments(uow(), admin, published, ["T1"], ["区财政局"])
    # people
    create_user(uow(), admin, "czj", "财政局填报员", Role.DEPARTMENT_REPORTER, departments=["区财政局"])
    update_user(uow(), admin, "czj", role=Role.VIEWER)
    set_user_active(uow(), admin, "czj", False)
    set_user_active(uow(), admin, "czj", True)
    set_password(uow(), admin, "czj", "czj-pass-777")
    change_own_password(uow(), user(web, "leader"), PASSWORDS["leader"], "leader-new-pass")
    signed = login(web.core.uow(), "wjw", PASSWORDS["wjw"])
    logout(uow(), signed.token, "wjw")
    with contextlib.suppress(AuthenticationError):
        login(uow(), "wjw", "wrong-pass-1")
    set_office_scheme(uow(), admin, {"parts": {"tasks": 70, "indicators": 30}})


def _keys(value: Any, field: str = "") -> Iterator[str]:
    """Field names in a stored before/after: top level, and inside nested records (not data-keyed maps)."""
    if isinstance(value, Mapping):
        if field in DATA_KEYED:  # keyed by names or item ids: only the records inside have field names
            for inner in value.values():
                yield from _keys(inner)
            return
        for key, inner in value.items():
            yield str(key)
            if key not in HIDDEN:
                yield from _keys(inner, str(key))
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner, field)


def test_every_field_and_action_the_audit_writes_is_in_chinese(web: Web) -> None:
    _busy(web)
    with web.core.uow() as uow:
        entries = uow.audit.entries()
    actions = {e.action for e in entries}
    fields = {k for e in entries for side in (e.before, e.after) for k in _keys(side)}
    entities = {e.entity for e in entries}
    assert {"report.return", "plan_draft.meta", "user.disable", "scoring.set", "department.rename"} <= actions
    assert {"inputs_hash", "key", "org_unit", "status", "percent"} <= fields
    assert sorted(a for a in actions if a not in ACTION_LABELS) == []
    assert sorted(e for e in entities if e not in ENTITY_LABELS) == []
    unlabelled = sorted(f for f in fields if field_label(f) == f)
    assert unlabelled == []


def _literal_keys(node: ast.AST) -> Iterator[str]:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Dict):
            yield from (k.value for k in sub.keys if isinstance(k, ast.Constant) and isinstance(k.value, str))


def test_every_field_and_action_written_in_the_code_has_a_label() -> None:
    """What the code writes as literals: actions, entities and before/after keys of every ``audit.record``."""
    actions, entities, keys = set(), set(), set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and "audit" in ast.unparse(node.func.value)
            ):
                continue
            literal = [a.value for a in node.args[1:3] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
                actions.add(node.args[1].value)
            elif len(node.args) > 1 and ast.unparse(node.args[1]) == "AUDIT_ACTION":
                actions.add("plan.departments")
            if len(node.args) > 2 and isinstance(node.args[2], ast.Constant):
                entities.add(node.args[2].value)
            for kw in node.keywords:
                if kw.arg in ("before", "after"):
                    keys.update(_literal_keys(kw.value))
            assert literal or node.args, path
    assert len(actions) > 20 and len(keys) > 20
    assert sorted(a for a in actions if a not in ACTION_LABELS) == []
    assert sorted(e for e in entities if e not in ENTITY_LABELS) == []
    assert sorted(k for k in keys if k not in FIELD_LABELS) == []


def test_the_log_is_newest_first_by_time_in_beijing_time(web: Web) -> None:
    """Writes recorded with their own (earlier) time come later in id order: the page sorts by time."""
    admin = user(web, "admin")
    utc = dt.UTC
    create_user(
        web.core.uow(), admin, "late", "后建早记", Role.VIEWER, now=dt.datetime(2021, 6, 30, 17, 30, tzinfo=utc)
    )  # 2021-07-01 01:30 in Beijing
    create_user(
        web.core.uow(), admin, "early", "先建晚记", Role.VIEWER, now=dt.datetime(2099, 1, 1, 2, 0, tzinfo=OFFICE_TZ)
    )
    html = web.client("admin").get("/audit").text
    times = re.findall(r'<td style="white-space: nowrap"[^>]*>([^<]+)</td>', html)
    assert times[0] == "2099-01-01 02:00"
    assert times == sorted(times, reverse=True)
    assert "时间（北京时间）" in html
    older = web.client("admin").get("/audit?action=user.create").text
    assert "2021-07-01 01:30" in older  # 17:30 UTC the day before, in Beijing time
    rows = re.findall(r'<td style="white-space: nowrap"[^>]*>([^<]+)</td>', older)
    assert rows == sorted(rows, reverse=True)
    api = web.client("admin").get("/api/v1/audit?action=user.create").json()["entries"]
    assert [e["entity_key"] for e in api][:1] == ["early"] and api[-1]["entity_key"] in {"late", "admin", "wjw"}


def test_values_are_shown_as_people_read_them() -> None:
    assert show("role", "department_reporter") == "部门填报人"
    assert show("state", "accepted") == "已采纳"
    assert show("type", "quarterly") == "季度"
    assert show("period_id", "2023Q4") == "2023年第4季度"
    assert show("saved_at", "2023-10-10T02:00:00+00:00") == "2023-10-10 10:00"
    assert show("confirmed", True) == "是"
    assert show("percent", 60.0) == "60"
    assert show("lead", [{"name": "区卫生健康委", "raw": "区卫健委", "span": [1, 4]}]) == "区卫生健康委"
    assert show("evidence", [{"sha256": "ab", "filename": "纪要.pdf"}]) == "纪要.pdf"
    assert show("contributions", {"区医保局": "已配合"}) == "区医保局：已配合"
    assert show("value", {"issuer": "青浦区人民政府", "span": [0, 3]}) == "发文机关：青浦区人民政府"
    assert field_label("parts.tasks") == "总分构成（任务推进 : 指标达成） · 任务推进"
    assert field_label("no_such_field") == "no_such_field"  # an unknown field keeps its raw name


def test_the_page_shows_chinese_labels_not_raw_names(web: Web) -> None:
    add_history(web)
    html = web.client("admin").get("/audit?entity=data_value").text
    table = html.split("<table>", 1)[1]
    assert (
        "指标或数据元编码" in table and "机构/地区编码" in table and "计算输入指纹" not in table
    )  # empty: not a change
    assert "录入数值" in table and "指标数值" in table
    for raw in ('<strong title="key">key<', "org_unit</strong>", "data_value<", "value.enter<"):
        assert raw not in table
    assert 'option value="data_value" selected>指标数值' in html

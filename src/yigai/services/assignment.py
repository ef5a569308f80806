"""Lead and cooperating departments for many tasks at once: on a draft under review or a published plan.

When the parser is unsure, the office decides quickly: the tasks with no lead department
are listed first (``unassigned_tasks``), the office ticks many of them and names a lead
department and cooperating departments for all of them at once, picking from the
department registry (the alias table and every department a plan names, as
``services.departments.list_departments`` lists it).

``mode`` says what happens to the departments an item already has:

- ``add`` (追加): the chosen departments join those already named; a department chosen as
  lead that was cooperating becomes a lead; one chosen as cooperating that already leads
  stays a lead.
- ``replace`` (替换): the item's lead and cooperating departments become exactly the chosen
  ones (a lead department is then required).

Every name goes through the aliases (``resolve_department``: 区卫健局 → 区卫生健康委); a name
that is not in the registry is refused with a message naming it, and nothing is written.
A department that was printed for the item keeps its printed name and span.

On a published plan (``assign_plan_departments``) the change is one transaction with one
audit entry per changed item (``plan.departments``, before and after); progress reports
are never touched: they keep their versions, and from then on the new lead department
reports on the item (the workspace, the reminders and the evaluation read the plan's
departments). On a draft it is one correction (``plan_review.assign_departments``).
Only an office admin assigns.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from yigai import clock
from yigai.domain.plan import (
    DepartmentKind,
    DepartmentRef,
    PlanDraft,
    PlanLevel,
    PlanMeta,
    Responsibility,
)
from yigai.domain.serialize import department_dict
from yigai.domain.users import User
from yigai.parsing.departments import default_directory
from yigai.services.departments import ensure_seeded, list_departments, resolve_department
from yigai.services.errors import InvalidInputError
from yigai.services.items import find_thing, report_items, require_admin
from yigai.services.orgunits import region_candidates
from yigai.services.plans import find_plan
from yigai.storage.uow import UnitOfWork

MAX_ITEMS = 2000
MAX_NAMES = 50
_SEPARATORS = re.compile(r"[、,，;；\n]")
AUDIT_ACTION = "plan.departments"


class AssignMode(StrEnum):
    ADD = "add"
    REPLACE = "replace"


MODE_LABELS = {
    AssignMode.ADD: "追加：保留原有部门，加上所选部门",
    AssignMode.REPLACE: "替换：原有牵头和配合部门改为所选部门",
}


@dataclass(frozen=True, slots=True)
class Assignment:
    """What one bulk assignment did."""

    items: list[str]  # the items chosen, as given (duplicates dropped)
    changed: list[str]  # those whose departments changed
    lead: list[str]  # the canonical names assigned
    cooperating: list[str]
    mode: AssignMode
    version: int | None = None  # the draft version it produced (drafts only)


# ---------------------------------------------------------------- what needs a lead


def unassigned_items(draft: PlanDraft) -> list[str]:
    """Reportable items (measures, or tasks without measures) that no department leads, in document order.

    A measure that names no department of its own has its task's: it is unassigned only when
    the task has no lead either. Nobody can report on such an item.
    """
    return [item.item_id for item in report_items(draft) if not item.lead]


def unassigned_tasks(draft: PlanDraft) -> list[str]:
    """Tasks with at least one reportable item that no department leads, in document order."""
    tasks = {item.task_id for item in report_items(draft) if not item.lead}
    return [t.id for t in draft.tasks if t.id in tasks]


@dataclass(frozen=True, slots=True)
class DepartmentOption:
    """A department the office may pick, with what it is also called (for the picker's hint)."""

    name: str
    kind: str
    aliases: list[str]
    in_plans: bool


def department_options(uow: UnitOfWork, meta: PlanMeta) -> list[DepartmentOption]:
    """The registry, for picking departments for a plan of this region and level (named-in-plans first).

    The shipped names are a district's (区卫生健康委); for a city's plan they are offered at
    the city's level (市卫生健康委), as the parser reads them in a city's document.
    """
    region = region_candidates(meta.region)[-1] if meta.region else ""
    options: dict[str, DepartmentOption] = {}
    for entry in list_departments(uow, region):
        name = entry.name
        if meta.level is PlanLevel.CITY and name.startswith("区") and _at_plan_level("市" + name[1:], ""):
            name = "市" + name[1:]
        options.setdefault(name, DepartmentOption(name, entry.kind, entry.aliases, entry.in_plans))
    return list(options.values())


# ---------------------------------------------------------------- checking what was asked


def parse_mode(value: AssignMode | str) -> AssignMode:
    text = str(value or "").strip()
    for mode in AssignMode:
        if text in (mode.value, mode.name, "追加" if mode is AssignMode.ADD else "替换"):
            return mode
    raise InvalidInputError(
        f"unknown mode {value!r}; add or replace",
        message_zh=f"方式「{value}」无效（可选：追加 add、替换 replace）",
        where="mode",
    )


def item_ids(items: Sequence[str] | str) -> list[str]:
    """The chosen item ids, duplicates dropped; at least one."""
    if isinstance(items, str):
        items = [items]
    ids = list(dict.fromkeys(i.strip() for text in items for i in re.split(r"[\s,，、]+", text or "") if i.strip()))
    if not ids:
        raise InvalidInputError(
            "choose at least one task or measure", message_zh="请至少选择一项任务或措施", where="items"
        )
    if len(ids) > MAX_ITEMS:
        raise InvalidInputError(
            f"at most {MAX_ITEMS} items at once", message_zh=f"一次最多选择 {MAX_ITEMS} 项", where="items"
        )
    return ids


def names(value: Sequence[str] | str, where: str) -> list[str]:
    """Names as typed: a list, or one string with 、，,；; between names (区卫健局、区医保局)."""
    if isinstance(value, str):
        value = [value]
    cleaned = list(dict.fromkeys(n.strip() for text in value for n in _SEPARATORS.split(text or "") if n.strip()))
    if len(cleaned) > MAX_NAMES or any(len(n) > 100 for n in cleaned):
        raise InvalidInputError(
            f"too many or too long department names for {where}",
            message_zh=f"{'牵头' if where == 'lead' else '配合'}部门过多或名称过长",
            where=where,
        )
    return cleaned


def check_request(lead: list[str], cooperating: list[str], mode: AssignMode) -> None:
    if not lead and not cooperating:
        raise InvalidInputError(
            "name a lead or a cooperating department", message_zh="请选择牵头部门或配合部门", where="lead"
        )
    if mode is AssignMode.REPLACE and not lead:
        raise InvalidInputError(
            "replacing needs a lead department (it would leave the items without one)",
            message_zh="替换方式须指定牵头部门（否则所选事项将没有牵头部门）",
            where="lead",
        )


def registry_names(uow: UnitOfWork, typed: list[str], region: str, where: str) -> list[str]:
    """Canonical names of what was typed (inside an open unit of work); a name not in the registry is refused."""
    ensure_seeded(uow)
    known = set(uow.departments.registry_names())
    resolved, unknown = [], []
    for name in typed:
        canonical = resolve_department(uow, name, region)
        if canonical in known or _at_plan_level(canonical, region):
            resolved.append(canonical)
        else:
            unknown.append(name)
    if unknown:
        role = "牵头" if where == "lead" else "配合"
        raise InvalidInputError(
            f"unknown department(s): {', '.join(unknown)}; choose from the registry or add an alias first",
            message_zh=f"{role}部门「{'、'.join(unknown)}」不在部门名录中，请从名录中选择，"
            "或先在“系统管理”中为其添加别名",
            where=where,
        )
    return list(dict.fromkeys(resolved))


def _at_plan_level(name: str, region: str) -> bool:
    """A registry department named at another level (市卫生健康委 in a city's plan for 区卫生健康委)."""
    res = default_directory().resolve(name, region)
    return res.known and not res.truncated and res.name == name


def check_clash(lead: list[str], cooperating: list[str]) -> None:
    clash = sorted(set(lead) & set(cooperating))
    if clash:
        raise InvalidInputError(
            f"{', '.join(clash)} cannot both lead and cooperate",
            message_zh=f"「{'、'.join(clash)}」不能同时是牵头部门和配合部门",
            where="cooperating",
        )


# ---------------------------------------------------------------- applying it


def department_kinds(uow: UnitOfWork) -> dict[str, str]:
    """Canonical name → kind (department | group), from the alias table (inside an open unit of work)."""
    return {rec.department: rec.kind for rec in uow.departments.aliases()}


def _kind(name: str, kinds: dict[str, str], region: str) -> DepartmentKind:
    kind = kinds.get(name)
    if kind in {k.value for k in DepartmentKind}:
        return DepartmentKind(kind)
    return default_directory().resolve(name, region).kind


def assign(
    resp: Responsibility, lead: list[str], cooperating: list[str], mode: AssignMode, kinds: dict[str, str], region: str
) -> bool:
    """Apply one assignment to one item's responsibility, in place; True when its departments changed."""
    printed = {ref.name: ref for ref in (*resp.lead, *resp.cooperating)}

    def ref(name: str) -> DepartmentRef:
        old = printed.get(name)
        if old is not None:
            return DepartmentRef(name, old.raw, old.kind, True, old.span)
        return DepartmentRef(name, name, _kind(name, kinds, region), True, None)

    before = dept_value(resp)
    chosen_lead, chosen_coop = [ref(n) for n in lead], [ref(n) for n in cooperating]
    if mode is AssignMode.REPLACE:
        new_lead, new_coop = chosen_lead, chosen_coop
    else:
        new_lead = unique_refs([*resp.lead, *chosen_lead])
        leading = {r.name for r in new_lead}
        new_coop = [r for r in unique_refs([*resp.cooperating, *chosen_coop]) if r.name not in leading]
    resp.lead, resp.cooperating = new_lead, new_coop
    return _names(before) != _names(dept_value(resp))


def unique_refs(refs: list[DepartmentRef]) -> list[DepartmentRef]:
    """The first department of each name, in order."""
    by_name: dict[str, DepartmentRef] = {}
    for r in refs:
        by_name.setdefault(r.name, r)
    return list(by_name.values())


def dept_value(resp: Responsibility) -> dict[str, Any]:
    return {
        "lead": [department_dict(r) for r in resp.lead],
        "cooperating": [department_dict(r) for r in resp.cooperating],
    }


def _names(value: dict[str, Any]) -> tuple[list[str], list[str]]:
    return [d["name"] for d in value["lead"]], [d["name"] for d in value["cooperating"]]


# ---------------------------------------------------------------- a published plan


def assign_plan_departments(
    uow: UnitOfWork,
    user: User,
    plan_ref: str | int,
    items: Sequence[str] | str,
    lead: Sequence[str] | str = (),
    cooperating: Sequence[str] | str = (),
    *,
    mode: AssignMode | str = AssignMode.ADD,
    now: dt.datetime | None = None,
) -> Assignment:
    """Assign lead and cooperating departments to many tasks or measures of a published plan at once.

    One transaction: every name and item is checked before anything is written; each changed
    item gets an audit entry (``plan.departments``, before and after). Progress reports are
    not touched. Returns what was chosen and what changed.
    """
    require_admin(user, "assign departments on a plan", "调整计划的责任部门")
    how = parse_mode(mode)
    ids = item_ids(items)
    lead_typed, coop_typed = names(lead, "lead"), names(cooperating, "cooperating")
    check_request(lead_typed, coop_typed, how)
    at = now or clock.now()
    with uow:
        record = find_plan(uow, plan_ref)
        draft = record.draft
        region = draft.meta.region
        lead_names = registry_names(uow, lead_typed, region, "lead")
        coop_names = registry_names(uow, coop_typed, region, "cooperating")
        check_clash(lead_names, coop_names)
        things = [(item_id, find_thing(draft, item_id)) for item_id in ids]
        kinds = department_kinds(uow)
        changes: dict[str, Responsibility] = {}
        for item_id, thing in things:
            before = dept_value(thing.responsibility)
            if assign(thing.responsibility, lead_names, coop_names, how, kinds, region):
                changes[item_id] = thing.responsibility
                uow.audit.record(
                    user.username,
                    AUDIT_ACTION,
                    "plan",
                    str(record.id),
                    at=at,
                    before={"item": item_id, **before},
                    after={"item": item_id, **dept_value(thing.responsibility), "mode": how.value},
                )
        if changes:
            uow.plans.set_responsibilities(record.id, changes, region)
            uow.commit()
    return Assignment(ids, list(changes), lead_names, coop_names, how)

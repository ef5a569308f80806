"""Validation rules (DHIS2's model): ``left operator right`` over data-element and indicator codes.

Each side is an arithmetic expression (``DRUG_REVENUE + CONSUMABLES_REVENUE``)
evaluated with a tiny whitelist interpreter, never ``eval``. The rule's
missing-value strategy decides what happens when a code has no value:
skip if any is missing, skip only if all are missing (the others count as 0),
or never skip (missing counts as 0).
"""

from __future__ import annotations

import ast
import datetime as dt
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from yigai.domain.indicators import MissingValueStrategy, ValidationRule
from yigai.domain.periods import parse_period
from yigai.domain.users import User
from yigai.services.errors import InvalidInputError
from yigai.services.indicators import OPERATORS
from yigai.services.items import require_admin
from yigai.storage.uow import UnitOfWork

_CODE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "==": lambda a, b: abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b)),
    "!=": lambda a, b: abs(a - b) > 1e-9,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def codes_in(expression: str) -> set[str]:
    return set(_CODE.findall(expression))


def evaluate(expression: str, values: Mapping[str, float]) -> float:
    """Arithmetic over codes and numbers; a code not in ``values`` raises KeyError."""
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as exc:
        raise InvalidInputError(
            f"not an expression: {expression!r}", message_zh=f"表达式无效：{expression}", where="expression"
        ) from exc

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
            return float(node.value)
        if isinstance(node, ast.Name):
            return values[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            value = walk(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return _BINARY[type(node.op)](walk(node.left), walk(node.right))
        raise InvalidInputError(
            f"unsupported element in {expression!r}",
            message_zh=f"表达式含不支持的内容：{expression}",
            where="expression",
        )

    return walk(tree)


@dataclass(frozen=True, slots=True)
class Violation:
    rule: ValidationRule
    org_unit: str
    period_id: str
    left: float
    right: float


def check_rule(rule: ValidationRule, values: Mapping[str, float]) -> tuple[float, float] | None:
    """(left, right) when the rule fails, None when it holds or is skipped for missing values."""
    codes = codes_in(rule.left) | codes_in(rule.right)
    present = {c for c in codes if c in values}
    if rule.missing is MissingValueStrategy.SKIP_IF_ANY_MISSING and present != codes:
        return None
    if rule.missing is MissingValueStrategy.SKIP_IF_ALL_MISSING and not present:
        return None
    filled = {c: values.get(c, 0.0) for c in codes}
    try:
        left, right = evaluate(rule.left, filled), evaluate(rule.right, filled)
    except ZeroDivisionError:
        return None
    return None if _COMPARE[rule.operator](left, right) else (left, right)


def run_validation(uow: UnitOfWork, period_id: str, org_unit: str | None = None) -> list[Violation]:
    """Every rule over the current values of a period, per org unit that has values."""
    period = parse_period(period_id).id
    with uow:
        rules = uow.indicators.rules()
        records = uow.values.query(period_ids=[period], org_units=None if org_unit is None else [org_unit])
    by_unit: dict[str, dict[str, float]] = {}
    for rec in records:
        by_unit.setdefault(rec.value.org_unit, {})[rec.value.key] = rec.value.value
    violations = []
    for unit, values in sorted(by_unit.items()):
        for rule in rules:
            failed = check_rule(rule, values)
            if failed is not None:
                violations.append(Violation(rule, unit, period, *failed))
    return violations


def add_rule(uow: UnitOfWork, user: User, rule: ValidationRule, *, now: dt.datetime | None = None) -> ValidationRule:
    """Add or change a rule; both sides must parse and the operator be one of == != < <= > >=."""
    require_admin(user, "edit validation rules", "维护校验规则")
    if rule.operator not in OPERATORS:
        raise InvalidInputError(
            f"operator must be one of {' '.join(OPERATORS)}",
            message_zh=f"运算符须为 {' '.join(OPERATORS)} 之一",
            where="operator",
        )
    for side in (rule.left, rule.right):
        evaluate(side, dict.fromkeys(codes_in(side), 1.0))
    with uow:
        uow.indicators.put_rule(rule)
        uow.audit.record(user.username, "rule.put", "validation_rule", rule.code, after=rule, at=now)
        uow.commit()
    return rule

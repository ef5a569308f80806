"""What a reviewer types on a plan draft, read and checked: department names, titles, deadlines,
categories and the plan's metadata, each refused with a message that says what and where.

The review service (``services/plan_review``) applies the corrections; this module only reads values,
so the rules for what may be typed stand in one place (the web form, the API and tests share them).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from yigai.domain.plan import Category, Deadline, DeadlineKind, PlanLevel, PlanType, Span
from yigai.parsing.deadlines import parse_deadline
from yigai.services.errors import InvalidInputError

_SEPARATORS = re.compile(r"[、,，;；\n]")
MAX_TITLE = 500
META_LABELS = {
    "title": "标题",
    "issuer": "发文机关",
    "doc_number": "文号",
    "date": "成文日期",
    "region": "地区",
    "level": "层级",
    "type": "类型",
    "valid_until": "有效期至",
}


def typed_names(names: Sequence[str] | str, where: str) -> list[str]:
    """Names as typed: a list, or one string with 、，,；; between names (区卫健局、区医保局)."""
    if isinstance(names, str):
        names = [names]
    cleaned = [n.strip() for text in names for n in _SEPARATORS.split(text or "") if n.strip()]
    too_long = [n for n in cleaned if len(n) > 100]
    if too_long:
        raise InvalidInputError(
            f"department name too long: {too_long[0][:20]}…",
            message_zh=f"部门名称过长：{too_long[0][:20]}…",
            where=where,
        )
    return cleaned


def typed_title(value: Any) -> str:
    text = " ".join(str(value or "").split())
    if not text or len(text) > MAX_TITLE:
        raise InvalidInputError(
            f"the title must have 1-{MAX_TITLE} characters",
            message_zh=f"标题不能为空，且不超过 {MAX_TITLE} 字",
            where="title",
        )
    return text


def typed_deadline(value: Any, span: Span | None) -> Deadline:
    if isinstance(value, dt.date):
        return Deadline(DeadlineKind.DATE, value, value.isoformat(), span)
    text = str(value or "").strip()
    if not text:
        return Deadline(DeadlineKind.UNSPECIFIED, None, "", span)
    try:
        return Deadline(DeadlineKind.DATE, dt.date.fromisoformat(text), text, span)
    except ValueError:
        pass
    parsed = parse_deadline(text)
    if parsed.kind is DeadlineKind.UNSPECIFIED:
        raise InvalidInputError(
            f"cannot read the deadline {text!r}: give a date (2023-12-31, 2023年底) or 持续推进, 按序时进度 …",
            message_zh=f"无法识别完成时间「{text}」（请填写日期，如 2023-12-31、2023年底，或 持续推进、按序时进度 等）",
            where="deadline",
        )
    return Deadline(parsed.kind, parsed.date, text, span)


def typed_categories(value: Any) -> list[Category]:
    raw = [value] if isinstance(value, str | Category) else list(value or [])
    out: list[Category] = []
    for item in raw:
        text = str(item).strip()
        found = next((c for c in Category if text in (c.value, c.name, c.name.lower(), c.value[:2])), None)
        if found is None:
            raise InvalidInputError(
                f"unknown category {text!r}; one of {', '.join(c.value for c in Category)}",
                message_zh=f"类别「{text}」无效（可选：{'、'.join(c.value for c in Category)}）",
                where="category",
            )
        if found not in out:
            out.append(found)
    if not out:
        raise InvalidInputError("give at least one category", message_zh="请至少选择一个类别", where="category")
    return out


def typed_meta_value(name: str, value: Any) -> Any:
    if name in ("date", "valid_until"):
        if value is None or isinstance(value, dt.date) or not str(value).strip():
            return value or None
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise InvalidInputError(
                f"{name} must be a date such as 2021-06-01, got {value!r}",
                message_zh=f"{META_LABELS[name]}须为日期（如 2021-06-01），收到「{value}」",
                where=name,
            ) from None
    if name in ("level", "type"):
        enum = PlanLevel if name == "level" else PlanType
        try:
            return enum(str(value).strip())
        except ValueError:
            raise InvalidInputError(
                f"{name} must be one of {', '.join(e.value for e in enum)}",
                message_zh=f"{META_LABELS[name]}须为：{'、'.join(e.value for e in enum)}",
                where=name,
            ) from None
    text = " ".join(str(value or "").split())
    if name == "title":
        return typed_title(text)
    if len(text) > 200:
        raise InvalidInputError(
            f"{name} is too long (at most 200 characters)",
            message_zh=f"{META_LABELS[name]}过长（最多 200 字）",
            where=name,
        )
    return text

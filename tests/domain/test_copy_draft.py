"""``copy_draft``: equal to the original, sharing nothing a reader could change."""

from __future__ import annotations

import dataclasses
from typing import Any

from yigai.domain.plan import PlanDraft, copy_draft


def _mutable_parts(value: Any, seen: list[Any]) -> list[Any]:
    """Every list, dict and non-frozen dataclass instance reachable from ``value``."""
    if isinstance(value, list | dict):
        seen.append(value)
        for item in value.values() if isinstance(value, dict) else value:
            _mutable_parts(item, seen)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        if not type(value).__dataclass_params__.frozen:  # type: ignore[attr-defined]
            seen.append(value)
        for f in dataclasses.fields(value):
            _mutable_parts(getattr(value, f.name), seen)
    return seen


def test_a_copy_is_equal_and_shares_no_mutable_part(sample_draft: PlanDraft, seed_drafts: list[PlanDraft]) -> None:
    for draft in [sample_draft, *seed_drafts]:
        copy = copy_draft(draft)
        assert copy == draft
        originals = {id(part) for part in _mutable_parts(draft, [])}
        shared = [part for part in _mutable_parts(copy, []) if id(part) in originals]
        assert shared == []

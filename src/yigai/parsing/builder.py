"""Assemble a PlanDraft from normalised text (work in progress)."""

from __future__ import annotations

from yigai.domain.plan import PlanDraft


def build_draft(text: str, *, source_name: str, source_format: str, sha256: str) -> PlanDraft:
    return PlanDraft(source_name=source_name, source_format=source_format, source_text=text, sha256=sha256)

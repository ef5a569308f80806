"""Fixtures: the five seed plans, parsed once per test session."""

from __future__ import annotations

import pytest

from yigai.data import seed_paths
from yigai.domain.plan import PlanDraft
from yigai.parsing import parse_file


@pytest.fixture(scope="session")
def seeds() -> dict[str, PlanDraft]:
    """Seed drafts keyed by their number prefix: "000" … "004"."""
    return {p.name[:3]: parse_file(p) for p in seed_paths()}

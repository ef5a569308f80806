"""Storage tests run on SQLite and on PostgreSQL with the same assertions."""

from __future__ import annotations

import pytest

from yigai.settings import Settings


@pytest.fixture
def settings(store_settings: Settings) -> Settings:
    return store_settings

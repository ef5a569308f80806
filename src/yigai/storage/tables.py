"""Every table module, imported once, so ``metadata`` holds the whole schema.

Alembic's environment and the migration tests use this; code that only needs
some tables imports their module directly.
"""

from __future__ import annotations

from yigai.storage import indicator_models, models, supervision_models, web_models

metadata = models.Base.metadata

__all__ = ["indicator_models", "metadata", "models", "supervision_models", "web_models"]

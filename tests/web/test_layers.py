"""Web view models and page routes go through services: none of them queries a repository itself."""

from __future__ import annotations

import re
from pathlib import Path

import yigai.web
from yigai.storage.uow import SqlUnitOfWork

WEB = Path(yigai.web.__file__).parent
REPOSITORIES = sorted(SqlUnitOfWork.__annotations__)
DIRECT = re.compile(rf"\buow\s*\.\s*({'|'.join(REPOSITORIES)})\b")


def _sources() -> list[Path]:
    return sorted([*WEB.glob("viewmodels/*.py"), *WEB.glob("pages/*.py")])


def test_the_pattern_knows_the_repositories() -> None:
    assert {"plans", "reports", "users", "indicators", "values", "links"} <= set(REPOSITORIES)
    assert DIRECT.search("x = uow.reports.schedule(1)")
    assert not DIRECT.search("x = uow_reports.schedule(1)")
    assert len(_sources()) > 20


def test_viewmodels_and_pages_use_no_repository_directly() -> None:
    found = [
        f"{path.relative_to(WEB)}:{n}: {line.strip()}"
        for path in _sources()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if DIRECT.search(line)
    ]
    assert not found, "call a service instead of the repository:\n" + "\n".join(found)

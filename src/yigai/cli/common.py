"""What the supervision commands share: opening the app, the acting user, output formats, options.

Kept out of ``main.py`` so that command modules never import the module that
registers them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from yigai import clock
from yigai.cli.edge import stderr
from yigai.domain.users import DEFAULT_ADMIN, User
from yigai.settings import Settings

if TYPE_CHECKING:  # the heavy modules load when a command runs (yigai --help stays fast)
    from yigai.bootstrap import App
    from yigai.storage.evidence_store import EvidenceStore


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="table (Rich) or json.")]
PlanArg = Annotated[str, typer.Argument(help="Plan id or 文号, e.g. 5 or 仓医改组〔2021〕1号.", show_default=False)]
UserOpt = Annotated[
    str | None,
    typer.Option(
        "--user",
        "-u",
        show_default=False,
        help=f"Act as this user (see `yigai users list`); default: the built-in office admin "
        f"'{DEFAULT_ADMIN.username}', created on first use.",
    ),
]
PeriodOpt = Annotated[
    str,
    typer.Option(
        "--period",
        "-p",
        show_default=False,
        help=(
            "Period as people write it or as an id: 2023年第4季度, 2023年四季度, 2023年下半年, 2023年12月, 2023年, "
            "2023Q4, 2023S2, 202312, 2023."
        ),
    ),
]
AtOpt = Annotated[
    str | None,
    typer.Option(
        "--at", show_default=False, help=("Evaluation date YYYY-MM-DD (default: today in office time, Beijing).")
    ),
]


def office_day(at: str | None) -> dt.date:
    """The date of ``--at``, or the office's calendar day (Beijing time), never the machine's or UTC's."""
    if not at:
        return clock.now().date()
    try:
        return dt.date.fromisoformat(at.strip())
    except ValueError:
        raise typer.BadParameter(f"--at must be YYYY-MM-DD, got {at!r} / 日期格式应为 YYYY-MM-DD") from None


@contextmanager
def opened() -> Iterator[App]:
    from yigai.bootstrap import build

    with build(Settings.from_env()) as built:
        yield built


def who(built: App, username: str | None) -> User:
    """The acting user of a command."""
    from yigai.services.users import acting_user

    return acting_user(built.uow(), username)


def evidence_store(built: App) -> EvidenceStore:
    from yigai.storage.evidence_store import EvidenceStore

    return EvidenceStore(built.settings.evidence_dir)


def info(message: str) -> None:
    stderr().print(escape(message), highlight=False, soft_wrap=True)

"""The CLI's edge: where errors become messages and exit codes.

Every command runs inside ``EdgeGroup.invoke``: a ``YigaiError`` prints its
Chinese and English message (``err.bilingual()``) on stderr and exits 2 for a
bad document or bad input (``InvalidInputError``, a malformed period), 1
otherwise; any other exception prints a short bilingual message and exits 1.
No traceback unless ``YIGAI_DEBUG=1``.
"""

from __future__ import annotations

import os
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup
from typer.exceptions import TyperException

from yigai.domain.errors import DocumentError, YigaiError
from yigai.domain.periods import PeriodError
from yigai.services.errors import InvalidInputError

EXIT_ERROR = 1
EXIT_BAD_INPUT = 2
DEBUG_ENV = "YIGAI_DEBUG"

# Exceptions the command-line framework uses to signal exits, usage errors, aborts.
_PASS_THROUGH: tuple[type[BaseException], ...] = (TyperException, typer.Exit, typer.Abort)


def stdout() -> Console:
    """Console for results (tables): stdout, nothing else goes there."""
    return Console(soft_wrap=False)


def stderr() -> Console:
    """Console for progress and messages."""
    return Console(stderr=True)


def error_message(exc: BaseException) -> str:
    if isinstance(exc, YigaiError):
        return f"错误 / error: {exc.bilingual()}"
    detail = f"{type(exc).__name__}: {exc}"
    return (
        f"内部错误 / internal error: {detail}\n"
        f"（设置 {DEBUG_ENV}=1 可查看详细信息 / set {DEBUG_ENV}=1 to see the traceback）"
    )


def exit_code(exc: BaseException) -> int:
    # a refused template (TemplateError) is a DocumentError: edge need not import the workbook reader
    return EXIT_BAD_INPUT if isinstance(exc, DocumentError | InvalidInputError | PeriodError) else EXIT_ERROR


def report(exc: BaseException) -> None:
    """Print one error on stderr, without a traceback."""
    stderr().print(f"[bold red]{escape(error_message(exc))}[/]", highlight=False, soft_wrap=True)


class EdgeGroup(TyperGroup):
    """The command group that turns exceptions into messages and exit codes."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except _PASS_THROUGH:
            raise
        except Exception as exc:
            if os.environ.get(DEBUG_ENV) and not isinstance(exc, YigaiError):
                raise
            report(exc)
            raise typer.Exit(exit_code(exc)) from None

"""Writing an output file in one step: a reader never sees a half-written workbook or bulletin."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from yigai.domain.errors import YigaiError


def write_atomically(path: str | os.PathLike[str], write: Callable[[Path], None], *, what: str, what_zh: str) -> Path:
    """Call ``write`` on a temporary file in the same folder, then rename it to ``path``.

    An OSError becomes a YigaiError naming the file; the temporary file never stays behind.
    """
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")  # same folder: the rename is atomic
    try:
        try:
            write(tmp)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
    except OSError as exc:
        raise YigaiError(
            f"cannot write the {what}: {exc.strerror or exc}", message_zh=f"无法写入{what_zh}", where=str(target)
        ) from exc
    return target

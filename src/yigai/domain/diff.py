"""What changed in a text: a character diff (Chinese has no word boundaries), whole or compact.

The report history shows every run; the review desk shows a compact form in which long
unchanged runs keep only a few characters either side of a change.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class TextOp:
    op: str  # "eq", "ins" or "del"
    text: str


def text_ops(before: str, after: str) -> list[TextOp]:
    """Equal, inserted and deleted runs turning ``before`` into ``after``."""
    return _ops(difflib.SequenceMatcher(None, before, after, autojunk=False), before, after)


def _ops(matcher: difflib.SequenceMatcher[str], before: str, after: str) -> list[TextOp]:
    ops: list[TextOp] = []
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(TextOp("eq", before[a0:a1]))
            continue
        if a1 > a0:
            ops.append(TextOp("del", before[a0:a1]))
        if b1 > b0:
            ops.append(TextOp("ins", after[b0:b1]))
    return ops


def rewrite_ops(before: str, after: str, similar: float = 0.4) -> list[TextOp]:
    """``text_ops``, or, when the texts share little (a rewrite), the old deleted and the new inserted whole:
    a character diff of two different sentences is confetti."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)  # one matcher for both questions
    if before and after and matcher.ratio() < similar:
        return [TextOp("del", before), TextOp("ins", after)]
    return _ops(matcher, before, after)


def compact_ops(ops: list[TextOp], context: int = 8, deleted: int = 60) -> list[TextOp]:
    """``ops`` with each unchanged run cut to ``context`` characters beside a change and each deleted
    run to its first ``deleted`` characters (… marks a cut); inserted text is kept whole."""
    out: list[TextOp] = []
    last = len(ops) - 1
    for i, op in enumerate(ops):
        if op.op == "del" and len(op.text) > deleted + 1:
            out.append(TextOp("del", f"{op.text[:deleted]}{ELLIPSIS}"))
            continue
        if op.op != "eq" or len(op.text) <= 2 * context + 1:
            out.append(op)
            continue
        head = op.text[:context] if i > 0 else ""
        tail = op.text[-context:] if i < last else ""
        out.append(TextOp("eq", f"{head}{ELLIPSIS}{tail}"))
    return out

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


def pdf_file(objects: list[bytes], *, head: bytes = b"%PDF-1.4\n", trailer: bytes = b"") -> bytes:
    """Numbered PDF objects (the first the catalogue) with their cross-reference table and trailer."""
    out = bytearray(head)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R" % (len(objects) + 1) + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)

"""docs/indicators.md lists the catalogue as the YAML defines it."""

from __future__ import annotations

from pathlib import Path

from yigai.analytics.catalogue import load_catalogue
from yigai.analytics.docs import BEGIN, END, catalogue_markdown

DOC = (Path(__file__).resolve().parents[2] / "docs" / "indicators.md").read_text("utf-8")


def test_generated_section_is_up_to_date() -> None:
    section = DOC[DOC.index(BEGIN) : DOC.index(END) + len(END)]
    assert section == catalogue_markdown(), "regenerate: python -m yigai.analytics.docs docs/indicators.md"


def test_every_indicator_and_its_source_is_listed() -> None:
    for ind in load_catalogue().indicators.values():
        assert f"`{ind.code}`@{ind.version}" in DOC and ind.source.document in DOC

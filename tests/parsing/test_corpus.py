"""The development corpus: each document parsed from its file against the expected results a
person wrote by reading it (tests/parsing/corpus/NN.yaml), through benchmarks/corpus.py's scorer.

The floors in corpus/floors.yaml are the scorecard's figures rounded down: a rule change that
makes any document worse fails here, one that makes it better raises the floor by hand.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from yigai.parsing import parse_file

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("corpus_scorecard", ROOT / "benchmarks" / "corpus.py")
assert _spec and _spec.loader
scorecard = importlib.util.module_from_spec(_spec)
sys.modules["corpus_scorecard"] = scorecard
_spec.loader.exec_module(scorecard)

EXPECTED = scorecard.load_expected()
FLOORS: dict[str, dict[str, Any]] = yaml.safe_load((scorecard.EXPECTED_DIR / "floors.yaml").read_text("utf-8"))


@pytest.fixture(scope="module")
def scores() -> dict[str, Any]:
    return {e["file"][:2]: scorecard.score(e, parse_file(scorecard.CORPUS_DIR / e["file"])) for e in EXPECTED}


def test_every_document_has_expected_results_and_a_floor() -> None:
    files = sorted(p.name for p in scorecard.CORPUS_DIR.glob("*.txt"))
    assert [e["file"] for e in EXPECTED] == files
    assert sorted(FLOORS) == sorted(e["file"][:2] for e in EXPECTED)


@pytest.mark.parametrize("doc", sorted(FLOORS))
def test_document_holds_its_floor(doc: str, scores: dict[str, Any]) -> None:
    s, floor = scores[doc], FLOORS[doc]
    got = {
        "titles": s.title_recall or 0.0,
        "lead_f1": s.lead.f1 if s.lead.f1 is not None else 1.0,
        "coop_f1": s.cooperating.f1 if s.cooperating.f1 is not None else 1.0,
        "target_recall": s.targets.recall if s.targets.recall is not None else 1.0,
        "target_precision": s.targets.precision if s.targets.precision is not None else 1.0,
    }
    below = {k: (round(v, 3), floor[k]) for k, v in got.items() if k in floor and v + 1e-9 < floor[k]}
    assert not below, f"{doc} fell below its floor (got, floor): {below}"
    if floor.get("count_exact"):
        assert s.count_exact, f"{doc}: {s.parsed_tasks} tasks parsed, {s.expected_tasks} expected"
    for field in ("doc_number_ok", "issuer_ok", "date_ok", "title_ok"):
        if floor.get(field, True):
            assert getattr(s, field), f"{doc}: metadata {field[:-3]} wrong"


def test_overall_scorecard(scores: dict[str, Any]) -> None:
    o = scorecard.overall(list(scores.values()))
    assert o.doc_number_share >= 0.9 and o.issuer_share >= 0.9

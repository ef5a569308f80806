"""The parser's scorecard over the development corpus.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/corpus.py``). Each document of
the development corpus (``tests/parsing/corpus/docs/``, a copy of ``../shared/corpus/``) is parsed from its file and compared with the expected results a
person wrote by reading it (``tests/parsing/corpus/NN.yaml``). It prints, per document and
overall:

* task count exact, and title recall (expected tasks found, aligned in document order);
* lead and cooperating departments: precision, recall, F1 (micro-averaged over the tasks);
* targets: recall and precision (value, range and unit must agree), and how many of the
  matched ones also agree on comparator and due year;
* metadata: 文号, issuer, date and title right or not;
* level slips: departments resolved to another level than the document's (区 in a city).

``--json FILE`` writes the figures; ``tests/parsing/test_corpus.py`` uses :func:`score`
to hold a floor per document. Scores compare printed names; a name also matches when the
parser resolves the expected spelling to the same canonical department.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from yigai.domain.plan import Comparator, PlanDraft, Task
from yigai.parsing import parse_file
from yigai.parsing.departments import DepartmentDirectory, default_directory

ROOT = Path(__file__).resolve().parents[1]
EXPECTED_DIR = ROOT / "tests" / "parsing" / "corpus"
CORPUS_DIR = EXPECTED_DIR / "docs"  # a copy of ../shared/corpus (README there: source and layout of each)

_PUNCT = re.compile(r"[\s\W_“”‘’《》〈〉「」『』【】〔〕（）()，。、；：！？—…·-]+")
_COMPARATORS = {
    ">=": Comparator.GE,
    "<=": Comparator.LE,
    "=": Comparator.EQ,
    "~": Comparator.APPROX,
    "range": Comparator.RANGE,
}
_LEVEL_PREFIX = {"district": "区", "county": "县", "city": "市", "province": "省"}


def name_key(name: str) -> str:
    """A printed department name compared without spaces, bracket widths or a trailing 等."""
    key = re.sub(r"\s+", "", name).replace("（", "(").replace("）", ")")
    return re.sub(r"等(?:部门|单位)?$", "", key)


def title_key(title: str) -> str:
    return _PUNCT.sub("", title)


def titles_match(expected: str, predicted: str) -> bool:
    """The expected opening (6–20 characters) begins the predicted title, or the reverse."""
    ek, pk = title_key(expected), title_key(predicted)
    if not ek or not pk:
        return False
    head = ek[: min(len(ek), 10)]
    return pk.startswith(head) or (len(pk) >= 4 and ek.startswith(pk))


@dataclass(slots=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        if self.tp + self.fp + self.fn == 0:
            return None
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn)


@dataclass(slots=True)
class DocScore:
    doc: str
    expected_tasks: int
    parsed_tasks: int
    titles_found: int
    lead: Counts = field(default_factory=Counts)
    cooperating: Counts = field(default_factory=Counts)
    targets: Counts = field(default_factory=Counts)
    target_comparator_ok: int = 0
    target_year_ok: int = 0
    doc_number_ok: bool = False
    issuer_ok: bool = False
    date_ok: bool = False
    title_ok: bool = False
    level_slips: list[str] = field(default_factory=list)

    @property
    def count_exact(self) -> bool:
        return self.expected_tasks == self.parsed_tasks

    @property
    def title_recall(self) -> float | None:
        return self.titles_found / self.expected_tasks if self.expected_tasks else None


def _align(expected: list[dict[str, Any]], tasks: list[Task]) -> list[tuple[int, int]]:
    """Longest in-order pairing of expected and parsed tasks whose titles match."""
    n, m = len(expected), len(tasks)
    ok = [[titles_match(str(e["title"]), t.title) for t in tasks] for e in expected]
    best = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best[i][j] = max(best[i + 1][j], best[i][j + 1], best[i + 1][j + 1] + 1 if ok[i][j] else 0)
    pairs, i, j = [], 0, 0
    while i < n and j < m:
        if ok[i][j] and best[i][j] == best[i + 1][j + 1] + 1:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i + 1][j] >= best[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def _dept_counts(expected: list[str], refs: list[Any], directory: DepartmentDirectory, region: str) -> Counts:
    remaining = [name_key(e) for e in expected]
    resolved = [directory.resolve(e, region).name for e in remaining]
    counts = Counts()
    for ref in refs:
        hit = next(
            (
                k
                for k, (e, r) in enumerate(zip(remaining, resolved, strict=True))
                if e == name_key(ref.raw) or r == ref.name
            ),
            None,
        )
        if hit is None:
            counts.fp += 1
        else:
            counts.tp += 1
            del remaining[hit], resolved[hit]
    counts.fn = len(remaining)
    return counts


def _unit(unit: str) -> str:
    return {"1/10万": "/10万", "比": "1:x", "％": "%"}.get(unit, unit)


def _target_counts(expected: list[dict[str, Any]], draft: PlanDraft) -> tuple[Counts, int, int]:
    left = list(range(len(draft.targets)))
    counts, comp_ok, year_ok = Counts(), 0, 0
    for e in expected:
        value, high = float(e["value"]), e.get("value_high")
        candidates = [
            k
            for k in left
            if draft.targets[k].value is not None
            and abs(draft.targets[k].value - value) < 1e-6
            and (
                (high is None and draft.targets[k].value_high is None)
                or (
                    high is not None
                    and draft.targets[k].value_high is not None
                    and abs(draft.targets[k].value_high - float(high)) < 1e-6
                )
            )
            and _unit(draft.targets[k].unit) == _unit(str(e.get("unit") or ""))
        ]
        if not candidates:
            counts.fn += 1
            continue
        metric = title_key(str(e.get("metric") or ""))
        k = max(candidates, key=lambda c: len(set(metric) & set(title_key(draft.targets[c].metric))))
        left.remove(k)
        counts.tp += 1
        t = draft.targets[k]
        if _COMPARATORS.get(str(e.get("comparator"))) == t.comparator:
            comp_ok += 1
        if (e.get("year") or None) == (t.due.year if t.due else None):
            year_ok += 1
    counts.fp = len(left)
    return counts, comp_ok, year_ok


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def score(expected: dict[str, Any], draft: PlanDraft, directory: DepartmentDirectory | None = None) -> DocScore:
    directory = directory or default_directory()
    tasks_exp: list[dict[str, Any]] = expected.get("tasks") or []
    region = draft.meta.region
    s = DocScore(str(expected["file"]), len(tasks_exp), len(draft.tasks), 0)
    pairs = _align(tasks_exp, draft.tasks)
    s.titles_found = len(pairs)
    paired_e = {i for i, _ in pairs}
    paired_p = {j for _, j in pairs}
    for i, j in pairs:
        r = draft.tasks[j].responsibility
        s.lead.add(_dept_counts(tasks_exp[i].get("lead") or [], r.lead, directory, region))
        s.cooperating.add(_dept_counts(tasks_exp[i].get("cooperating") or [], r.cooperating, directory, region))
    for i, e in enumerate(tasks_exp):
        if i not in paired_e:
            s.lead.fn += len(e.get("lead") or [])
            s.cooperating.fn += len(e.get("cooperating") or [])
    for j, t in enumerate(draft.tasks):
        if j not in paired_p:
            s.lead.fp += len(t.responsibility.lead)
            s.cooperating.fp += len(t.responsibility.cooperating)
    s.targets, s.target_comparator_ok, s.target_year_ok = _target_counts(expected.get("targets") or [], draft)
    meta = expected.get("meta") or {}
    s.doc_number_ok = name_key(str(meta.get("doc_number") or "")) == name_key(draft.meta.doc_number)
    s.issuer_ok = name_key(str(meta.get("issuer") or "")) == name_key(draft.meta.issuer)
    s.date_ok = _date(meta.get("date")) == draft.meta.date
    s.title_ok = title_key(str(meta.get("title") or "")) == title_key(draft.meta.title)
    prefix = _LEVEL_PREFIX.get(str(expected.get("level") or ""), "")
    for t in draft.tasks:
        for ref in t.responsibility.lead + t.responsibility.cooperating:
            if prefix and ref.name[:1] in "区县市省" and ref.name[:1] != prefix and ref.name[:1] not in ref.raw[:1]:
                s.level_slips.append(f"{ref.raw}→{ref.name}")
    return s


def load_expected(directory: Path = EXPECTED_DIR) -> list[dict[str, Any]]:
    out = []
    for path in sorted(directory.glob("[0-9][0-9].yaml")):
        with path.open(encoding="utf-8") as fh:
            out.append(yaml.safe_load(fh))
    return out


def run(corpus: Path = CORPUS_DIR, expected_dir: Path = EXPECTED_DIR) -> list[DocScore]:
    return [score(e, parse_file(corpus / e["file"])) for e in load_expected(expected_dir)]


@dataclass(slots=True)
class Overall:
    documents: int
    count_exact_share: float
    title_recall: float
    lead: Counts
    cooperating: Counts
    targets: Counts
    doc_number_share: float
    issuer_share: float
    date_share: float
    title_share: float
    level_slips: int


def overall(scores: list[DocScore]) -> Overall:
    lead, coop, targets = Counts(), Counts(), Counts()
    for s in scores:
        lead.add(s.lead)
        coop.add(s.cooperating)
        targets.add(s.targets)
    n = len(scores) or 1
    exp_tasks = sum(s.expected_tasks for s in scores) or 1
    return Overall(
        len(scores),
        sum(s.count_exact for s in scores) / n,
        sum(s.titles_found for s in scores) / exp_tasks,
        lead,
        coop,
        targets,
        sum(s.doc_number_ok for s in scores) / n,
        sum(s.issuer_ok for s in scores) / n,
        sum(s.date_ok for s in scores) / n,
        sum(s.title_ok for s in scores) / n,
        sum(len(s.level_slips) for s in scores),
    )


def _f(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def main(argv: list[str] | None = None) -> int:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS_DIR)
    ap.add_argument("--expected", type=Path, default=EXPECTED_DIR)
    ap.add_argument("--json", type=Path, help="write the figures to this file")
    ap.add_argument("--slips", action="store_true", help="list the level slips")
    args = ap.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    scores = run(args.corpus, args.expected)
    table = Table(title="Parser scorecard — development corpus", box=box.SIMPLE)
    for col in (
        "doc",
        "tasks exp/got",
        "titles",
        "lead P/R/F1",
        "coop P/R/F1",
        "targets R/P",
        "cmp/yr ok",
        "文号",
        "issuer",
        "date",
        "title",
        "slips",
    ):
        table.add_column(col, justify="left" if col == "doc" else "right")
    for s in scores:
        table.add_row(
            s.doc[:12],
            f"{s.expected_tasks}/{s.parsed_tasks}{'' if s.count_exact else ' ✗'}",
            _f(s.title_recall),
            f"{_f(s.lead.precision)}/{_f(s.lead.recall)}/{_f(s.lead.f1)}",
            f"{_f(s.cooperating.precision)}/{_f(s.cooperating.recall)}/{_f(s.cooperating.f1)}",
            f"{_f(s.targets.recall)}/{_f(s.targets.precision)} ({s.targets.tp}/{s.targets.tp + s.targets.fn})",
            f"{s.target_comparator_ok}/{s.target_year_ok}",
            *("✓" if ok else "✗" for ok in (s.doc_number_ok, s.issuer_ok, s.date_ok, s.title_ok)),
            str(len(s.level_slips)),
        )
    o = overall(scores)
    Console(width=200).print(table)
    print(f"documents: {o.documents}")
    print(
        f"task count exact: {o.count_exact_share:.0%} of documents (target ≥ 85 %); title recall {o.title_recall:.2f}"
    )
    print(f"lead departments: P {_f(o.lead.precision)} R {_f(o.lead.recall)} F1 {_f(o.lead.f1)} (target F1 ≥ 0.90)")
    print(
        f"cooperating: P {_f(o.cooperating.precision)} R {_f(o.cooperating.recall)} F1 {_f(o.cooperating.f1)} "
        "(target F1 ≥ 0.85)"
    )
    print(
        f"targets: recall {_f(o.targets.recall)} (target ≥ 0.80), precision {_f(o.targets.precision)} (target ≥ 0.90)"
        f" — {o.targets.tp} matched, {o.targets.fn} missed, {o.targets.fp} extra"
    )
    print(
        f"metadata right: 文号 {o.doc_number_share:.0%}, issuer {o.issuer_share:.0%}, date {o.date_share:.0%}, "
        f"title {o.title_share:.0%} (target 文号 and issuer ≥ 90 %)"
    )
    print(f"level slips (a department resolved to another level than the document's): {o.level_slips}")
    if args.slips:
        for s in scores:
            if s.level_slips:
                print(f"  {s.doc}: {', '.join(s.level_slips)}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {"documents": [asdict(s) for s in scores], "overall": asdict(o)},
                ensure_ascii=False,
                indent=1,
                default=str,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

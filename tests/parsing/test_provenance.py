"""Every extracted field points at the place in the original text it came from."""

from __future__ import annotations

import re
import unicodedata

from yigai.domain.plan import PlanDraft, Span

_NOISE = re.compile(r"\*\*|</?b>|\s|#")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("«", "《").replace("»", "》")
    return _NOISE.sub("", text).replace(".", "。")


def _covers(draft: PlanDraft, span: Span, value: str) -> bool:
    source = _fold(draft.source_text[span.start : span.end])
    return _fold(value)[:12] in source


def test_task_titles_and_department_names_point_into_the_source(seeds: dict[str, PlanDraft]) -> None:
    for draft in seeds.values():
        for task in draft.tasks:
            assert _covers(draft, task.provenance["title"], task.title), (draft.source_name, task.id)
            for ref in task.responsibility.lead + task.responsibility.cooperating:
                assert ref.span is not None
                assert _fold(ref.raw) in _fold(draft.source_text[ref.span.start : ref.span.end]), (task.id, ref.raw)
            for m in task.measures:
                assert _covers(draft, m.provenance["text"], m.text), m.id


def test_metadata_and_targets_point_into_the_source(seeds: dict[str, PlanDraft]) -> None:
    for draft in seeds.values():
        meta = draft.meta
        assert _covers(draft, meta.provenance["doc_number"], meta.doc_number)
        assert _covers(draft, meta.provenance["title"], meta.title)
        for target in draft.targets:
            assert target.span is not None
            value = target.provenance.get("value")
            if value is not None and target.value is not None:
                number = draft.source_text[value.start : value.end]
                assert re.search(r"\d", _fold(number)), (draft.source_name, target.metric, number)


def test_deadline_spans_hold_the_deadline_text(seeds: dict[str, PlanDraft]) -> None:
    draft = seeds["004"]
    for task in draft.tasks:
        for m in task.measures:
            span = m.provenance.get("deadline")
            if span is not None:
                assert _fold(m.deadline.raw) == _fold(draft.source_text[span.start : span.end])


def test_gb18030_copy_parses_to_the_same_plan(tmp_path, seeds: dict[str, PlanDraft]) -> None:  # type: ignore[no-untyped-def]
    from yigai.data import seed_paths
    from yigai.domain.serialize import plan_to_dict
    from yigai.parsing import parse_file

    for path in seed_paths():
        copy = tmp_path / path.name
        copy.write_bytes(path.read_text("utf-8").encode("gb18030"))
        a, b = plan_to_dict(parse_file(path)), plan_to_dict(parse_file(copy))
        assert a == b

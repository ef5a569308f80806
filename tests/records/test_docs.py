"""docs/records.md says what tables.yaml says: every table, kind, key and column with its type,
requiredness, meaning, codes, minimum and reference; and every kind of problem the loader reports."""

from __future__ import annotations

import re
from pathlib import Path

from yigai.records.schema import record_tables
from yigai.records.validate import Kind

DOC = (Path(__file__).resolve().parents[2] / "docs" / "records.md").read_text("utf-8")


def _sections() -> dict[str, str]:
    parts = re.split(r"^### `(\w+)` — .*$", DOC, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_table_has_a_section_in_schema_order_and_no_other() -> None:
    assert list(_sections()) == list(record_tables())


def test_each_section_states_kind_key_and_every_column_as_the_yaml_does() -> None:
    sections = _sections()
    for name, t in record_tables().items():
        text = sections[name]
        assert f"- kind: **{t.kind}**" in text, name
        assert f"- key: `{', '.join(t.key)}`" in text, name
        rows = re.findall(r"^\| `(\w+)` \| (\w+) \| (yes|no) \| (.*?) \| (.*?) \| (.*?) \| (.*?) \|$", text, flags=re.M)
        assert [r[0] for r in rows] == list(t.names), name
        for (col, typ, req, meaning, values, minimum, ref), c in zip(rows, t.columns, strict=True):
            assert (typ, req == "yes", meaning) == (str(c.type), c.required, c.meaning), (name, col)
            assert re.findall(r"`(\w+)` ([^<]+)", values) == [(k, v.strip()) for k, v in c.values.items()] or (
                not values.strip() and not c.values
            ), (name, col)
            assert minimum == ("" if c.minimum is None else f"{c.minimum:g}"), (name, col)
            assert ref == (f"`{c.references[0]}.{c.references[1]}`" if c.references else ""), (name, col)


def test_every_kind_of_problem_is_explained() -> None:
    for kind in Kind:
        assert f"| `{kind}` |" in DOC, kind

"""The shipped record schema: every table keyed, typed, and its references resolvable."""

from __future__ import annotations

import pyarrow as pa

from yigai.records.schema import ColumnType, TableKind, record_tables, table


def test_the_tables_the_catalogue_needs_are_there() -> None:
    assert set(record_tables()) >= {
        "towns",
        "residents",
        "institutions",
        "staff",
        "outpatient_visits",
        "inpatient_discharges",
        "family_doctor_contracts",
        "referrals",
        "drug_purchases",
    }


def test_every_reference_names_an_existing_key_column_of_an_earlier_table() -> None:
    names = list(record_tables())
    for t in record_tables().values():
        for c in t.columns:
            if c.references:
                target, column = c.references
                assert target in names and names.index(target) <= names.index(t.name), (t.name, c.name)
                assert table(target).key == (column,), (t.name, c.name)


def test_event_tables_name_a_date_column_and_snapshots_do_not() -> None:
    for t in record_tables().values():
        if t.kind is TableKind.EVENTS:
            assert t.period is not None and t.column(t.period).type is ColumnType.DATE
        else:
            assert t.period is None
        assert all(k in t.names for k in t.key)


def test_arrow_schema_and_ddl_follow_the_columns() -> None:
    visits = table("outpatient_visits")
    schema = visits.arrow_schema()
    assert schema.field("visit_date").type == pa.date32()
    assert schema.field("total_cost").type == pa.float64()
    assert not schema.field("visit_id").nullable
    assert "visit_date DATE NOT NULL" in visits.ddl()
    assert table("residents").column("death_date").required is False
    assert table("institutions").column("level").values["tertiary"] == "三级"


def test_total_cost_parts_are_the_cost_columns_listed_after_it() -> None:
    parts = ("drug_cost", "herbal_cost", "consumables_cost", "exam_cost", "lab_cost", "service_cost", "other_cost")
    assert table("outpatient_visits").total_parts() == parts
    assert table("inpatient_discharges").total_parts() == parts  # fund_paid ends the run: not a part
    assert table("drug_purchases").total_parts() == ()


def test_ddl_can_leave_the_key_unindexed() -> None:
    assert "PRIMARY KEY (visit_id)" in table("outpatient_visits").ddl()
    assert "PRIMARY KEY" not in table("outpatient_visits").ddl(primary_key=False)

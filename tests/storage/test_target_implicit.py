"""Migration 0007: a target's implicit flag (全覆盖 / 全部 / 所有…达到) is stored and read back."""

from __future__ import annotations

from sqlalchemy import inspect

from yigai.bootstrap import App
from yigai.domain.serialize import plan_from_dict, plan_to_stored_dict
from yigai.parsing import parse_text
from yigai.services.plans import get_plan, import_draft
from yigai.storage.migrate import current_revision, downgrade, head_revision, upgrade_to_head

TEXT = (
    "某区卫生健康工作方案\n一、主要任务\n"
    "(一)推进签约服务。到2025年，家庭医生签约覆盖率达到80%以上，实现重点人群签约服务全覆盖。"
    "(牵头部门:区卫健委)\n"
)


def test_an_implicit_target_keeps_its_flag_through_the_store(app: App) -> None:
    draft = parse_text(TEXT)
    flags = {t.value: t.implicit for t in draft.targets}
    assert flags == {80.0: False, 100.0: True}
    assert plan_from_dict(plan_to_stored_dict(draft), draft.source_text).targets == draft.targets
    plan_id = import_draft(app.uow(), draft).plan_id
    stored = get_plan(app.uow(), plan_id).draft
    assert [(t.value, t.implicit) for t in stored.targets] == [(80.0, False), (100.0, True)]


def test_the_column_is_added_and_dropped(app: App) -> None:
    engine = app.engine
    downgrade(engine, "0006")
    assert "implicit" not in {c["name"] for c in inspect(engine).get_columns("targets")}
    upgrade_to_head(engine)
    assert current_revision(engine) == head_revision() == "0009"
    assert "implicit" in {c["name"] for c in inspect(engine).get_columns("targets")}

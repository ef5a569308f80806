"""The office's own department aliases apply when a document is imported or uploaded for review.

The document is seed 000 (青浦区 工作方案) with every 区卫健委 printed as 区健康促进委, a
spelling the shipped table does not know: until the office adds it (``departments-alias add``),
those tasks have an unknown lead and a ``department_unknown`` warning.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from yigai.bootstrap import App
from yigai.data import seed_paths
from yigai.domain.users import User
from yigai.services import plan_review
from yigai.services.departments import add_alias, office_directory, rename_department
from yigai.services.plans import get_plan, import_file
from yigai.services.users import acting_user

SEED_000 = seed_paths()[0]
ALIAS = "区健康促进委"


@pytest.fixture
def admin(app: App) -> User:
    return acting_user(app.uow())


@pytest.fixture
def document(tmp_path: Path) -> Path:
    path = tmp_path / "青浦区工作方案（改写）.txt"
    path.write_text(SEED_000.read_text(encoding="utf-8").replace("区卫健委", ALIAS), encoding="utf-8")
    return path


def _lead_of_t3(app: App, plan_id: int) -> list[tuple[str, str, bool]]:
    return [(r.name, r.raw, r.known) for r in get_plan(app.uow(), plan_id).draft.task("T3").responsibility.lead]


def _unknown_warnings(app: App, plan_id: int) -> list[str]:
    return [w.message for w in get_plan(app.uow(), plan_id).draft.warnings if w.code == "department_unknown"]


def test_an_alias_the_office_added_resolves_on_the_next_import(app: App, admin: User, document: Path) -> None:
    first = import_file(app.uow(), document)
    assert _lead_of_t3(app, first.plan_id) == [(ALIAS, ALIAS, False)]
    assert _unknown_warnings(app, first.plan_id) == [f"部门名称不在别名表中：{ALIAS}"]

    add_alias(app.uow(), admin, ALIAS, "区卫健委")  # the canonical name is itself resolved
    again = import_file(app.uow(), document, replace=True)
    assert again.plan_id == first.plan_id
    assert _lead_of_t3(app, again.plan_id) == [("区卫生健康委", ALIAS, True)]
    assert _unknown_warnings(app, again.plan_id) == []


def test_an_upload_for_review_uses_the_office_aliases(app: App, admin: User, document: Path) -> None:
    add_alias(app.uow(), admin, ALIAS, "区卫生健康委")
    draft_id = plan_review.upload_plan(app.uow(), admin, document)
    review = plan_review.get_review(app.uow(), draft_id)
    lead = review.draft.task("T3").responsibility.lead
    assert [(r.name, r.raw, r.known) for r in lead] == [("区卫生健康委", ALIAS, True)]
    assert review.unknown_departments == [] and not [w for w in review.draft.warnings if w.code == "department_unknown"]


@pytest.mark.parametrize("region", ["青浦区", "上海市青浦区"])
def test_a_regional_alias_applies_to_that_regions_documents_only(
    app: App, admin: User, document: Path, region: str
) -> None:
    add_alias(app.uow(), admin, ALIAS, "区卫生健康委", region=region)
    plan_id = import_file(app.uow(), document).plan_id  # 上海市青浦区's document
    assert _lead_of_t3(app, plan_id) == [("区卫生健康委", ALIAS, True)]
    with app.uow() as uow:
        directory = office_directory(uow)
    assert directory.resolve(ALIAS, "青浦区").name == "区卫生健康委"
    assert not directory.resolve(ALIAS, "仓山区").known


def test_a_renamed_department_is_what_the_next_import_names(app: App, admin: User) -> None:
    rename_department(app.uow(), admin, "区医保局", "区医疗保障管理局")
    plan_id = import_file(app.uow(), SEED_000).plan_id
    names = {
        r.name
        for t in get_plan(app.uow(), plan_id).draft.tasks
        for r in (*t.responsibility.lead, *t.responsibility.cooperating)
    }
    assert "区医疗保障管理局" in names and "区医保局" not in names


def test_without_office_aliases_the_shipped_directory_is_used(app: App) -> None:
    from yigai.parsing.departments import default_directory

    with app.uow() as uow:
        assert office_directory(uow) is default_directory()

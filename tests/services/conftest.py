"""A supervised plan, ready for the supervision-loop service tests.

Seed 004 (仓山区深化医药卫生体制集成改革实施方案) is imported once per session into a
template SQLite file with the 仓山区 org units, the indicator catalogue, a
quarterly schedule 2021Q3-2023Q4 (due 15 days after period end) and users;
each test gets its own copy, so tests may write freely.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from yigai.bootstrap import App, build
from yigai.clock import OFFICE_TZ
from yigai.data import seed_paths
from yigai.domain.users import Role, User
from yigai.parsing import parse_file
from yigai.services.indicators import load_catalogue
from yigai.services.orgunits import load_orgunits
from yigai.services.plans import import_draft
from yigai.services.schedules import set_schedule
from yigai.services.users import acting_user, create_user
from yigai.settings import Settings
from yigai.storage.evidence_store import EvidenceStore

DB = "yigai.sqlite3"


def at(day: str, hour: int = 10) -> dt.datetime:
    """An office-time moment: ``at("2024-01-10")``."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=OFFICE_TZ)


@dataclass
class Loop:
    """The app and the people of a supervised plan."""

    app: App
    plan_id: int
    admin: User
    health: User  # department reporter for 区卫生健康委
    insurance: User  # department reporter for 区医保局
    clinic: User  # institution reporter for 城门镇卫生院 (350104101-01)
    viewer: User
    store: EvidenceStore


def _prepare_loop(settings: Settings) -> None:
    with build(settings) as app:
        plan_id = import_draft(app.uow(), parse_file(seed_paths()[4])).plan_id
        assert plan_id == 1
        admin = acting_user(app.uow())
        load_orgunits(app.uow(), admin)
        load_catalogue(app.uow(), admin, now=at("2021-07-01"))
        set_schedule(app.uow(), admin, plan_id, "quarterly", "2021Q3", "2023Q4", 15, now=at("2021-07-01"))
        create_user(app.uow(), admin, "wjw", "卫健委填报员", Role.DEPARTMENT_REPORTER, departments=["区卫健局"])
        create_user(app.uow(), admin, "ybj", "医保局填报员", Role.DEPARTMENT_REPORTER, departments=["区医保局"])
        create_user(app.uow(), admin, "cmz", "城门镇卫生院", Role.INSTITUTION_REPORTER, org_units=["350104101-01"])
        create_user(app.uow(), admin, "leader", "区领导", Role.VIEWER)


@pytest.fixture(scope="session")
def loop_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("loop")
    _prepare_loop(Settings.from_env({}, data_dir=folder))
    return folder / DB


@pytest.fixture
def settings(store_settings: Settings) -> Settings:
    """Service tests run on SQLite and on PostgreSQL with the same assertions."""
    return store_settings


@pytest.fixture(params=("sqlite", "postgresql"))
def loop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Loop]:
    folder = tmp_path / "var"
    folder.mkdir()
    if request.param == "sqlite":
        shutil.copy(request.getfixturevalue("loop_template"), folder / DB)
        settings = Settings.from_env({}, data_dir=folder)
    else:
        dbs = request.getfixturevalue("postgres_databases")
        template = dbs.template(
            "yigai_loop",
            lambda url: _prepare_loop(Settings.from_env({}, data_dir=tmp_path / "template", database_url=url)),
        )
        settings = Settings.from_env({}, data_dir=folder, database_url=dbs.copy(template))
    with build(settings) as app:
        with app.uow() as uow:
            people = {u.username: u for u in uow.users.all()}
        yield Loop(
            app,
            1,
            people["admin"],
            people["wjw"],
            people["ybj"],
            people["cmz"],
            people["leader"],
            EvidenceStore(app.settings.evidence_dir),
        )

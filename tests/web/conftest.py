"""The web app on a supervised plan, with a signed-in client per role.

Seed 004 (仓山区深化医药卫生体制集成改革实施方案, plan 1) is imported once per session
into a template database with the 仓山区 org units, the indicator catalogue, a quarterly
schedule 2021Q3-2023Q4 and one user per role, each with the password ``PASSWORDS[name]``;
every test gets its own copy and its own ``create_app``.

``web.client("wjw")`` is a TestClient signed in as that user (a session opened directly,
without the cost of a password check), sending the session's CSRF token on every
request; ``web.client(None)`` is anonymous; ``csrf=False`` leaves the token out.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from yigai.bootstrap import App, build
from yigai.clock import OFFICE_TZ
from yigai.data import seed_paths
from yigai.domain.users import Role
from yigai.parsing import parse_file
from yigai.services.auth import open_session, set_password
from yigai.services.indicators import load_catalogue
from yigai.services.orgunits import load_orgunits
from yigai.services.plans import import_draft
from yigai.services.schedules import set_schedule
from yigai.services.users import acting_user, create_user
from yigai.settings import Settings
from yigai.web.app import create_app
from yigai.web.security import CSRF_HEADER, SESSION_COOKIE

DB = "yigai.sqlite3"
PLAN = 1
# admin: office_admin; wjw: department_reporter for 区卫生健康委; ybj: department_reporter
# for 区医保局; cmz: institution_reporter for 城门镇卫生院 (350104101-01); leader: viewer.
PASSWORDS = {
    "admin": "admin-pass-1",
    "wjw": "wjw-pass-22",
    "ybj": "ybj-pass-333",
    "cmz": "cmz-pass-4444",
    "leader": "leader-pass-5",
}
ROLES = {
    "admin": Role.OFFICE_ADMIN,
    "wjw": Role.DEPARTMENT_REPORTER,
    "ybj": Role.DEPARTMENT_REPORTER,
    "cmz": Role.INSTITUTION_REPORTER,
    "leader": Role.VIEWER,
}


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=OFFICE_TZ)


@dataclass
class Web:
    """One app on a private copy of the supervised database."""

    app: FastAPI
    core: App
    folder: Path
    clients: list[TestClient] = field(default_factory=list)

    def client(self, username: str | None, *, csrf: bool = True) -> TestClient:
        client = TestClient(self.app, raise_server_exceptions=False)
        self.clients.append(client)
        if username is not None:
            with self.core.uow() as uow:
                user = uow.users.get(username)
            assert user is not None, username
            signed = open_session(self.core.uow(), user)
            client.cookies.set(SESSION_COOKIE, signed.token)
            if csrf:
                client.headers[CSRF_HEADER] = signed.csrf_token
        return client


@pytest.fixture(scope="session")
def web_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("web")
    with build(Settings.from_env({}, data_dir=folder)) as app:
        plan_id = import_draft(app.uow(), parse_file(seed_paths()[4])).plan_id
        assert plan_id == PLAN
        admin = acting_user(app.uow())
        load_orgunits(app.uow(), admin)
        load_catalogue(app.uow(), admin, now=at("2021-07-01"))
        set_schedule(app.uow(), admin, plan_id, "quarterly", "2021Q3", "2023Q4", 15, now=at("2021-07-01"))
        create_user(app.uow(), admin, "wjw", "卫健委填报员", Role.DEPARTMENT_REPORTER, departments=["区卫健局"])
        create_user(app.uow(), admin, "ybj", "医保局填报员", Role.DEPARTMENT_REPORTER, departments=["区医保局"])
        create_user(app.uow(), admin, "cmz", "城门镇卫生院", Role.INSTITUTION_REPORTER, org_units=["350104101-01"])
        create_user(app.uow(), admin, "leader", "区领导", Role.VIEWER)
        for name, password in PASSWORDS.items():
            set_password(app.uow(), admin, name, password)
    return folder / DB


@pytest.fixture(scope="session")
def shared_app(web_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """One FastAPI app for the whole run (building one costs ~0.1 s); each test points it at its own database."""
    core = build(Settings.from_env({}, data_dir=web_template.parent), migrate=False)
    yield create_app(core=core)
    core.close()


@pytest.fixture
def make_web(web_template: Path, shared_app: FastAPI, tmp_path: Path) -> Iterator[Callable[[], Web]]:
    """A factory: each call is the app on a fresh copy of the template database.

    The app object is shared: making another Web points it at the newer database,
    so use one Web at a time (tests run one after another).
    """
    made: list[Web] = []

    def make() -> Web:
        folder = tmp_path / f"var{len(made)}"
        folder.mkdir()
        shutil.copy(web_template, folder / DB)
        core = build(Settings.from_env({}, data_dir=folder), migrate=False)
        shared_app.state.yigai = core
        made.append(Web(shared_app, core, folder))
        return made[-1]

    yield make
    for state in made:
        for client in state.clients:
            client.close()
        state.core.close()


@pytest.fixture
def web(make_web: Callable[[], Web]) -> Web:
    return make_web()

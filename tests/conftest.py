"""Shared fixtures for the storage, services, CLI and reports tests.

``sample_draft`` is a small plan built by hand with every field set, so
round-trips and exports can be checked field by field independently of the
parser's progress; ``seed_drafts`` parses the five built-in documents;
``demo_build`` is the demo district (``yigai demo``), built once per run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from yigai.bootstrap import App, build
from yigai.data import seed_paths
from yigai.domain.plan import (
    Category,
    Comparator,
    Deadline,
    DeadlineKind,
    DepartmentKind,
    DepartmentRef,
    Measure,
    ParseWarning,
    PlanDraft,
    PlanLevel,
    PlanMeta,
    PlanType,
    Project,
    Responsibility,
    Section,
    Span,
    Target,
    TargetAttribute,
    Task,
)
from yigai.parsing import parse_file
from yigai.services.demo import DemoSummary, build_demo, demo_settings
from yigai.settings import Settings
from yigai.storage.evidence_store import EvidenceStore
from yigai.storage.local_postgres import create_database, postgres_bin, running_postgres

SAMPLE_TEXT = (
    "仓山区深化医药卫生体制改革领导小组文件\n仓医改组〔2021〕91号\n"
    "一、构建高效的医改领导体制\n（一）完善推进机制\n"
    "1. 完善深化医改领导体制。调整政府领导职责分工。〔责任单位：区卫健局、仓山医保局〕\n"
    "2. 推进家庭医生签约。到2025年，家庭医生签约覆盖率达到80%以上。\n"
) * 3


def dept(
    name: str,
    raw: str | None = None,
    kind: DepartmentKind = DepartmentKind.DEPARTMENT,
    known: bool = True,
    at: int | None = None,
) -> DepartmentRef:
    return DepartmentRef(
        name=name, raw=raw or name, kind=kind, known=known, span=None if at is None else Span(at, at + len(raw or name))
    )


def make_draft(
    *,
    text: str = SAMPLE_TEXT,
    doc_number: str = "仓医改组〔2021〕91号",
    title: str = "仓山区深化医药卫生体制集成改革实施方案",
) -> PlanDraft:
    """A plan with sections, tasks (with and without measures), projects, targets, warnings.

    Its 文号 is fictitious so that it never collides with a seed plan.
    """
    s11 = Section("S1.1", 2, "（一）", 1, "完善推进机制", Span(50, 58))
    s1 = Section("S1", 1, "一、", 1, "构建高效的医改领导体制", Span(36, 49), children=[s11])
    t1 = Task(
        id="T1",
        no="1",
        path=["构建高效的医改领导体制", "完善推进机制"],
        section_id="S1.1",
        title="完善深化医改领导体制",
        text="完善深化医改领导体制。调整政府领导职责分工。",
        responsibility=Responsibility(
            lead=[dept("区卫健局", at=90)],
            cooperating=[dept("区医保局", "仓山医保局", at=95)],
            raw="〔责任单位：区卫健局、仓山医保局〕",
            span=Span(84, 101),
        ),
        deadline=Deadline(DeadlineKind.ADJUST_AS_NEEDED, raw="适时调整"),
        categories=[Category.MEASURE],
        categories_inferred=False,
        measures=[
            Measure(
                id="T1.M1",
                no="(1)",
                text="完善医改领导组织架构，调整政府领导职责分工",
                responsibility=Responsibility(lead=[dept("区委"), dept("区政府")]),
                deadline=Deadline(DeadlineKind.ADJUST_AS_NEEDED, raw="适时调整", span=Span(10, 14)),
                categories=[Category.MEASURE],
                span=Span(60, 80),
                provenance={"text": Span(60, 80)},
            ),
            Measure(
                id="T1.M2",
                no="(2)",
                text="=完善医改领导小组及秘书处统筹推进机制",
                responsibility=Responsibility(
                    lead=[dept("区医改领导小组", known=False)],
                    cooperating=[dept("各镇街（园区）", "各镇（街）园区", DepartmentKind.GROUP)],
                    cooperating_and_others=True,
                    raw="区医改领导小组；各镇（街）园区等",
                ),
                deadline=Deadline(DeadlineKind.CONTINUOUS, raw="持续实施"),
                categories=[Category.POLICY, Category.MEASURE],
            ),
        ],
        span=Span(59, 102),
        provenance={"title": Span(62, 72), "text": Span(62, 84)},
    )
    t2 = Task(
        id="T2",
        no="2",
        path=["构建高效的医改领导体制"],
        section_id="S1",
        title="推进家庭医生签约",
        text="到2025年，家庭医生签约覆盖率达到80%以上。",
        responsibility=Responsibility(
            lead=[dept("区卫健局")], cooperating=[dept("区医保局"), dept("区财政局")], lead_and_others=True
        ),
        deadline=Deadline(DeadlineKind.DATE, dt.date(2025, 12, 31), raw="到2025年", span=Span(115, 121)),
        categories=[Category.INDICATOR],
    )
    t3 = Task(id="T3", no="", path=[], section_id=None, title="加强督查评估", text="加强督查评估。")
    targets = [
        Target(
            raw="家庭医生签约覆盖率达到80%以上",
            metric="家庭医生签约覆盖率",
            comparator=Comparator.GE,
            value=80.0,
            unit="%",
            scope="常住人口",
            attribute=TargetAttribute.BINDING,
            baseline=32.5,
            baseline_year=2020,
            due=dt.date(2025, 12, 31),
            task="T2",
            observed=35.1,
            observed_raw="35.1%",
            observed_period="2020",
            source="text",
            span=Span(122, 138),
            provenance={"value": Span(132, 135)},
        ),
        Target(
            raw="每千常住人口床位数7.48张",
            metric="每千常住人口床位数",
            comparator=Comparator.RANGE,
            value=7.0,
            value_high=7.48,
            unit="张",
            source="table:表1",
        ),
        Target(raw="+5个百分点", metric="-药占比", comparator=None, value=None),
    ]
    return PlanDraft(
        source_name="sample.txt",
        source_format="txt",
        source_text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        meta=PlanMeta(
            title=title,
            issuer="仓山区深化医药卫生体制改革领导小组",
            doc_number=doc_number,
            date=dt.date(2021, 6, 1),
            region="仓山区",
            level=PlanLevel.DISTRICT,
            type=PlanType.IMPLEMENTATION_PLAN,
            valid_until=dt.date(2025, 12, 31),
            provenance={"doc_number": Span(19, 30), "title": Span(0, 18)},
        ),
        sections=[s1],
        tasks=[t1, t2, t3],
        projects=[
            Project(
                no="1",
                group="基层能力建设",
                text="@社区卫生服务中心标准化建设",
                responsibility=Responsibility(lead=[dept("区卫健局")], cooperating=[dept("区发改局")]),
                span=Span(200, 230),
            ),
        ],
        targets=targets,
        warnings=[
            ParseWarning("unplaced_responsibility", "责任单位未能归属到任务", Span(300, 310)),
            ParseWarning("no_date", "没有成文日期"),
        ],
    )


@pytest.fixture
def sample_draft() -> PlanDraft:
    return make_draft()


@pytest.fixture
def draft_factory() -> Callable[..., PlanDraft]:
    return make_draft


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env({}, data_dir=tmp_path / "var")


@pytest.fixture
def app(settings: Settings) -> Iterator[App]:
    with build(settings) as built:
        yield built


@pytest.fixture(scope="session")
def seed_drafts() -> list[PlanDraft]:
    """The five built-in documents parsed once for the whole run."""
    return [parse_file(p) for p in seed_paths()]


@dataclass(frozen=True)
class DemoBuild:
    """A demo district built once per run; tests that write copy ``folder`` first (``copy_to``)."""

    folder: Path  # demo.sqlite3 and evidence/, as ``yigai demo --no-serve --data-dir folder`` leaves them
    summary: DemoSummary

    @property
    def settings(self) -> Settings:
        return demo_settings(self.folder)

    def copy_to(self, target: Path) -> Path:
        shutil.copytree(self.folder, target)
        return target


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> DemoBuild:
    folder = tmp_path_factory.mktemp("demo")
    with build(demo_settings(folder)) as built:
        summary = build_demo(built.uow, EvidenceStore(built.settings.evidence_dir))
    return DemoBuild(folder, summary)


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """A libpq connection string to an empty PostgreSQL server of this test run."""
    bindir = postgres_bin()
    if bindir is None:
        pytest.fail("PostgreSQL is not installed: `make test` installs it (apt-get install postgresql)")
    base = Path(tempfile.mkdtemp(prefix="yigai-pg-"))
    try:
        with running_postgres(base, bindir) as dsn:
            yield dsn
    finally:
        shutil.rmtree(base, ignore_errors=True)


class PostgresDatabases:
    """Databases on the run's server: a migrated template once, then a copy per test (fast)."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.templates: dict[str, str] = {}
        self.counter = 0

    def template(self, name: str, prepare: Callable[[str], None]) -> str:
        """A template database prepared once per run by ``prepare(url)``."""
        if name not in self.templates:
            prepare(create_database(self.dsn, name))
            self.templates[name] = name
        return name

    def empty(self) -> str:
        """A new database with nothing in it (not migrated)."""
        self.counter += 1
        return create_database(self.dsn, f"e{os.getpid()}_{self.counter}")

    def copy(self, template: str) -> str:
        self.counter += 1
        return create_database(self.dsn, f"t{os.getpid()}_{self.counter}", template)


@pytest.fixture(scope="session")
def spark_session() -> Iterator[object]:
    """One local Spark session for the whole run (its JVM takes ~20 s to start): two threads, few
    shuffle partitions, no UI. Tests pass it to ``open_lake(session=…)`` or rely on it being active."""
    from yigai.analytics.spark import SparkUnavailableError, start_session

    try:
        session = start_session(
            "local[2]", {"spark.sql.shuffle.partitions": "2", "spark.driver.memory": "1g"}, app_name="yigai tests"
        )
    except SparkUnavailableError as exc:
        pytest.fail(
            f"Spark cannot start ({exc}): `make test` installs PySpark (.[dev]) and Java (default-jre-headless)"
        )
    yield session
    session.stop()  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def postgres_databases(postgres_dsn: str) -> PostgresDatabases:
    return PostgresDatabases(postgres_dsn)


def _migrated(url: str) -> None:
    with build(Settings.from_env({}, data_dir=Path(tempfile.mkdtemp(prefix="yigai-tpl-")), database_url=url)):
        pass


@pytest.fixture(params=("sqlite", "postgresql"))
def store_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings on the backend of ``request.param``: a fresh SQLite file or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return Settings.from_env({}, data_dir=tmp_path / "var")
    dbs: PostgresDatabases = request.getfixturevalue("postgres_databases")
    url = dbs.copy(dbs.template("yigai_migrated", _migrated))
    return Settings.from_env({}, data_dir=tmp_path / "var", database_url=url)

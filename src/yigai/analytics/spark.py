"""The catalogue on Apache Spark: the record lake's tables as Spark views, and the engine's fused
statements run there through ``spark.sql`` with named parameters.

Nothing here distributes anything: Spark plans and runs each statement (local threads, a standalone
cluster, YARN or Kubernetes, or a Spark Connect server); the engine (``yigai.analytics.engine``)
does exactly what it does on DuckDB and PostgreSQL, through :func:`dialect.execute`, which sees a
:class:`SparkRecords` as a :class:`~yigai.analytics.dialect.SqlEngine`. PySpark is the optional
extra ``yigai[spark]``, imported only when a Spark run starts.

What is checked before Spark starts, so that a bad run fails in seconds and writes nothing: the
master URL's form, that a ``spark://`` or ``sc://`` master answers on its port, and, for a lake on
a local disk, that every record table has Parquet files.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from yigai.analytics.engine import ComputationError
from yigai.domain.errors import YigaiError
from yigai.records.lake import LakeError, check_lake, is_uri, table_location
from yigai.records.schema import ColumnType, record_tables

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_MASTER = "local[2]"
CONNECT_TIMEOUT_S = 5.0
DEFAULT_PORTS = {"spark": 7077, "sc": 15002}
_LOCAL = re.compile(r"^local(\[(\d+|\*)(,\d+)?\])?$")
_SPARK_TYPES = {
    ColumnType.STRING: "string",
    ColumnType.DATE: "date",
    ColumnType.INTEGER: "bigint",
    ColumnType.DECIMAL: "double",
    ColumnType.BOOLEAN: "boolean",
}
# Settings of a session this module starts; `--spark-conf` overrides any of them.
LOCAL_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",  # the grouped results are small: few partitions, little overhead
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",  # month=2023-01 stays a string
    "spark.sql.ansi.enabled": "true",  # an overflowing decimal sum is an error, never a NULL
}


class SparkUnavailableError(YigaiError):
    """Spark cannot be started or reached (no PySpark, no Java, a master that does not answer)."""

    message_zh = "无法连接或启动 Spark"


def check_master(master: str) -> None:
    """Refuse a master URL Spark would not understand, and one whose host does not answer.

    A standalone master that does not answer would otherwise leave the driver waiting for
    executors; a Spark Connect one would time out deep inside gRPC.
    """
    if _LOCAL.match(master) or master == "yarn" or master.startswith("k8s://"):
        return
    parts = urlsplit(master)
    if parts.scheme not in DEFAULT_PORTS or not parts.netloc:
        raise SparkUnavailableError(
            f"unknown Spark master {master!r}; use local[N], spark://HOST:7077, sc://HOST:15002, yarn or k8s://…",
            message_zh=f"无法识别的 Spark 主节点地址 {master}（可用 local[N]、spark://主机:7077、sc://主机:15002、yarn、k8s://…）",
            where="--spark-master",
        )
    for hostport in parts.netloc.split(","):  # standalone masters with ZooKeeper: spark://h1:7077,h2:7077
        host, _, port = hostport.partition(":")
        try:
            with socket.create_connection((host, int(port or DEFAULT_PORTS[parts.scheme])), CONNECT_TIMEOUT_S):
                return
        except (OSError, ValueError) as exc:
            reason = exc
    raise SparkUnavailableError(
        f"the Spark master {master} does not answer ({reason}); check the address, the port and that the "
        f"cluster is running",
        message_zh=f"Spark 主节点 {master} 无法连接（{reason}）；请检查地址、端口以及集群是否已启动",
        where="--spark-master",
    )


def start_session(
    master: str = DEFAULT_MASTER, conf: Mapping[str, str] | None = None, app_name: str = "yigai compute"
) -> SparkSession:
    """A Spark session on ``master`` (``sc://…``: a Spark Connect client), with :data:`LOCAL_CONF`."""
    check_master(master)
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailableError(
            "PySpark is not installed; install the extra: pip install 'yigai[spark]' (Java 17 or later is needed too)",
            message_zh="未安装 PySpark；请安装：pip install 'yigai[spark]'（另需 Java 17 及以上）",
            where="--engine spark",
        ) from None
    builder = SparkSession.builder.appName(app_name)
    builder = builder.remote(master) if master.startswith("sc://") else builder.master(master)
    for key, value in {**LOCAL_CONF, **(conf or {})}.items():
        builder = builder.config(key, value)
    try:
        return builder.getOrCreate()
    except Exception as exc:  # Java missing or too old, a bad setting: PySpark raises plain errors here
        raise SparkUnavailableError(
            f"cannot start Spark on {master}: {_first_line(exc)}",
            message_zh=f"无法在 {master} 上启动 Spark：{_first_line(exc)}",
            where="--spark-master",
        ) from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


class SparkRecords:
    """The record lake as Spark temporary views, one per record table, named and typed as in the
    record store, so the catalogue's SQL reads them unchanged."""

    dialect = "spark"

    def __init__(self, session: SparkSession, lake: str) -> None:
        self.session = session
        self.lake = lake
        self.statements = 0

    def register(self) -> None:
        """(Re)create the views; a table missing from a lake on HDFS or object storage fails here."""
        for name, t in record_tables().items():
            location = table_location(self.lake, name)
            try:
                frame = self.session.read.parquet(location)
            except Exception as exc:  # AnalysisException PATH_NOT_FOUND (or the Connect client's twin)
                raise LakeError(
                    f"the record lake has no table {name} at {location}: {_first_line(exc)}",
                    message_zh=f"记录湖缺少记录表 {name}（{t.meaning}）：{location}",
                    where=location,
                ) from exc
            missing = [c.name for c in t.columns if c.name not in frame.columns]
            if missing:
                raise LakeError(
                    f"{location} lacks column(s) {', '.join(missing)} of {name}",
                    message_zh=f"记录表 {name} 的 Parquet 缺少列：{'、'.join(missing)}",
                    where=location,
                )
            cols = [frame[c.name].cast(_SPARK_TYPES[c.type]).alias(c.name) for c in t.columns]
            frame.select(*cols).createOrReplaceTempView(name)

    def rows(self, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run one statement with Spark's own named parameters (``:name``) and collect its rows."""
        self.statements += 1
        try:
            return [tuple(r) for r in self.session.sql(sql, args=dict(params) or None).collect()]
        except Exception as exc:
            raise ComputationError(
                f"Spark failed to run a statement: {_first_line(exc)}",
                message_zh=f"Spark 执行查询失败：{_first_line(exc)}",
                where=sql[:120],
            ) from exc


@contextmanager
def open_lake(
    lake: str | Path,
    master: str = DEFAULT_MASTER,
    *,
    conf: Mapping[str, str] | None = None,
    session: SparkSession | None = None,
) -> Iterator[SparkRecords]:
    """The lake at ``lake`` (a folder, or a URI Spark reads: hdfs://…, s3a://…) on a Spark session.

    ``session``: use this one and leave it running (tests share one); otherwise a session is started
    on ``master`` and stopped at the end, unless one was already running in this process.
    """
    location = str(lake)
    if not is_uri(location):
        check_lake(Path(location))
        location = Path(location).resolve().as_posix()
    own = session is None
    if session is None:
        from_before = _active_session()
        session = start_session(master, conf)
        own = from_before is None
    records = SparkRecords(session, location)
    try:
        records.register()
        yield records
    finally:
        if own:
            session.stop()


def _active_session() -> SparkSession | None:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return None
    return SparkSession.getActiveSession()


def parse_conf(pairs: Sequence[str]) -> dict[str, str]:
    """``["spark.executor.memory=8g", …]`` → a dict; a pair without ``=`` is bad input."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise SparkUnavailableError(
                f"--spark-conf {pair!r} is not KEY=VALUE",
                message_zh=f"--spark-conf 参数 {pair} 应为 键=值",
                where="--spark-conf",
            )
        out[key.strip()] = value.strip()
    return out

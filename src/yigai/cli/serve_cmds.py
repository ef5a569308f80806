"""``yigai demo`` and ``yigai serve``: the demo district, and the web server.

``demo`` builds a fresh demo database (its own SQLite file, never the configured
database) and serves it; ``serve`` serves the configured database. Both print the
URL and stop cleanly on Ctrl-C.
"""

from __future__ import annotations

import errno
import gc
import os
import socket
from pathlib import Path
from typing import Annotated, Any

import typer

from yigai.cli.common import evidence_store, info
from yigai.cli.edge import stdout
from yigai.cli.render import plans_table
from yigai.domain.errors import ConfigurationError
from yigai.settings import Settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
KEEP_ALIVE_S = 65
# Requests a worker process handles at once. The work of a request is mostly Python, which runs
# on one core per process at a time, and database waits are short, so a few threads keep the
# core busy; each extra one only raises the memory of a burst (see yigai.web.heap). On the
# 10-minute soak 4 and 8 gave the same latencies.
DEFAULT_REQUEST_THREADS = 4
THREADS_ENV = "YIGAI_SERVE_THREADS"  # how ``serve --threads`` reaches the worker processes

HostOpt = Annotated[str, typer.Option("--host", help="Address to listen on (0.0.0.0: every interface).")]
PortOpt = Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")]


def fresh_demo(folder: Path) -> Settings:
    """Delete the previous demo database under ``folder``, build a new one, print what it holds."""
    from yigai.bootstrap import build
    from yigai.services.demo import DEMO_DATABASE, build_demo, demo_settings, lines

    settings = demo_settings(folder)
    database = folder / DEMO_DATABASE
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    info("正在生成演示数据 building the demo district …")
    with build(settings) as built:
        summary = build_demo(built.uow, evidence_store(built))
    stdout().print(plans_table(summary.plans, title="内置计划 built-in plans"))
    for line in lines(summary):
        info(line)
    info(f"演示数据库 demo database: {database}")
    return settings


def check_port(host: str, port: int) -> None:
    """Fail early, with a clear message, when the address cannot be listened on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            busy = exc.errno == errno.EADDRINUSE
            raise ConfigurationError(
                f"cannot listen on {host}:{port}: "
                + ("the port is in use (try --port)" if busy else str(exc.strerror)),
                message_zh=f"无法在 {host}:{port} 上监听："
                + ("端口已被占用（可用 --port 换一个）" if busy else "地址不可用"),
                where="--port" if busy else "--host",
            ) from exc


def listening_socket(host: str, port: int) -> socket.socket:
    """The socket the workers share. Made with the TCP protocol number, unlike uvicorn's own, so that
    asyncio sets TCP_NODELAY on every connection (else a reused connection waits ~40 ms per response)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def tune_process() -> None:
    """Tune a server process for long runs under load, once its app is built.

    The collector: kept off the long-lived start-up objects, and young collections made rarer.
    A request allocates tens of thousands of short-lived objects (a plan copy, the page); with
    the default thresholds full collections walk every object of the process and stall the
    requests queued behind them. The C heap: a few arenas, set before the request threads
    start (``yigai.web.heap``).
    """
    from yigai.web.heap import limit_arenas

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    limit_arenas()


def tuned_app() -> Any:
    """The app factory of each worker process: the app from the environment, then ``tune_process``."""
    from yigai.web.app import create_app

    threads = int(os.environ.get(THREADS_ENV) or DEFAULT_REQUEST_THREADS)
    app = create_app(Settings.from_env(), request_threads=threads)
    tune_process()
    return app


def server_options(host: str, port: int) -> dict[str, Any]:
    """uvicorn's options for ``serve`` and ``demo``.

    Idle keep-alive connections stay open longer than a person pauses between two clicks and
    longer than a reverse proxy's own upstream timeout (nginx: 60 s): a server closing a
    connection just as the client reuses it makes the client see a dropped request. uvicorn's
    own proxy-header handling is off (it trusts X-Forwarded-For from loopback by default): the
    app reads the headers only from ``YIGAI_TRUSTED_PROXIES`` (``yigai.web.app.create_app``).
    """
    return {
        "host": host,
        "port": port,
        "log_level": "warning",
        "access_log": False,
        "server_header": False,
        "timeout_keep_alive": KEEP_ALIVE_S,
        "proxy_headers": False,
    }


def serve_settings(
    settings: Settings, host: str, port: int, workers: int = 1, threads: int = DEFAULT_REQUEST_THREADS
) -> None:
    """Run the web app for ``settings`` until Ctrl-C (the schema is already migrated: ``build`` ran)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    check_port(host, port)
    shown = f"[{host}]" if ":" in host else host
    info(f"服务地址 serving on http://{shown}:{port}/ （按 Ctrl-C 停止 / press Ctrl-C to stop）")
    options = server_options(host, port)
    try:
        if workers > 1:  # each worker process builds its app from the environment
            os.environ.update(
                {
                    "YIGAI_DATA_DIR": str(settings.data_dir),
                    "YIGAI_DATABASE_URL": settings.database_url,
                    "YIGAI_MAX_DOCUMENT_BYTES": str(settings.max_document_bytes),
                    "YIGAI_TRUSTED_PROXIES": ",".join(str(n) for n in settings.trusted_proxies),
                    THREADS_ENV: str(threads),
                }
            )
            # a busy worker answers the supervisor's health check late: give it 30 s before it is replaced
            config = uvicorn.Config(
                "yigai.cli.serve_cmds:tuned_app",
                factory=True,
                workers=workers,
                timeout_worker_healthcheck=30,
                **options,
            )
            Multiprocess(config, sockets=[listening_socket(host, port)]).run()
        else:
            from yigai.web.app import create_app  # the web stack loads only for the commands that serve

            app = create_app(settings, request_threads=threads)
            tune_process()
            uvicorn.Server(uvicorn.Config(app, **options)).run()
    except KeyboardInterrupt:  # uvicorn finishes the requests in flight on Ctrl-C, then re-raises the signal
        pass
    info("已停止 stopped")


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        data_dir: Annotated[
            Path | None,
            typer.Option(
                "--data-dir", show_default=False, help="Where to create the demo (default: YIGAI_DATA_DIR or ./var)."
            ),
        ] = None,
        host: HostOpt = DEFAULT_HOST,
        port: PortOpt = DEFAULT_PORT,
        no_serve: Annotated[bool, typer.Option("--no-serve", help="Only build the demo data.")] = False,
    ) -> None:
        """Build a fresh demo district and serve it: five plans, users, reports and indicator values.

        The demo always uses its own SQLite file (DIR/demo.sqlite3), so it never
        touches the database named by YIGAI_DATABASE_URL. The demo users and their
        passwords are printed (demo only).

        Example: yigai demo --port 8080 --data-dir /tmp/yigai-demo
        """
        settings = fresh_demo(data_dir or Settings.from_env().data_dir)
        if not no_serve:
            serve_settings(settings, host, port)

    @app.command()
    def serve(
        host: HostOpt = DEFAULT_HOST,
        port: PortOpt = DEFAULT_PORT,
        workers: Annotated[
            int, typer.Option("--workers", min=1, max=64, help="Server processes (about one per CPU core).")
        ] = 1,
        threads: Annotated[
            int,
            typer.Option(
                "--threads",
                min=1,
                max=64,
                help="Requests each process handles at once; more wait their turn. More threads than a "
                "few per core add memory, not speed.",
            ),
        ] = DEFAULT_REQUEST_THREADS,
    ) -> None:
        """Serve the web application and the API on the configured database (YIGAI_DATABASE_URL).

        The schema is migrated on start. Nobody can sign in until an office admin
        has a password: yigai users password admin. With --workers N, N processes
        share the port (each keeps its own cache of plans and reports).

        Example: yigai serve --host 0.0.0.0 --port 8000
        """
        from yigai.bootstrap import build

        settings = Settings.from_env()
        with build(settings) as built, built.uow() as uow:
            users = uow.users.all()
            signable = [u.username for u in users if uow.users.password_hash(u.username)]
        if not signable:
            info(
                "提示：尚无可登录的用户，请先设置密码 / note: nobody can sign in yet; set a password first: "
                "yigai users password admin"
            )
        serve_settings(settings, host, port, workers, threads)

"""``yigai serve``: the real server on the configured database; the URL printed, Ctrl-C stops it cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from .conftest import Invoke


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_answers_on_the_printed_url_and_stops_on_ctrl_c(tmp_path: Path, workers: int) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "YIGAI_DATA_DIR": str(tmp_path / "var"),
        "YIGAI_DATABASE_URL": f"sqlite:///{(tmp_path / 'var' / 'yigai.sqlite3').as_posix()}",
    }
    command = [
        sys.executable,
        "-c",
        "from yigai.cli.main import app; app()",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 30
        while True:
            try:
                schema = httpx.get(url + "api/v1/openapi.json", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=20)
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    assert server.returncode == 0, err
    assert f"serving on {url}" in err and "已停止 stopped" in err
    assert "nobody can sign in yet" in err  # a fresh database has no password set
    assert "Traceback" not in err


def test_a_busy_port_is_a_clear_error(yigai: Invoke) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = yigai("serve", "--port", str(port))
    assert result.exit_code == 1
    assert "端口已被占用" in result.stderr and "the port is in use" in result.stderr

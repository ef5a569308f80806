"""Browser tests: Debian's chromium (never a downloaded browser) driven by Playwright against the demo.

The demo district is built once per run (``demo_build``), copied, and served by the real
server (``yigai serve`` in a subprocess, on a free loopback port). Chromium runs headless
with a fresh profile; every request that is not to the loopback server is blocked and
recorded, so a page that would fetch anything from outside fails its test. Screenshots
go to ``var/test-artifacts/browser/`` (or ``$YIGAI_TEST_ARTIFACTS``), printed at the end.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from yigai.services.demo import DEMO_DATABASE

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

try:
    from playwright.sync_api import BrowserContext, Page, Route, sync_playwright
except ImportError:  # pragma: no cover - the dev extras pin playwright
    sync_playwright = None


def artifacts_dir() -> Path:
    return Path(os.environ.get("YIGAI_TEST_ARTIFACTS") or ROOT / "var" / "test-artifacts" / "browser")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    folder = artifacts_dir()
    if folder.exists() and any(folder.glob("*.png")):
        terminalreporter.write_line(f"browser screenshots: {folder}")


@dataclass
class Server:
    url: str  # http://127.0.0.1:PORT (no trailing slash)
    folder: Path  # the demo copy it serves: demo.sqlite3 and evidence/


@dataclass
class Browser:
    """One chromium profile; ``blocked`` lists every request that tried to leave the loopback."""

    context: BrowserContext
    server: Server
    shots: Path
    blocked: list[str] = field(default_factory=list)

    def page(self) -> Page:
        return self.context.pages[0] if self.context.pages else self.context.new_page()

    def sign_in(self, username: str, password: str) -> Page:
        """A fresh session (the previous user's cookie is dropped) signed in through the form."""
        self.context.clear_cookies()
        page = self.page()
        page.goto(f"{self.server.url}/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_load_state()
        assert urlsplit(page.url).path != "/login", f"sign-in as {username} failed"
        return page

    def shot(self, page: Page, name: str) -> Path:
        path = self.shots / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        return path


def _require_browser() -> None:
    if sync_playwright is None:
        pytest.skip("playwright is not installed (pip install -e '.[dev]')")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (the Makefile's set-up installs it: apt-get install chromium)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server(demo_build, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:  # type: ignore[no-untyped-def]
    """The demo served by ``yigai serve`` in a subprocess; stopped with Ctrl-C (SIGINT) at the end."""
    _require_browser()
    folder = demo_build.copy_to(tmp_path_factory.mktemp("served") / "demo")
    port = _free_port()
    env = {
        **os.environ,
        "YIGAI_DATA_DIR": str(folder),
        "YIGAI_DATABASE_URL": f"sqlite:///{(folder / DEMO_DATABASE).as_posix()}",
    }
    command = [sys.executable, "-c", "from yigai.cli.main import app; app()", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{url}/api/v1/openapi.json", timeout=2)
            break
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"the demo server did not start: {process.communicate()[1]}") from None
            time.sleep(0.2)
    yield Server(url, folder)
    process.send_signal(signal.SIGINT)
    try:
        process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()


@pytest.fixture(scope="session")
def browser(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    _require_browser()
    shots = artifacts_dir()
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            locale="zh-CN",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(15_000)
        handle = Browser(context, server, shots)

        def guard(route: Route) -> None:
            parts = urlsplit(route.request.url)
            if parts.scheme in ("data", "blob") or parts.hostname in LOOPBACK:
                route.continue_()
            else:
                handle.blocked.append(route.request.url)
                route.abort("internetdisconnected")

        context.route("**/*", guard)
        try:
            yield handle
        finally:
            context.close()

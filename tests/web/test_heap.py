"""``yigai.web.heap``: freed heap pages go back to the system; a server app caps its request threads."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
import weakref
from pathlib import Path

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient

from yigai.bootstrap import build
from yigai.settings import Settings
from yigai.web import heap
from yigai.web.app import create_app

# 2,000 buffers of 60 kB (under glibc's mmap threshold, so on its heap), all freed but the last,
# which keeps the freed space from being the heap's top (that much glibc returns by itself)
SCRIPT = textwrap.dedent("""
    from yigai.web.heap import release_free_memory

    def rss():
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) // 1024

    blocks = [bytearray(60_000) for _ in range(2_000)]
    held = rss()
    last = blocks.pop()
    del blocks
    freed = rss()
    released = release_free_memory()
    print(held, freed, rss(), released, len(last))
""")


@pytest.mark.skipif(not sys.platform.startswith("linux") or heap._malloc_trim() is None, reason="glibc only")
def test_freed_heap_memory_is_given_back() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True).stdout.split()
    held, freed, trimmed = (int(x) for x in out[:3])
    assert out[3] == "True"
    assert freed > held - 20  # free() alone keeps the ~115 MiB
    assert trimmed < freed - 80  # the trim gives it back


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


def test_cycles_that_reached_the_oldest_generation_are_collected() -> None:
    thresholds = gc.get_threshold()
    try:
        gc.set_threshold(50_000, 20, 100)  # the server's: full collections come after hours
        node = _Node()
        gone = weakref.ref(node)
        gc.collect(1)  # in flight during a young collection: promoted to the oldest generation
        del node
        gc.collect(1)
        assert gone() is not None  # young collections never look at it again
        heap.release_free_memory()
        assert gone() is None
    finally:
        gc.set_threshold(*thresholds)


# six threads alive at once, each allocating on the C heap; malloc_stats lists the arenas on stderr
ARENAS = textwrap.dedent("""
    import ctypes, sys, threading
    from yigai.web.heap import limit_arenas

    if sys.argv[1] == "limit":
        limit_arenas(2)
    barrier = threading.Barrier(6)

    def work():
        block = bytearray(64_000)
        barrier.wait()
        del block

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ctypes.CDLL(None).malloc_stats()
""")


@pytest.mark.skipif(not sys.platform.startswith("linux") or heap._malloc_trim() is None, reason="glibc only")
def test_threads_share_the_capped_arenas() -> None:
    def arenas(mode: str) -> int:
        err = subprocess.run([sys.executable, "-c", ARENAS, mode], capture_output=True, text=True, check=True).stderr
        return sum(line.startswith("Arena ") for line in err.splitlines())

    assert arenas("default") > 2  # glibc's default: a new arena for each new thread, up to 8 per core
    assert arenas("limit") == 2


def _tokens() -> float:
    async def read() -> float:
        return anyio.to_thread.current_default_thread_limiter().total_tokens

    return read  # type: ignore[return-value]


@pytest.mark.parametrize(("threads", "expected"), [(None, 40), (3, 3)])
def test_a_server_app_caps_the_requests_it_handles_at_once(tmp_path: Path, threads: int | None, expected: int) -> None:
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{(tmp_path / 'y.sqlite3').as_posix()}")
    app = create_app(core=build(settings), request_threads=threads)
    with TestClient(app) as client:
        assert client.portal.call(_tokens()) == expected  # type: ignore[arg-type]
        assert client.get("/api/v1/openapi.json").status_code == 200


FROZEN = textwrap.dedent("""
    import gc, sys, time, weakref
    from yigai.web.heap import release_free_memory

    class Node:
        def __init__(self):
            self.me = self

    cache = [[i, [i]] for i in range(400_000)]  # long-lived containers, as a warm server's caches
    release_free_memory(freeze=sys.argv[1] == "freeze")
    start = time.process_time()
    gc.collect()
    took = time.process_time() - start
    node = Node()  # garbage made after the freeze is still collected
    gone = weakref.ref(node)
    del node
    release_free_memory(freeze=True)
    print(took, gone() is None)
""")


def test_frozen_survivors_make_the_next_full_collection_short() -> None:
    def run(mode: str) -> tuple[float, bool]:
        out = subprocess.run(
            [sys.executable, "-c", FROZEN, mode], capture_output=True, text=True, check=True
        ).stdout.split()
        return float(out[0]), out[1] == "True"

    walked, _ = run("plain")
    frozen, collected = run("freeze")
    assert collected
    assert frozen < walked / 5

"""Limit how far a long-running server's memory climbs under sustained load.

Three things make a worker's resident memory ratchet up under sustained load even when the
objects it holds do not grow (measured in the soak, ``benchmarks/load.py``: glibc's in-use bytes
flat at ~33 MiB per worker while its free-but-kept bytes went from 5 to 50 MiB):

- every request handled at the same time has its own transient objects and buffers, so the
  peak is set by how many run at once, and a burst leaves its footprint behind (anyio runs up
  to 40 at once). ``limit_request_threads`` caps that: a Python worker's requests share one
  core, so more threads than a few add memory, not throughput;
- the server makes full garbage collections rare (``yigai.cli.serve_cmds.tune_process``), so
  reference cycles left by requests that were in flight during a young collection pile up in
  the oldest generation for hours; ``release_free_memory`` collects them on a timer;
- glibc gives threads their own heaps ("arenas"), up to 8 per core, created as new threads
  appear (the thread pool retires idle threads and starts new ones) and never released; each
  keeps ~10 MiB of freed but fragmented space. ``limit_arenas`` caps them, and
  ``release_free_memory`` hands free pages back with ``malloc_trim``; ``release_periodically``
  does it while the server runs. Other C libraries have neither call and these do nothing.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import functools
import gc
from _ctypes import CFuncPtr

import anyio.to_thread

RELEASE_EVERY_S = 30.0
SERVER_ARENAS = 2
_M_ARENA_MAX = -8  # mallopt parameter number, from glibc's malloc.h


@functools.cache
def _glibc(function: str, *argtypes: type) -> CFuncPtr | None:
    """``function`` of the C library, typed once, when it is glibc's (``malloc_trim``, ``mallopt``), else None."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        found = getattr(ctypes.CDLL(name), function)
    except (OSError, AttributeError):  # not glibc (musl, macOS)
        return None
    found.argtypes, found.restype = list(argtypes), ctypes.c_int
    return found


def _malloc_trim() -> CFuncPtr | None:
    return _glibc("malloc_trim", ctypes.c_size_t)


def limit_arenas(arenas: int = SERVER_ARENAS) -> bool:
    """At most ``arenas`` glibc heaps for the threads started from now on; False when not glibc."""
    mallopt = _glibc("mallopt", ctypes.c_int, ctypes.c_int)
    return mallopt is not None and bool(mallopt(_M_ARENA_MAX, arenas))


def release_free_memory(*, freeze: bool = False) -> bool:
    """Collect cyclic garbage, then return the C heap's free pages to the system (False: the C
    library cannot; the collection still ran).

    ``freeze`` (the server's timer): the survivors go to the collector's permanent generation, so
    the next full collection walks only what was made since. Walking every cached plan, report
    and memoised page took over 100 ms with the interpreter lock held — every request in flight
    waited — each time. A frozen object is still freed when its last reference goes; only a cycle
    among frozen objects would stay, and the caches hold trees, not cycles.
    """
    gc.collect()
    if freeze:
        gc.freeze()
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


def limit_request_threads(threads: int) -> None:
    """At most ``threads`` synchronous handlers at once in this event loop (anyio's default is 40)."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = threads


async def release_periodically(every_s: float = RELEASE_EVERY_S) -> None:
    """``release_free_memory`` every ``every_s`` seconds until cancelled (tens of ms each time)."""
    while True:
        await asyncio.sleep(every_s)
        await anyio.to_thread.run_sync(functools.partial(release_free_memory, freeze=True))

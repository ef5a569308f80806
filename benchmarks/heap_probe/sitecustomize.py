"""Heap probe for the soak (``benchmarks/load.py --probe DIR``): not part of the product.

Python imports ``sitecustomize`` at start-up from ``PYTHONPATH``; ``load.py --probe`` puts this
folder there for the server it starts. In each worker process (spawned by multiprocessing) a
thread writes, every ``YIGAI_PROBE_EVERY`` seconds (default 30), one line to ``DIR/PID.txt``:
resident memory, glibc's ``mallinfo2`` (heap size, bytes in use, bytes free but kept), Python's
allocated blocks and objects, threads and GC counts; and ``DIR/PID.maps.N``, the resident size
of every mapping in ``/proc/self/smaps``, so two samples can be compared mapping by mapping.
"""

from __future__ import annotations

import ctypes
import gc
import os
import sys
import threading
import time

_DIR = os.environ.get("YIGAI_PROBE_DIR")


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _rss_mib() -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) // 1024


def _sample(n: int, mallinfo2: ctypes._CFuncPtr) -> None:  # type: ignore[name-defined]
    m = mallinfo2()
    line = (
        f"t{n * int(_EVERY)} rss {_rss_mib()} heap {m.arena >> 20} inuse {m.uordblks >> 20} "
        f"free {m.fordblks >> 20} mmapped {m.hblkhd >> 20} pyblocks {sys.getallocatedblocks()} "
        f"objects {len(gc.get_objects())} threads {threading.active_count()} gc {gc.get_count()}"
    )
    with open(os.path.join(_DIR or ".", f"{os.getpid()}.txt"), "a") as out:
        out.write(line + "\n")
    with open(os.path.join(_DIR or ".", f"{os.getpid()}.maps.{n}"), "w") as out, open("/proc/self/smaps") as smaps:
        mapping = None
        for text in smaps:
            parts = text.split()
            if parts and "-" in parts[0] and not parts[0].endswith(":"):
                mapping = text.strip()
            elif parts and parts[0] == "Rss:" and mapping:
                out.write(f"{parts[1]} {mapping}\n")


def _run() -> None:
    mallinfo2 = ctypes.CDLL(None).mallinfo2
    mallinfo2.restype = _MallInfo2
    n = 0
    while True:
        time.sleep(_EVERY)
        n += 1
        _sample(n, mallinfo2)


_EVERY = float(os.environ.get("YIGAI_PROBE_EVERY", "30"))
if _DIR and any("multiprocessing" in arg for arg in sys.argv):
    threading.Thread(target=_run, name="heap-probe", daemon=True).start()

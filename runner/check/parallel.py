"""Checking many spec files on several cores: forked workers each check a run of files.

Only `validate` without snapshots uses it (what comes back is small: diagnostics and each
spec's id); below a few hundred files, or where processes cannot be forked cheaply (not
Linux; one core for this process), files are checked in this process as before. Any failure
of the workers means checking every file again here, so the result never depends on how it
was computed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PARALLEL_MIN_FILES = 400  # below this, forking costs more than it saves
MAX_WORKERS = 4
_PARENT: Any = None  # the checker the forked workers copy; set only while they run


def workers_for(count: int) -> int:
    """How many workers to check `count` files with (0: check them here)."""
    if count < PARALLEL_MIN_FILES or not sys.platform.startswith("linux"):
        return 0
    cores = len(os.sched_getaffinity(0))  # not cpu_count(): a job pinned to one core has one
    if cores < 2:
        return 0
    import multiprocessing  # here: a one-file validate (a pre-commit hook) never pays for it

    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return min(cores, MAX_WORKERS)


def check_in_parallel(checked: Any, files: Sequence[Path]) -> bool:
    """Add every file's results to `checked` using forked workers; False (nothing added)
    when it is not worth it or the workers failed."""
    global _PARENT
    workers = workers_for(len(files))
    if not workers:
        return False
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    size = max(1, -(-len(files) // (workers * 4)))  # a few runs per worker evens out the load
    runs = [list(files[i : i + size]) for i in range(0, len(files), size)]
    _PARENT = checked
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            parts = list(pool.map(_check_run, runs))
    except (OSError, BrokenProcessPool):
        return False
    finally:
        _PARENT = None
    for part in parts:
        checked.absorb(part)
    return True


def _check_run(paths: list[Path]) -> Any:
    fresh = _PARENT.empty_copy()
    for path in paths:
        fresh.add_file(path)
    return fresh.results()

"""Stale Snakemake locks: released by the next run, never while a run is alive.

Snakemake locks the working directory while it runs (``.snakemake/locks``) and removes the
lock when it ends; a run killed with SIGKILL (or by a lost session) leaves it behind, and every
later run then stops with "Directory cannot be locked". Its lock files do not say which process
wrote them, so the workflow keeps its own liveness signal: every main Snakemake process of this
workflow holds an exclusive ``flock`` on ``.snakemake/nasmetrics.lock`` for as long as it lives
(the kernel drops it when the process dies, however it dies). A new run that gets the flock
therefore knows that no other run of this workflow is alive, and that any Snakemake lock
present is stale; one that does not get it leaves everything as it is.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

_held = []  # the open lock file: kept open (and so locked) for the life of this process


def hold_run_lock(workdir: str | Path) -> bool:
    """Take the flock for this process if no other process holds it; True if this one does."""
    if _held:
        return True
    path = Path(workdir) / ".snakemake" / "nasmetrics.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+")  # held open on purpose: closing it would release the lock
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        return False
    fh.seek(0)
    fh.truncate()
    fh.write(f"{os.getpid()}\n")
    fh.flush()
    _held.append(fh)
    return True


def release_stale_locks(workdir: str | Path) -> list[str]:
    """Remove Snakemake's lock files if no live run of this workflow holds the flock; returns
    the names of the files removed (empty if there were none, or if a run is alive)."""
    if not hold_run_lock(workdir):
        return []
    locks = Path(workdir) / ".snakemake" / "locks"
    stale = sorted(p.name for p in locks.glob("*.lock")) if locks.is_dir() else []
    if stale:
        shutil.rmtree(locks)
    return stale

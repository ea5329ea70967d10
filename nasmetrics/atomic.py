"""Write a job's output so that it exists under its final name only when complete.

Snakemake marks a running job's outputs incomplete and ``--rerun-incomplete`` re-runs them
after a kill, but (Snakemake 9.27) only for jobs known when the DAG is first built: a job
that enters the DAG after a checkpoint, like every RNN scoring shard (the shard index is a
checkpoint) and everything downstream of them, is not checked. A shard killed while pyarrow
was writing it was then left truncated under its final name and taken as finished, and the
merge failed on it. Writing to a temporary name and renaming (atomic on one filesystem) means
a killed job leaves either no output or a whole one. Every output the workflow writes goes
through here: tables, arrays and figures.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np


def temporary_name(path: str | Path) -> Path:
    """Hidden name beside ``path`` with the same suffix (matplotlib and numpy pick the format
    from it, and ``np.savez`` would append ``.npz`` to any other)."""
    path = Path(path)
    return path.with_name(f".{path.stem}.tmp{path.suffix}")


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path``.

    A Python exception removes the temporary file; a SIGKILL leaves it behind, hidden, and
    the rerun overwrites it.
    """
    path = Path(path)
    tmp = temporary_name(path)
    try:
        yield tmp
        with open(tmp, "rb") as fh:  # on disk before the rename makes it visible
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_parquet(table, path: str | Path) -> None:
    """``table.to_parquet(path)`` (no index), atomically."""
    with atomic_path(path) as tmp:
        table.to_parquet(tmp, index=False)


def write_parquets(tables: dict) -> None:
    """Several tables ({path: table}) written as one: every file is written and synced under
    its temporary name first, then all are renamed in a row, so a kill leaves either none
    or (but for the instant between two renames) all of them - one job's outputs stay
    together."""
    tmps = []
    try:
        for path, table in tables.items():
            tmp = temporary_name(Path(path))
            tmps.append((tmp, Path(path)))
            table.to_parquet(tmp, index=False)
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        for tmp, path in tmps:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in tmps:
            tmp.unlink(missing_ok=True)
        raise


def write_csv(table, path: str | Path, **kwargs) -> None:
    """``table.to_csv(path)`` (no index unless asked), atomically."""
    kwargs.setdefault("index", False)
    with atomic_path(path) as tmp:
        table.to_csv(tmp, **kwargs)


def write_text(text: str, path: str | Path) -> None:
    """``Path(path).write_text(text)`` (UTF-8), atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def savez(path: str | Path, **arrays) -> None:
    """``np.savez(path, **arrays)``, atomically."""
    with atomic_path(path) as tmp:
        np.savez(tmp, **arrays)

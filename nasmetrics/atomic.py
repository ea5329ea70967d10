"""Write a job's output so that it exists under its final name only when complete.

Snakemake marks a running job's outputs incomplete and ``--rerun-incomplete`` re-runs them
after a kill, but (Snakemake 9.27) only for jobs known when the DAG is first built: a job
that enters the DAG after a checkpoint, like every RNN scoring shard (the shard index is a
checkpoint), is not checked. A shard killed while pyarrow was writing it was then left
truncated under its final name and taken as finished, and the merge failed on it. Writing to
a temporary name and renaming (atomic on one filesystem) means a killed job leaves either no
output or a whole one.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_parquet(table, path: str | Path) -> None:
    """``table.to_parquet(path)`` (no index), atomically."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    table.to_parquet(tmp, index=False)
    with open(tmp, "rb") as fh:  # on disk before the rename makes it visible
        os.fsync(fh.fileno())
    os.replace(tmp, path)

"""Which architectures each scoring job takes: consecutive blocks of ``shard_size`` in id order.

Both sides cut their architectures the same way. The RNN side's count depends on the
benchmark tables, so it is written to ``shards.tsv`` (read when the DAG is built); the
transformer side's follows from the config alone.

shards.tsv: the first line is ``n_shards<TAB>N``, then a TSV table ``arch_id``, ``shard``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from nasmetrics.atomic import write_text


def n_shards(n_items: int, shard_size: int) -> int:
    return -(-n_items // shard_size)


def shard_table(arch_ids: Sequence[int], shard_size: int) -> pd.DataFrame:
    """arch_id -> shard for ids already in scoring order."""
    ids = np.asarray(arch_ids, dtype=np.int64)
    return pd.DataFrame({"arch_id": ids, "shard": np.arange(len(ids)) // shard_size})


def shard_rows(table: pd.DataFrame, shard: int, shard_size: int) -> pd.DataFrame:
    """The rows of shard ``shard`` of a table already in scoring order."""
    return table.iloc[shard * shard_size : (shard + 1) * shard_size].reset_index(drop=True)


def write_shard_index(index: pd.DataFrame, path: str | Path) -> int:
    count = int(index["shard"].max()) + 1 if len(index) else 0
    write_text(f"n_shards\t{count}\n" + index.to_csv(sep="\t", index=False), path)
    return count


def read_shard_count(path: str | Path) -> int:
    with open(path, encoding="utf-8") as fh:
        head = fh.readline().rstrip("\n").split("\t")
    if len(head) != 2 or head[0] != "n_shards":
        raise ValueError(f"{path}: first line must be 'n_shards<TAB>N', got {head!r}")
    return int(head[1])


def read_shard_index(path: str | Path) -> pd.DataFrame:
    read_shard_count(path)  # checks the header
    return pd.read_csv(path, sep="\t", skiprows=1)


def shard_ids(path: str | Path, shard: int) -> list[int]:
    """The arch_ids of one shard, in order."""
    index = read_shard_index(path)
    return index.loc[index["shard"] == shard, "arch_id"].tolist()

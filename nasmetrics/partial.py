"""Per-architecture progress of one scoring job, kept on disk so a killed job resumes.

A job appends one JSON line per finished architecture (flushed and fsync'ed), so a pre-empted
or killed job loses at most the architecture it was scoring. On restart the job reads back the
longest prefix of lines that matches the architectures it is asked to score, in order (a
truncated last line, or a file written for another list of architectures, is not trusted) and
scores only the rest. The file's first line is a fingerprint of what the rows depend on (the
job's parameters, the code version, the input files' hashes); a file with another fingerprint
is ignored, so a changed metric or input never mixes old rows in. The file is removed once the
job's real output is written.

The file is not a Snakemake output, so Snakemake's cleanup of incomplete outputs leaves it in
place; it sits beside the output as ``<output>.partial.jsonl``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Sequence
from pathlib import Path

from nasmetrics.atomic import write_parquets


class PartialRows:
    def __init__(self, path: str | Path, fingerprint: str = ""):
        self.path = Path(path)
        self.fingerprint = fingerprint

    @classmethod
    def beside(cls, output: str | Path, fingerprint: str = "") -> PartialRows:
        return cls(f"{output}.partial.jsonl", fingerprint)

    def load(self, keys: Sequence) -> list[dict]:
        """Rows already finished for ``keys`` (each row's ``_key``), a prefix of them."""
        if not self.path.exists():
            return []
        rows = []
        with self.path.open(encoding="utf-8") as fh:
            try:
                head = json.loads(fh.readline())
            except json.JSONDecodeError:
                return []
            if head.get("_fingerprint") != self.fingerprint:
                return []
            for line, key in zip(fh, keys, strict=False):
                if not line.endswith("\n"):  # cut off mid-write
                    break
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    break
                if row.get("_key") != _jsonable(key):
                    break
                rows.append(row)
        return rows

    def start(self, rows: list[dict]) -> None:
        """Rewrite the file with the trusted prefix only (drops anything after it)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write(json.dumps({"_fingerprint": self.fingerprint}) + "\n")
            for row in rows:
                fh.write(json.dumps(row) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    def append(self, key, row: dict) -> None:
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"_key": _jsonable(key), **_clean(row)}) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    def finish(self, tables: dict) -> None:
        """Write the job's outputs ({path: table}, parquet, atomically and together: one
        job writes the shard of every mode), then drop this file.

        In that order: a kill between the two leaves a whole output and a stale progress
        file (ignored unless the job is forced to run again, and then its rows are still
        valid for the same fingerprint), never a progress file's loss with no output.
        """
        write_parquets(tables)
        self.remove()


def _jsonable(key):
    return list(key) if isinstance(key, tuple) else key


def _clean(row: dict) -> dict:
    """numpy scalars -> Python, nested dicts too; NaN and infinities survive (json writes NaN /
    Infinity)."""
    out = {}
    for k, v in row.items():
        if isinstance(v, dict):
            v = _clean(v)
        elif hasattr(v, "item"):
            v = v.item()
        if isinstance(v, float) and math.isnan(v):
            v = float("nan")
        out[k] = v
    return out


def fingerprint(params: dict, files: Sequence[str | Path]) -> str:
    """A digest of a job's parameters and the contents of its input files."""
    h = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode())
    for f in files:
        with open(f, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()

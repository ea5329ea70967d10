"""Shared fixtures: where the public inputs are (the offline mirror or data/raw)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def input_roots() -> list[Path]:
    roots = []
    if os.environ.get("NASMETRICS_MIRROR"):
        roots.append(Path(os.environ["NASMETRICS_MIRROR"]))
    roots += [ROOT.parent / "shared" / "data", ROOT / "data" / "raw"]
    return [r for r in roots if r.is_dir()]


@pytest.fixture(scope="session")
def mirror() -> Path:
    """A folder laid out like the mirror, with every input; tests needing it skip without."""
    for root in input_roots():
        if (root / "nas-bench-nlp" / "train_logs_wikitext-2.zip").is_file():
            return root
    pytest.skip("no offline mirror (set NASMETRICS_MIRROR) and no data/raw: inputs unavailable")


def debian_packages(*packages: str, command: str) -> str | None:
    """Path of ``command``, installing the Debian ``packages`` first when it is missing and
    we are root (these machines: CI runs as root with the package registry reachable).
    None when it cannot be had: the caller skips with a message."""
    import shutil
    import subprocess

    found = shutil.which(command)
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    proc = subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", *packages],
                          capture_output=True, text=True, env=env, timeout=900)
    if proc.returncode != 0:  # stale package lists: refresh once
        subprocess.run(["apt-get", "update"], capture_output=True, env=env, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", *packages],
                       capture_output=True, env=env, timeout=900)
    return shutil.which(command)

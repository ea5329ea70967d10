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

"""What every scoring job sets up first, given Snakemake's ``snakemake`` object."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import torch

from nasmetrics import gemm_path
from nasmetrics.allocator import ALLOCATOR_ENV
from nasmetrics.partial import PartialRows, fingerprint


def log(message: str) -> None:
    """One progress line to the job's log (the scripts point stderr at it)."""
    print(message, file=sys.stderr)


def scoring_job(smk) -> tuple[PartialRows, Callable[[str], None]]:
    """Torch on the job's thread count, log lines with the allocator settings the job
    started with (nasmetrics/allocator.py) and the matrix-product path it runs on, checked
    against float64 (nasmetrics/gemm_path.py), and the job's progress file: finished architectures
    survive a kill, and the rerun resumes from them (nasmetrics/partial.py). The progress file
    is fingerprinted by the job's params (the code version among them), its wildcards and the
    contents of its inputs."""
    torch.set_num_threads(smk.threads)
    log("allocator: " + " ".join(f"{key}={os.environ.get(key, '(unset)')}"
                                 for key in ALLOCATOR_ENV))
    log(gemm_path.describe())
    gemm_path.check_products()
    key = {**dict(smk.params.items()), **dict(smk.wildcards.items())}
    progress = PartialRows.beside(smk.output[0], fingerprint(key, list(smk.input)))
    return progress, log

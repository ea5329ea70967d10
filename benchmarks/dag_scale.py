"""How long Snakemake takes to build and dry-run the DAG of a large study.

    python benchmarks/dag_scale.py [--archs 15000] [--shard-size 50]

Copies the workflow into a temporary folder, asks for ``--archs`` transformer architectures
(the 500 of the benchmark plus sampled ones, ``bert.sample``) in shards of ``--shard-size``,
both modes, and times ``snakemake -n`` (parse, DAG, job listing). Prints a table and writes
benchmarks/results/dag_scale.csv. Goal: under 60 s for 15,000 architectures in shards of 50.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
FILES = ("Snakefile", "rules", "workflow_scripts", "config", "nasmetrics", "report",
         "environment.yml", "requirements.txt")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--archs", type=int, default=15_000)
    ap.add_argument("--shard-size", type=int, default=50)
    ap.add_argument("--mirror", default=os.environ.get("NASMETRICS_MIRROR", "data/raw"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for item in FILES:
            src = ROOT / item
            if src.is_dir():
                shutil.copytree(src, work / item, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy(src, work / item)
        (work / "config" / "scale.yaml").write_text(
            f"bert:\n  sample: {args.archs - 500}\n  shard_size: {args.shard_size}\n")
        env = dict(os.environ, NASMETRICS_MIRROR=str(Path(args.mirror).resolve()))
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "snakemake", "-n", "--cores", "2",
                               "--configfile", "config/scale.yaml"], cwd=work, env=env,
                              capture_output=True, text=True)
        seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(proc.stdout[-3000:] + proc.stderr[-3000:])
    total = re.search(r"^total\s+(\d+)", proc.stdout, re.M)
    shards = re.search(r"^bert_score_shard\s+(\d+)", proc.stdout, re.M)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    table = pd.DataFrame([{
        "architectures": args.archs, "shard_size": args.shard_size,
        "bert_score_shard_jobs": int(shards.group(1)) if shards else None,
        "jobs_in_dag": int(total.group(1)) if total else None,
        "dry_run_seconds": round(seconds, 1), "peak_memory_mb": round(peak_mb),
    }])
    print(table.to_string(index=False))
    (HERE / "results").mkdir(exist_ok=True)
    table.to_csv(HERE / "results" / "dag_scale.csv", index=False)


if __name__ == "__main__":
    main()

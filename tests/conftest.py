"""Shared fixtures: where the public inputs are (the offline mirror or data/raw)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
WORKFLOW_FILES = ("Snakefile", "rules", "workflow_scripts", "config", "nasmetrics", "report",
                  "profiles", "environment.yml", "requirements.txt")


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


def copy_workflow(dest: Path) -> Path:
    """The workflow's files in ``dest`` (no results), plus config/test.yaml: 5 architectures
    per corpus in shards of 3, so each corpus has two shards."""
    dest.mkdir(parents=True, exist_ok=True)
    for item in WORKFLOW_FILES:
        src = ROOT / item
        if src.is_dir():
            shutil.copytree(src, dest / item, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(src, dest / item)
    (dest / "config" / "test.yaml").write_text("rnn:\n  shard_size: 3\n")
    return dest


def snakemake(workdir: Path, *args: str, mirror: Path, env: dict | None = None,
              timeout: int = 900, cores: bool = True) -> str:
    """Run Snakemake on the smoke preset in ``workdir``; fail the test with its output's tail."""
    full_env = dict(os.environ, NASMETRICS_MIRROR=str(mirror), **(env or {}))
    # targets and flags first: --configfile takes every value that follows it
    cmd = [*SNAKEMAKE, *args, *(["--cores", "2"] if cores else []), "--configfile",
           "config/presets/smoke.yaml", "config/test.yaml"]
    proc = subprocess.run(cmd, cwd=workdir, env=full_env, capture_output=True, text=True,
                          timeout=timeout)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-5000:] + failed_job_logs(workdir, out)
    return out


def failed_job_logs(workdir: Path, out: str) -> str:
    """The tails of the logs Snakemake names for its failed jobs: a CI failure then shows
    the job's own error, not only Snakemake's summary."""
    text = ""
    for log in dict.fromkeys(re.findall(r"log: (\S+) \(check log file", out)):
        path = workdir / log
        tail = path.read_text(errors="replace")[-3000:] if path.is_file() else "(missing)"
        text += f"\n--- {log} ---\n{tail}"
    return text


def workflow_rules() -> dict[str, dict]:
    """Every rule of rules/*.smk: its script's name (None without one), the script its
    ``code`` param fingerprints, and whether it is marked ``localrule: True``."""
    rules = {}
    for smk in sorted((ROOT / "rules").glob("*.smk")):
        blocks = re.split(r"^(?:rule|checkpoint) (\w+):\n", smk.read_text(), flags=re.M)
        for name, body in zip(blocks[1::2], blocks[2::2], strict=True):
            script = re.search(r'script:\s*"\.\./workflow_scripts/(\w+)\.py"', body)
            code = re.search(r'code=code_version\("(\w+)"\)', body)
            rules[name] = {"script": script.group(1) if script else None,
                           "code": code.group(1) if code else None,
                           "local": "localrule: True" in body}
    snakefile = (ROOT / "Snakefile").read_text()
    rules["all"] = {"script": None, "code": None, "local": "localrule: True" in snakefile}
    return rules


def job_counts(dry_run_output: str) -> dict[str, int]:
    counts = {}
    block = dry_run_output.split("Job stats:", 1)[-1] if "Job stats:" in dry_run_output else ""
    for line in block.splitlines():
        m = re.fullmatch(r"(\w+)\s+(\d+)", line.strip())
        if m and m.group(1) != "total":
            counts[m.group(1)] = int(m.group(2))
    return counts


@pytest.fixture(scope="session")
def smoke_run(mirror, tmp_path_factory):
    """One local run of the smoke preset, shared by the tests that read its results: first a
    partial target (the PTB correlations), then everything."""
    work = copy_workflow(tmp_path_factory.mktemp("workflow"))
    partial = snakemake(work, "results/rnn/faithful/ptb/correlations.csv", mirror=mirror)
    branch_only = not (work / "results/rnn/faithful/wikitext2/scores.parquet").exists()
    snakemake(work, mirror=mirror)
    return work, partial, branch_only

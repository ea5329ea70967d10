"""Faults: a SIGKILL in the middle of scoring loses nothing, and the rerun gives the same results.

Determinism: every comparison here is of complete tables; only ``seconds`` (wall time of each
architecture, a measurement) is left out of them (README, "Determinism").
"""

import hashlib
import os
import signal
import subprocess
import time

import pandas as pd
import pytest
from conftest import SNAKEMAKE, copy_workflow, snakemake

pytestmark = pytest.mark.slow

TARGET = "results/rnn/faithful/ptb/correlations.csv"


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def without_seconds(path) -> pd.DataFrame:
    return pd.read_parquet(path).drop(columns="seconds")


def shard_state(shards) -> tuple[set[str], set[str]]:
    """(shards with their output written, shards part-way: no output and >= 1 row kept).

    An output on disk is a whole one: jobs write it under a temporary name and rename it
    (nasmetrics/atomic.py), so a shard seen here is finished even if the kill comes before
    Snakemake has recorded it."""
    done = {p.name.removesuffix(".parquet") for p in shards.glob("*.parquet")}
    partway = set()
    for p in shards.glob("*.parquet.partial.jsonl"):
        name = p.name.removesuffix(".parquet.partial.jsonl")
        try:
            rows = len(p.read_text().splitlines()) - 1
        except FileNotFoundError:  # removed while we looked: that shard just finished
            continue
        if name not in done and rows >= 1:
            partway.add(name)
    return done, partway


def test_sigkill_mid_run_then_resume(smoke_run, mirror, tmp_path):
    work = copy_workflow(tmp_path)
    env = dict(os.environ, NASMETRICS_MIRROR=str(mirror))
    cmd = [*SNAKEMAKE, TARGET, "--cores", "2", "--configfile", "config/presets/smoke.yaml",
           "config/test.yaml"]
    shards = work / "results/rnn/faithful/ptb/shards"
    # its own process group, so the kill takes Snakemake and every job it started
    proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 600
    try:
        # Kill once one shard has finished and another is part-way (some rows on disk, no
        # output yet).
        while time.monotonic() < deadline:
            done, partway = shard_state(shards)
            if done and partway:
                break
            assert proc.poll() is None, "the workflow finished before it could be killed"
            time.sleep(0.5)
        else:
            pytest.fail("no shard finished within 10 minutes")
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    done, partway = shard_state(shards)
    finished = {name: ((shards / f"{name}.parquet").stat().st_mtime_ns,
                       digest(shards / f"{name}.parquet")) for name in done}
    assert finished and partway

    # The killed run's lock is still there; the same command again resumes (README).
    assert list((work / ".snakemake" / "locks").glob("*.lock")), "no stale lock to release"
    out = snakemake(work, TARGET, "--rerun-incomplete", mirror=mirror)
    assert "released a stale lock left by a killed run" in out
    for name, (mtime, sha) in finished.items():
        p = shards / f"{name}.parquet"
        assert (p.stat().st_mtime_ns, digest(p)) == (mtime, sha), f"{name} was rewritten"
        assert f"wildcards: corpus=ptb, shard={name}\n" not in out, f"{name} re-run"
    for resumed in partway:
        log = (work / f"logs/rnn/ptb/shards/{resumed}.log").read_text()
        assert "resuming:" in log and "already scored by an interrupted run" in log
        # removed once the shard was written
        assert not (shards / f"{resumed}.parquet.partial.jsonl").exists()
    assert not list(shards.glob(".*.tmp.*")), "a temporary output was left behind"

    # identical to the uninterrupted run
    ref = smoke_run[0]
    scores = "results/rnn/faithful/ptb/scores.parquet"
    pd.testing.assert_frame_equal(without_seconds(work / scores), without_seconds(ref / scores))
    # the same jobs wrote the corrected mode's shards (not merged: not asked for)
    for shard in sorted((ref / "results/rnn/corrected/ptb/shards").glob("*.parquet")):
        pd.testing.assert_frame_equal(
            without_seconds(work / shard.relative_to(ref)), without_seconds(shard))
    assert (work / TARGET).read_bytes() == (ref / TARGET).read_bytes()


def test_a_live_run_keeps_its_lock(mirror, tmp_path):
    """While one run is alive, a second one in the same directory stops with Snakemake's
    lock error and leaves the first run's lock alone."""
    work = copy_workflow(tmp_path)
    env = dict(os.environ, NASMETRICS_MIRROR=str(mirror))
    # the whole smoke preset on one core: minutes, long enough to still run after the second;
    # --rerun-incomplete as make run and the profiles use it (without it, the first run's
    # unfinished outputs stop the second before it gets to the lock)
    cmd = [*SNAKEMAKE, "--cores", "1", "--rerun-incomplete", "--configfile",
           "config/presets/smoke.yaml"]
    first = subprocess.Popen(cmd, cwd=work, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    locks = work / ".snakemake" / "locks"
    try:
        deadline = time.monotonic() + 300
        while not list(locks.glob("*.lock")):
            assert first.poll() is None, "the first run ended before it was seen locked"
            assert time.monotonic() < deadline, "the first run never locked the directory"
            time.sleep(0.2)
        held = {p.name: p.read_bytes() for p in locks.glob("*.lock")}
        second = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True,
                                timeout=300)
        out = second.stdout + second.stderr
        assert first.poll() is None, "the first run ended while the second ran: inconclusive"
        assert second.returncode != 0
        assert "Directory cannot be locked" in out, out[-3000:]
        assert "released a stale lock" not in out
        assert held == {p.name: p.read_bytes() for p in locks.glob("*.lock")}
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()


def test_finished_shards_are_not_recomputed_after_a_kill(smoke_run, mirror):
    """After a complete run nothing is incomplete: the resume command has nothing to do."""
    out = snakemake(smoke_run[0], "-n", "--rerun-incomplete", mirror=mirror)
    assert "Nothing to be done" in out


def test_corrupt_input_is_a_hash_error_and_nothing_downstream_runs(mirror, tmp_path):
    work = copy_workflow(tmp_path / "work")
    bad = tmp_path / "mirror"
    # a mirror whose RNN_results.csv has one flipped byte
    for src in mirror.rglob("*"):
        if src.is_file():
            dest = bad / src.relative_to(mirror)
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(src, dest)
    target = bad / "training-free-nas" / "RNN_results.csv"
    data = bytearray(target.read_bytes())
    data[1000] ^= 0x01
    target.unlink()
    target.write_bytes(bytes(data))
    env = dict(os.environ, NASMETRICS_MIRROR=str(bad))
    proc = subprocess.run([*SNAKEMAKE, "results/rnn/archs.parquet", "--cores", "2",
                           "--configfile", "config/presets/smoke.yaml"], cwd=work, env=env,
                          capture_output=True, text=True, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    log = work / "logs/fetch/training-free-nas/RNN_results.csv.log"
    assert "logs/fetch/training-free-nas/RNN_results.csv.log" in out  # Snakemake points to it
    text = log.read_text()
    assert "ChecksumError: training-free-nas/RNN_results.csv: SHA-256 mismatch" in text
    assert "got " in text and "expected " in text
    assert not (work / "data/raw/training-free-nas/RNN_results.csv").exists()
    assert not (work / "results/rnn/archs.parquet").exists()


def test_bad_config_fails_before_any_job(mirror, tmp_path):
    work = copy_workflow(tmp_path)
    env = dict(os.environ, NASMETRICS_MIRROR=str(mirror))
    cases = {
        "rnn:\n  shard_sise: 3\n": "shard_sise",  # unknown key
        "rnn:\n  limit: five\n": "limit",  # wrong type
        "bert:\n  ablation:\n    modes: [faithful, corrected]\n  modes: [faithful]\n":
            "bert.ablation.modes",
        "mirror: /nonexistent/mirror\n": "/nonexistent/mirror",
    }
    for text, named in cases.items():
        (work / "config" / "bad.yaml").write_text(text)
        proc = subprocess.run([*SNAKEMAKE, "-n", "--cores", "1", "--configfile",
                               "config/presets/smoke.yaml", "config/bad.yaml"], cwd=work,
                              env=env, capture_output=True, text=True, timeout=300)
        out = proc.stdout + proc.stderr
        assert proc.returncode != 0, text
        assert named in out, (text, out[-2000:])
        assert not (work / "results").exists()


def test_cuda_without_gpu_and_incomplete_mirror_fail_before_any_job(mirror, tmp_path):
    import torch

    work = copy_workflow(tmp_path / "work")
    env = dict(os.environ, NASMETRICS_MIRROR=str(mirror))
    base = [*SNAKEMAKE, "results/rnn/archs.parquet", "--cores", "1", "--configfile",
            "config/presets/smoke.yaml"]
    if not torch.cuda.is_available():
        proc = subprocess.run([*base, "--config", "device=cuda"], cwd=work, env=env,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode != 0
        assert "config key 'device' is 'cuda', but torch finds no GPU" in proc.stderr
        assert not (work / "data").exists() and not (work / "results").exists()
    partial = tmp_path / "mirror"
    for src in mirror.rglob("*"):
        if src.is_file() and src.name != "vocab.txt":
            dest = partial / src.relative_to(mirror)
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(src, dest)
    proc = subprocess.run(base, cwd=work, env=dict(env, NASMETRICS_MIRROR=str(partial)),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    assert "lacks 1 input(s): tokenizers/bert-base-uncased/vocab.txt" in proc.stderr
    assert not (work / "data").exists()

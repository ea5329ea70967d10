"""A stale Snakemake lock is released by the next run, never while a run is alive."""

import os
import signal
import subprocess
import sys
import time

from nasmetrics.runlock import release_stale_locks

HOLDER = ("import sys, time\n"
          "from nasmetrics.runlock import hold_run_lock\n"
          "assert hold_run_lock(sys.argv[1])\n"
          "print('held', flush=True)\n"
          "time.sleep(600)\n")


def snakemake_locks(workdir):
    locks = workdir / ".snakemake" / "locks"
    locks.mkdir(parents=True)
    for name in ("0.input.lock", "0.output.lock"):
        (locks / name).write_text("results/x\n")
    return locks


def test_locks_kept_while_a_run_lives_released_once_it_is_killed(tmp_path):
    locks = snakemake_locks(tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        # a live run of the workflow holds the flock: its locks are not stale
        assert release_stale_locks(tmp_path) == []
        assert sorted(p.name for p in locks.iterdir()) == ["0.input.lock", "0.output.lock"]
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    time.sleep(0.1)
    # the run was killed: its lock is stale and goes
    assert release_stale_locks(tmp_path) == ["0.input.lock", "0.output.lock"]
    assert not locks.exists()
    # nothing left to release
    assert release_stale_locks(tmp_path) == []

"""The smoke preset on a real one-node SLURM cluster, through profiles/slurm.

Installs Debian's slurmctld / slurmd / slurm-client / munge when missing (root only; skips with
a message otherwise), writes a slurm.conf for this host in a temporary folder, starts munged,
slurmctld and slurmd, runs the workflow with ``--profile profiles/slurm``, checks that its jobs
went through the scheduler and that the results equal the local run's, then stops the daemons
it started by their pids. What a one-node cluster needs, and why, is said where it is done.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import SNAKEMAKE, copy_workflow, debian_packages, workflow_rules

pytestmark = pytest.mark.slow

# the rules not marked `localrule: True`: the ones the smoke run sends to SLURM (it runs them all)
CLUSTER_RULES = {name for name, rule in workflow_rules().items() if not rule["local"]}

SLURM_CONF = """\
ClusterName=nasmetrics-test
SlurmctldHost={host}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# without a default, a job with no memory request takes the whole node
DefMemPerCPU=1000
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc={d}/jobcomp.txt
# finished jobs stay visible to squeue this long; the plugin's status checks rely on it
MinJobAge=300
ReturnToService=2
SlurmctldPort=16817
SlurmdPort=16818
StateSaveLocation={d}/state
SlurmdSpoolDir={d}/spool
SlurmctldPidFile={d}/slurmctld.pid
SlurmdPidFile={d}/slurmd.pid
SlurmctldLogFile={d}/slurmctld.log
SlurmdLogFile={d}/slurmd.log
NodeName={host} CPUs={cpus} RealMemory={mem} State=UNKNOWN
PartitionName=main Nodes={host} Default=YES MaxTime=INFINITE State=UP
"""


def _pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


@pytest.fixture(scope="module")
def slurm(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip("the SLURM test installs and starts daemons: it needs root")
    if debian_packages("slurmctld", "slurmd", "slurm-client", "munge",
                       command="slurmctld") is None or not shutil.which("munged"):
        pytest.skip("slurm-wlm / munge are not installed and cannot be (no apt-get?)")
    # Jobs' own srun calls find the configuration only at the default path (SLURM_CONF does
    # not reach them), so the test's slurm.conf goes there, and only if nothing else is.
    etc_conf = Path("/etc/slurm/slurm.conf")
    if etc_conf.exists() and "nasmetrics-test" not in etc_conf.read_text():
        pytest.skip(f"{etc_conf} belongs to this machine's own SLURM setup: not touching it")
    d = tmp_path_factory.mktemp("slurm")
    for sub in ("state", "spool"):
        (d / sub).mkdir()
    host = socket.gethostname().split(".")[0]
    mem = int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20 * 0.8)
    etc_conf.parent.mkdir(parents=True, exist_ok=True)
    etc_conf.write_text(SLURM_CONF.format(host=host, d=d, cpus=os.cpu_count(), mem=mem))
    conf = etc_conf
    env = dict(os.environ, SLURM_CONF=str(conf))
    started: list[int] = []

    # munge: reuse a running munged, else start one as the munge user
    if subprocess.run("munge -n | unmunge", shell=True, capture_output=True).returncode != 0:
        run_dir = Path("/run/munge")
        run_dir.mkdir(parents=True, exist_ok=True)
        shutil.chown(run_dir, "munge", "munge")
        subprocess.run(["runuser", "-u", "munge", "--", "munged"], check=True)
        time.sleep(1)
        pid = _pid(run_dir / "munged.pid")
        if pid:
            started.append(pid)
        assert subprocess.run("munge -n | unmunge", shell=True,
                              capture_output=True).returncode == 0, "munged did not start"
    subprocess.run(["slurmctld", "-f", str(conf)], check=True, env=env)
    subprocess.run(["slurmd", "-f", str(conf)], check=True, env=env)
    for pidfile in ("slurmctld.pid", "slurmd.pid"):
        for _ in range(50):
            if _pid(d / pidfile):
                break
            time.sleep(0.2)
        started.append(_pid(d / pidfile))
    try:
        for _ in range(100):  # until the node is idle
            state = subprocess.run(["sinfo", "-h", "-o", "%t"], env=env, capture_output=True,
                                   text=True).stdout.strip()
            if state == "idle":
                break
            time.sleep(0.3)
        else:
            pytest.fail(f"the SLURM node never became idle (state {state!r}); "
                        f"see {d}/slurmctld.log and {d}/slurmd.log")
        yield env, d
    finally:
        for pid in reversed([p for p in started if p]):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        etc_conf.unlink(missing_ok=True)


def test_smoke_preset_through_slurm_equals_local(slurm, smoke_run, mirror, tmp_path):
    env, d = slurm
    work = copy_workflow(tmp_path)
    full_env = dict(env, NASMETRICS_MIRROR=str(mirror))
    # a job of every cluster rule (one of each that runs per setting) and the tables compared
    # below; the summaries, figures and report (local rules, made by the local smoke run) are
    # left out
    compared = ["results/rnn/faithful/ptb/scores.parquet",
                "results/rnn/corrected/wikitext2/scores.parquet",
                "results/bert/faithful/scores.parquet", "results/bert/corrected/scores.parquet"]
    tables = ["results/rnn/faithful/ptb/correlations.csv",
              "results/bert/faithful/correlations.csv", "results/bert/audit.csv"]
    targets = [*compared, *tables, "results/rnn/faithful/transfer.csv",
               "results/rnn/faithful/ptb/ensembles.csv",
               *[f"results/{side}/faithful/ablation/{kind}.parquet"
                 for side in ("rnn", "bert") for kind in ("batch", "seed")]]
    cmd = ["timeout", "-k", "10", "2400", *SNAKEMAKE, *targets, "--profile", "profiles/slurm",
           # faster polling than a real cluster wants; squeue because there is no sacct
           "--slurm-init-seconds-before-status-checks", "2",
           "--seconds-between-status-checks", "2", "--jobs", "4",
           "--slurm-keep-successful-logs",
           # one RNN shard per corpus (the local run's two per corpus, config/test.yaml, test
           # the merge): each cluster job costs a Snakemake start and a status poll
           "--configfile", "config/presets/smoke.yaml"]
    proc = subprocess.run(cmd, cwd=work, env=full_env, capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-5000:]

    # The model-building jobs ran under SLURM, the table/figure jobs on this host (Snakefile's
    # localrules): Snakemake announces the first as "rule X:", the second as "localrule X:".
    cluster_rules = re.findall(r"^rule (\w+):", out, flags=re.M)
    local_rules = set(re.findall(r"^localrule (\w+):", out, flags=re.M))
    assert set(cluster_rules) == CLUSTER_RULES, out[-3000:]
    assert {"fetch", "rnn_correlations", "bert_correlations", "ablation_merge"} <= local_rules
    job_ids = [line.rsplit("jobid", 1)[1].split()[0].strip(" .'\"")
               for line in out.splitlines() if "SLURM jobid" in line]
    assert len(job_ids) == len(cluster_rules), out[-3000:]
    completed = (d / "jobcomp.txt").read_text()
    for jid in job_ids:
        assert f"JobId={jid} " in completed, f"SLURM job {jid} is not in the job log"
    assert "JobState=COMPLETED" in completed and "JobState=FAILED" not in completed
    assert any((work / ".snakemake" / "slurm_logs").rglob("*.log"))

    # the same results as the local run, cut into other shards (wall-clock seconds excepted)
    ref = smoke_run[0]
    for scores in compared:
        pd.testing.assert_frame_equal(pd.read_parquet(work / scores).drop(columns="seconds"),
                                      pd.read_parquet(ref / scores).drop(columns="seconds"))
    for table in tables:
        assert (work / table).read_bytes() == (ref / table).read_bytes(), table

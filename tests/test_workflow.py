"""The real workflow on the smoke preset, through Snakemake, in a temporary copy.

Checks the output contract (files, columns, dtypes, unique ids), that a partial target builds
only its branch, that a finished run has nothing left to do, and that deleting one shard
rebuilds that shard and what is downstream of it, nothing else.
"""

import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import debian_packages, job_counts, snakemake, workflow_rules

from nasmetrics import gemm_path
from nasmetrics.allocator import ALLOCATOR_ENV
from nasmetrics.bert.benchmark import TASKS
from nasmetrics.bert.metrics import BERT_METRICS
from nasmetrics.code_version import imported_files
from nasmetrics.correlate import CORRELATION_COLUMNS
from nasmetrics.ensembles import ENSEMBLE_COLUMNS
from nasmetrics.modes import MODES
from nasmetrics.rnn.metrics import RNN_METRICS
from nasmetrics.search import SEARCH_COLUMNS
from nasmetrics.topk import TOPK_COLUMNS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(smoke_run):
    return smoke_run


def test_partial_target_builds_only_its_branch(run):
    work, partial, branch_only = run
    assert branch_only
    assert "Finished" in partial or "steps (100%) done" in partial


def test_scoring_jobs_start_with_the_allocator_settings(run):
    # the workflow puts them in its environment unless set already; every job inherits them
    want = "allocator: " + " ".join(f"{k}={os.environ.get(k, v)}"
                                    for k, v in ALLOCATOR_ENV.items())
    assert "THP_MEM_ALLOC_ENABLE=" in want
    for log in ("logs/rnn/ptb/shards/0.log", "logs/bert/corrected/shards/0.log"):
        assert want in (run[0] / log).read_text().splitlines(), log


def test_scoring_jobs_say_which_matrix_product_path_they_run(run):
    # the path the workflow chooses for this machine (nasmetrics/gemm_path.py), checked
    # against float64 before any architecture is scored
    use, _ = gemm_path.wants_intel_dispatch(
        gemm_path.read_cpu(), switch=os.environ.get(gemm_path.SWITCH, "auto"))
    want = "MKL's Intel dispatch (shim preloaded)" if use else "MKL as shipped"
    for log in ("logs/rnn/ptb/shards/0.log", "logs/bert/corrected/shards/0.log"):
        lines = [ln for ln in (run[0] / log).read_text().splitlines()
                 if ln.startswith("matrix products: ")]
        assert len(lines) == 1 and want in lines[0], (log, lines)


def test_outputs_exist(run):
    work = run[0]
    expected = [
        "results/rnn/archs.parquet", "results/rnn/published.parquet",
        "results/rnn/faithful/ptb/published_comparison.csv", "results/rnn/summary.md",
        "results/figures/rnn/tau_bars.png", "results/figures/rnn/tau_bars.pdf",
    ]
    for mode in MODES:
        expected += [f"results/rnn/{mode}/ablation/{f}" for f in (
            "batch.parquet", "seed.parquet", "spread.csv")]
        expected += [f"results/figures/rnn/{mode}/ablation.{ext}" for ext in ("png", "pdf")]
        expected.append(f"results/rnn/{mode}/transfer.csv")
        for corpus in ("ptb", "wikitext2"):
            expected += [f"results/rnn/{mode}/{corpus}/scores.parquet",
                         f"results/rnn/{mode}/{corpus}/correlations.csv",
                         f"results/rnn/{mode}/{corpus}/topk.csv",
                         f"results/rnn/{mode}/{corpus}/search.csv",
                         f"results/rnn/{mode}/{corpus}/ensembles.csv",
                         f"results/rnn/{mode}/{corpus}/learning_curve.csv",
                         f"results/rnn/{mode}/{corpus}/shards/0.parquet",
                         f"results/rnn/{mode}/{corpus}/shards/1.parquet"]
            expected += [f"results/figures/rnn/{mode}/{corpus}/scatter_{m}.{ext}"
                         for m in RNN_METRICS.names("paper") for ext in ("png", "pdf")]
    for mode in MODES:
        expected += [f"results/bert/{mode}/{f}" for f in (
            "scores.parquet", "correlations.csv", "correlations_by_task.csv", "topk.csv",
            "search.csv", "ensembles.csv", "learning_curve.csv")]
        expected += [f"results/figures/bert/{mode}/scatter_{m}.{ext}"
                     for m in BERT_METRICS.names("paper") for ext in ("png", "pdf")]
    expected += ["results/bert/faithful/published_comparison.csv", "results/bert/archs.parquet",
                 "results/bert/audit.csv", "results/bert/search_space.csv",
                 "results/bert/pretraining/checkpoints.csv",
                 "results/bert/pretraining/metric_taus.csv",
                 "results/bert/faithful/ablation/batch.parquet",
                 "results/bert/faithful/ablation/seed.parquet",
                 "results/bert/faithful/ablation/spread.csv"]
    expected += [f"results/figures/bert/{name}.{ext}" for ext in ("png", "pdf")
                 for name in ("tau_bars", "regret", "search_space", "pretraining",
                              "faithful/ablation")]
    expected += [f"results/figures/{side}/{name}.{ext}" for ext in ("png", "pdf")
                 for side in ("rnn", "bert")
                 for name in ("regret", "ensembles", "learning_curve")]
    missing = [p for p in expected if not (work / p).is_file()]
    assert missing == []
    summary = (work / "results/rnn/summary.md").read_text()
    assert "| Layer 1 Hidden Covariance |" in summary
    for mode in MODES:
        for corpus in ("ptb", "wikitext2"):
            assert f"tau\\| {mode}, {corpus} (n=5)" in summary
    bert = (work / "results/bert/summary.md").read_text()
    assert "| Head Confidence |" in bert and "published, all 500" in bert


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("corpus", ["ptb", "wikitext2"])
def test_scores_contract(run, corpus, mode):
    scores = pd.read_parquet(run[0] / f"results/rnn/{mode}/{corpus}/scores.parquet")
    assert list(scores.columns) == ["arch_id", "test_loss", *RNN_METRICS.names("paper"), "status",
                                    "error", "seconds"]
    assert len(scores) == 5 and scores["arch_id"].is_unique
    assert scores["arch_id"].is_monotonic_increasing
    assert scores["arch_id"].dtype == "int64"
    for m in RNN_METRICS.names("paper"):
        assert scores[m].dtype == "float64"
    assert set(scores["status"]) <= {"ok", "nonfinite_loss", "nonfinite_metric"}
    archs = pd.read_parquet(run[0] / "results/rnn/archs.parquet").set_index("arch_id")
    col = "ptb_num_params" if corpus == "ptb" else "wt2_num_params"
    expected = archs.loc[scores["arch_id"], col].astype(float).to_numpy()
    assert (scores["num_params"].to_numpy() == expected).all()


@pytest.mark.parametrize("corpus", ["ptb", "wikitext2"])
def test_rnn_modes_come_from_one_set_of_passes(run, corpus):
    """The modes differ only in the two metrics the paper's code reduced differently, and
    both tables come from the same job (same wall times)."""
    f, c = (pd.read_parquet(run[0] / f"results/rnn/{m}/{corpus}/scores.parquet")
            for m in MODES)
    same = [col for col in f.columns
            if col not in ("activation_distance", "hidden_synaptic_saliency")]
    pd.testing.assert_frame_equal(f[same], c[same])
    ok = f["status"] == "ok"
    diff = f.loc[ok, "activation_distance"] - c.loc[ok, "activation_distance"]
    assert diff.to_numpy() == pytest.approx(50 * np.log(2))  # 2K instead of K, batch 50
    assert (f.loc[ok, "hidden_synaptic_saliency"] > c.loc[ok, "hidden_synaptic_saliency"]).all()


@pytest.mark.parametrize("mode", MODES)
def test_bert_scores_contract(run, mode):
    scores = pd.read_parquet(run[0] / f"results/bert/{mode}/scores.parquet")
    assert list(scores.columns) == ["arch_id", "glue", *BERT_METRICS.names("paper"), "status",
                                    "error", "seconds"]
    assert scores["arch_id"].tolist() == [0, 1, 2, 3, 4]
    assert (scores["status"] == "ok").all()
    if mode == "faithful":  # every model at hidden 256 / ff 1024, as published
        assert scores.loc[0, "num_params"] == 13_330_176
    else:
        assert scores.loc[0, "num_params"] == 9_657_088
    by_task = pd.read_csv(run[0] / f"results/bert/{mode}/correlations_by_task.csv")
    assert set(by_task["task"]) == {"glue", "cola", "mnli", "mrpc", "qnli", "qqp", "rte",
                                    "sst", "sts"}


def test_bert_ablation_and_audit(run):
    work = run[0]
    batch = pd.read_parquet(work / "results/bert/faithful/ablation/batch.parquet")
    seed = pd.read_parquet(work / "results/bert/faithful/ablation/seed.parquet")
    for t in (batch, seed):  # the smoke preset: the first 2 published ablation ids, 2 x 2
        assert t["arch_id"].iloc[:2].tolist() == [285, 285] and t["arch_id"].nunique() == 2
        assert t["replicate"].tolist() == [0, 1, 0, 1] and (t["status"] == "ok").all()
    audit = pd.read_csv(work / "results/bert/audit.csv")
    assert list(audit.columns) == ["quirk", "quantity", "faithful", "corrected", "published",
                                   "note"]
    assert {"fixed_sizes", "shared_gelu_scaling", "dropout_active", "no_padding_mask",
            "mislabelled_jacobian", "checkpoint_mixup", "backward_of_ones"} == set(audit["quirk"])
    n_equal = audit.set_index("quantity").loc[
        "architectures whose num_params equals the published count"]
    assert n_equal["faithful"] == 5 and n_equal["corrected"] < 5
    ckpts = pd.read_csv(work / "results/bert/pretraining/checkpoints.csv",
                        dtype={"duplicate_of": str}).set_index("step")
    assert ckpts.loc[500000, "duplicate_of"] == "50000"
    assert ckpts.loc[1000000, "n_duplicated"] == 10


def test_timings_table(run):
    t = pd.read_csv(run[0] / "results/timings.csv")
    assert list(t.columns) == ["rule", "job", "n_archs", "seconds", "seconds_per_arch",
                               "max_rss_mb"]
    assert set(t["rule"]) == {"rnn_score_shard", "rnn_ablation_run", "bert_score_shard",
                              "bert_ablation_run"}
    # one RNN job per shard serves both modes
    assert (t["rule"] == "rnn_ablation_run").sum() == 4
    shards = t[t["rule"] == "rnn_score_shard"]
    assert sorted(shards["job"]) == ["ptb/0", "ptb/1", "wikitext2/0", "wikitext2/1"]
    assert shards["n_archs"].sum() == 10 and (t["seconds_per_arch"] > 0).all()


def test_report_renders_in_a_headless_browser(run, mirror):
    work = run[0]
    snakemake(work, "--report", "results/report.html", mirror=mirror)
    html = work / "results/report.html"
    assert html.stat().st_size > 100_000
    chromium = debian_packages("chromium", command="chromium")
    if chromium is None:
        pytest.skip("chromium is not installed and cannot be (not root, or no apt-get)")
    browse = [chromium, "--headless", "--no-sandbox", "--disable-gpu",
              "--virtual-time-budget=15000", "--window-size=1400,1000"]
    dom = subprocess.run([*browse, "--dump-dom", html.as_uri()], capture_output=True,
                         text=True, timeout=300).stdout
    # The report is a JavaScript app: the div#app is empty until it has rendered, then its
    # navigation lists the result categories. The figures travel inside as embedded data.
    app = dom[dom.index('<div id="app">'):]
    app = re.sub(r"<[^>]+>", " ", app[:app.index("<script")])
    for category in ("Workflow", "RNN", "Transformers", "Tables"):
        assert category in app, f"the report did not render {category!r}"
    for figure in ("tau_bars.png", "scatter_hidden_cov_l1.png", "search_space.png",
                   "pretraining.png", "ablation.png", "audit.csv", "timings.csv"):
        assert figure in dom, f"{figure} is not in the report"
    shot = work / "results/report_screenshot.png"
    subprocess.run([*browse, f"--screenshot={shot}", html.as_uri()], capture_output=True,
                   timeout=300)
    assert shot.stat().st_size > 10_000


def test_correlation_tables(run):
    for mode in MODES:
        for corpus in ("ptb", "wikitext2"):
            t = pd.read_csv(run[0] / f"results/rnn/{mode}/{corpus}/correlations.csv")
            assert list(t.columns) == CORRELATION_COLUMNS
            assert t["metric"].tolist() == RNN_METRICS.names("paper")
            assert (t["n"] == 5).all()
            topk = pd.read_csv(run[0] / f"results/rnn/{mode}/{corpus}/topk.csv")
            assert list(topk.columns) == ["target", *TOPK_COLUMNS]
            assert topk["metric"].tolist() == RNN_METRICS.names("paper")
            assert (topk["k_5"] == 1).all() and (topk["k_10"] == 1).all()
            assert topk["br_at_10"].between(1, 5).all()
            # 5 architectures: fewer than the smallest N (10), so no search rows
            search = pd.read_csv(run[0] / f"results/rnn/{mode}/{corpus}/search.csv")
            assert list(search.columns) == ["target", *SEARCH_COLUMNS] and search.empty
            # and fewer than 20: nothing to learn from
            ens = pd.read_csv(run[0] / f"results/rnn/{mode}/{corpus}/ensembles.csv")
            assert list(ens.columns) == ["target", *ENSEMBLE_COLUMNS] and ens.empty
    for mode in MODES:
        topk = pd.read_csv(run[0] / f"results/bert/{mode}/topk.csv")
        assert topk["target"].unique().tolist() == ["glue", *TASKS]
        assert set(topk["metric"]) == set(BERT_METRICS.names("paper"))
    comp = pd.read_csv(run[0] / "results/rnn/faithful/ptb/published_comparison.csv")
    comp = comp.set_index("metric")
    # our hidden covariance ranks the 5 architectures as the published values do
    assert comp.loc["hidden_cov_l1", "agreement_spearman"] > 0.8
    assert comp.loc["hidden_cov_l1", "n"] == 5


@pytest.mark.parametrize("mode", MODES)
def test_ablation_tables(run, mode):
    batch = pd.read_parquet(run[0] / f"results/rnn/{mode}/ablation/batch.parquet")
    assert len(batch) == 4 and sorted(batch["replicate"].unique()) == [0, 1]
    assert batch["arch_id"].nunique() == 2
    seed = pd.read_parquet(run[0] / f"results/rnn/{mode}/ablation/seed.parquet")
    # replicate 0 of both ablations is the paper's setting (batch 0, seed 0)
    for m in ("hidden_cov_l1", "jacobian_cos"):
        a = batch[batch.replicate == 0].set_index("arch_id")[m]
        b = seed[seed.replicate == 0].set_index("arch_id")[m]
        assert (a == b.loc[a.index]).all()


def test_rerun_is_a_noop_and_a_deleted_shard_rebuilds_alone(run, mirror):
    work = run[0]
    assert "Nothing to be done" in snakemake(work, "-n", mirror=mirror)
    kept = work / "results/rnn/faithful/ptb/shards/0.parquet"
    before = kept.stat().st_mtime_ns
    (work / "results/rnn/faithful/ptb/shards/1.parquet").unlink()
    counts = job_counts(snakemake(work, "-n", mirror=mirror))
    # the shard's job writes both modes: both modes' PTB branches follow it
    assert counts.get("rnn_score_shard") == 1
    assert counts.get("rnn_merge_scores") == 2 and counts.get("rnn_correlations") == 2
    assert "rnn_ablation_run" not in counts and "rnn_archs" not in counts
    assert counts.get("rnn_scatter") == 2  # one per mode: the PTB scatters only
    snakemake(work, mirror=mirror)
    assert kept.stat().st_mtime_ns == before
    assert (work / "results/rnn/faithful/ptb/shards/1.parquet").is_file()


def output_rules(work, mirror) -> dict[str, str]:
    """output file -> rule, for every job of the finished run (Snakemake's --summary)."""
    owner = {}
    for line in snakemake(work, "--summary", mirror=mirror).splitlines():
        cells = line.split("\t")
        if len(cells) >= 3 and cells[0] != "output_file":
            owner[cells[0]] = cells[2]
    return owner


# Snakemake 9.27's --list-changes params lists every output that has params on record, changed
# or not (ParamsChange iterates over its files even when it holds no change); this runs the
# same command with that one method fixed.
LIST_PARAMS_CHANGES = (
    "import sys\n"
    "import snakemake.persistence as p\n"
    "p.ParamsChange.__iter__ = lambda self: iter(self.files if self else ())\n"
    "from snakemake.cli import main\n"
    "main(sys.argv[1:])\n")


# A checkpoint that must rerun hides the jobs after it until it has run. Not allowing the RNN
# shard index (and what it depends on) to run makes Snakemake evaluate those jobs as well; the
# jobs of the rules left out are still listed when their params changed.
NOT_ALLOWED = {"fetch", "rnn_archs", "rnn_shard_index"}


def params_changes(work, mirror, rules) -> set[str]:
    env = dict(os.environ, NASMETRICS_MIRROR=str(mirror))
    allowed = sorted(set(rules) - NOT_ALLOWED)
    proc = subprocess.run([sys.executable, "-c", LIST_PARAMS_CHANGES, "--list-changes",
                           "params", "--cores", "1", "--allowed-rules", *allowed,
                           "--configfile", "config/presets/smoke.yaml", "config/test.yaml"],
                          cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {line.strip() for line in proc.stdout.splitlines() if line.strip()}


def covering_edits(reach: dict[str, set[str]], rules: set[str]) -> list[str]:
    """Modules to edit one at a time: first the one imported by the fewest rules' scripts (a
    selective rerun), then greedily the ones covering the most (rule, rerun or not) pairs not
    yet seen, until every rule has been seen rerun and left alone."""
    def seen(name):
        return {(r, r in reach[name]) for r in rules}

    edits = [min(sorted(n for n in reach if reach[n]), key=lambda n: len(reach[n]))]
    wanted = {(r, reruns) for r in rules for reruns in (True, False)} - seen(edits[0])
    while wanted:
        name = max(sorted(reach), key=lambda n: len(wanted & seen(n)))
        assert wanted & seen(name), f"no module edit shows {sorted(wanted)}"
        edits.append(name)
        wanted -= seen(name)
    return edits


def test_editing_a_module_reruns_exactly_the_rules_that_import_it(run, mirror, tmp_path):
    """nasmetrics modules edited in a copy of the finished smoke run, one at a time: Snakemake
    must then find changed params for the jobs of exactly the rules whose scripts import that
    module (transitively). Every module moves the fingerprint of exactly its importers
    (tests/test_code_version.py, in-process) and every rule's ``code`` param is its own
    script's; here, through Snakemake, the few edits that show every rule both rerun and left
    alone. Params are asked for every job (``--list-changes params``): a dry run names only
    the first reason a job reruns, and upstream reruns come first."""
    work = tmp_path / "work"
    shutil.copytree(run[0], work, symlinks=True)
    owner = output_rules(work, mirror)
    scripts = {name: rule["script"] for name, rule in workflow_rules().items()
               if rule["script"]}
    assert set(owner.values()) == set(scripts)  # the smoke run has a job of every rule
    assert params_changes(work, mirror, scripts) == set()
    names = sorted(p.relative_to(work) for p in (work / "nasmetrics").rglob("*.py"))
    imports = {s: set(imported_files(work / "workflow_scripts" / f"{s}.py", work))
               for s in set(scripts.values())}
    reach = {name: {r for r, s in scripts.items() if work / name in imports[s]}
             for name in names}
    edits = covering_edits(reach, set(scripts))
    assert 2 <= len(edits) < len(names) and 0 < len(reach[edits[0]]) < len(scripts)
    for name in edits:
        module = work / name
        original = module.read_bytes()
        module.write_bytes(original + b"\n# edited\n")
        try:
            changed = {owner[f] for f in params_changes(work, mirror, scripts) if f in owner}
        finally:
            module.write_bytes(original)
        assert changed == reach[name], name
    assert "Nothing to be done" in snakemake(work, "-n", mirror=mirror)

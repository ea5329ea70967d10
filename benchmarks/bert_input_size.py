"""How much the transformer correlations move between the default input and the paper's.

    python benchmarks/bert_input_size.py --n 50 [--mode faithful]

Scores N benchmark architectures (ids evenly spaced over 0..499) with the default preset's
input (32 texts x 128 tokens) and with the paper's (128 x 512), both WikiText-2 test paragraphs
(the paper's OpenWebText is not public), then prints per metric: tau against GLUE at each
input, the change, and the Spearman correlation between the two inputs' values. Writes
benchmarks/results/bert_input_size.{csv,txt}; per-architecture values go to
bert_input_size_scores.csv. Costs about N x (the paper-input time + the default-input time)
on one core: minutes per architecture at 128 x 512. Resumable: every scored architecture is
appended to benchmarks/results/bert_input_size_<setting>_<mode>.partial.jsonl, which a rerun
with the same settings reads back (kept after the run, so a larger --n extends it only when its
evenly spaced ids start the same way).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from common import parse  # benchmarks/common.py
from scipy import stats

from nasmetrics.bert.benchmark import arch_table
from nasmetrics.bert.inputs import encode, wikitext_paragraphs
from nasmetrics.bert.metrics import BERT_METRICS
from nasmetrics.bert.score import score_table
from nasmetrics.bert.tokenizer import load_tokenizer
from nasmetrics.correlate import correlation_table
from nasmetrics.partial import PartialRows

SETTINGS = {"default": (32, 128), "paper": (128, 512)}
HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=50, help="architectures, evenly spaced ids")
    ap.add_argument("--mode", default="faithful", choices=["faithful", "corrected"])
    args, mirror = parse(ap)
    archs = arch_table(json.loads(
        (mirror / "training-free-nas" / "BERT_benchmark.json").read_text()))
    rows = archs.iloc[np.linspace(0, len(archs) - 1, args.n).round().astype(int)]
    rows = rows.reset_index(drop=True)
    tok = load_tokenizer(mirror / "tokenizers" / "bert-base-uncased" / "vocab.txt")
    lines = (mirror / "corpora" / "wikitext-2" / "test.txt").read_text().splitlines()

    metrics = BERT_METRICS.names()
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    scores, tables = {}, []
    for name, (n_texts, seq_len) in SETTINGS.items():
        ids, mask = encode(tok, wikitext_paragraphs(lines, n_texts), seq_len)
        progress = PartialRows(out / f"bert_input_size_{name}_{args.mode}.partial.jsonl",
                               fingerprint=f"{args.mode} {n_texts}x{seq_len} wikitext-2")
        scores[name] = score_table(rows, ids, mask, args.mode, progress=progress,
                                   log=lambda m, _n=name: print(f"{_n}: {m}", flush=True))
        # per-row seconds: also right when part of the rows came from an interrupted run
        print(f"{name} ({n_texts} x {seq_len}): {scores[name]['seconds'].mean():.1f} s per "
              f"architecture")
        corr = correlation_table(scores[name], metrics, "glue", intervals=False)
        tables.append(corr[["metric", "n", "kendall_tau"]].rename(
            columns={"n": f"n_{name}", "kendall_tau": f"kendall_tau_{name}"}))
        scores[name].assign(setting=name).to_csv(
            out / "bert_input_size_scores.csv", index=False,
            mode="w" if name == "default" else "a", header=name == "default")

    table = tables[0].merge(tables[1], on="metric")
    table["tau_change"] = table["kendall_tau_paper"] - table["kendall_tau_default"]
    agree = []
    for m in metrics:
        a = scores["default"][m].to_numpy(float)
        b = scores["paper"][m].to_numpy(float)
        keep = np.isfinite(a) & np.isfinite(b)
        same = keep.sum() < 3 or np.ptp(a[keep]) == 0 or np.ptp(b[keep]) == 0
        agree.append(np.nan if same else float(stats.spearmanr(a[keep], b[keep]).statistic))
    table["spearman_default_vs_paper"] = agree
    print(f"\n{args.mode} mode, {len(rows)} architectures (ids {rows.arch_id.iloc[0]}.."
          f"{rows.arch_id.iloc[-1]} evenly spaced)")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    table.to_csv(out / "bert_input_size.csv", index=False)
    (out / "bert_input_size.txt").write_text(
        table.to_string(index=False, float_format=lambda v: f"{v:.3f}") + "\n")


if __name__ == "__main__":
    main()

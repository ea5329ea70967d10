"""Seconds per architecture and peak memory of the transformer metrics.

    python benchmarks/bert_speed.py --n 5 --n-texts 128 --seq-len 512   # the paper's input
    python benchmarks/bert_speed.py --n 5 --n-texts 32 --seq-len 128    # the default preset

Faithful mode (the paper's code: hidden 256 / ff 1024, dropout on, no mask). Reference: the
paper's own code takes about 116 s for architecture 0 on one core of this machine kind at
128 x 512 (docs/bert.md). Writes benchmarks/results/bert_speed_<texts>x<len>.csv.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

import pandas as pd
from common import parse  # benchmarks/common.py

from nasmetrics.bert.inputs import encode, wikitext_paragraphs
from nasmetrics.bert.score import score_architecture
from nasmetrics.bert.space import from_config
from nasmetrics.bert.tokenizer import load_tokenizer

PAPER_SECONDS_ARCH0 = 116.0
HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5, help="architectures (ids 0..n-1)")
    ap.add_argument("--n-texts", type=int, default=128)
    ap.add_argument("--seq-len", type=int, default=512)
    ap.add_argument("--mode", default="faithful", choices=["faithful", "corrected"])
    args, mirror = parse(ap)
    bench = json.loads((mirror / "training-free-nas" / "BERT_benchmark.json").read_text())
    tok = load_tokenizer(mirror / "tokenizers" / "bert-base-uncased" / "vocab.txt")
    lines = (mirror / "corpora" / "wikitext-2" / "test.txt").read_text().splitlines()
    ids, mask = encode(tok, wikitext_paragraphs(lines, args.n_texts), args.seq_len)

    rows = []
    for entry in bench[: args.n]:
        arch = from_config(entry["hparams"]["model_hparam_overrides"])
        start = time.perf_counter()
        score_architecture(arch, ids, mask, args.mode)
        secs = time.perf_counter() - start
        rows.append({"arch_id": entry["id"], "seconds": secs})
        print(f"arch {entry['id']}: {secs:.1f} s", flush=True)
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    df = pd.DataFrame(rows)
    print(f"\ninput {args.n_texts} x {args.seq_len}, {args.mode}, {args.threads} thread(s)")
    print(f"seconds per architecture: mean {df.seconds.mean():.1f}, "
          f"arch 0 {df.seconds.iloc[0]:.1f} (paper's code: {PAPER_SECONDS_ARCH0:.0f}, "
          f"speed-up {PAPER_SECONDS_ARCH0 / df.seconds.iloc[0]:.1f}x)")
    print(f"peak memory (max RSS): {peak_gb:.2f} GB")
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    df.assign(n_texts=args.n_texts, seq_len=args.seq_len, mode=args.mode,
              peak_gb=peak_gb).to_csv(out / f"bert_speed_{args.n_texts}x{args.seq_len}.csv",
                                      index=False)


if __name__ == "__main__":
    main()

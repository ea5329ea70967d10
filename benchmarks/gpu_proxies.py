"""Score a few architectures with every metric and proxy on one device, to compare devices.

    python benchmarks/gpu_proxies.py prepare RESULTS DIR   # inputs from a finished run
    python benchmarks/gpu_proxies.py score DIR DEVICE      # e.g. cuda on a GPU machine, cpu here

``prepare`` takes the median and the largest PTB recipe and transformer architectures 0 and
250 from a run's ``results/`` (archs tables and inputs; the MLM mask is in
``results/bert/inputs.npz``) and writes them to DIR. ``score`` scores them on DEVICE in
corrected mode with the proxies and writes DIR/proxies_DEVICE.json (values, proxy_seconds,
wall seconds), which can be copied back and compared with another device's file.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np


def prepare(results: Path, out: Path) -> None:
    import pandas as pd

    out.mkdir(parents=True, exist_ok=True)
    archs = pd.read_parquet(results / "rnn/archs.parquet")
    sub = archs[archs.has_ptb & (archs.status == "ok")].sort_values("ptb_num_params")
    rnn = {str(int(r.arch_id)): r.recipe for r in (sub.iloc[len(sub) // 2], sub.iloc[-1])}
    np.save(out / "ptb.npy", np.load(results / "rnn/ptb/inputs.npz")["data"][:71])
    b = pd.read_parquet(results / "bert/archs.parquet")
    bert = {str(i): b.loc[b.arch_id == i, "architecture"].iloc[0] for i in (0, 250)}
    (out / "archs.json").write_text(json.dumps({"rnn": rnn, "bert": bert}))
    inp = np.load(results / "bert/inputs.npz")
    np.savez(out / "bert.npz", ids=inp["input_ids"][0], mask=inp["attention_mask"][0],
             mlm_ids=inp["mlm_input_ids"][0], mlm_labels=inp["mlm_labels"][0])


def score(folder: Path, device: str) -> None:
    import torch

    from nasmetrics.bert.score import score_architecture as bert_score
    from nasmetrics.bert.space import from_config
    from nasmetrics.rnn.score import score_architecture as rnn_score

    torch.set_num_threads(1)
    archs = json.loads((folder / "archs.json").read_text())
    ptb = np.load(folder / "ptb.npy")
    b = np.load(folder / "bert.npz")
    out = {}
    for aid, recipe in archs["rnn"].items():
        start = time.perf_counter()
        v = rnn_score(recipe, ptb[:70], 10_000, ("corrected",), device=device,
                      targets=ptb[1:71])["corrected"]
        out[f"rnn/{aid}"] = {**v, "wall": time.perf_counter() - start}
        print(device, "rnn", aid, f"{out[f'rnn/{aid}']['wall']:.1f} s", flush=True)
    for aid, cfg in archs["bert"].items():
        start = time.perf_counter()
        v = bert_score(from_config(json.loads(cfg)), b["ids"], b["mask"], "corrected",
                       device=device, mlm=(b["mlm_ids"], b["mlm_labels"]), proxies=True)
        out[f"bert/{aid}"] = {**v, "wall": time.perf_counter() - start}
        print(device, "bert", aid, f"{out[f'bert/{aid}']['wall']:.1f} s", flush=True)
    (folder / f"proxies_{device}.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        prepare(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        score(Path(sys.argv[2]), sys.argv[3])

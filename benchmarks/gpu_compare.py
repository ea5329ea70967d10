"""Compare the scores of a GPU run with a CPU run of the same preset.

    python benchmarks/gpu_compare.py GPU_RESULTS CPU_RESULTS

Both arguments are ``results`` folders (e.g. the unpacked ``smoke_results.tgz`` of
benchmarks/gpu_profile.sh and a CPU run's). For every scores table both hold: per metric, the
largest relative difference over the architectures, and the Kendall tau between the two
columns (the ranking is what the study reads). Printed, and saved in
benchmarks/results/gpu_compare.csv.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

RESULTS = Path(__file__).resolve().parent / "results"


def compare(gpu: Path, cpu: Path) -> pd.DataFrame:
    rows = []
    for path in sorted(gpu.rglob("scores.parquet")):
        rel = path.relative_to(gpu)
        if not (cpu / rel).is_file():
            continue
        g = pd.read_parquet(path).set_index("arch_id")
        c = pd.read_parquet(cpu / rel).set_index("arch_id").loc[g.index]
        metrics = [m for m in g.columns if m not in ("test_loss", "glue", "status", "error",
                                                     "seconds", "proxy_seconds")]
        for m in metrics:
            a, b = g[m].to_numpy(float), c[m].to_numpy(float)
            ok = np.isfinite(a) & np.isfinite(b)
            scale = np.maximum(np.abs(b[ok]), 1e-300)
            tau = stats.kendalltau(a[ok], b[ok]).statistic if ok.sum() > 2 else np.nan
            rows.append({"table": str(rel.parent), "metric": m, "n": int(ok.sum()),
                         "nonfinite_mismatch": int((np.isfinite(a) != np.isfinite(b)).sum()),
                         "max_rel_diff": float(np.max(np.abs(a[ok] - b[ok]) / scale))
                         if ok.any() else np.nan,
                         "kendall_tau_gpu_vs_cpu": float(tau)})
    return pd.DataFrame(rows)


if __name__ == "__main__":
    table = compare(Path(sys.argv[1]), Path(sys.argv[2]))
    pd.set_option("display.width", 160)
    print(table.to_string(index=False))
    table.to_csv(RESULTS / "gpu_compare.csv", index=False)

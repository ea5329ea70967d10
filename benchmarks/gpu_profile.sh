#!/usr/bin/env bash
# The profiles/gpu path run for real on a machine with a GPU: the smoke preset end to end with
# the profile as shipped, then the default preset under a time limit with GPU_JOBS scoring
# jobs sharing the GPU. Each run's timings, scores and log are packed into OUT_DIR, so that the
# scores can be compared with a CPU run of the same preset (benchmarks/gpu_compare.py).
#
#   bash benchmarks/gpu_profile.sh OUT_DIR [DEFAULT_LIMIT_S] [GPU_JOBS]
#
# SNAKEMAKE (default: snakemake) names the command that starts Snakemake.
set -u
out=${1:?usage: gpu_profile.sh OUT_DIR [DEFAULT_LIMIT_S] [GPU_JOBS]}
limit=${2:-0}
gpu_jobs=${3:-1}
snakemake=${SNAKEMAKE:-snakemake}
mkdir -p "$out"

{
    date -u +%FT%TZ
    git rev-parse --short HEAD 2>/dev/null || echo "no git"
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
    nproc
    python3 -c 'import torch, transformers, pandas, snakemake
print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.get_device_name())
print("transformers", transformers.__version__, "pandas", pandas.__version__, "snakemake", snakemake.__version__)'
} > "$out/machine.txt" 2>&1
cat "$out/machine.txt"

pack() {  # pack NAME: the run's scores, timings and per-job benchmarks, no figures
    find results -name '*.parquet' -o -name '*.csv' -o -name '*.tsv' -o -name '*.md' \
        | tar czf "$out/$1_results.tgz" -T -
}

start=$(date +%s)
$snakemake --profile profiles/gpu --configfile config/presets/smoke.yaml > "$out/smoke.log" 2>&1
echo "smoke: exit $? after $(($(date +%s) - start)) s" | tee -a "$out/machine.txt"
pack smoke
rm -rf results

start=$(date +%s)
if [ "$limit" -gt 0 ]; then
    timeout --signal=INT --kill-after=60 "$limit" $snakemake --profile profiles/gpu --resources gpu="$gpu_jobs" > "$out/default.log" 2>&1
else
    $snakemake --profile profiles/gpu --resources gpu="$gpu_jobs" > "$out/default.log" 2>&1
fi
echo "default (gpu=$gpu_jobs): exit $? after $(($(date +%s) - start)) s" | tee -a "$out/machine.txt"
pack default
tail -n 3 "$out/smoke.log" "$out/default.log"

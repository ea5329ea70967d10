"""One code version's transformer scoring, driven line by line by benchmarks/bert_speed.py.

Imports ``nasmetrics`` from PYTHONPATH (the driver points it at this checkout or at an
extracted older commit) and reads the input from argv[1] (an .npz with input_ids,
attention_mask and the masked-language-model input, mlm_input_ids and mlm_labels). For each
JSON line {"overrides": ..., "mode": ...} (and "proxies": true for the zero-cost proxies too)
on stdin it scores one architecture on one thread
and answers one JSON line: seconds, the metric values, the peak memory so far. A version
whose corrected mode reads the MLM loss gets the masked input, as the workflow gives it; an
older one (the backward of ones) gets the plain input only.
"""

from __future__ import annotations

import inspect
import json
import resource
import sys
import time

import numpy as np
import torch

import nasmetrics
from nasmetrics.bert.score import score_architecture
from nasmetrics.bert.space import from_config


def main() -> None:
    torch.set_num_threads(1)
    data = np.load(sys.argv[1])
    ids, mask = data["input_ids"], data["attention_mask"]
    mlm = (data["mlm_input_ids"], data["mlm_labels"])
    reads_mlm = "mlm" in inspect.signature(score_architecture).parameters
    print(json.dumps({"nasmetrics": nasmetrics.__file__}), flush=True)
    for line in sys.stdin:
        job = json.loads(line)
        arch = from_config(job["overrides"])
        extra = {"mlm": mlm} if reads_mlm and job["mode"] == "corrected" else {}
        if job.get("proxies"):  # corrected mode, versions with the proxies only
            extra["proxies"] = True
        start = time.perf_counter()
        values = score_architecture(arch, ids, mask, job["mode"], **extra)
        seconds = time.perf_counter() - start
        peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
        print(json.dumps({"seconds": seconds, "values": values, "peak_gb": peak_gb}),
              flush=True)


if __name__ == "__main__":
    main()

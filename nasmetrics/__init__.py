"""nasmetrics: training-free metrics for RNN and transformer NAS benchmarks.

No Snakemake: the workflow scripts call into this package. Models, passes and metrics are pure
torch/numpy; reading and writing files is kept in its own modules (atomic, fetch, partial,
shard_index, code_version, runlock) and the benchmark parsers.
"""

__version__ = "0.1.0"

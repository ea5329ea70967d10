"""nasmetrics: training-free metrics for RNN and transformer NAS benchmarks.

Pure torch/numpy: no Snakemake, no file paths. The workflow scripts call into this package.
"""

__version__ = "0.1.0"

import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

from nasmetrics.fetch import fetch, resolve_mirror  # noqa: E402

rel = snakemake.wildcards.path  # noqa: F821
mirror = resolve_mirror(snakemake.config.get("mirror"))  # noqa: F821
origin = fetch(rel, snakemake.output[0], mirror=mirror or None)  # noqa: F821
print(f"{rel}: verified, from {origin}", file=sys.stderr)

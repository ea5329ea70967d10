rule fetch:
    """Download one input (or copy it from the mirror) and verify its SHA-256."""
    output:
        "data/raw/{path}",
    log:
        "logs/fetch/{path}.log",
    localrule: True
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=500,
    params:
        code=code_version("fetch"),
    script:
        "../workflow_scripts/fetch.py"

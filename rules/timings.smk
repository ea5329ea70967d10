rule timings:
    """Seconds per architecture and max RSS of every scoring job (benchmark records)."""
    input:
        outputs=lambda wc: [job[2] for job in scoring_jobs()],
        benchmarks=lambda wc: [job[3] for job in scoring_jobs()],
    output:
        report(
            "results/timings.csv",
            caption="../report/timings.rst",
            category="Tables",
            labels={"table": "timings"},
        ),
    log:
        "logs/timings.log",
    localrule: True
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=500,
    params:
        jobs=lambda wc: [job[:2] for job in scoring_jobs()],
        code=code_version("timings"),
    script:
        "../workflow_scripts/timings.py"

"""The matrix-product path (nasmetrics/gemm_path.py): which processors get MKL's Intel
dispatch, the shim built and preloaded, the fallback where it cannot be, and what a process
with and without it says of itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from nasmetrics import gemm_path
from nasmetrics.gemm_path import CPU

AMD_AVX512 = CPU("AuthenticAMD", "AMD EPYC", frozenset({"avx2", "avx512f", "avx512bw"}))
AMD_AVX2 = CPU("AuthenticAMD", "AMD EPYC", frozenset({"avx2", "fma"}))
INTEL = CPU("GenuineIntel", "Xeon", frozenset({"avx2", "avx512f"}))


def test_read_cpu_takes_the_first_processor(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 9B45\n"
                    "flags\t\t: fpu avx2 avx512f\n\nprocessor\t: 1\nvendor_id\t: Other\n")
    cpu = gemm_path.read_cpu(info)
    assert (cpu.vendor, cpu.model, cpu.avx512) == ("AuthenticAMD", "AMD EPYC 9B45", True)
    assert gemm_path.read_cpu(tmp_path / "missing").flags == frozenset()


@pytest.mark.parametrize(("cpu", "machine", "switch", "want"), [
    (AMD_AVX512, "x86_64", "auto", True),
    (AMD_AVX2, "x86_64", "auto", True),
    (AMD_AVX2, "x86_64", "intel", True),
    (CPU("AuthenticAMD", "old", frozenset({"sse4_2"})), "x86_64", "auto", False),
    (INTEL, "x86_64", "auto", False),
    (INTEL, "x86_64", "intel", False),
    (AMD_AVX512, "aarch64", "auto", False),
    (AMD_AVX512, "x86_64", "shipped", False),
])
def test_which_processors_get_the_intel_dispatch(cpu, machine, switch, want):
    use, why = gemm_path.wants_intel_dispatch(cpu, machine, switch)
    assert use is want
    assert why.startswith("MKL's" if want else "MKL as shipped")


def test_an_unknown_switch_is_refused():
    with pytest.raises(ValueError, match="NASMETRICS_GEMM='fast'"):
        gemm_path.set_gemm_env("unused", {gemm_path.SWITCH: "fast"}, AMD_AVX512)


def test_the_shim_goes_into_ld_preload_and_replaces_another_hosts(tmp_path):
    if gemm_path.shutil.which(os.environ.get("CC") or "cc") is None:
        pytest.skip("no C compiler here")
    other = f"/elsewhere/{gemm_path.SHIM_NAME}.x86_64.so"
    env = {"LD_PRELOAD": f"/opt/libfoo.so:{other}", "CC": os.environ.get("CC", "cc")}
    why = gemm_path.set_gemm_env(tmp_path, env, AMD_AVX512)
    assert "AVX-512 kernels" in why
    preload = env["LD_PRELOAD"].split()
    assert preload[0] == "/opt/libfoo.so" and other not in preload
    assert preload[1].startswith(str(tmp_path)) and os.path.isfile(preload[1])
    # the same call again reuses the built object; shipped takes it out again
    assert gemm_path.set_gemm_env(tmp_path, env, AMD_AVX512) == why
    env[gemm_path.SWITCH] = "shipped"
    gemm_path.set_gemm_env(tmp_path, env, AMD_AVX512)
    assert env["LD_PRELOAD"] == "/opt/libfoo.so"


def test_without_a_compiler_jobs_run_mkl_as_shipped_and_say_why(tmp_path):
    env = {"CC": str(tmp_path / "no-such-cc"), "LD_PRELOAD": f"/x/{gemm_path.SHIM_NAME}.so"}
    why = gemm_path.set_gemm_env(tmp_path / "lib", env, AMD_AVX512)
    assert why.startswith("MKL as shipped: the Intel-dispatch shim could not be built")
    assert "no-such-cc" in why
    assert "LD_PRELOAD" not in env


PROBE = ("import json, torch; from nasmetrics import gemm_path; "
         "print(json.dumps({'describe': gemm_path.describe(), 'loaded': gemm_path.shim_loaded(),"
         " 'branch': gemm_path.mkl_branch(), 'rel': gemm_path.check_products()}))")


def _probe(env: dict) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.slow
def test_a_process_says_which_path_it_runs_and_its_products_are_right(tmp_path):
    cpu = gemm_path.read_cpu()
    if cpu.vendor == "GenuineIntel" or gemm_path.platform.machine() != "x86_64":
        pytest.skip("MKL's Intel dispatch is only a choice on other vendors' x86-64 processors")
    if gemm_path.shutil.which(os.environ.get("CC") or "cc") is None:
        pytest.skip("no C compiler here")
    shipped = dict(os.environ, **{gemm_path.SWITCH: "shipped"})
    gemm_path.set_gemm_env(tmp_path, shipped)
    intel = dict(os.environ, **{gemm_path.SWITCH: "intel"})
    gemm_path.set_gemm_env(tmp_path, intel)
    plain, fast = _probe(shipped), _probe(intel)
    assert not plain["loaded"] and "MKL as shipped" in plain["describe"]
    assert fast["loaded"] and "MKL's Intel dispatch (shim preloaded)" in fast["describe"]
    if plain["branch"] is None:
        pytest.skip("this torch carries no MKL")
    # MKL's generic branch on a processor it takes for another vendor's, a wider one with
    # the shim
    assert plain["branch"] == 0 < fast["branch"]
    assert plain["rel"] < 1e-6 and fast["rel"] < 1e-6


def test_check_products_stops_a_wrong_path(monkeypatch):
    import torch

    assert gemm_path.check_products() < 1e-6
    real = torch.Tensor.__matmul__
    monkeypatch.setattr(torch.Tensor, "__matmul__", lambda a, b: real(a, b) * (1 + 1e-3)
                        if a.dtype == torch.float32 else real(a, b))
    with pytest.raises(RuntimeError, match="NASMETRICS_GEMM=shipped"):
        gemm_path.check_products()

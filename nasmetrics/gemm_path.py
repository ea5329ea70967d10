"""Which kernels a job's float32 matrix products run on, chosen for the machine it runs on.

torch's CPU wheels do their products with Intel's MKL, linked into ``libtorch_cpu.so``. MKL
asks one function of its own, ``mkl_serv_intel_cpu_true``, whether the processor is Intel's;
on any other vendor's it answers no and MKL takes its generic dispatch, whatever instructions
the processor has. A shared object of one function that answers yes, preloaded into a job's
process (``LD_PRELOAD``), stands in for MKL's own, and MKL then picks its kernels from the
processor's feature flags as it does on Intel's processors: its AVX-512 kernels where the
flags list AVX-512 (AMD's Zen 4 and later: about twice the generic path's float32 rate), its
AVX2 kernels elsewhere (on AMD's Zen 3, faster on the largest products, the same on small
ones). benchmarks/gemm_peak.py measures every path on the passes' own shapes.

Why it is safe: only the vendor question changes. MKL still checks each instruction set it
uses (AVX2, AVX-512 F/BW/DQ/VL, VNNI, AMX, ...) against the processor's own flags, so no
kernel runs an instruction the processor lacks; and every scoring job checks one product
against a float64 reference before it scores (:func:`check_products`). The values move at
float32 rounding level: another kernel sums the products in another order.

Where it applies: a non-Intel x86-64 processor whose flags list ``avx2``, a C compiler to
build the object (``cc``, or ``$CC``), and a torch that carries MKL. Elsewhere jobs run MKL as
shipped (Intel's processors already get its best kernels). ``NASMETRICS_GEMM=shipped`` turns
it off. The choice is made by the workflow where it runs (:func:`set_gemm_env` in
rules/common.smk; on a cluster, again on each node), and every scoring job's log says which
path it took (:func:`describe`).
"""

from __future__ import annotations

import ctypes
import os
import platform
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

# the switch: "auto" (the default), "shipped" (MKL as torch ships it) or "intel" (MKL's Intel
# dispatch on any non-Intel x86-64 processor, AVX2 or not: for measurements)
SWITCHES = ("auto", "shipped", "intel")
SWITCH = "NASMETRICS_GEMM"
SHIM_SOURCE = "int mkl_serv_intel_cpu_true(void) { return 1; }\n"
SHIM_NAME = "libnasmetrics_mkl_intel_dispatch"


@dataclass(frozen=True)
class CPU:
    """What /proc/cpuinfo says of the first processor."""

    vendor: str
    model: str
    flags: frozenset[str]

    @property
    def avx512(self) -> bool:
        return "avx512f" in self.flags


def read_cpu(path: str | Path = "/proc/cpuinfo") -> CPU:
    """The vendor, model name and feature flags of the first processor in ``path`` (empty
    where the file is missing, as on macOS)."""
    fields: dict[str, str] = {}
    try:
        text = Path(path).read_text()
    except OSError:
        text = ""
    for line in text.splitlines():
        if not line.strip():
            break  # the first processor's block ends at the first blank line
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    return CPU(fields.get("vendor_id", ""), fields.get("model name", platform.machine()),
               frozenset(fields.get("flags", "").split()))


def wants_intel_dispatch(cpu: CPU, machine: str | None = None,
                         switch: str = "auto") -> tuple[bool, str]:
    """Whether MKL's Intel dispatch pays on ``cpu`` (under the :data:`SWITCH` value
    ``switch``), and why (or why not) in words."""
    if switch not in SWITCHES:
        raise ValueError(f"environment variable {SWITCH}={switch!r}: use one of {SWITCHES}")
    if switch == "shipped":
        return False, f"MKL as shipped: {SWITCH}=shipped"
    machine = machine or platform.machine()
    if machine not in ("x86_64", "AMD64"):
        return False, f"MKL as shipped: a {machine} processor"
    if cpu.vendor == "GenuineIntel":
        return False, "MKL as shipped: an Intel processor already gets MKL's best kernels"
    if "avx2" not in cpu.flags and switch != "intel":
        return False, (f"MKL as shipped: this {cpu.vendor or 'unknown'} processor has no "
                       "AVX2, and MKL's generic kernels are its best")
    isa = "AVX-512" if cpu.avx512 else "AVX2" if "avx2" in cpu.flags else "widest"
    return True, f"MKL's {isa} kernels through its Intel dispatch on this {cpu.vendor} processor"


def build_shim(folder: str | Path, compiler: str | None = None) -> Path:
    """The one-function shared object in ``folder`` (built once per machine type, atomically:
    cluster jobs may build it side by side). Raises OSError or CalledProcessError where it
    cannot be built."""
    folder = Path(folder)
    target = folder / f"{SHIM_NAME}.{platform.machine()}.so"
    if target.is_file():
        return target
    compiler = compiler or os.environ.get("CC") or "cc"
    if shutil.which(compiler) is None:
        raise OSError(f"no C compiler {compiler!r} on PATH to build {target.name}")
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        src = Path(tmp) / "shim.c"
        src.write_text(SHIM_SOURCE)
        out = Path(tmp) / target.name
        subprocess.run([compiler, "-shared", "-fPIC", "-O2", "-o", str(out), str(src)],
                       check=True, capture_output=True, text=True)
        os.replace(out, target)
    return target


def _without_shim(preload: str) -> list[str]:
    # LD_PRELOAD is a list separated by spaces or colons; drop any earlier shim of ours (a
    # cluster job inherits the submitting host's choice, which need not fit its own node)
    return [p for p in preload.replace(":", " ").split() if SHIM_NAME not in p]


def set_gemm_env(folder: str | Path, environ=os.environ, cpu: CPU | None = None) -> str:
    """Put the shim into ``environ``'s LD_PRELOAD where :func:`wants_intel_dispatch` says it
    pays and it can be built in ``folder``; take any earlier one out otherwise. Every process
    started from ``environ`` afterwards gets the choice. Returns the choice in words."""
    kept = _without_shim(environ.get("LD_PRELOAD", ""))
    use, why = wants_intel_dispatch(cpu or read_cpu(), switch=environ.get(SWITCH, "auto"))
    shim = None
    if use:
        try:
            shim = build_shim(folder, environ.get("CC"))
        except (OSError, subprocess.CalledProcessError) as err:
            detail = getattr(err, "stderr", None) or err
            use = False
            why = f"MKL as shipped: the Intel-dispatch shim could not be built ({detail})"
    paths = kept + ([str(shim)] if use else [])
    if paths:
        environ["LD_PRELOAD"] = " ".join(paths)
    else:
        environ.pop("LD_PRELOAD", None)
    return why


def shim_loaded() -> bool:
    """Whether this process has the shim mapped (it was preloaded when the process started)."""
    try:
        return SHIM_NAME in Path("/proc/self/maps").read_text()
    except OSError:
        return False


def mkl_branch() -> int | None:
    """MKL's own code for the kernel branch it dispatches to in this process
    (``mkl_serv_cpu_detect``: 0 its generic path on a processor it takes for not Intel's,
    otherwise higher for wider instruction sets), or None where torch carries no MKL."""
    import torch

    lib = Path(torch.__file__).parent / "lib" / "libtorch_cpu.so"
    try:
        return int(ctypes.CDLL(str(lib)).mkl_serv_cpu_detect())
    except (OSError, AttributeError):
        return None


def describe() -> str:
    """One line for a job's log: which kernels this process's products run on."""
    import torch

    branch = mkl_branch()
    if branch is None:
        return f"matrix products: torch {torch.__version__} without MKL (its own BLAS)"
    via = "MKL's Intel dispatch (shim preloaded)" if shim_loaded() else "MKL as shipped"
    return (f"matrix products: {via}, MKL kernel branch {branch}; torch CPU capability "
            f"{torch.backends.cpu.get_cpu_capability()}; {read_cpu().model}")


def check_products(seed: int = 0, tolerance: float = 1e-5) -> float:
    """One float32 product against its float64 value; raises where they disagree by more
    than ``tolerance`` (relative, in the Frobenius norm), so a kernel path that computes
    wrong values stops a job before it scores. Returns the relative difference."""
    import torch

    gen = torch.Generator().manual_seed(seed)
    a = torch.randn(96, 600, generator=gen)
    b = torch.randn(600, 400, generator=gen)
    exact = a.double() @ b.double()
    rel = float((a @ b).double().sub_(exact).norm() / exact.norm())
    if not rel <= tolerance:
        raise RuntimeError(
            f"a float32 matrix product differs from its float64 value by {rel:.1e} (relative): "
            f"the BLAS path of this process ({describe()}) computes wrong values; rerun with "
            f"{SWITCH}=shipped to use MKL as torch ships it")
    return rel

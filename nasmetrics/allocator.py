"""The memory-allocator settings every job of the workflow runs with.

The zero-cost proxies' passes allocate and free arrays of tens to hundreds of MB many times
per architecture (float64 copies of embedding-sized gradients, the decoder's chunks of
logits, the graph of a double backward). With glibc's and PyTorch's defaults each large
allocation is a fresh mapping of 4 KB pages, faulted in on first touch and unmapped when
freed, and the medium ones leave holes in the heap that pile up over a shard's architectures.
These settings reuse freed memory instead and back large arrays with 2 MB pages:

- ``THP_MEM_ALLOC_ENABLE=1``: PyTorch's CPU allocator aligns allocations of 2 MB and more to
  2 MB and marks them for transparent huge pages (used where the kernel's setting is
  ``madvise`` or ``always``);
- ``MALLOC_MMAP_THRESHOLD_`` at glibc's largest value (32 MB): smaller allocations come from
  the heap, and the threshold no longer moves with the program's history;
- ``MALLOC_TRIM_THRESHOLD_`` and ``MALLOC_TOP_PAD_``: freed heap memory is kept for the
  next architecture instead of returned and faulted in again, and the heap grows in steps
  of 256 MB.

They are read when a process starts, so the workflow puts them in its own environment
(``rules/common.smk``) and every job inherits them; a variable already set in the
environment is left as it is (``THP_MEM_ALLOC_ENABLE=0`` turns that one off).
``benchmarks/allocator_env.py`` measures jobs with and without them.
"""

from __future__ import annotations

import ctypes
import functools
import os

ALLOCATOR_ENV = {
    "THP_MEM_ALLOC_ENABLE": "1",
    "MALLOC_MMAP_THRESHOLD_": str(32 * 2**20),
    "MALLOC_TRIM_THRESHOLD_": str(64 * 2**30),
    "MALLOC_TOP_PAD_": str(256 * 2**20),
}


@functools.cache
def _malloc_trim():
    # glibc's malloc_trim, or None where the C library is another
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def release_free_memory() -> None:
    """Hand the heap's free pages back to the system (glibc's ``malloc_trim``; elsewhere
    nothing). Called between architectures: the settings above keep freed memory for reuse,
    and over a shard of large cells the kept holes otherwise add up to a higher peak."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def set_allocator_env(environ=os.environ) -> None:
    """Put :data:`ALLOCATOR_ENV` into ``environ`` where a variable is not set yet."""
    for key, value in ALLOCATOR_ENV.items():
        environ.setdefault(key, value)

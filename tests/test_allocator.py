import ctypes
import sys

import pytest

from nasmetrics import allocator


def test_set_allocator_env_keeps_what_the_environment_already_sets():
    env = {"MALLOC_TOP_PAD_": "0"}
    allocator.set_allocator_env(env)
    assert env == {**allocator.ALLOCATOR_ENV, "MALLOC_TOP_PAD_": "0"}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_release_free_memory_trims_the_heap_and_finds_glibc_once(monkeypatch):
    allocator._malloc_trim.cache_clear()
    calls = []
    real = ctypes.CDLL

    def counting_cdll(name, *args, **kwargs):
        calls.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(ctypes, "CDLL", counting_cdll)
    allocator.release_free_memory()
    allocator.release_free_memory()
    assert calls == ["libc.so.6"]
    assert allocator._malloc_trim() is not None
    allocator._malloc_trim.cache_clear()


def test_release_free_memory_is_a_no_op_without_glibc(monkeypatch):
    allocator._malloc_trim.cache_clear()

    def no_libc(name, *args, **kwargs):
        raise OSError(f"{name}: cannot open shared object file")

    monkeypatch.setattr(ctypes, "CDLL", no_libc)
    allocator.release_free_memory()
    assert allocator._malloc_trim() is None
    allocator._malloc_trim.cache_clear()

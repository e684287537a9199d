"""glibc's mmap threshold during a fit (what a dask worker's environment fixes low)."""

import os
import subprocess
import sys

import pytest

from sklearn_hume import _malloc


class FakeLibc:
    def __init__(self):
        self.calls = []

    def mallopt(self, param, value):
        self.calls.append((param, value))
        return 1


@pytest.mark.parametrize(
    "environ, expected",
    [({}, None),  # glibc adapts the threshold by itself
     ({"MALLOC_TRIM_THRESHOLD_": "65536"}, 128 * 1024),  # dask's nanny: fixed at glibc's default
     ({"MALLOC_TRIM_THRESHOLD_": "65536", "MALLOC_MMAP_THRESHOLD_": "4096"}, 4096),
     ({"MALLOC_MMAP_THRESHOLD_": "not a number"}, None)],
)
def test_fixed_mmap_threshold(environ, expected):
    assert _malloc.fixed_mmap_threshold(environ) == expected


def test_raised_inside_the_fit_and_restored_after():
    libc = FakeLibc()
    with _malloc.allocations_off_mmap({"MALLOC_TRIM_THRESHOLD_": "65536"}, libc):
        assert libc.calls == [(-3, 32 * 1024 * 1024)]
    assert libc.calls[-1] == (-3, 128 * 1024)
    # Restored on an error too.
    libc = FakeLibc()
    with pytest.raises(RuntimeError), _malloc.allocations_off_mmap({"MALLOC_MMAP_THRESHOLD_": "4096"}, libc):
        raise RuntimeError
    assert libc.calls == [(-3, 32 * 1024 * 1024), (-3, 4096)]


def test_nested_blocks_restore_only_at_the_outermost():
    # A fit whose chunks of runs run in threads of the same process nests the block.
    libc, env = FakeLibc(), {"MALLOC_TRIM_THRESHOLD_": "65536"}
    with _malloc.allocations_off_mmap(env, libc):
        with _malloc.allocations_off_mmap(env, libc):
            pass
        assert libc.calls == [(-3, 32 * 1024 * 1024)]  # still raised after the inner block
    assert libc.calls == [(-3, 32 * 1024 * 1024), (-3, 128 * 1024)]


@pytest.mark.parametrize("environ", [{}, {"MALLOC_MMAP_THRESHOLD_": str(64 * 1024 * 1024)}])
def test_untouched_when_glibc_adapts_or_the_threshold_is_already_high(environ):
    libc = FakeLibc()
    with _malloc.allocations_off_mmap(environ, libc):
        pass
    assert libc.calls == []


def test_real_libc_call_in_a_dask_like_worker():
    # In a child process with dask's variable set (this process's allocator stays
    # as it is): glibc's mallopt is called for real on Linux, a no-op elsewhere.
    code = ("from sklearn_hume._malloc import allocations_off_mmap\n"
            "with allocations_off_mmap():\n"
            "    block = bytearray(4 << 20)\n"
            "print(len(block))")
    env = {**os.environ, "MALLOC_TRIM_THRESHOLD_": "65536"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(4 << 20)

"""Keep a fit's temporary tensors out of ``mmap`` where a dask worker set
glibc's trim threshold.

An iteration allocates and frees a few dozen temporaries of ``N x R x K``
floats (about 2 MB for 6,000 rows). glibc serves blocks above its mmap
threshold with a fresh ``mmap`` (page faults on every first touch) and adapts
that threshold upwards as such blocks are freed, unless ``MALLOC_TRIM_THRESHOLD_``
or ``MALLOC_MMAP_THRESHOLD_`` is set, which fixes it at 128 KiB. dask's nanny
sets ``MALLOC_TRIM_THRESHOLD_=65536`` in every worker (to give memory back to
the OS), and a 4-run wordnet10 fit on one thread measured 5.1 s with that
variable against 3.4 s without, and 3.1 s with the variable and a 32 MiB mmap
threshold. :func:`allocations_off_mmap` sets that threshold for the duration
of a fit and puts the fixed default back afterwards; the trim threshold (what
dask wants) is left alone, so freed memory still goes back to the OS.
"""

import ctypes
import ctypes.util
import os
import sys
import threading
from contextlib import contextmanager

_M_MMAP_THRESHOLD = -3  # mallopt parameter number (glibc's malloc.h)
_GLIBC_DEFAULT = 128 * 1024
FIT_MMAP_THRESHOLD = 32 * 1024 * 1024
# The setting is per process: only the outermost block sets and restores it, so
# a fit's chunks run in threads of the same process do not restore it early.
_depth = 0
_lock = threading.Lock()


def _libc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "mallopt") else None
    except OSError:
        return None


def fixed_mmap_threshold(environ=None):
    """The mmap threshold glibc keeps fixed in this process, or ``None`` when it
    adapts (neither tuning variable set): only then is there nothing to do."""
    environ = os.environ if environ is None else environ
    if "MALLOC_MMAP_THRESHOLD_" in environ:
        try:
            return int(environ["MALLOC_MMAP_THRESHOLD_"])
        except ValueError:
            return None
    return _GLIBC_DEFAULT if "MALLOC_TRIM_THRESHOLD_" in environ else None


@contextmanager
def allocations_off_mmap(environ=None, libc=None):
    """Raise glibc's mmap threshold to :data:`FIT_MMAP_THRESHOLD` inside the
    block when the environment fixed it lower (as in a dask worker); restore
    the fixed value on exit. A no-op elsewhere (other platforms, other C
    libraries, or a threshold glibc still adapts by itself)."""
    global _depth
    before = fixed_mmap_threshold(environ)
    libc = None if before is None or before >= FIT_MMAP_THRESHOLD else (libc or _libc())
    if libc is None:
        yield
        return
    with _lock:
        _depth += 1
        if _depth == 1:
            libc.mallopt(_M_MMAP_THRESHOLD, FIT_MMAP_THRESHOLD)
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                libc.mallopt(_M_MMAP_THRESHOLD, before)

"""Writing a file whole or not at all (the command line's outputs, the
datasets' feature cache)."""

import os
import tempfile
from pathlib import Path

import numpy as np


def atomic_write(path, write):
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it
    to ``path``: a reader never sees half a file, and a failure (or an
    interrupt) leaves nothing behind. The file gets the mode any new file gets
    (0666 less the umask), not mkstemp's 0600."""
    p = Path(path)
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    os.close(fd)
    try:
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        write(tmp)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_npy(path, a):
    """``np.save`` to exactly ``path`` (given a file name, it would append ".npy")."""
    with open(path, "wb") as fh:
        np.save(fh, a)

"""Progress bars for long work, shown only when ``verbose`` asks for them."""

from contextlib import nullcontext


def progress_bar(total, desc, verbose):
    """A tqdm bar on stderr when ``verbose >= 1``, else a context that yields
    ``None`` (callers skip their updates)."""
    if not verbose:
        return nullcontext(None)
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, leave=False, mininterval=0.5)

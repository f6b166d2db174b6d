"""How often Python's cyclic garbage collector runs during a build, and memory given back."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the cyclic collector less often for the duration of the block.

    A build allocates millions of short-lived objects (tokens, file records)
    that reference counting frees, and keeps many long-lived ones (the
    results); at the default threshold (700 allocations) the collector walks
    them thousands of times per 1,000 essays, about 5 % of a build, more on a
    large site.  The threshold comes back afterwards: ``serve`` lives on.
    """
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def return_free_memory() -> None:
    """Give the memory that freed objects leave inside the heap back to the system
    (glibc's ``malloc_trim``), for the processes that start next (Pagefind's): the C
    library keeps it otherwise, and the process's size stays that of its peak.  A
    no-op on other C libraries."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes  # lazily: only once a large build let go of its results

    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # musl: no malloc_trim
        return
    trim(0)

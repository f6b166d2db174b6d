"""How often Python's cyclic garbage collector runs during a build."""

from __future__ import annotations

import gc
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

"""Pausing the cyclic garbage collector while a large, acyclic result is built.

Reading a whole plan creates tens of thousands of small objects (rows, records, tuples) that
hold no reference cycles. Each batch of new objects triggers collections that walk the young
generations, and sometimes a full one: at 5,500 actions about half the read's time was spent
there (measured in benchmarks/plan_scale.py). Reference counting still frees everything; the
pause only stops the cycle detector for the read's duration, for all threads.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Disable ``gc`` inside the block; nested or concurrent blocks restore it only at the end."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()

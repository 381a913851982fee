"""Pausing the cyclic garbage collector while a large, acyclic result is built.

Reading a whole plan creates tens of thousands of small objects (rows, records, tuples) that
hold no reference cycles. Each batch of new objects triggers collections that walk the young
generations, and sometimes a full one: at 5,500 actions about half the read's time was spent
there (measured in benchmarks/plan_scale.py). Reference counting still frees everything; the
pause only stops the cycle detector for the read's duration.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator


class GcPause:
    """Owned by the plan cache: concurrent or nested reads re-enable ``gc`` only at the end.

    The collector is one per process; a pause started here is undone here, and a collector
    that was off before (someone else's pause) is left off.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._was_enabled = False

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Disable ``gc`` inside the block."""
        with self._lock:
            if self._depth == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0 and self._was_enabled:
                    gc.enable()

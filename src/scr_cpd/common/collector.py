"""Pausing Python's cyclic garbage collector while a large tree of fresh objects is built.

Building a CPD log, reading a team's logs or checking a large bank makes hundreds of thousands
of dicts, lists and strings that hold no reference cycles and live until the work is done; the
collector's passes over them (set off by the count of new objects alone) find nothing to free and
cost a fifth to a third of the time. Reference counting still frees everything as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off inside the block, and on again after it if it was on before."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

"""Collecting what a block of work would write one row at a time, to write it together at the end.

A sync batch writes an audit event and maybe an alert per document; written together they cost
one statement each (measured by bench/sync_ingest.py). Blocks nest: a document's block inside the
batch's adds to the batch's collection, unless it fails and its writes are rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collecting(info: dict, key: str) -> Iterator[list | None]:
    """Collect items in ``info[key]`` while the block runs.

    Yields the list when this block is the outermost one: the caller writes its items after the
    block, which it does not reach when the block raises (nothing is written). Yields None when
    nested in another: the items go to the outer block's list, and are taken out again if this
    block raises.
    """
    if key in info:
        outer = info[key]
        mark = len(outer)
        try:
            yield None
        except BaseException:
            del outer[mark:]
            raise
        return
    pending: list = []
    info[key] = pending
    try:
        yield pending
    finally:
        del info[key]

"""careobs.deferral.collecting: nested blocks add to the outer one's list, unless they raise."""

from __future__ import annotations

import pytest

from careobs.deferral import collecting

KEY = "test.pending"


def test_the_outermost_block_gets_everything_its_nested_blocks_collected():
    info: dict = {}
    with collecting(info, KEY) as outer:
        info[KEY].append("batch")
        with collecting(info, KEY) as inner:
            assert inner is None
            info[KEY].append("document 1")
    assert outer == ["batch", "document 1"]
    assert KEY not in info


def test_a_nested_block_that_raises_takes_its_items_out_and_the_rest_stay():
    info: dict = {}
    with collecting(info, KEY) as outer:
        info[KEY].append("document 1")
        with pytest.raises(ValueError), collecting(info, KEY):
            info[KEY] += ["document 2", "its alert"]
            raise ValueError("document 2 failed")
        info[KEY].append("document 3")
    assert outer == ["document 1", "document 3"]


def test_the_outermost_block_raising_leaves_nothing_behind():
    info: dict = {}
    with pytest.raises(RuntimeError), collecting(info, KEY):
        info[KEY].append("lost with the batch")
        raise RuntimeError
    assert info == {}
